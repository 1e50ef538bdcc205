// What `dfd solve` accepts: folders in natural order, MobileDepth folders, multi-page TIFF z-stacks,
// focus-distance CSVs, EXIF focus distances and camera, the uncalibrated model's frame indices.
#include <gtest/gtest.h>
#include <libexif/exif-data.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <sstream>

#include "dfd/error.h"
#include "dfd/exif.h"
#include "dfd/io.h"
#include "dfd/job.h"
#include "dfd/stack_inputs.h"
#include "test_io_util.h"

namespace dfd {
namespace {

using testing::CliRun;
using testing::fresh_dir;
using testing::path_in;
using testing::ramp_image;
using testing::run_dfd;
namespace fs = std::filesystem;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Runs f, expects an Error of `kind` whose message holds every needle.
template <typename F>
void expect_error(F&& f, ErrorKind kind, const std::vector<std::string>& needles) {
  try {
    f();
    ADD_FAILURE() << "no error thrown";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    for (const auto& n : needles) EXPECT_TRUE(contains(e.what(), n)) << "expected '" << n << "' in: " << e.what();
  }
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// A request for `inputs` with the nyuv2 camera and, when given, --focus-distances.
SolveRequest request(const std::vector<std::string>& inputs, std::optional<std::vector<double>> focus = std::nullopt) {
  SolveRequest r;
  r.inputs = inputs;
  r.focus = std::move(focus);
  return r;
}

struct Noted {
  std::vector<std::string> lines;
  std::function<void(const std::string&)> fn() {
    return [this](const std::string& l) { lines.push_back(l); };
  }
  bool has(const std::string& part) const {
    for (const auto& l : lines)
      if (contains(l, part)) return true;
    return false;
  }
};

// ---- Natural order and folders -----------------------------------------------------------------

TEST(Inputs, NaturalOrderComparesDigitRunsAsNumbers) {
  std::vector<std::string> names = {"frame10.png", "frame2.png",  "Frame1.png",  "frame002b.png",
                                    "frame02.png", "frame1a.png", "frame100.png"};
  std::sort(names.begin(), names.end(), natural_less);
  // Digit runs by value (2 < 10 < 100), letters case-insensitively; "frame02" and "frame2" are
  // equal by value and fall back to byte order; "frame002b" follows both ('b' > '.').
  const std::vector<std::string> expected = {"Frame1.png",    "frame1a.png", "frame02.png", "frame2.png",
                                             "frame002b.png", "frame10.png", "frame100.png"};
  EXPECT_EQ(names, expected);
  EXPECT_TRUE(natural_less("a9", "a10"));
  EXPECT_FALSE(natural_less("a10", "a9"));
  EXPECT_TRUE(natural_less("img_1_of_3", "img_2_of_3"));
  EXPECT_FALSE(natural_less("x", "x"));
}

TEST(Inputs, FolderOf8BitGreyPngsLoadsInNaturalOrderSkippingOthers) {
  const std::string dir = fresh_dir();
  // Written out of order; frame10 must come last although it sorts before frame2 as text.
  const int order[] = {10, 2, 1};
  for (int k : order) write_png8(path_in(dir, "frame" + std::to_string(k) + ".png"), ramp_image(8, 6, 1, k, 256), 255);
  write_png8(path_in(dir, ".hidden.png"), ramp_image(8, 6, 1, 99, 256), 255);  // hidden: skipped
  write_text(path_in(dir, "notes.txt"), "not a frame\n");                      // not an image: skipped
  fs::create_directories(path_in(dir, "sub.png"));                             // a folder: skipped

  Noted noted;
  const SolveJob job = prepare_solve_job(request({dir}, std::vector<double>{1.0, 2.0, 3.0}), noted.fn());
  ASSERT_EQ(job.stack.count(), 3);
  EXPECT_EQ(fs::path(job.stack.sources[0]).filename(), "frame1.png");
  EXPECT_EQ(fs::path(job.stack.sources[1]).filename(), "frame2.png");
  EXPECT_EQ(fs::path(job.stack.sources[2]).filename(), "frame10.png");
  EXPECT_EQ(job.stack.frames[2].data, ramp_image(8, 6, 1, 10, 256).data);
  EXPECT_EQ(job.stack.channels(), 1);
  EXPECT_EQ(job.stack.range, 255.0);
  EXPECT_EQ(job.input_kind, "folder");
  EXPECT_EQ(job.focus_source, "flag");
  EXPECT_EQ(job.stack.focus_distances, (std::vector<double>{1.0, 2.0, 3.0}));
  EXPECT_TRUE(noted.has("natural order"));
  EXPECT_EQ(job.input_notes, noted.lines);
}

TEST(Inputs, FolderOf16BitColourPngsAndOfFloatTiffs) {
  const std::string root = fresh_dir();
  const std::string png = path_in(root, "png16"), tif = path_in(root, "float");
  fs::create_directories(png);
  fs::create_directories(tif);
  for (int i = 0; i < 2; ++i) {
    // 16-bit: a ramp over the full code range survives write_png16 exactly (range = 65535).
    write_png16(path_in(png, "s" + std::to_string(i) + ".PNG"), ramp_image(5, 4, 3, 997 + i, 65536), 65535);
    write_float_tiff(path_in(tif, "z_" + std::to_string(i) + ".tif"), ramp_image(5, 4, 1, 0.01 + i * 0.001, 1.0));
  }
  SolveJob a = prepare_solve_job(request({png}, std::vector<double>{1.0, 2.0}));
  EXPECT_EQ(a.stack.channels(), 3);
  EXPECT_EQ(a.stack.range, 65535.0);
  EXPECT_EQ(a.stack.frames[1].data, ramp_image(5, 4, 3, 998, 65536).data);
  SolveJob b = prepare_solve_job(request({tif}, std::vector<double>{1.0, 2.0}));
  EXPECT_EQ(b.stack.channels(), 1);
  EXPECT_EQ(b.stack.range, 1.0);
  EXPECT_EQ(b.stack.frames[0].data, ramp_image(5, 4, 1, 0.01, 1.0).data);
}

TEST(Inputs, BadFoldersNameTheFolderOrFiles) {
  const std::string root = fresh_dir();
  const std::string empty = path_in(root, "empty"), one = path_in(root, "one"), mixed = path_in(root, "mixed");
  for (const auto& d : {empty, one, mixed}) fs::create_directories(d);
  write_text(path_in(empty, "readme.txt"), "x");
  write_png8(path_in(one, "only.png"), Image(6, 4, 1, 1.f), 255);
  write_png8(path_in(mixed, "m1.png"), Image(6, 4, 1, 1.f), 255);
  write_png8(path_in(mixed, "m2.png"), Image(7, 4, 1, 1.f), 255);
  expect_error(
      [&] {
        prepare_solve_job(request({empty}, std::vector<double>{1, 2}));
      },
      ErrorKind::Input, {empty, "at least 2 frames", "holds 0 image files"});
  expect_error(
      [&] {
        prepare_solve_job(request({one}, std::vector<double>{1, 2}));
      },
      ErrorKind::Input, {one, "holds 1 image file"});
  expect_error(
      [&] {
        prepare_solve_job(request({mixed}, std::vector<double>{1, 2}));
      },
      ErrorKind::Input, {"m2.png (7x4 grey)", "m1.png (6x4 grey)"});
  expect_error([&] { prepare_solve_job(request({path_in(root, "missing")})); }, ErrorKind::Input,
               {"missing: no such file or folder"});
  // --preset mobiledepth asks for the MobileDepth layout; a plain folder lacks calibrated.txt.
  SolveRequest r = request({mixed});
  r.preset = "mobiledepth";
  r.preset_given = true;
  expect_error([&] { prepare_solve_job(r); }, ErrorKind::Input, {mixed, "calibrated.txt"});
}

// ---- Multi-page TIFF z-stacks ------------------------------------------------------------------

// Writes `pages` (interleaved BGR / grey cv::Mats) as one multi-page TIFF.
void write_pages(const std::string& path, const std::vector<cv::Mat>& pages) {
  ASSERT_TRUE(cv::imwritemulti(path, pages)) << path;
}

cv::Mat ramp_mat(int w, int h, int type, double step, double modulus) {
  cv::Mat m(h, w, type);
  cv::Mat f(h, w, CV_MAKETYPE(CV_64F, m.channels()));
  for (int i = 0; i < static_cast<int>(f.total()) * f.channels(); ++i)
    reinterpret_cast<double*>(f.data)[i] = std::fmod(i * step, modulus);
  f.convertTo(m, type);
  return m;
}

TEST(Inputs, MultiPageTiffPagesAreFrames) {
  const std::string dir = fresh_dir();
  struct Case {
    int type;
    double modulus, range;
  };
  for (const Case c : {Case{CV_8UC1, 256, 255}, Case{CV_16UC3, 65536, 65535}, Case{CV_32FC1, 1.0, 1.0}}) {
    const std::string path = path_in(dir, "zstack_" + std::to_string(c.type) + ".tiff");
    std::vector<cv::Mat> pages;
    for (int i = 0; i < 3; ++i) pages.push_back(ramp_mat(6, 5, c.type, (i + 1) * c.modulus / 97.0, c.modulus));
    write_pages(path, pages);
    EXPECT_EQ(tiff_page_count(path), 3);
    Noted noted;
    const SolveJob job = prepare_solve_job(request({path}, std::vector<double>{1, 2, 3}), noted.fn());
    EXPECT_EQ(job.input_kind, "tiff-stack");
    ASSERT_EQ(job.stack.count(), 3);
    EXPECT_EQ(job.stack.range, c.range);
    EXPECT_EQ(job.stack.channels(), CV_MAT_CN(c.type));
    EXPECT_EQ(job.stack.sources[2], path + " page 2");
    // Page 1 back, channel 0 (red = BGR index 2 for colour), first and last pixel, exactly.
    cv::Mat p1;
    pages[1].convertTo(p1, CV_MAKETYPE(CV_32F, pages[1].channels()));
    const int red = CV_MAT_CN(c.type) == 3 ? 2 : 0;
    const Image& f1 = job.stack.frames[1];
    EXPECT_EQ(f1.at(0, 0, 0), p1.ptr<float>(0)[red]);
    EXPECT_EQ(f1.at(5, 4, 0), p1.ptr<float>(4)[5 * p1.channels() + red]);
    EXPECT_TRUE(noted.has("3 pages"));
  }
}

TEST(Inputs, BadTiffStacksNameTheFileAndPage) {
  const std::string dir = fresh_dir();
  const std::string differing = path_in(dir, "differing.tif"), single = path_in(dir, "single.tif");
  write_pages(differing,
              {ramp_mat(6, 5, CV_8UC1, 3, 256), ramp_mat(6, 5, CV_8UC1, 5, 256), ramp_mat(7, 5, CV_8UC1, 7, 256)});
  expect_error(
      [&] {
        prepare_solve_job(request({differing}, std::vector<double>{1, 2, 3}));
      },
      ErrorKind::Input, {differing + " page 2 (7x5 grey 8-bit)", "page 0 (6x5 grey 8-bit)"});
  const std::string depth = path_in(dir, "depth.tif");
  write_pages(depth, {ramp_mat(6, 5, CV_8UC1, 3, 256), ramp_mat(6, 5, CV_16UC1, 3, 256)});
  expect_error(
      [&] {
        prepare_solve_job(request({depth}, std::vector<double>{1, 2}));
      },
      ErrorKind::Input, {depth + " page 1", "16-bit"});
  ASSERT_TRUE(cv::imwrite(single, ramp_mat(6, 5, CV_8UC1, 3, 256)));
  expect_error(
      [&] {
        prepare_solve_job(request({single}, std::vector<double>{1, 2}));
      },
      ErrorKind::Input, {single, "single-page TIFF", "at least 2 frames"});
  // One non-TIFF image alone is a usage error: a stack needs more.
  write_png8(path_in(dir, "one.png"), Image(6, 4, 1, 1.f), 255);
  expect_error([&] { prepare_solve_job(request({path_in(dir, "one.png")})); }, ErrorKind::Usage, {"at least 2 frames"});
}

// ---- MobileDepth -------------------------------------------------------------------------------

// A MobileDepth folder: a1.jpg, a2.jpg, a10.jpg (and distractors b.jpg, allinfocus.jpg) plus calibrated.txt.
std::string mobiledepth_folder(const std::string& root, const std::string& calibration) {
  const std::string dir = path_in(root, "scene");
  fs::create_directories(dir);
  for (int k : {1, 2, 10})  // real JPEGs, as the dataset ships them
    EXPECT_TRUE(cv::imwrite(path_in(dir, "a" + std::to_string(k) + ".jpg"), ramp_mat(8, 6, CV_8UC3, k, 200)));
  EXPECT_TRUE(cv::imwrite(path_in(dir, "b.jpg"), ramp_mat(9, 9, CV_8UC3, 1, 200)));  // not a*.jpg: not a frame
  // Nor is a file that merely starts with "a": frames are a<digits>.jpg.
  EXPECT_TRUE(cv::imwrite(path_in(dir, "allinfocus.jpg"), ramp_mat(9, 9, CV_8UC3, 1, 200)));
  write_text(path_in(dir, "calibrated.txt"), calibration);
  return dir;
}

TEST(Inputs, MobileDepthFolderGivesFocusApertureAndFocalLength) {
  const std::string dir = mobiledepth_folder(fresh_dir(), "30 2.5\n45.5 2.5\n\n90 2.5\n6.2\n");
  Noted noted;
  const SolveJob job = prepare_solve_job(request({dir}), noted.fn());
  EXPECT_EQ(job.input_kind, "mobiledepth");
  EXPECT_EQ(job.focus_source, "calibrated.txt");
  ASSERT_EQ(job.stack.count(), 3);
  EXPECT_EQ(fs::path(job.stack.sources[2]).filename(), "a10.jpg");
  EXPECT_EQ(job.stack.focus_distances, (std::vector<double>{30, 45.5, 90}));
  EXPECT_EQ(job.options.preset, "mobiledepth");
  EXPECT_DOUBLE_EQ(job.options.focal_length, 6.2);
  EXPECT_DOUBLE_EQ(job.options.effective_aperture(), 2.5);
  EXPECT_DOUBLE_EQ(job.options.pixel_pitch, 1.5);  // the preset's
  EXPECT_TRUE(noted.has("MobileDepth folder"));

  // --preset mobiledepth explicitly, and focus distances from the flag win over the file.
  SolveRequest r = request({dir}, std::vector<double>{20, 40, 80});
  r.preset = "mobiledepth";
  r.preset_given = true;
  const SolveJob j2 = prepare_solve_job(r);
  EXPECT_EQ(j2.focus_source, "flag");
  EXPECT_EQ(j2.stack.focus_distances, (std::vector<double>{20, 40, 80}));
  EXPECT_DOUBLE_EQ(j2.options.focal_length, 6.2);
}

TEST(Inputs, MobileDepthApertureIsTheMeanWhenFramesDiffer) {
  MobileDepthCalibration c;
  const std::string root = fresh_dir();
  write_text(path_in(root, "calibrated.txt"), "10, 2\n20, 3\n4\n");
  c = read_mobiledepth_calibration(path_in(root, "calibrated.txt"), 2);
  EXPECT_DOUBLE_EQ(c.aperture(), 2.5);
  EXPECT_DOUBLE_EQ(c.focal_length, 4.0);
}

TEST(Inputs, BadCalibrationNamesFileAndLine) {
  const std::string root = fresh_dir();
  struct Case {
    std::string text;
    std::vector<std::string> needles;
  };
  const std::vector<Case> cases = {
      {"30 2.5\n45 2.5\n6.2\n", {"calibrated.txt: 2 \"focal_depth aperture\" lines for 3 frames"}},
      {"30 2.5\n45 2.5\n50 2.5\n60 2.5\n6.2\n", {"4 \"focal_depth aperture\" lines for 3 frames"}},
      {"30 2.5\n45 wide\n90 2.5\n6.2\n", {"calibrated.txt line 2", "aperture 'wide' is not a number"}},
      {"30 2.5\n45 2.5\n90 2.5\nf\n", {"calibrated.txt line 4", "focal length 'f' is not a number"}},
      {"30 2.5\n6 2.5\n90 2.5\n6.2\n",
       {"calibrated.txt line 2", "focal depth 6 must be greater than the focal length 6.2"}},
      {"30 2.5\n45 -1\n90 2.5\n6.2\n", {"calibrated.txt line 2", "must be positive"}},
      {"30 2.5 7\n45 2.5\n90 2.5\n6.2\n", {"calibrated.txt line 1", "found 3 values"}},
      {"", {"calibrated.txt: empty"}},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string sub = path_in(root, "c" + std::to_string(i));
    fs::create_directories(sub);
    const std::string dir = mobiledepth_folder(sub, cases[i].text);
    SCOPED_TRACE(cases[i].text);
    expect_error([&] { prepare_solve_job(request({dir})); }, ErrorKind::Input, cases[i].needles);
  }
}

// ---- Focus-distance CSVs -----------------------------------------------------------------------

std::vector<std::string> three_frames(const std::string& dir) {
  std::vector<std::string> paths;
  for (int k = 0; k < 3; ++k) {
    paths.push_back(path_in(dir, "f" + std::to_string(k) + ".png"));
    write_png8(paths.back(), ramp_image(6, 4, 1, k + 1, 256), 255);
  }
  return paths;
}

TEST(Inputs, FocusCsvVariants) {
  const std::string dir = fresh_dir();
  const auto frames = three_frames(dir);
  const std::vector<double> want = {0.5, 1.25, 3};
  const std::vector<std::pair<std::string, std::string>> variants = {
      {"per_line.csv", "0.5\n1.25\n3\n"},
      {"header.csv", "focus_distance\n0.5\r\n1.25\r\n\r\n3\r\n"},
      {"one_line.csv", "# metres\n0.5, 1.25, 3\n"},
      {"named.csv", "frame,focus_distance\nf2.png,3\nf0.png,0.5\nf1,1.25\n"},
      {"named_noheader.csv", "f1.png,1.25\nf0.png,0.5\nf2.png,3\n"},
  };
  for (const auto& [name, text] : variants) {
    SCOPED_TRACE(name);
    write_text(path_in(dir, name), text);
    EXPECT_EQ(read_focus_csv(path_in(dir, name), frames), want);
    SolveRequest r = request(frames);
    r.focus_csv = path_in(dir, name);
    const SolveJob job = prepare_solve_job(r);
    EXPECT_EQ(job.focus_source, "csv");
    EXPECT_EQ(job.stack.focus_distances, want);
  }
  // --focus-distances comes first and says that it overrides the CSV.
  SolveRequest r = request(frames, std::vector<double>{1, 2, 4});
  r.focus_csv = path_in(dir, "per_line.csv");
  Noted noted;
  const SolveJob job = prepare_solve_job(r, noted.fn());
  EXPECT_EQ(job.focus_source, "flag");
  EXPECT_EQ(job.stack.focus_distances, (std::vector<double>{1, 2, 4}));
  EXPECT_TRUE(noted.has("ignoring --focus-csv"));
}

TEST(Inputs, BadFocusCsvNamesFileAndLine) {
  const std::string dir = fresh_dir();
  const auto frames = three_frames(dir);
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"0.5\n1.25\nfar\n", {"bad.csv line 3: 'far' is not a number"}},
      {"0.5\n1.25\n", {"bad.csv: 2 focus distances for 3 frames"}},
      {"0.5,1.25,3,4\n", {"bad.csv: 4 focus distances for 3 frames"}},
      {"0.5\n-1\n3\n", {"bad.csv line 2", "must be positive"}},
      {"frame,focus\nf0.png,0.5\ng.png,1\nf2.png,3\n", {"bad.csv line 3", "'g.png' names none of the frames"}},
      {"f0.png,0.5\nf0.png,1\nf2.png,3\n", {"bad.csv line 2", "a second focus distance"}},
      {"f0.png,0.5\nf2.png,3\n", {"bad.csv: no focus distance for", "f1.png"}},
      {"f0.png,0.5\nf1.png,1,2\nf2.png,3\n", {"bad.csv line 2", "found 3"}},
      {"# nothing\n", {"bad.csv: no focus distances"}},
  };
  for (const auto& [text, needles] : cases) {
    SCOPED_TRACE(text);
    write_text(path_in(dir, "bad.csv"), text);
    SolveRequest r = request(frames);
    r.focus_csv = path_in(dir, "bad.csv");
    expect_error([&] { prepare_solve_job(r); }, ErrorKind::Input, needles);
  }
  SolveRequest r = request(frames);
  r.focus_csv = path_in(dir, "absent.csv");
  expect_error([&] { prepare_solve_job(r); }, ErrorKind::Input, {"absent.csv: no such file"});
}

// ---- EXIF --------------------------------------------------------------------------------------

struct ExifTags {
  std::optional<std::pair<unsigned, unsigned>> subject_distance;  // rational numerator, denominator
  std::optional<std::pair<unsigned, unsigned>> focal_length_mm, f_number, focal_plane_xres;
  std::optional<unsigned short> focal_plane_unit, distance_range;
  std::optional<unsigned> pixel_x_dimension;
};

void add_entry(ExifData* d, ExifIfd ifd, ExifTag tag, ExifFormat format, const void* bytes, unsigned size) {
  ExifEntry* e = exif_entry_new();
  e->tag = tag;
  e->format = format;
  e->components = 1;
  e->size = size;
  e->data = static_cast<unsigned char*>(std::calloc(1, size));  // freed by libexif's default allocator
  std::memcpy(e->data, bytes, size);
  exif_content_add_entry(d->ifd[ifd], e);
  exif_entry_unref(e);
}

void add_rational(ExifData* d, ExifTag tag, std::pair<unsigned, unsigned> v) {
  unsigned char b[8];
  exif_set_rational(b, EXIF_BYTE_ORDER_INTEL, ExifRational{v.first, v.second});
  add_entry(d, EXIF_IFD_EXIF, tag, EXIF_FORMAT_RATIONAL, b, 8);
}

// An 8-bit colour JPEG of `im` whose APP1 segment, right after SOI, carries the given EXIF tags
// (built with libexif, as a camera writes it).
void write_jpeg_with_exif(const std::string& path, const Image& im, const ExifTags& t) {
  std::vector<uchar> jpeg;
  cv::Mat m;
  cv::Mat(im.height, im.width, CV_32F, const_cast<float*>(im.plane(0))).convertTo(m, CV_8U);
  cv::Mat bgr;
  cv::merge(std::vector<cv::Mat>{m, m, m}, bgr);
  ASSERT_TRUE(cv::imencode(".jpg", bgr, jpeg));
  ASSERT_GE(jpeg.size(), 2u);
  ASSERT_EQ(jpeg[0], 0xFF);
  ASSERT_EQ(jpeg[1], 0xD8);

  ExifData* d = exif_data_new();
  exif_data_set_byte_order(d, EXIF_BYTE_ORDER_INTEL);
  if (t.subject_distance) add_rational(d, EXIF_TAG_SUBJECT_DISTANCE, *t.subject_distance);
  if (t.focal_length_mm) add_rational(d, EXIF_TAG_FOCAL_LENGTH, *t.focal_length_mm);
  if (t.f_number) add_rational(d, EXIF_TAG_FNUMBER, *t.f_number);
  if (t.focal_plane_xres) add_rational(d, EXIF_TAG_FOCAL_PLANE_X_RESOLUTION, *t.focal_plane_xres);
  unsigned char b[4];
  if (t.focal_plane_unit) {
    exif_set_short(b, EXIF_BYTE_ORDER_INTEL, *t.focal_plane_unit);
    add_entry(d, EXIF_IFD_EXIF, EXIF_TAG_FOCAL_PLANE_RESOLUTION_UNIT, EXIF_FORMAT_SHORT, b, 2);
  }
  if (t.distance_range) {
    exif_set_short(b, EXIF_BYTE_ORDER_INTEL, *t.distance_range);
    add_entry(d, EXIF_IFD_EXIF, EXIF_TAG_SUBJECT_DISTANCE_RANGE, EXIF_FORMAT_SHORT, b, 2);
  }
  if (t.pixel_x_dimension) {
    exif_set_long(b, EXIF_BYTE_ORDER_INTEL, *t.pixel_x_dimension);
    add_entry(d, EXIF_IFD_EXIF, EXIF_TAG_PIXEL_X_DIMENSION, EXIF_FORMAT_LONG, b, 4);
  }
  unsigned char* block = nullptr;
  unsigned int len = 0;
  exif_data_save_data(d, &block, &len);  // "Exif\0\0" + TIFF header + IFDs
  exif_data_unref(d);
  ASSERT_NE(block, nullptr);
  const unsigned seg = len + 2;  // the APP1 length counts its own two bytes
  std::vector<uchar> out = {0xFF, 0xD8, 0xFF, 0xE1, static_cast<uchar>(seg >> 8), static_cast<uchar>(seg & 0xFF)};
  out.insert(out.end(), block, block + len);
  out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
  std::free(block);
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
}

TEST(Inputs, ExifTagsReadBack) {
  const std::string dir = fresh_dir();
  ExifTags t;
  t.subject_distance = {{1250, 1000}};  // 1.25 m
  t.focal_length_mm = {{42, 10}};       // 4.2 mm
  t.f_number = {{18, 10}};              // f/1.8
  t.focal_plane_xres = {{4000, 1}};     // 4000 px per cm -> 2.5 um
  t.focal_plane_unit = 3;
  t.distance_range = 2;
  t.pixel_x_dimension = 32;
  write_jpeg_with_exif(path_in(dir, "e.jpg"), ramp_image(16, 12, 1, 3, 250), t);
  const ExifInfo e = read_exif(path_in(dir, "e.jpg"));
  EXPECT_TRUE(e.present);
  ASSERT_TRUE(e.subject_distance && e.focal_length && e.f_number && e.pixel_pitch);
  EXPECT_DOUBLE_EQ(*e.subject_distance, 1.25);
  EXPECT_DOUBLE_EQ(*e.focal_length, 4.2e-3);
  EXPECT_DOUBLE_EQ(*e.f_number, 1.8);
  EXPECT_DOUBLE_EQ(*e.pixel_pitch, 0.01 / 4000);
  EXPECT_EQ(e.subject_distance_range, 2);
  EXPECT_EQ(e.pixel_x_dimension, 32);
  // The frame itself still decodes as the image that was written (JPEG: within a few codes).
  const LoadedImage li = read_image(path_in(dir, "e.jpg"));
  EXPECT_EQ(li.image.width, 16);

  // 0 is "unknown" and 0xFFFFFFFF "infinity": neither is a usable distance.
  for (unsigned numerator : {0u, 0xFFFFFFFFu}) {
    ExifTags u;
    u.subject_distance = {{numerator, 1}};
    write_jpeg_with_exif(path_in(dir, "u.jpg"), ramp_image(16, 12, 1, 3, 250), u);
    const ExifInfo ue = read_exif(path_in(dir, "u.jpg"));
    EXPECT_TRUE(ue.present);
    EXPECT_FALSE(ue.subject_distance) << numerator;
  }
  // A PNG has no EXIF block.
  write_png8(path_in(dir, "p.png"), Image(4, 4, 1, 1.f), 255);
  EXPECT_FALSE(read_exif(path_in(dir, "p.png")).present);
}

// Five JPEG frames whose EXIF gives focus distances 1..5 m, f = 4.2 mm, f/2, and a pitch.
std::vector<std::string> exif_frames(const std::string& dir, int without_distance = -1) {
  std::vector<std::string> paths;
  for (int i = 0; i < 5; ++i) {
    ExifTags t;
    if (i != without_distance) t.subject_distance = {{static_cast<unsigned>(i + 1) * 100, 100}};
    t.focal_length_mm = {{42, 10}};
    t.f_number = {{2, 1}};
    t.focal_plane_xres = {{25400, 1}};  // per inch: 1 um pitch at 32 px ...
    t.focal_plane_unit = 2;
    t.pixel_x_dimension = 32;  // ... and the 16 px frames are half that resolution
    paths.push_back(path_in(dir, "img_" + std::to_string(i) + ".jpg"));
    write_jpeg_with_exif(paths.back(), ramp_image(16, 12, 1, 3 + i, 250), t);
  }
  return paths;
}

TEST(Inputs, ExifGivesFocusDistancesAndCamera) {
  const std::string dir = fresh_dir();
  const auto frames = exif_frames(dir);
  Noted noted;
  const SolveJob job = prepare_solve_job(request({dir}), noted.fn());
  EXPECT_EQ(job.focus_source, "exif");
  EXPECT_EQ(job.stack.focus_distances, (std::vector<double>{1, 2, 3, 4, 5}));
  EXPECT_DOUBLE_EQ(job.options.focal_length, 4.2e-3);
  EXPECT_DOUBLE_EQ(job.options.effective_aperture(), 2.1e-3);
  EXPECT_NEAR(job.options.pixel_pitch, 2e-6, 1e-15);  // 1 um at 32 px wide, frames 16 px wide
  EXPECT_TRUE(noted.has("camera from the EXIF of img_0.jpg"));

  // Flags and the CSV come before EXIF; camera flags override the EXIF camera.
  SolveRequest r = request(frames, std::vector<double>{2, 3, 4, 5, 6});
  r.apply_flags = [](Options& o) { o.focal_length = 0.01; };
  const SolveJob j2 = prepare_solve_job(r);
  EXPECT_EQ(j2.focus_source, "flag");
  EXPECT_DOUBLE_EQ(j2.options.focal_length, 0.01);
  EXPECT_DOUBLE_EQ(j2.options.f_number, 2.0);
}

TEST(Inputs, ExifMissingOnOneFrameFallsBackWithANote) {
  const std::string dir = fresh_dir();
  exif_frames(dir, 3);
  Noted noted;
  // Five frames and --preset nyuv2 asked for: its five focus distances are the fallback.
  SolveRequest r = request({dir});
  r.preset_given = true;
  const SolveJob job = prepare_solve_job(r, noted.fn());
  EXPECT_EQ(job.focus_source, "preset");
  EXPECT_EQ(job.stack.focus_distances, preset_focus_distances("nyuv2"));
  EXPECT_TRUE(noted.has("EXIF SubjectDistance on 4 of 5 frames only")) << ::testing::PrintToString(noted.lines);
  EXPECT_TRUE(noted.has("img_3.jpg"));
  EXPECT_TRUE(noted.has("not using EXIF focus distances"));
}

// ---- The uncalibrated model and the manifest ---------------------------------------------------

// Zero configuration: no focus distances from any source and no preset asked for -> solved
// uncalibrated, said in a note and in SolveJob::auto_uncalibrated.
TEST(Inputs, NoFocusDistancesAndNoPresetSolvesUncalibrated) {
  const std::string dir = fresh_dir();
  three_frames(dir);
  Noted noted;
  const SolveJob job = prepare_solve_job(request({dir}), noted.fn());
  EXPECT_EQ(job.options.blur_model, BlurModel::FocusIndex);
  EXPECT_EQ(job.options.preset, "uncalibrated");
  EXPECT_EQ(job.focus_source, "frame-index");
  EXPECT_EQ(job.stack.focus_distances, (std::vector<double>{0, 1, 2}));
  EXPECT_TRUE(contains(job.auto_uncalibrated, "no focus distances")) << job.auto_uncalibrated;
  EXPECT_TRUE(noted.has("solving uncalibrated")) << ::testing::PrintToString(noted.lines);
  // Five frames missing EXIF SubjectDistance on one: the default preset's five distances are
  // not taken unasked either.
  const std::string five = path_in(dir, "five");
  std::filesystem::create_directories(five);
  exif_frames(five, 3);
  const SolveJob j5 = prepare_solve_job(request({five}));
  EXPECT_EQ(j5.options.blur_model, BlurModel::FocusIndex);
  EXPECT_FALSE(j5.auto_uncalibrated.empty());
  // Any source of focus distances keeps the calibrated default.
  const SolveJob given = prepare_solve_job(request({dir}, std::vector<double>{1, 2, 3}));
  EXPECT_EQ(given.options.blur_model, BlurModel::ThinLens);
  EXPECT_TRUE(given.auto_uncalibrated.empty());
}

// An explicit calibrated preset without focus distances still fails, naming --uncalibrated.
TEST(Inputs, CalibratedPresetWithoutFocusDistancesFailsNamingUncalibrated) {
  const std::string dir = fresh_dir();
  three_frames(dir);
  for (const char* preset : {"nyuv2", "make3d"}) {
    SolveRequest r = request({dir});
    r.preset = preset;
    r.preset_given = true;
    expect_error([&] { prepare_solve_job(r); }, ErrorKind::Usage, {"--uncalibrated", "--focus-distances"});
  }
}

TEST(Inputs, UncalibratedModelUsesFrameIndicesAndSaysWhatItIgnores) {
  const std::string dir = fresh_dir();
  const auto frames = three_frames(dir);
  // Through the Options field (as --uncalibrated sets it) ...
  SolveRequest r = request(frames, std::vector<double>{1, 2, 4});
  r.apply_flags = [](Options& o) { o.blur_model = BlurModel::FocusIndex; };
  Noted noted;
  const SolveJob job = prepare_solve_job(r, noted.fn());
  EXPECT_EQ(job.focus_source, "frame-index");
  EXPECT_EQ(job.stack.focus_distances, (std::vector<double>{0, 1, 2}));
  EXPECT_TRUE(noted.has("ignoring --focus-distances"));
  // ... and through the preset, with no focus distances at all (a folder of frames).
  SolveRequest p = request({dir});
  p.preset = "uncalibrated";
  p.preset_given = true;
  const SolveJob j2 = prepare_solve_job(p);
  EXPECT_EQ(j2.focus_source, "frame-index");
  EXPECT_EQ(j2.options.blur_model, BlurModel::FocusIndex);
  EXPECT_EQ(j2.stack.focus_distances, (std::vector<double>{0, 1, 2}));
}

TEST(Inputs, ManifestKindAndFocusSource) {
  const std::string dir = fresh_dir();
  three_frames(dir);
  StackManifest m;
  m.frames = {"f0.png", "f1.png", "f2.png"};
  m.focus_distances = {1, 2, 3};
  write_manifest(path_in(dir, "stack.json"), m);
  const SolveJob job = prepare_solve_job(request({path_in(dir, "stack.json")}));
  EXPECT_EQ(job.input_kind, "manifest");
  EXPECT_EQ(job.focus_source, "manifest");
  EXPECT_EQ(job.stack.focus_distances, (std::vector<double>{1, 2, 3}));
  // A CSV comes before the manifest.
  write_text(path_in(dir, "f.csv"), "1.5,2.5,3.5\n");
  SolveRequest r = request({path_in(dir, "stack.json")});
  r.focus_csv = path_in(dir, "f.csv");
  EXPECT_EQ(prepare_solve_job(r).stack.focus_distances, (std::vector<double>{1.5, 2.5, 3.5}));
}

// ---- The command line: --focus-csv, input kinds in report.json, errors ------------------------

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

TEST(Inputs, CliSolvesAFolderWithAFocusCsvAndReportsWhereInputsCameFrom) {
  const std::string dir = fresh_dir();
  fs::create_directories(path_in(dir, "fr"));
  for (int k : {10, 2, 1})
    write_png8(path_in(dir, "fr/frame" + std::to_string(k) + ".png"), ramp_image(16, 12, 1, k, 256), 255);
  write_text(path_in(dir, "f.csv"), "frame,focus_distance\nframe10.png,3\nframe1.png,1\nframe2.png,2\n");
  const CliRun r = run_dfd(dir, "solve fr --focus-csv f.csv --epochs 1 --threads 1 --out out");
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json in = read_json(path_in(dir, "out/report.json")).at("input");
  EXPECT_EQ(in.at("kind"), "folder");
  EXPECT_EQ(in.at("focus_source"), "csv");
  ASSERT_EQ(in.at("frames").size(), 3u);
  EXPECT_EQ(in["frames"][2]["file"], "fr/frame10.png");
  EXPECT_EQ(in["frames"][2]["focus_distance"], 3.0);
  EXPECT_EQ(in["frames"][0]["focus_distance"], 1.0);
  ASSERT_GE(in.at("notes").size(), 1u);
  EXPECT_TRUE(contains(in["notes"][0].get<std::string>(), "natural order"));

  // A TIFF z-stack through the command line.
  std::vector<cv::Mat> pages;
  for (int i = 0; i < 2; ++i) pages.push_back(ramp_mat(16, 12, CV_16UC1, 311.0 * (i + 1), 65536));
  ASSERT_TRUE(cv::imwritemulti(path_in(dir, "z.tif"), pages));
  const CliRun t = run_dfd(dir, "solve z.tif --focus-distances 1,2 --epochs 1 --threads 1 --out outz");
  ASSERT_EQ(t.code, 0) << t.err;
  const nlohmann::json tin = read_json(path_in(dir, "outz/report.json")).at("input");
  EXPECT_EQ(tin.at("kind"), "tiff-stack");
  EXPECT_EQ(tin.at("focus_source"), "flag");
  EXPECT_EQ(tin.at("range"), 65535.0);
  EXPECT_EQ(tin["frames"][1]["file"], "z.tif page 1");
}

TEST(Inputs, CliBadInputsExitWithTheInputCodeAndNameTheFile) {
  const std::string dir = fresh_dir();
  fs::create_directories(path_in(dir, "fr"));
  for (int k : {1, 2}) write_png8(path_in(dir, "fr/f" + std::to_string(k) + ".png"), ramp_image(8, 6, 1, k, 256), 255);
  write_text(path_in(dir, "bad.csv"), "1\nnear\n");
  CliRun r = run_dfd(dir, "solve fr --focus-csv bad.csv --out out");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_EQ(r.err.rfind("dfd: ", 0), 0u) << r.err;
  EXPECT_TRUE(contains(r.err, "bad.csv line 2: 'near' is not a number")) << r.err;
  EXPECT_FALSE(fs::exists(path_in(dir, "out/report.json")));
  r = run_dfd(dir, "solve fr --preset mobiledepth --out out");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_TRUE(contains(r.err, "fr: --preset mobiledepth needs the MobileDepth layout")) << r.err;
  fs::create_directories(path_in(dir, "empty"));
  r = run_dfd(dir, "solve empty --focus-distances 1,2 --out out");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_TRUE(contains(r.err, "empty: a focal stack needs at least 2 frames")) << r.err;
}

}  // namespace
}  // namespace dfd
