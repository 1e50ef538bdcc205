// Regression tests of what fuzzing the input parsers found (fuzz/, fuzz/RESULTS.md): each input
// that crashed, aborted or escaped as a non-dfd exception now gets a clear Error(Input) naming
// the file, or is read as it should be.
#include <gtest/gtest.h>
#include <libexif/exif-data.h>
#include <matio.h>
#include <zlib.h>

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "../datasets/mat_file.h"
#include "dfd/batch.h"
#include "dfd/datasets.h"
#include "dfd/error.h"
#include "dfd/exif.h"
#include "dfd/io.h"
#include "dfd/memory.h"
#include "dfd/stack_inputs.h"
#include "test_io_util.h"

namespace dfd {
namespace {

using testing::fresh_dir;
using testing::path_in;

void write_file(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

template <typename F>
void expect_input_error(F&& f, const std::string& names, const std::string& says) {
  try {
    f();
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Input) << e.what();
    EXPECT_NE(std::string(e.what()).find(names), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
  }
}

// stack_json: a number beyond double's range is nlohmann's out_of_range (406), not a parse_error;
// it escaped read_manifest as a json exception (exit 1 from the CLI's catch-all). The batch
// manifest's lines had the same catch.
TEST(FuzzFindings, JsonNumberOverflowIsAnInputError) {
  const std::string dir = fresh_dir(), path = path_in(dir, "STACK.json");
  write_file(path, "{\"frames\": [\"a.png\", \"b.png\"], \"focus_distances\": [1, 5e502]}");
  expect_input_error([&] { read_manifest(path); }, path, "not valid JSON");
  expect_input_error(
      [&] {
        parse_batch_manifest("{\"id\": \"a\", \"folder\": \"x\", \"overrides\": {\"epochs\": -1e999}}", "m.jsonl",
                             "/d");
      },
      "m.jsonl:1", "not valid JSON");
}

// stack_json (found writing the target): nlohmann's get<int> casts any number, and a double
// beyond int's range (1e300) is undefined behaviour there (UBSan: float-cast-overflow); an
// unsigned 2^32 + 7 became 7.
TEST(FuzzFindings, KernelSizeMustBeAWholeNumberInRange) {
  const std::string dir = fresh_dir(), path = path_in(dir, "STACK.json");
  const std::string lists = "\"frames\": [\"a.png\", \"b.png\"], \"focus_distances\": [1, 2]";
  for (const std::string bad : {"1e300", "-1e300", "7.5", "4294967303", "-2147483649", "\"7\""}) {
    write_file(path, "{" + lists + ", \"kernel_size\": " + bad + "}");
    try {
      read_manifest(path);
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Input) << e.what();
      EXPECT_NE(std::string(e.what()).find("\"kernel_size\""), std::string::npos) << e.what();
    }
  }
  for (const std::string good : {"7", "7.0", "2147483647"}) {
    write_file(path, "{" + lists + ", \"kernel_size\": " + good + "}");
    EXPECT_TRUE(read_manifest(path).kernel_size.has_value()) << good;
  }
}

// exif (found writing the target): PixelXDimension is a LONG; 0x80000000 and above wrapped to a
// negative int width.
TEST(FuzzFindings, ExifPixelXDimensionBeyondIntIsNoValue) {
  const std::string dir = fresh_dir(), path = path_in(dir, "frame.jpg");
  for (const unsigned long width : {0x80000000ul, 0xFFFFFFFFul, 4000ul}) {
    ExifData* d = exif_data_new();
    exif_data_set_byte_order(d, EXIF_BYTE_ORDER_INTEL);
    ExifEntry* e = exif_entry_new();
    e->tag = EXIF_TAG_PIXEL_X_DIMENSION;
    e->format = EXIF_FORMAT_LONG;
    e->components = 1;
    e->size = 4;
    e->data = static_cast<unsigned char*>(std::calloc(1, 4));
    exif_set_long(e->data, EXIF_BYTE_ORDER_INTEL, static_cast<ExifLong>(width));
    exif_content_add_entry(d->ifd[EXIF_IFD_EXIF], e);
    exif_entry_unref(e);
    unsigned char* block = nullptr;
    unsigned int len = 0;
    exif_data_save_data(d, &block, &len);
    exif_data_unref(d);
    // In a JPEG's APP1 segment, as cameras write it.
    std::vector<uchar> jpeg;
    ASSERT_TRUE(cv::imencode(".jpg", cv::Mat(8, 8, CV_8UC1, cv::Scalar(100)), jpeg));
    const unsigned seg = len + 2;
    std::string out = {'\xFF', '\xD8', '\xFF', '\xE1', static_cast<char>(seg >> 8), static_cast<char>(seg & 0xFF)};
    out.append(reinterpret_cast<char*>(block), len);
    out.append(reinterpret_cast<char*>(jpeg.data()) + 2, jpeg.size() - 2);
    std::free(block);
    write_file(path, out);
    const ExifInfo info = read_exif(path);
    EXPECT_TRUE(info.present);
    if (width == 4000)
      EXPECT_EQ(info.pixel_x_dimension, 4000);
    else
      EXPECT_FALSE(info.pixel_x_dimension) << width;
  }
}

// mat: matio takes a file without the v5/v7.3 header for MAT v4 and allocates the name length
// it reads from bytes 16-19 (1.8 GB from 327 bytes of junk: libFuzzer's out-of-memory). dfd reads
// v5 and v7.3 only, so such a file is refused before matio sees it.
TEST(FuzzFindings, MatFileWithoutAV5HeaderNeverReachesMatio) {
  const std::string dir = fresh_dir(), path = path_in(dir, "v4.mat");
  std::string v4(20, '\0');
  v4[4] = v4[8] = 1;  // 1 x 1, real
  v4[16] = '\xF0';
  v4[17] = v4[18] = '\xFF';
  v4[19] = '\x7F';  // a name of 2 GB
  write_file(path, v4 + std::string(300, 'x'));
  expect_input_error([&] { MatFile f(path); }, path, "version 5 or 7.3");
  expect_input_error([&] { nyuv2_info(path); }, path, "version 5 or 7.3");
  write_file(path, "");
  expect_input_error([&] { MatFile f(path); }, path, "version 5 or 7.3");
}

// mat: inside a compressed v5 variable, matio allocates the dimensions and the name length it
// inflates from the header before it finds them larger than the data (a few bytes of junk made
// it calloc up to ~1 GB: 12 s under ASan, the fuzzer's timeout). MatFile now inflates each
// compressed variable's header first and refuses one whose sizes cannot fit its data.
std::string le32(uint32_t v) {
  std::string s;
  for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xFF);
  return s;
}

// The contents of a miMATRIX (after its tag): array flags, dims, name, a real part of `data` bytes.
std::string matrix_body(uint32_t mx_class, const std::vector<uint32_t>& dims, uint32_t name_len,
                        const std::string& data) {
  std::string m = le32(6) + le32(8) + le32(mx_class) + le32(0) + le32(5) + le32(4 * uint32_t(dims.size()));
  for (uint32_t d : dims) m += le32(d);
  if (dims.size() % 2) m += le32(0);
  m += le32(1) + le32(name_len) + std::string("abcdefgh").substr(0, std::min<uint32_t>(name_len, 8));
  while (m.size() % 8) m += '\0';
  m += le32(2) + le32(uint32_t(data.size())) + data;  // miUINT8
  while (m.size() % 8) m += '\0';
  return m;
}

// A v5 file of one compressed element holding `inner` (a tag and its contents) deflated.
std::string compressed_v5(const std::string& inner) {
  std::string h(128, ' ');
  h.replace(0, 20, "MATLAB 5.0 MAT-file,");
  h[124] = 0x00;
  h[125] = 0x01;
  h[126] = 'I';
  h[127] = 'M';
  uLongf n = compressBound(inner.size());
  std::string z(n, '\0');
  EXPECT_EQ(
      compress2(reinterpret_cast<Bytef*>(&z[0]), &n, reinterpret_cast<const Bytef*>(inner.data()), inner.size(), 6),
      Z_OK);
  z.resize(n);
  return h + le32(15) + le32(uint32_t(z.size())) + z;
}

TEST(FuzzFindings, CompressedMatHeaderClaimingHugeSizesIsRefusedBeforeMatio) {
  const std::string dir = fresh_dir(), path = path_in(dir, "junk.mat");
  const std::string body = matrix_body(9, {30000, 30000, 3}, 6, std::string(16, 'x'));  // uint8
  auto refused = [&](const std::string& file, const std::string& says) {
    write_file(path, file);
    const auto t0 = std::chrono::steady_clock::now();
    expect_input_error([&] { MatFile f(path); }, path, says);
    expect_input_error([&] { nyuv2_info(path); }, path, "damaged MAT file: variable 1's header ");
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 1.0) << says;
  };
  // 2.7 G elements declared in a variable of 80 bytes (matio: a 2.7 GB calloc before the read).
  refused(compressed_v5(le32(14) + le32(uint32_t(body.size())) + body), "declares 30000 x 30000 x 3 elements");
  // The same dims with the variable's size declared at 4 GB: more than 100 bytes of zlib inflate to.
  refused(compressed_v5(le32(14) + le32(0xFFFFFFF0u) + body), "declares 4294967280 bytes uncompressed from");
  // A name of 2 GB.
  const std::string named = matrix_body(9, {2, 2}, 0x7FFFFFF0u, std::string(4, 'x'));
  refused(compressed_v5(le32(14) + le32(uint32_t(named.size())) + named), "declares a name of 2147483632 bytes");
  // 2^30 dimensions.
  const std::string ranked = le32(6) + le32(8) + le32(9) + le32(0) + le32(5) + le32(0xFFFFFFFCu) + body;
  refused(compressed_v5(le32(14) + le32(uint32_t(ranked.size())) + ranked), "declares dimensions of");
  // Dimensions in the small form (size in the tag's upper half) of 2048 bytes: at most 4 fit (the
  // check's own bug, found by the fuzzer in its first seconds: it read the 2048 bytes).
  const std::string small = le32(6) + le32(8) + le32(9) + le32(0) + le32(0x08000005u) + body;
  refused(compressed_v5(le32(14) + le32(uint32_t(small.size())) + small), "has no dimensions");
  // Not a matrix inside; an element past the end of the file; not a zlib stream.
  refused(compressed_v5(le32(6) + le32(uint32_t(body.size())) + body), "is not a matrix");
  const std::string whole = compressed_v5(le32(14) + le32(uint32_t(body.size())) + body);
  refused(whole.substr(0, whole.size() - 3), "past the end of the file");
  std::string garbage = whole;
  garbage.replace(136, 4, "junk");
  refused(garbage, "is not a matrix");
  // An uncompressed matrix gets the same check.
  refused(compressed_v5("").substr(0, 128) + le32(14) + le32(uint32_t(body.size())) + body,
          "declares 30000 x 30000 x 3 elements");
  // So does one of a big-endian file ("MI"; every 32-bit word swapped).
  std::string be = compressed_v5("").substr(0, 128) + le32(14) + le32(uint32_t(body.size())) + body;
  be[126] = 'M';
  be[127] = 'I';
  std::swap(be[124], be[125]);
  for (size_t i = 128; i + 4 <= 128 + 8 + 40; i += 4) std::reverse(be.begin() + long(i), be.begin() + long(i) + 4);
  refused(be, "declares 30000 x 30000 x 3 elements (uint8) in a variable of 80 bytes");
  // Dimensions as miUINT32 instead of miINT32 (another writer's file in scipy's test data; matio
  // reads it) are not refused. The 95 MATLAB-written v5 files there (v5 to v7.4, either byte
  // order, cells, structs, sparse, objects) were checked by hand: all pass.
  std::string u32dims = matrix_body(9, {2, 2}, 1, "abcd");
  u32dims[16] = 6;
  write_file(path, compressed_v5(le32(14) + le32(uint32_t(u32dims.size())) + u32dims));
  EXPECT_NO_THROW(MatFile f(path));
}

