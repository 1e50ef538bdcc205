// Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/: small valid inputs of
// each parser, made by dfd's own writers (write_manifest) and the libraries its tests write with
// (OpenCV's multi-page TIFF, matio's v5 and v7.3, libexif's blocks), as tests/ does. Run once
// after a format change: `cmake --build build-fuzz --target fuzz_make_seeds &&
// build-fuzz/fuzz/fuzz_make_seeds fuzz/corpus`; the seeds are committed.
#include <libexif/exif-data.h>
#include <matio.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "dfd/io.h"

namespace fs = std::filesystem;

namespace {

std::string root;

void write_bytes(const std::string& target, const std::string& name, const std::string& bytes) {
  fs::create_directories(root + "/" + target);
  std::ofstream(root + "/" + target + "/" + name, std::ios::binary) << bytes;
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void stack_json() {
  const std::string tmp = root + "/STACK.json.tmp";
  dfd::StackManifest m;
  m.frames = {"frame1.png", "frame2.png", "frame3.png"};
  m.focus_distances = {0.5, 1.0, 2.0};
  dfd::write_manifest(tmp, m);
  write_bytes("stack_json", "minimal.json", read_bytes(tmp));
  m.preset = "make3d";
  m.focal_length = 0.05;
  m.f_number = 2.8;
  m.pixel_pitch = 5e-6;
  m.thresh = 0.5;
  m.range = 255;
  m.kernel_size = 7;
  dfd::write_manifest(tmp, m);
  write_bytes("stack_json", "camera_f_number.json", read_bytes(tmp));
  m.f_number.reset();
  m.aperture = 0.01;
  m.preset = "mobiledepth";
  dfd::write_manifest(tmp, m);
  write_bytes("stack_json", "camera_aperture.json", read_bytes(tmp));
  fs::remove(tmp);
  write_bytes("stack_json", "about.json",
              "{\"about\": {\"scene\": \"x\", \"n\": [1, 2]}, \"frames\": [\"/abs/a.tif\", \"b.tif\"],\n"
              " \"focus_distances\": [1e-1, 3.5e0], \"preset\": \"nyuv2\"}\n");
}

void batch_manifest() {
  write_bytes(
      "batch_manifest", "three_kinds.jsonl",
      "{\"id\": \"scene-0001\", \"stack\": \"scenes/0001/STACK.json\"}\n"
      "{\"id\": \"scene-0002\", \"frames\": [\"a.png\", \"b.png\", \"c.png\"], \"focus_distances\": [1, 1.5, 2],"
      " \"preset\": \"nyuv2\", \"overrides\": {\"epochs\": 10, \"depth-range\": [0.5, 8]}}\n"
      "{\"id\": \"scene-0003\", \"folder\": \"scenes/0003\"}\n");
  write_bytes(
      "batch_manifest", "overrides.jsonl",
      "{\"id\": \"a\", \"folder\": \"/data/a\", \"preset\": \"make3d\", \"overrides\": {\"window-size\": 5,"
      " \"--focal-length\": 0.05, \"f-number\": 2.8, \"pixel-size\": 5e-6, \"kernel-size\": 9, \"thresh\": 0.5,"
      " \"aif-solver\": \"fista\", \"cg-iters\": \"4,2\", \"order\": \"aif-first\", \"uncalibrated\": false,"
      " \"focus-csv\": \"a/focus.csv\", \"depth-candidates\": 64}}\r\n"
      "\r\n"
      "{\"id\": \"b.2_x\", \"stack\": \"/abs/STACK.json\", \"overrides\": {\"blur-scale\": 1.25, \"range\": 4095,"
      " \"scale\": 0.5, \"epochs\": [3]}}\r\n");
}

void focus_csv() {
  // The first byte: frame count - 1 in bits 0-2, bit 3 for the pages of a TIFF (fuzz target).
  write_bytes("focus_csv", "values.csv", std::string("\x02", 1) + "0.5\n1.0\n2.5\n");
  write_bytes("focus_csv", "one_line.csv", std::string("\x03", 1) + "# distances in metres\n0.25, 0.5,1,2\n");
  write_bytes("focus_csv", "named.csv",
              std::string("\x02", 1) + "frame,focus_distance\nframe1.jpg,0.5\nframe3,2\nframe2.png,1\n");
  write_bytes("focus_csv", "pages.csv", std::string("\x09", 1) + "focus\n1e-3\n2e-3\n");
}

void calibration() {
  // The first byte: the folder's frame count (fuzz target).
  write_bytes("calibration", "three_frames.txt", std::string("\x03", 1) + "10.5 2.0\n12 2.0\n15 2.1\n5.0\n");
  write_bytes("calibration", "commas_tabs.txt", std::string("\x02", 1) + "\n20,\t1.5\r\n30 1.5\r\n\r\n4\r\n");
}

// An EXIF block with the tags read_exif uses, in `order`; `raw`: the block alone, else in a JPEG.
std::string exif_file(ExifByteOrder order, bool raw) {
  ExifData* d = exif_data_new();
  exif_data_set_byte_order(d, order);
  auto add = [&](ExifIfd ifd, ExifTag tag, ExifFormat fmt, unsigned size) {
    ExifEntry* e = exif_entry_new();
    e->tag = tag;
    e->format = fmt;
    e->components = 1;
    e->size = size;
    e->data = static_cast<unsigned char*>(std::calloc(1, size));
    exif_content_add_entry(d->ifd[ifd], e);
    exif_entry_unref(e);
    return e;
  };
  exif_set_rational(add(EXIF_IFD_EXIF, EXIF_TAG_SUBJECT_DISTANCE, EXIF_FORMAT_RATIONAL, 8)->data, order, {1250, 1000});
  exif_set_rational(add(EXIF_IFD_EXIF, EXIF_TAG_FOCAL_LENGTH, EXIF_FORMAT_RATIONAL, 8)->data, order, {42, 10});
  exif_set_rational(add(EXIF_IFD_EXIF, EXIF_TAG_FNUMBER, EXIF_FORMAT_RATIONAL, 8)->data, order, {18, 10});
  exif_set_rational(add(EXIF_IFD_EXIF, EXIF_TAG_FOCAL_PLANE_X_RESOLUTION, EXIF_FORMAT_RATIONAL, 8)->data, order,
                    {4000, 1});
  exif_set_short(add(EXIF_IFD_EXIF, EXIF_TAG_FOCAL_PLANE_RESOLUTION_UNIT, EXIF_FORMAT_SHORT, 2)->data, order, 3);
  exif_set_short(add(EXIF_IFD_EXIF, EXIF_TAG_SUBJECT_DISTANCE_RANGE, EXIF_FORMAT_SHORT, 2)->data, order, 2);
  exif_set_long(add(EXIF_IFD_EXIF, EXIF_TAG_PIXEL_X_DIMENSION, EXIF_FORMAT_LONG, 4)->data, order, 16);
  unsigned char* block = nullptr;
  unsigned int len = 0;
  exif_data_save_data(d, &block, &len);  // "Exif\0\0" + TIFF header + IFDs
  exif_data_unref(d);
  std::string out;
  if (raw) {
    out.assign(reinterpret_cast<char*>(block), len);
  } else {
    std::vector<uchar> jpeg;
    cv::imencode(".jpg", cv::Mat(8, 8, CV_8UC1, cv::Scalar(128)), jpeg, {cv::IMWRITE_JPEG_QUALITY, 50});
    const unsigned seg = len + 2;
    out = {'\xFF', '\xD8', '\xFF', '\xE1', static_cast<char>(seg >> 8), static_cast<char>(seg & 0xFF)};
    out.append(reinterpret_cast<char*>(block), len);
    out.append(reinterpret_cast<char*>(jpeg.data()) + 2, jpeg.size() - 2);
  }
  std::free(block);
  return out;
}

void exif() {
  write_bytes("exif", "jpeg_intel.jpg", exif_file(EXIF_BYTE_ORDER_INTEL, false));
  write_bytes("exif", "jpeg_motorola.jpg", exif_file(EXIF_BYTE_ORDER_MOTOROLA, false));
  write_bytes("exif", "raw_block.exif", exif_file(EXIF_BYTE_ORDER_INTEL, true));
}

void tiff() {
  const std::string tmp = root + "/pages.tif";
  auto pages = [&](const std::string& name, int type, int n) {
    std::vector<cv::Mat> p;
    for (int i = 0; i < n; ++i) {
      cv::Mat m(3, 4, type);
      cv::randu(m, 0, type == CV_32FC1 ? 1 : 200);
      p.push_back(m);
    }
    cv::imwritemulti(tmp, p);
    write_bytes("tiff", name, read_bytes(tmp));
  };
  pages("grey8_3pages.tif", CV_8UC1, 3);
  pages("colour16_2pages.tif", CV_16UC3, 2);
  pages("float_2pages.tif", CV_32FC1, 2);
  pages("single_page.tif", CV_8UC3, 1);
  fs::remove(tmp);
}

struct Var {
  std::string name;
  matio_classes cls;
  std::vector<size_t> dims;
};

void write_mat(const std::string& name, mat_ft version, const std::vector<Var>& vars) {
  const std::string tmp = root + "/seed.mat";
  fs::remove(tmp);
  mat_t* m = Mat_CreateVer(tmp.c_str(), nullptr, version);
  for (const Var& v : vars) {
    size_t n = 1;
    for (size_t d : v.dims) n *= d;
    std::vector<double> f64(n);
    for (size_t i = 0; i < n; ++i) f64[i] = 1.0 + static_cast<double>(i % 7);
    std::vector<float> f32(f64.begin(), f64.end());
    std::vector<uint8_t> u8(f64.begin(), f64.end());
    void* data = v.cls == MAT_C_UINT8    ? static_cast<void*>(u8.data())
                 : v.cls == MAT_C_SINGLE ? static_cast<void*>(f32.data())
                                         : static_cast<void*>(f64.data());
    const matio_types type = v.cls == MAT_C_UINT8 ? MAT_T_UINT8 : v.cls == MAT_C_SINGLE ? MAT_T_SINGLE : MAT_T_DOUBLE;
    std::vector<size_t> dims = v.dims;
    matvar_t* var = Mat_VarCreate(v.name.c_str(), v.cls, type, static_cast<int>(dims.size()), dims.data(), data, 0);
    Mat_VarWrite(m, var, version == MAT_FT_MAT5 ? MAT_COMPRESSION_ZLIB : MAT_COMPRESSION_NONE);
    Mat_VarFree(var);
  }
  Mat_Close(m);
  write_bytes("mat", name, read_bytes(tmp));
  fs::remove(tmp);
}

void mat() {
  const std::vector<Var> nyu = {{"images", MAT_C_UINT8, {4, 3, 3, 2}}, {"depths", MAT_C_SINGLE, {4, 3, 2}}};
  write_mat("nyuv2_v5.mat", MAT_FT_MAT5, nyu);
  write_mat("nyuv2_v73.mat", MAT_FT_MAT73, nyu);
  write_mat("nyuv2_one_sample_v5.mat", MAT_FT_MAT5,
            {{"images", MAT_C_UINT8, {3, 2, 3}}, {"depths", MAT_C_DOUBLE, {3, 2}}});
  write_mat("splits_v5.mat", MAT_FT_MAT5, {{"testNdxs", MAT_C_DOUBLE, {3, 1}}, {"trainNdxs", MAT_C_DOUBLE, {1, 2}}});
  write_mat("make3d_v5.mat", MAT_FT_MAT5, {{"Position3DGrid", MAT_C_DOUBLE, {3, 2, 4}}});
  write_mat("make3d_v73.mat", MAT_FT_MAT73, {{"Position3DGrid", MAT_C_SINGLE, {2, 3, 4}}});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_make_seeds CORPUS_DIR (fuzz/corpus)\n");
    return 2;
  }
  root = argv[1];
  fs::create_directories(root);
  stack_json();
  batch_manifest();
  focus_csv();
  calibration();
  exif();
  tiff();
  mat();
  return 0;
}
