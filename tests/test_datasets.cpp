// NYUv2 / Make3D loaders, the SPEC 6 protocols and `dfd dataset`, on tiny .mat (v5, v7.3) and
// JPEG files that the tests write with matio, OpenCV and libexif themselves.
#include <gtest/gtest.h>
#include <libexif/exif-data.h>
#include <matio.h>
#include <sys/wait.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <sstream>

#include "dfd/datasets.h"
#include "dfd/error.h"
#include "dfd/io.h"
#include "test_io_util.h"

namespace dfd {
namespace {

using testing::CliRun;
using testing::fresh_dir;
using testing::path_in;
using testing::run_dfd;
namespace fs = std::filesystem;

// ---- Writers of the real formats -------------------------------------------------------------

// One variable of a .mat file: name, class, MATLAB dims, column-major values.
struct MatVar {
  std::string name;
  matio_classes cls = MAT_C_DOUBLE;
  std::vector<size_t> dims;
  std::vector<double> values;
};

void write_mat(const std::string& path, mat_ft version, const std::vector<MatVar>& vars) {
  mat_t* m = Mat_CreateVer(path.c_str(), nullptr, version);
  ASSERT_NE(m, nullptr) << path;
  for (const MatVar& v : vars) {
    std::vector<uint8_t> u8;
    std::vector<float> f32;
    std::vector<double> f64 = v.values;
    void* data = f64.data();
    matio_types type = MAT_T_DOUBLE;
    if (v.cls == MAT_C_UINT8) {
      u8.assign(v.values.begin(), v.values.end());
      data = u8.data();
      type = MAT_T_UINT8;
    } else if (v.cls == MAT_C_SINGLE) {
      f32.assign(v.values.begin(), v.values.end());
      data = f32.data();
      type = MAT_T_SINGLE;
    }
    std::vector<size_t> dims = v.dims;
    matvar_t* var = Mat_VarCreate(v.name.c_str(), v.cls, type, static_cast<int>(dims.size()), dims.data(), data, 0);
    ASSERT_NE(var, nullptr) << v.name;
    ASSERT_EQ(Mat_VarWrite(m, var, version == MAT_FT_MAT5 ? MAT_COMPRESSION_ZLIB : MAT_COMPRESSION_NONE), 0);
    Mat_VarFree(var);
  }
  Mat_Close(m);
}

// A distinct uint8 value for NYUv2 image element (r, c, ch, n).
double nyu_pixel(size_t r, size_t c, size_t ch, size_t n) {
  return static_cast<double>((r * 7 + c * 29 + ch * 61 + n * 101) % 256);
}
// A distinct depth for element (r, c, n), metres.
double nyu_depth(size_t r, size_t c, size_t n) { return 1.0 + 0.25 * r + 0.03125 * c + 2.0 * n; }

// The NYUv2 labelled layout: images H x W x 3 x N uint8, depths H x W x N single, column-major.
std::vector<MatVar> nyu_vars(size_t H, size_t W, size_t N) {
  MatVar im{"images", MAT_C_UINT8, {H, W, 3, N}, std::vector<double>(H * W * 3 * N)};
  MatVar d{"depths", MAT_C_SINGLE, {H, W, N}, std::vector<double>(H * W * N)};
  if (N == 1) {  // MATLAB drops the trailing singleton dimension
    im.dims.pop_back();
    d.dims.pop_back();
  }
  for (size_t n = 0; n < N; ++n)
    for (size_t ch = 0; ch < 3; ++ch)
      for (size_t c = 0; c < W; ++c)
        for (size_t r = 0; r < H; ++r) im.values[r + H * (c + W * (ch + 3 * n))] = nyu_pixel(r, c, ch, n);
  for (size_t n = 0; n < N; ++n)
    for (size_t c = 0; c < W; ++c)
      for (size_t r = 0; r < H; ++r) d.values[r + H * (c + W * n)] = nyu_depth(r, c, n);
  return {im, d};
}

std::string write_nyu(const std::string& dir, size_t H, size_t W, size_t N) {
  const std::string path = path_in(dir, "nyu.mat");
  write_mat(path, MAT_FT_MAT73, nyu_vars(H, W, N));
  return path;
}

// Make3D's laser grid: rows x cols x 4 doubles; plane 4 (index 3) = depth(r, c), the others -1.
MatVar make3d_grid(size_t R, size_t C, size_t planes = 4) {
  MatVar g{"Position3DGrid", MAT_C_DOUBLE, {R, C, planes}, std::vector<double>(R * C * planes, -1.0)};
  for (size_t c = 0; c < C; ++c)
    for (size_t r = 0; r < R; ++r)
      if (planes >= 4) g.values[r + R * (c + C * 3)] = 1.0 + r + 10.0 * c;
  return g;
}

struct ExifFree {
  void operator()(ExifData* d) const { exif_data_unref(d); }
};

void add_rational(ExifData* d, ExifIfd ifd, ExifTag tag, uint32_t num, uint32_t den) {
  ExifEntry* e = exif_entry_new();
  e->tag = tag;
  e->format = EXIF_FORMAT_RATIONAL;
  e->components = 1;
  e->size = 8;
  e->data = static_cast<unsigned char*>(std::calloc(1, 8));  // freed by libexif's default allocator
  exif_set_rational(e->data, exif_data_get_byte_order(d), ExifRational{num, den});
  exif_content_add_entry(d->ifd[ifd], e);
  exif_entry_unref(e);
}

void add_short(ExifData* d, ExifIfd ifd, ExifTag tag, uint16_t v) {
  ExifEntry* e = exif_entry_new();
  e->tag = tag;
  e->format = EXIF_FORMAT_SHORT;
  e->components = 1;
  e->size = 2;
  e->data = static_cast<unsigned char*>(std::calloc(1, 2));
  exif_set_short(e->data, exif_data_get_byte_order(d), v);
  exif_content_add_entry(d->ifd[ifd], e);
  exif_entry_unref(e);
}

// A JPEG of a smooth RGB pattern (w x h); with `exif`, an APP1 block carrying FocalLength 7.4 mm,
// FNumber 2.8 and a focal-plane resolution of 1000 px/cm (pitch 10 um) at PixelXDimension w.
void write_jpeg(const std::string& path, int w, int h, bool exif) {
  cv::Mat im(h, w, CV_8UC3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) im.at<cv::Vec3b>(y, x) = cv::Vec3b(40 + 3 * x % 200, 60 + 2 * y % 150, 128);
  std::vector<uchar> jpg;
  ASSERT_TRUE(cv::imencode(".jpg", im, jpg, {cv::IMWRITE_JPEG_QUALITY, 95}));
  if (exif) {
    std::unique_ptr<ExifData, ExifFree> d(exif_data_new());
    exif_data_set_byte_order(d.get(), EXIF_BYTE_ORDER_INTEL);
    add_rational(d.get(), EXIF_IFD_EXIF, EXIF_TAG_FOCAL_LENGTH, 74, 10);
    add_rational(d.get(), EXIF_IFD_EXIF, EXIF_TAG_FNUMBER, 28, 10);
    add_rational(d.get(), EXIF_IFD_EXIF, EXIF_TAG_FOCAL_PLANE_X_RESOLUTION, 1000, 1);
    add_short(d.get(), EXIF_IFD_EXIF, EXIF_TAG_FOCAL_PLANE_RESOLUTION_UNIT, 3);  // cm
    add_short(d.get(), EXIF_IFD_EXIF, EXIF_TAG_PIXEL_X_DIMENSION, static_cast<uint16_t>(w));
    unsigned char* buf = nullptr;
    unsigned int len = 0;
    exif_data_save_data(d.get(), &buf, &len);  // "Exif\0\0" + TIFF block
    ASSERT_NE(buf, nullptr);
    const size_t seg = len + 2;
    std::vector<uchar> app1 = {0xFF, 0xE1, static_cast<uchar>(seg >> 8), static_cast<uchar>(seg & 0xFF)};
    app1.insert(app1.end(), buf, buf + len);
    std::free(buf);
    jpg.insert(jpg.begin() + 2, app1.begin(), app1.end());  // right after SOI
  }
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(jpg.data()), jpg.size());
}

// Expects Error of `kind` whose message names every part.
template <class F>
void expect_error(F&& f, ErrorKind kind, const std::vector<std::string>& parts) {
  try {
    f();
    ADD_FAILURE() << "no error thrown";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    for (const std::string& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  }
}

// ---- Index lists and resizing ------------------------------------------------------------------

TEST(DatasetIndexList, ParsesListsRangesAndAll) {
  EXPECT_EQ(parse_index_list("all", 3, "f"), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(parse_index_list("4,1,1", 5, "f"), (std::vector<int>{1, 4}));
  EXPECT_EQ(parse_index_list("0-2,7", 8, "f"), (std::vector<int>{0, 1, 2, 7}));
  expect_error([] { parse_index_list("8", 8, "nyu.mat"); }, ErrorKind::Usage, {"nyu.mat", "out of range", "0..7"});
  expect_error([] { parse_index_list("3-1", 8, "nyu.mat"); }, ErrorKind::Usage, {"backwards"});
  for (const char* bad : {"", "x", "1,,2", "-1", "1-", "1.5"})
    expect_error([&] { parse_index_list(bad, 8, "nyu.mat"); }, ErrorKind::Usage, {"nyu.mat", "bad index list"});
}

TEST(DatasetResize, TwoTimesReductionUsesTheStretchedTriangle) {
  // An impulse of 64 at (4, 4): along each axis output j takes inputs 2j-1..2j+2 with weights
  // 1/8, 3/8, 3/8, 1/8, so outputs (2, 2), (1, 2), (2, 1), (1, 1) get 64 * 9/64, 3/64, 3/64, 1/64.
  Image im(12, 10, 1, 0.f);
  im.at(4, 4) = 64.f;
  const Image out = resize_bilinear_aa(im, 6, 5);
  ASSERT_EQ(out.width, 6);
  ASSERT_EQ(out.height, 5);
  EXPECT_FLOAT_EQ(out.at(2, 2), 9.f);
  EXPECT_FLOAT_EQ(out.at(1, 2), 3.f);
  EXPECT_FLOAT_EQ(out.at(2, 1), 3.f);
  EXPECT_FLOAT_EQ(out.at(1, 1), 1.f);
  EXPECT_FLOAT_EQ(out.at(3, 2), 0.f);
  // At the border the taps inside the image are renormalised: a constant stays constant.
  const Image flat = resize_bilinear_aa(Image(9, 7, 2, 5.f), 4, 3);
  for (float v : flat.data) EXPECT_NEAR(v, 5.f, 1e-5f);
  // Enlarging is plain bilinear between pixel centres (clamped at the ends).
  Image ramp(2, 1, 1);
  ramp.at(0, 0) = 0.f;
  ramp.at(1, 0) = 4.f;
  const Image up = resize_bilinear_aa(ramp, 4, 1);  // centres at input x = -0.25, 0.25, 0.75, 1.25
  EXPECT_FLOAT_EQ(up.at(0, 0), 0.f);
  EXPECT_FLOAT_EQ(up.at(1, 0), 1.f);
  EXPECT_FLOAT_EQ(up.at(2, 0), 3.f);
  EXPECT_FLOAT_EQ(up.at(3, 0), 4.f);
}

// ---- NYUv2 ---------------------------------------------------------------------------------------

TEST(DatasetNyuv2, ElementsLandAtTheirRowColumnAndChannel) {
  const std::string dir = fresh_dir();
  const std::string mat = write_nyu(dir, 8, 6, 2);  // H = 8 rows, W = 6 columns: a transposition shows
  const Nyuv2Info info = nyuv2_info(mat);
  EXPECT_EQ(info.width, 6);
  EXPECT_EQ(info.height, 8);
  EXPECT_EQ(info.count, 2);
  const RgbdImage s = nyuv2_read(mat, 1);
  ASSERT_EQ(s.rgb.width, 6);
  ASSERT_EQ(s.rgb.height, 8);
  ASSERT_EQ(s.rgb.channels, 3);
  // One known value: row 5, column 2, green, sample 1 = (35 + 58 + 61 + 101) % 256 = 255.
  EXPECT_EQ(s.rgb.at(2, 5, 1), 255.f);
  for (int ch = 0; ch < 3; ++ch)
    for (int r = 0; r < 8; ++r)
      for (int c = 0; c < 6; ++c) ASSERT_EQ(s.rgb.at(c, r, ch), nyu_pixel(r, c, ch, 1)) << r << "," << c << "," << ch;
  for (int r = 0; r < 8; ++r)
    for (int c = 0; c < 6; ++c) ASSERT_EQ(s.depth.at(c, r), static_cast<float>(nyu_depth(r, c, 1)));
  EXPECT_EQ(nyuv2_read(mat, 0).depth.at(0, 0), 1.f);
}

TEST(DatasetNyuv2, OneSampleFileHasDroppedSingletonDims) {
  const std::string dir = fresh_dir();
  const std::string mat = write_nyu(dir, 4, 6, 1);
  EXPECT_EQ(nyuv2_info(mat).count, 1);
  EXPECT_EQ(nyuv2_read(mat, 0).rgb.at(5, 3, 2), nyu_pixel(3, 5, 2, 0));
}

TEST(DatasetNyuv2, ProtocolHalvesAndClips) {
  const std::string dir = fresh_dir();
  const std::string mat = path_in(dir, "nyu.mat");
  auto vars = nyu_vars(12, 16, 1);
  // Depth linear in the column, 0.75 c - 0.5: the triangle filter keeps a ramp where all its
  // taps are inside (output x sees inputs 2x-1..2x+2, mean 2x + 0.5); the end columns use three
  // taps (weights 3/7, 3/7, 1/7) and fall below 0.1 (0.036) and beyond 10 (10.21): clipped.
  for (size_t c = 0; c < 16; ++c)
    for (size_t r = 0; r < 12; ++r) vars[1].values[r + 12 * c] = 0.75 * c - 0.5;
  write_mat(mat, MAT_FT_MAT73, vars);
  const DatasetSample s = nyuv2_sample(mat, 0);
  EXPECT_EQ(s.name, "0000");
  EXPECT_EQ(s.rgb.width, 8);
  EXPECT_EQ(s.rgb.height, 6);
  EXPECT_EQ(s.depth.width, 8);
  EXPECT_EQ(s.source_width, 16);
  EXPECT_EQ(s.options.preset, "nyuv2");
  EXPECT_EQ(s.focus_distances, preset_focus_distances("nyuv2"));
  for (int y = 0; y < 6; ++y) {
    EXPECT_FLOAT_EQ(s.depth.at(0, y), 0.1f);
    EXPECT_FLOAT_EQ(s.depth.at(7, y), 10.f);
    for (int x = 1; x < 7; ++x) EXPECT_NEAR(s.depth.at(x, y), 0.75 * (2 * x + 0.5) - 0.5, 1e-5) << x;
  }
  for (float z : s.depth.data) {
    EXPECT_GE(z, 0.1f);
    EXPECT_LE(z, 10.f);
  }
  for (float v : s.rgb.data) {
    EXPECT_GE(v, 0.f);
    EXPECT_LE(v, 255.f);
  }
}

TEST(DatasetNyuv2, BadFilesAreNamed) {
  const std::string dir = fresh_dir();
  const std::string mat = path_in(dir, "bad.mat");
  auto vars = nyu_vars(8, 6, 2);

  write_mat(mat, MAT_FT_MAT73, {vars[0]});
  expect_error([&] { nyuv2_info(mat); }, ErrorKind::Input, {mat, "no variable 'depths'"});

  auto wrong_class = vars;
  wrong_class[0].cls = MAT_C_DOUBLE;
  write_mat(mat, MAT_FT_MAT73, wrong_class);
  expect_error([&] { nyuv2_info(mat); }, ErrorKind::Input, {mat, "'images' is double", "expected uint8"});

  auto wrong_rank = vars;
  wrong_rank[0].dims = {8, 36};
  write_mat(mat, MAT_FT_MAT73, wrong_rank);
  expect_error([&] { nyuv2_info(mat); }, ErrorKind::Input, {mat, "8 x 36", "H x W x 3 x N"});

  auto two_channels = vars;
  two_channels[0].dims = {8, 6, 2, 3};
  write_mat(mat, MAT_FT_MAT73, two_channels);
  expect_error([&] { nyuv2_info(mat); }, ErrorKind::Input, {mat, "8 x 6 x 2 x 3"});

  auto mismatch = vars;
  mismatch[1].dims = {6, 8, 2};
  write_mat(mat, MAT_FT_MAT73, mismatch);
  expect_error([&] { nyuv2_info(mat); }, ErrorKind::Input, {mat, "does not match", "8 x 6 x 2"});

  auto fewer = vars;
  fewer[1].dims = {8, 6, 1};
  fewer[1].values.resize(48);
  write_mat(mat, MAT_FT_MAT73, fewer);
  expect_error([&] { nyuv2_info(mat); }, ErrorKind::Input, {mat, "does not match"});

  auto int_depth = vars;
  int_depth[1].cls = MAT_C_UINT8;
  write_mat(mat, MAT_FT_MAT73, int_depth);
  expect_error([&] { nyuv2_info(mat); }, ErrorKind::Input, {mat, "'depths' is uint8", "single or double"});

  write_mat(mat, MAT_FT_MAT73, vars);
  expect_error([&] { nyuv2_read(mat, 2); }, ErrorKind::Usage, {mat, "sample 2 is out of range", "0..1"});

  const std::string text = path_in(dir, "notes.mat");
  std::ofstream(text) << "not a MAT file\n";
  expect_error([&] { nyuv2_info(text); }, ErrorKind::Input, {text, "not a MATLAB .mat file"});
  expect_error([&] { nyuv2_info(path_in(dir, "missing.mat")); }, ErrorKind::Input, {"missing.mat", "no such file"});
}

TEST(DatasetNyuv2, ReadsAVersion5FileToo) {
  const std::string dir = fresh_dir();
  const std::string mat = path_in(dir, "nyu5.mat");
  write_mat(mat, MAT_FT_MAT5, nyu_vars(8, 6, 2));
  EXPECT_EQ(nyuv2_read(mat, 1).rgb.at(2, 5, 1), 255.f);
}

TEST(DatasetNyuv2, OfficialSplitGivesZeroBasedIndices) {
  const std::string dir = fresh_dir();
  const std::string mat = path_in(dir, "splits.mat");
  write_mat(mat, MAT_FT_MAT5,
            {MatVar{"testNdxs", MAT_C_DOUBLE, {3, 1}, {5, 1, 2}}, MatVar{"trainNdxs", MAT_C_DOUBLE, {1, 2}, {3, 4}}});
  EXPECT_EQ(nyuv2_split(mat, "test", 5), (std::vector<int>{0, 1, 4}));
  EXPECT_EQ(nyuv2_split(mat, "train", 5), (std::vector<int>{2, 3}));
  expect_error([&] { nyuv2_split(mat, "test", 4); }, ErrorKind::Input, {mat, "testNdxs", "holds 5", "1..4"});
  expect_error([&] { nyuv2_split(mat, "val", 5); }, ErrorKind::Usage, {"val"});
  write_mat(mat, MAT_FT_MAT5, {MatVar{"testNdxs", MAT_C_DOUBLE, {2, 2}, {1, 2, 3, 4}}});
  expect_error([&] { nyuv2_split(mat, "test", 5); }, ErrorKind::Input, {mat, "2 x 2", "vector"});
  expect_error([&] { nyuv2_split(mat, "train", 5); }, ErrorKind::Input, {mat, "no variable 'trainNdxs'"});
  write_mat(mat, MAT_FT_MAT5, {MatVar{"testNdxs", MAT_C_DOUBLE, {2, 1}, {1, 2.5}}});
  expect_error([&] { nyuv2_split(mat, "test", 5); }, ErrorKind::Input, {mat, "holds 2.5"});
}

// ---- Make3D ------------------------------------------------------------------------------------

TEST(DatasetMake3d, ReadsGridPlaneFourAtItsRowsAndColumns) {
  const std::string dir = fresh_dir();
  const std::string img = path_in(dir, "img-a1.jpg"), mat = path_in(dir, "depth_sph_corr-a1.mat");
  write_jpeg(img, 30, 40, false);
  write_mat(mat, MAT_FT_MAT5, {make3d_grid(5, 7)});
  const RgbdImage s = make3d_read(img, mat);
  EXPECT_EQ(s.rgb.width, 30);
  EXPECT_EQ(s.rgb.height, 40);
  ASSERT_EQ(s.depth.width, 7);
  ASSERT_EQ(s.depth.height, 5);
  for (int r = 0; r < 5; ++r)
    for (int c = 0; c < 7; ++c) EXPECT_EQ(s.depth.at(c, r), 1.0f + r + 10.0f * c);
  EXPECT_EQ(make3d_key(img), "a1");
  EXPECT_EQ(make3d_key(mat), "a1");
  EXPECT_EQ(make3d_key(path_in(dir, "photo.jpg")), "");
}

TEST(DatasetMake3d, ProtocolSizesClipsAndTakesTheCameraFromExif) {
  const std::string dir = fresh_dir();
  const std::string img = path_in(dir, "img-p.jpg"), mat = path_in(dir, "depth_sph_corr-p.mat");
  write_jpeg(img, 30, 40, true);  // portrait, as Make3D's 1704 x 2272 images
  MatVar g = make3d_grid(5, 7);
  g.values[0 + 5 * (0 + 7 * 3)] = 0.0;   // (r 0, c 0): below 0.01
  g.values[4 + 5 * (6 + 7 * 3)] = 95.0;  // (r 4, c 6): beyond 80
  write_mat(mat, MAT_FT_MAT5, {g});
  const DatasetSample s = make3d_sample(img, mat);
  EXPECT_EQ(s.name, "p");
  EXPECT_EQ(s.rgb.width, kMake3dShortSide);
  EXPECT_EQ(s.rgb.height, kMake3dLongSide);
  EXPECT_EQ(s.depth.width, kMake3dShortSide);
  EXPECT_EQ(s.depth.height, kMake3dLongSide);
  // Corners sit within half a grid cell of the grid's corner samples: exact values, clipped.
  EXPECT_FLOAT_EQ(s.depth.at(0, 0), 0.01f);
  EXPECT_FLOAT_EQ(s.depth.at(kMake3dShortSide - 1, kMake3dLongSide - 1), 80.f);
  EXPECT_FLOAT_EQ(s.depth.at(0, kMake3dLongSide - 1), 5.f);    // row 4, column 0
  EXPECT_FLOAT_EQ(s.depth.at(kMake3dShortSide - 1, 0), 61.f);  // row 0, column 6
  EXPECT_EQ(s.options.preset, "make3d");
  EXPECT_NEAR(s.options.focal_length, 7.4e-3, 1e-12);
  EXPECT_NEAR(s.options.f_number, 2.8, 1e-12);
  EXPECT_NEAR(s.options.effective_aperture(), 7.4e-3 / 2.8, 1e-12);
  EXPECT_NEAR(s.options.pixel_pitch, 1e-5 * 30 / kMake3dShortSide, 1e-15);  // 10 um at 30 px wide
  EXPECT_EQ(s.focus_distances, preset_focus_distances("make3d"));
}

TEST(DatasetMake3d, WithoutExifThePresetCameraIsUsed) {
  const std::string dir = fresh_dir();
  const std::string img = path_in(dir, "img-q.jpg"), mat = path_in(dir, "depth_sph_corr-q.mat");
  write_jpeg(img, 40, 30, false);  // landscape
  write_mat(mat, MAT_FT_MAT5, {make3d_grid(4, 3)});
  const DatasetSample s = make3d_sample(img, mat);
  EXPECT_EQ(s.rgb.width, kMake3dLongSide);
  EXPECT_EQ(s.rgb.height, kMake3dShortSide);
  const Options p = preset_options("make3d");
  EXPECT_EQ(s.options.focal_length, p.focal_length);
  EXPECT_EQ(s.options.f_number, p.f_number);
  EXPECT_NEAR(s.options.pixel_pitch, p.pixel_pitch, 1e-18);
  EXPECT_NE(s.camera_source.find("default sensor"), std::string::npos) << s.camera_source;
}

TEST(DatasetMake3d, BadFilesAreNamed) {
  const std::string dir = fresh_dir();
  const std::string img = path_in(dir, "img-b.jpg"), mat = path_in(dir, "depth_sph_corr-b.mat");
  write_jpeg(img, 8, 6, false);

  write_mat(mat, MAT_FT_MAT5, {MatVar{"depth", MAT_C_DOUBLE, {2, 2}, {1, 2, 3, 4}}});
  expect_error([&] { make3d_read(img, mat); }, ErrorKind::Input, {mat, "no variable 'Position3DGrid'"});

  write_mat(mat, MAT_FT_MAT5, {make3d_grid(5, 7, 3)});
  expect_error([&] { make3d_read(img, mat); }, ErrorKind::Input, {mat, "5 x 7 x 3", "rows x cols x 4"});

  MatVar u8 = make3d_grid(5, 7);
  u8.cls = MAT_C_UINT8;
  for (double& v : u8.values) v = 3;
  write_mat(mat, MAT_FT_MAT5, {u8});
  expect_error([&] { make3d_read(img, mat); }, ErrorKind::Input, {mat, "uint8", "expected double"});

  MatVar nan = make3d_grid(5, 7);
  nan.values[2 + 5 * (3 + 7 * 3)] = std::nan("");
  write_mat(mat, MAT_FT_MAT5, {nan});
  expect_error([&] { make3d_read(img, mat); }, ErrorKind::Input, {mat, "not finite at row 2, column 3"});

  write_mat(mat, MAT_FT_MAT5, {make3d_grid(5, 7)});
  const std::string other = path_in(dir, "depth_sph_corr-c.mat");
  fs::copy_file(mat, other);
  expect_error([&] { make3d_sample(img, other); }, ErrorKind::Input, {other, img, "does not belong"});
  expect_error([&] { make3d_read(img, img); }, ErrorKind::Input, {img, "not a MATLAB .mat file"});
  const std::string broken = path_in(dir, "img-x.jpg");
  std::ofstream(broken) << "no jpeg";
  expect_error([&] { make3d_read(broken, mat); }, ErrorKind::Input, {broken});
}

TEST(DatasetMake3d, PairsImagesWithDepthFilesByKey) {
  const std::string dir = fresh_dir();
  const std::string imgs = path_in(dir, "Test134"), depths = path_in(dir, "Gridlaserdata");
  fs::create_directories(imgs);
  fs::create_directories(depths);
  for (const char* k : {"z9", "a1"}) {
    write_jpeg(path_in(imgs, std::string("img-") + k + ".jpg"), 8, 6, false);
    write_mat(path_in(depths, std::string("depth_sph_corr-") + k + ".mat"), MAT_FT_MAT5, {make3d_grid(2, 3)});
  }
  std::ofstream(path_in(imgs, "readme.txt")) << "not an image\n";
  const auto pairs = make3d_pairs(imgs, depths);
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(fs::path(pairs[0].first).filename(), "img-a1.jpg");
  EXPECT_EQ(fs::path(pairs[0].second).filename(), "depth_sph_corr-a1.mat");
  EXPECT_EQ(fs::path(pairs[1].second).filename(), "depth_sph_corr-z9.mat");

  write_jpeg(path_in(imgs, "img-lonely.jpg"), 8, 6, false);
  expect_error([&] { make3d_pairs(imgs, depths); }, ErrorKind::Input, {imgs, "img-lonely.jpg", "without a depth file"});
  expect_error([&] { make3d_pairs(depths, depths); }, ErrorKind::Input, {depths, "no Make3D images"});
  expect_error([&] { make3d_pairs(path_in(dir, "nope"), depths); }, ErrorKind::Input, {"nope", "not a folder"});
}

// ---- dfd dataset ---------------------------------------------------------------------------------

TEST(DatasetCli, Nyuv2WritesStacksAndGroundTruth) {
  const std::string dir = fresh_dir();
  write_mat(path_in(dir, "nyu.mat"), MAT_FT_MAT73, nyu_vars(24, 32, 3));
  CliRun r = run_dfd(dir, "dataset nyuv2 nyu.mat --index 0,2 --out out --quiet");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_FALSE(fs::exists(path_in(dir, "out/0001")));
  const DatasetSample want = nyuv2_sample(path_in(dir, "nyu.mat"), 2);
  const std::string s2 = path_in(dir, "out/0002");

  const LoadedManifest m = load_manifest(path_in(s2, "stack.json"));
  EXPECT_EQ(m.stack.count(), 5);
  EXPECT_EQ(m.stack.width(), 16);
  EXPECT_EQ(m.stack.height(), 12);
  EXPECT_EQ(m.stack.focus_distances, preset_focus_distances("nyuv2"));
  EXPECT_EQ(*m.manifest.preset, "nyuv2");
  const Image gt = read_depth(path_in(s2, "depth_gt.tiff"));
  ASSERT_EQ(gt.data.size(), want.depth.data.size());
  for (size_t i = 0; i < gt.data.size(); ++i) ASSERT_EQ(gt.data[i], want.depth.data[i]);
  const LoadedImage aif = read_image(path_in(s2, "aif_gt.png"));
  ASSERT_EQ(aif.image.channels, 3);
  for (size_t i = 0; i < aif.image.data.size(); ++i) ASSERT_NEAR(aif.image.data[i], want.rgb.data[i], 0.5 + 1e-4);
  const auto info = nlohmann::json::parse(std::ifstream(path_in(s2, "sample.json")));
  EXPECT_EQ(info["dataset"], "nyuv2");
  EXPECT_EQ(info["size"], nlohmann::json({16, 12}));
  EXPECT_EQ(info["source_size"], nlohmann::json({32, 24}));
  EXPECT_EQ(info["depth_clip"], nlohmann::json({0.1, 10.0}));
  // Solving and evaluating these folders: tests/slow/test_datasets_slow.cpp.
}

TEST(DatasetCli, BadArgumentsAndFilesExitWithTheirClass) {
  const std::string dir = fresh_dir();
  write_mat(path_in(dir, "nyu.mat"), MAT_FT_MAT73, nyu_vars(8, 6, 2));
  CliRun r = run_dfd(dir, "dataset nyuv2 nyu.mat --index 2 --out out");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("nyu.mat --index: index 2 is out of range"), std::string::npos) << r.err;
  std::ofstream(path_in(dir, "x.mat")) << "text";
  r = run_dfd(dir, "dataset nyuv2 x.mat --index 0 --out out2");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("x.mat: not a MATLAB .mat file"), std::string::npos) << r.err;
  r = run_dfd(dir, "dataset nyuv2 nyu.mat --out out5");  // neither --index nor --split
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("--split"), std::string::npos) << r.err;
  r = run_dfd(dir, "dataset make3d only.jpg --out out4");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("IMAGE DEPTH.mat"), std::string::npos) << r.err;
  fs::create_directories(path_in(dir, "full"));
  std::ofstream(path_in(dir, "full/f")) << "x";
  r = run_dfd(dir, "dataset nyuv2 nyu.mat --index 0 --out full");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace dfd