// What matio itself writes, compressed and not, still reads: numeric classes, a cell, a struct.
TEST(FuzzFindings, MatioWrittenCompressedVariablesStillRead) {
  const std::string dir = fresh_dir();
  for (const matio_compression c : {MAT_COMPRESSION_ZLIB, MAT_COMPRESSION_NONE}) {
    const std::string path = path_in(dir, c == MAT_COMPRESSION_ZLIB ? "zlib.mat" : "plain.mat");
    mat_t* m = Mat_CreateVer(path.c_str(), nullptr, MAT_FT_MAT5);
    ASSERT_NE(m, nullptr);
    double values[6] = {1, 2, 3, 4, 5, 6};
    uint8_t bytes[4] = {7, 8, 9, 10};
    size_t d23[2] = {2, 3}, d22[2] = {2, 2}, d13[2] = {1, 3}, d11[2] = {1, 1};
    matvar_t* x = Mat_VarCreate("a_long_variable_name", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, d23, values, 0);
    matvar_t* u = Mat_VarCreate("u", MAT_C_UINT8, MAT_T_UINT8, 2, d22, bytes, 0);
    matvar_t* cells[3];
    for (int i = 0; i < 3; ++i) cells[i] = Mat_VarCreate(nullptr, MAT_C_DOUBLE, MAT_T_DOUBLE, 2, d11, &values[i], 0);
    matvar_t* cell = Mat_VarCreate("cell", MAT_C_CELL, MAT_T_CELL, 2, d13, cells, 0);
    const char* fields[1] = {"f"};
    matvar_t* st = Mat_VarCreateStruct("st", 2, d11, fields, 1);
    Mat_VarSetStructFieldByName(st, "f", 0, Mat_VarCreate(nullptr, MAT_C_UINT8, MAT_T_UINT8, 2, d22, bytes, 0));
    for (matvar_t* v : {cell, st, x, u}) {
      ASSERT_EQ(Mat_VarWrite(m, v, c), 0);
      Mat_VarFree(v);
    }
    Mat_Close(m);
    const MatFile f(path);
    EXPECT_EQ(f.read_all(f.info("a_long_variable_name")), (std::vector<double>{1, 2, 3, 4, 5, 6})) << path;
    EXPECT_EQ(f.read_all(f.info("u")), (std::vector<double>{7, 8, 9, 10})) << path;
    EXPECT_EQ(f.info("cell").class_name, "cell") << path;
  }
}

