// The input parsers' size limits (dfd/input_limits.h): a TIFF of 100,000 pages, a STACK.json or a
// batch item of 10^6 frames and a MAT array of 10^10 elements are refused from their counts, before
// anything of that size is allocated: Error(OutOfMemory), exit 5, in well under a second.
#include <gtest/gtest.h>
#include <matio.h>
#include <sys/resource.h>

#include <opencv2/imgcodecs.hpp>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../datasets/mat_file.h"
#include "dfd/batch.h"
#include "dfd/datasets.h"
#include "dfd/error.h"
#include "dfd/input_limits.h"
#include "dfd/io.h"
#include "dfd/stack_inputs.h"
#include "test_io_util.h"

namespace dfd {
namespace {

using testing::fresh_dir;
using testing::path_in;

// The bar is 1 s; the sanitizer build (-O1, ASan's checks on every access) gets 5x.
#if defined(__SANITIZE_ADDRESS__)
constexpr double kRefusalSeconds = 5.0;
#else
constexpr double kRefusalSeconds = 1.0;
#endif

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void write_file(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

// Runs `f`, which must throw Error(OutOfMemory) whose message holds every one of `parts`.
template <typename F>
void expect_too_large(F&& f, const std::vector<std::string>& parts) {
  try {
    f();
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::OutOfMemory) << e.what();
    for (const auto& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << p << " in " << e.what();
  }
}

template <typename F>
void expect_input_error(F&& f, const std::vector<std::string>& parts) {
  try {
    f();
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Input) << e.what();
    for (const auto& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << p << " in " << e.what();
  }
}

// ---- TIFF ---------------------------------------------------------------------------------------

void put(std::string& b, size_t at, uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) b[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

// A classic little-endian TIFF of `pages` 1 x 1 8-bit grey pages (value k + 1 on page k), each an
// 8-entry IFD and its pixel: 104 bytes a page, so 100,000 pages are 10 MB, written in milliseconds.
std::string tiny_pages_tiff(int pages) {
  const size_t page = 104;
  std::string b(8 + page * static_cast<size_t>(pages), '\0');
  b[0] = b[1] = 'I';
  put(b, 2, 42, 2);
  put(b, 4, 8, 4);
  for (int k = 0; k < pages; ++k) {
    const size_t ifd = 8 + page * static_cast<size_t>(k), data = ifd + 102;
    put(b, ifd, 8, 2);
    const uint32_t entries[8][4] = {{256, 3, 1, 1}, {257, 3, 1, 1}, {258, 3, 1, 8},
                                    {259, 3, 1, 1}, {262, 3, 1, 1}, {273, 4, 1, static_cast<uint32_t>(data)},
                                    {278, 3, 1, 1}, {279, 4, 1, 1}};
    for (int e = 0; e < 8; ++e) {
      const size_t at = ifd + 2 + 12 * static_cast<size_t>(e);
      put(b, at, entries[e][0], 2);
      put(b, at + 2, entries[e][1], 2);
      put(b, at + 4, entries[e][2], 4);
      put(b, at + 8, entries[e][3], 4);
    }
    put(b, ifd + 98, k + 1 < pages ? static_cast<uint32_t>(ifd + page) : 0, 4);
    b[data] = static_cast<char>(k + 1);
  }
  return b;
}

TEST(InputLimits, TiffPagesAreCountedFromTheDirectoryChain) {
  const std::string dir = fresh_dir(), path = path_in(dir, "three.tif");
  std::string b = tiny_pages_tiff(3);
  write_file(path, b);
  EXPECT_EQ(tiff_page_count(path), 3);
  EXPECT_EQ(cv::imcount(path), 3u);  // what OpenCV decodes agrees
  const FocalStack s = load_tiff_stack(path);
  ASSERT_EQ(s.frames.size(), 3u);
  EXPECT_EQ(s.frames[2].data.at(0), 3.0f);

  // A chain that loops back ends at the repeat; one cut short ends at the last whole directory.
  std::string loop = b;
  put(loop, 8 + 2 * 104 + 98, 8 + 104, 4);
  write_file(path, loop);
  EXPECT_EQ(tiff_page_count(path), 3);
  write_file(path, b.substr(0, 8 + 104 + 50));
  EXPECT_EQ(tiff_page_count(path), 1);
  write_file(path, "not a TIFF at all");
  EXPECT_EQ(tiff_page_count(path), 0);
  // Big-endian files too (OpenCV's own writer is little-endian; this header is what libtiff
  // writes on big-endian machines): "MM", 42, first IFD at 8, one entry, no next.
  std::string mm("MM\0\x2a\0\0\0\x08\0\x01", 10);
  mm += std::string(12, '\0') + std::string(4, '\0');
  write_file(path, mm);
  EXPECT_EQ(tiff_page_count(path), 1);
}

TEST(InputLimits, HundredThousandPageTiffIsRefusedBeforeDecoding) {
  const std::string dir = fresh_dir(), path = path_in(dir, "pages.tif");
  write_file(path, tiny_pages_tiff(100000));
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(tiff_page_count(path), kMaxStackFrames + 1);
  expect_too_large([&] { load_tiff_stack(path); }, {path, "more than 10000 pages", "at most 10000"});
  EXPECT_LT(seconds_since(t0), kRefusalSeconds);
  // At the limit it is a stack (decoded here from 10,000 tiny pages).
  write_file(path, tiny_pages_tiff(kMaxStackFrames));
  EXPECT_EQ(load_tiff_stack(path).frames.size(), static_cast<size_t>(kMaxStackFrames));
}

// ---- STACK.json and batch manifests --------------------------------------------------------------

// "frames": [...] and "focus_distances": [...] of n entries.
std::string frame_lists(size_t n) {
  std::string f = "\"frames\": [", d = "\"focus_distances\": [";
  for (size_t i = 0; i < n; ++i) {
    f += (i ? ",\"f" : "\"f") + std::to_string(i) + ".png\"";
    d += (i ? ",1." : "1.") + std::to_string(i);
  }
  return f + "], " + d + "]";
}

TEST(InputLimits, StackJsonOfAMillionFramesIsRefusedWhileParsing) {
  const std::string dir = fresh_dir(), path = path_in(dir, "STACK.json");
  write_file(path, "{" + frame_lists(1000000) + "}");
  const auto t0 = std::chrono::steady_clock::now();
  expect_too_large([&] { read_manifest(path); }, {path, "\"frames\" lists more than 10000", "at most 10000"});
  EXPECT_LT(seconds_since(t0), kRefusalSeconds);
  // The distances are checked the same way, whichever list comes first.
  std::string many = "{\"focus_distances\": [1";
  for (int i = 0; i < kMaxStackFrames; ++i) many += ",1";
  write_file(path, many + "], \"frames\": [\"a.png\"]}");
  expect_too_large([&] { read_manifest(path); }, {path, "\"focus_distances\" lists more than 10000"});
  // At the limit the manifest reads.
  write_file(path, "{" + frame_lists(kMaxStackFrames) + "}");
  EXPECT_EQ(read_manifest(path).frames.size(), static_cast<size_t>(kMaxStackFrames));
}

TEST(InputLimits, BatchItemOfAMillionFramesIsRefusedWhileParsing) {
  const std::string line =
      "{\"id\": \"a\", \"frames\": [\"x.png\", \"y.png\"]}\n{\"id\": \"big\", " + frame_lists(1000000) + "}\n";
  const auto t0 = std::chrono::steady_clock::now();
  expect_too_large([&] { parse_batch_manifest(line, "m.jsonl", "/d"); },
                   {"m.jsonl:2", "\"frames\" lists more than 10000", "at most 10000"});
  EXPECT_LT(seconds_since(t0), kRefusalSeconds);
  EXPECT_EQ(parse_batch_manifest("{\"id\": \"b\", " + frame_lists(kMaxStackFrames) + "}", "m.jsonl", "/d")
                .at(0)
                .frames.size(),
            static_cast<size_t>(kMaxStackFrames));
}

// ---- The command line: exit 5, fast, small ---------------------------------------------------------

// The largest resident set of the children waited for so far, MB (each test runs in its own
// process under ctest, so these are the dfd runs of this test).
double children_max_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_CHILDREN, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

TEST(InputLimits, CliRefusesHugeInputsWithExitFiveFastAndSmall) {
  const std::string dir = fresh_dir();
  write_file(path_in(dir, "pages.tif"), tiny_pages_tiff(100000));
  write_file(path_in(dir, "STACK.json"), "{" + frame_lists(1000000) + "}");
  write_file(path_in(dir, "batch.jsonl"), "{\"id\": \"big\", " + frame_lists(1000000) + "}\n");
  struct Case {
    std::string args, file;
  };
  for (const Case& c : {Case{"solve pages.tif --out o1", "pages.tif"}, Case{"solve STACK.json --out o2", "STACK.json"},
                        Case{"batch batch.jsonl --out o3", "batch.jsonl"}}) {
    const auto t0 = std::chrono::steady_clock::now();
    const testing::CliRun r = testing::run_dfd(dir, c.args);
    const double t = seconds_since(t0);
    EXPECT_EQ(r.code, 5) << c.args << ": " << r.err;
    EXPECT_NE(r.err.find(c.file), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("at most 10000"), std::string::npos) << r.err;
    // The refusal itself takes milliseconds; the bound leaves room for the process's start under
    // the sanitizers on a loaded machine (plain build, measured: fuzz/RESULTS.md).
    EXPECT_LT(t, 5.0) << c.args;
  }
  // 200 MB, the bound, for the plain build (measured 66-105 MB: fuzz/RESULTS.md); ASan's
  // shadow memory and quarantine roughly triple a process's resident set.
#if defined(__SANITIZE_ADDRESS__)
  EXPECT_LT(children_max_rss_mb(), 600.0);
#else
  EXPECT_LT(children_max_rss_mb(), 200.0);
#endif
}

// ---- MAT arrays ------------------------------------------------------------------------------------

// A MAT v5 file whose variables' headers claim `dims` of data the file holds only as a hole (a
// sparse file of zeros: a huge or hostile file): the sizes must be refused from the header, before
// matio allocates the data. Each variable's element declares one byte an element (MATLAB may
// store a numeric class in a smaller type), so MatFile's check that a header fits its element
// passes and the element cap decides. matio 1.5.23 reads no v5 element past 2 GB.
struct HeaderVar {
  std::string name;
  int mx_class;   // mxUINT8_CLASS = 9, mxSINGLE_CLASS = 7, mxDOUBLE_CLASS = 6
  int data_type;  // miUINT8 = 2, miSINGLE = 7, miDOUBLE = 9
  std::vector<int32_t> dims;
};

void write_v5_headers_only(const std::string& path, const std::vector<HeaderVar>& vars) {
  std::string b(128, ' ');
  const char text[] = "MATLAB 5.0 MAT-file, written by dfd's tests";
  std::memcpy(&b[0], text, sizeof text - 1);
  std::memset(&b[116], 0, 8);
  b[124] = 0x00;
  b[125] = 0x01;  // version 0x0100, little-endian
  b[126] = 'I';
  b[127] = 'M';
  auto u32 = [](std::string& s, uint32_t v) {
    for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xFF);
  };
  auto pad8 = [](std::string& s) {
    while (s.size() % 8) s += '\0';
  };
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  uint64_t end = 0;
  for (const HeaderVar& v : vars) {
    std::string m;
    u32(m, 6);  // miUINT32: array flags
    u32(m, 8);
    u32(m, static_cast<uint32_t>(v.mx_class));
    u32(m, 0);
    u32(m, 5);  // miINT32: dimensions
    u32(m, static_cast<uint32_t>(4 * v.dims.size()));
    uint64_t count = 1;
    for (int32_t d : v.dims) {
      u32(m, static_cast<uint32_t>(d));
      count *= static_cast<uint64_t>(d);
    }
    pad8(m);
    u32(m, 1);  // miINT8: name
    u32(m, static_cast<uint32_t>(v.name.size()));
    m += v.name;
    pad8(m);
    u32(m, static_cast<uint32_t>(v.data_type));  // the real part: no bytes
    u32(m, 0);
    const uint64_t data = (count + 7) / 8 * 8;  // the hole after the header
    u32(b, 14);                                 // miMATRIX
    u32(b, static_cast<uint32_t>(m.size() + data));
    b += m;
    out.seekp(static_cast<std::streamoff>(end));
    out << b;
    end += b.size() + data;
    b.clear();
  }
  out.close();
  std::filesystem::resize_file(path, end);
}

TEST(InputLimits, MatArraysAreRefusedFromTheirHeaders) {
  const std::string dir = fresh_dir(), nyu = path_in(dir, "nyu.mat"), grid = path_in(dir, "depth_sph_corr-1.mat");
  write_v5_headers_only(nyu, {{"images", 9, 2, {12000, 12000, 3, 2}}, {"depths", 7, 7, {12000, 12000, 2}}});
  expect_too_large([&] { nyuv2_info(nyu); }, {nyu, "'images'", "12000 x 12000 x 3 x 2", "at most 268435456"});
  write_v5_headers_only(grid, {{"Position3DGrid", 6, 9, {10000, 10000, 4}}});
  const std::string image = path_in(dir, "img-1.png");
  cv::imwrite(image, cv::Mat(2, 2, CV_8UC3, cv::Scalar(1, 2, 3)));
  expect_too_large([&] { make3d_read(image, grid); }, {grid, "'Position3DGrid'", "at most 268435456"});
  write_v5_headers_only(grid, {{"testNdxs", 6, 9, {1, 2000000000}}});
  expect_too_large([&] { nyuv2_split(grid, "test", 1449); }, {grid, "'testNdxs'", "1 x 2000000000"});
  // The same headers in a file without their data: a damaged file, refused before matio reads it.
  std::filesystem::resize_file(grid, 4096);
  expect_input_error([&] { nyuv2_split(grid, "test", 1449); }, {grid, "damaged MAT file", "past the end"});

  // A real (matio-written) array over a lower limit: refused before its data is read.
  const std::string small = path_in(dir, "small.mat");
  mat_t* m = Mat_CreateVer(small.c_str(), nullptr, MAT_FT_MAT5);
  ASSERT_NE(m, nullptr);
  double values[6] = {1, 2, 3, 4, 5, 6};
  size_t dims[2] = {2, 3};
  matvar_t* var = Mat_VarCreate("x", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, dims, values, 0);
  ASSERT_EQ(Mat_VarWrite(m, var, MAT_COMPRESSION_ZLIB), 0);
  Mat_VarFree(var);
  Mat_Close(m);
  const MatFile f(small, 5);
  const MatVarInfo x = f.info("x");
  expect_too_large([&] { f.read_all(x); }, {small, "'x' (2 x 3) has more than 5 elements"});
  const MatFile g(small, 6);
  EXPECT_EQ(g.read_all(x).size(), 6u);
  EXPECT_EQ(g.read_block(x, {1, 0}, {1, 3}), (std::vector<double>{2, 4, 6}));
}

}  // namespace
}  // namespace dfd