// tiff: load_tiff_stack handed any file to cv::imreadmulti, which picks its decoder by content:
// bytes that look like DICOM ("DICM" at offset 128) went to GDCM, which aborted the process on an
// assertion (gdcmReader.cxx: is.good()). A file without a TIFF header is now refused first.
TEST(FuzzFindings, FileWithoutATiffHeaderNeverReachesOpenCV) {
  const std::string dir = fresh_dir(), path = path_in(dir, "z.tif");
  write_file(path, std::string(128, '\0') + "DICM" + std::string("\x02\x00\x10\x00UI\x04\x00", 8));
  expect_input_error([&] { load_tiff_stack(path); }, path, "not a TIFF file");
  EXPECT_EQ(tiff_page_count(path), 0);
  write_file(path, "II*\0");  // a header cut short
  expect_input_error([&] { load_tiff_stack(path); }, path, "not a TIFF file");
}

// A TIFF of `pages` directories, each of one strip, built byte by byte: classic or BigTIFF,
// either byte order. Entries are (tag, type, value) with the value inline.
struct TiffEntry {
  uint16_t tag, type;
  uint64_t value;
};
std::string tiff_bytes(bool big_endian, bool bigtiff, const std::vector<TiffEntry>& entries, int pages) {
  std::string out;
  auto put = [&](uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out += static_cast<char>((v >> (8 * (big_endian ? n - 1 - i : i))) & 0xFF);
  };
  out += big_endian ? "MM" : "II";
  put(bigtiff ? 43 : 42, 2);
  if (bigtiff) {
    put(8, 2);
    put(0, 2);
  }
  const int head = bigtiff ? 16 : 8, count = bigtiff ? 8 : 2, entry = bigtiff ? 20 : 12, field = bigtiff ? 8 : 4;
  const size_t ifd = static_cast<size_t>(count) + entries.size() * entry + field;
  put(static_cast<uint64_t>(head), bigtiff ? 8 : 4);
  for (int p = 0; p < pages; ++p) {
    put(entries.size(), count);
    for (const TiffEntry& e : entries) {
      put(e.tag, 2);
      put(e.type, 2);
      put(1, bigtiff ? 8 : 4);
      const int size = e.type == 3 ? 2 : e.type == 16 ? 8 : 4;
      put(e.value, size);
      put(0, field - size);
    }
    put(p + 1 < pages ? head + (p + 1) * ifd : 0, field);
  }
  return out + std::string(64, '\0');
}

// tiff: OpenCV 4.6 decodes a strip into a buffer of the page's width x the rows per strip the
// file claims (not clamped to the height) x 4 samples (RGBA): 270 bytes of a 65281 x 3 page that
// claims 14852 rows a strip made it allocate 3.9 GB (libFuzzer's out-of-memory in CI; any
// machine's limit passed it). The page directories now give that buffer to the memory check
// before any page is decoded.
TEST(FuzzFindings, ATiffStripBufferOverTheLimitIsRefusedBeforeDecoding) {
  const std::string dir = fresh_dir(), path = path_in(dir, "strip.tif");
  const std::vector<TiffEntry> page = {{256, 3, 65281}, {257, 3, 3}, {258, 3, 8},     {259, 3, 1}, {262, 3, 1},
                                       {273, 4, 300},   {277, 3, 1}, {278, 3, 14852}, {279, 4, 16}};
  write_file(path, tiff_bytes(false, false, page, 2));
  const std::vector<ImageHeader> h = read_tiff_page_headers(path, 10);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[1].width, 65281);
  EXPECT_EQ(h[1].height, 3);
  EXPECT_EQ(h[1].work_bytes, size_t(65281) * 14852 * 4);
  set_max_memory(size_t(1) << 30);
  try {
    load_tiff_stack(path);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::OutOfMemory) << e.what();
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("2 pages"), std::string::npos) << e.what();
  }
  set_max_memory(0);
}

// The page directories of every TIFF layout dfd accepts: classic and BigTIFF, little- and
// big-endian, sizes in SHORT, LONG and LONG8 fields, tiles instead of strips.
TEST(FuzzFindings, TiffPageHeadersOfEveryLayout) {
  const std::string dir = fresh_dir(), path = path_in(dir, "l.tif");
  for (bool big_endian : {false, true})
    for (bool bigtiff : {false, true}) {
      const std::vector<TiffEntry> page = {{256, static_cast<uint16_t>(bigtiff ? 16 : 4), 640},
                                           {257, 3, 480},
                                           {258, 3, 16},
                                           {277, 3, 3},
                                           {322, 3, 256},
                                           {323, 3, 128}};
      write_file(path, tiff_bytes(big_endian, bigtiff, page, 3));
      const std::vector<ImageHeader> h = read_tiff_page_headers(path, 10);
      ASSERT_EQ(h.size(), 3u) << big_endian << bigtiff;
      EXPECT_EQ(h[2].width, 640);
      EXPECT_EQ(h[2].height, 480);
      EXPECT_EQ(h[2].channels, 3);
      EXPECT_EQ(h[2].bits, 16);
      EXPECT_EQ(h[2].work_bytes, size_t(256) * 128 * 4 * 2);  // a tile, 4 samples of 2 bytes
      EXPECT_EQ(read_tiff_page_headers(path, 2).size(), 2u);
      const std::optional<ImageHeader> first = read_image_header(path);
      ASSERT_TRUE(first.has_value());
      EXPECT_EQ(first->width, 640);
    }
  // A real file's directories (OpenCV's writer): what decoding it gives.
  std::vector<cv::Mat> pages(4, cv::Mat(30, 40, CV_16UC1, cv::Scalar(7)));
  ASSERT_TRUE(cv::imwritemulti(path, pages));
  const std::vector<ImageHeader> h = read_tiff_page_headers(path, 100);
  ASSERT_EQ(h.size(), 4u);
  EXPECT_EQ(h[3].width, 40);
  EXPECT_EQ(h[3].height, 30);
  EXPECT_EQ(h[3].bits, 16);
  EXPECT_EQ(h[3].channels, 1);
  EXPECT_NO_THROW(check_tiff_stack_memory(path, 100));
}

}  // namespace
}  // namespace dfd
