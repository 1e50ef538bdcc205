// The confidence map and the clean-up as outputs: confidence.tiff / confidence.png written and
// read back, report.json's "confidence" and "cleanup" sections, and the dfd solve flags.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "dfd/io.h"
#include "dfd/job.h"
#include "dfd/synthetic.h"
#include "test_io_util.h"

namespace dfd {
namespace {

using nlohmann::json;
using testing::fresh_dir;
using testing::path_in;
using testing::write_frames;
namespace fs = std::filesystem;

json read_json(const std::string& path) {
  std::ifstream in(path);
  return json::parse(in);
}

// Runs the dfd binary in `dir`; its exit code, stderr into `err` when given.
int run_dfd_code(const std::string& dir, const std::string& args, std::string* err = nullptr) {
  const testing::CliRun r = testing::run_dfd(dir, args);
  if (err) *err = r.err;
  return r.code;
}

TEST(ConfidenceOutputs, WrittenAndReadBack) {
  const std::string dir = fresh_dir();
  Result r;
  r.depth = Image(20, 10, 1, 2.f);
  r.aif = Image(20, 10, 1, 100.f);
  r.confidence = Image(20, 10, 1);
  r.unimodal = Image(20, 10, 1, 1.f);
  for (size_t k = 0; k < r.confidence.data.size(); ++k) r.confidence.data[k] = static_cast<float>(k) / 199.f;
  const std::vector<std::string> files = write_result_images(dir, r, 255.0);
  EXPECT_NE(std::find(files.begin(), files.end(), "confidence.tiff"), files.end());
  EXPECT_NE(std::find(files.begin(), files.end(), "confidence.png"), files.end());
  const LoadedImage t = read_image(path_in(dir, "confidence.tiff"));
  EXPECT_EQ(t.bit_depth, 32);
  ASSERT_EQ(t.image.data.size(), r.confidence.data.size());
  for (size_t k = 0; k < t.image.data.size(); ++k) EXPECT_EQ(t.image.data[k], r.confidence.data[k]);
  const LoadedImage p = read_image(path_in(dir, "confidence.png"));
  EXPECT_EQ(p.bit_depth, 8);
  ASSERT_EQ(p.image.channels, 1);
  for (size_t k = 0; k < p.image.data.size(); ++k)  // 255 = 1, rounded to the nearest level
    EXPECT_NEAR(p.image.data[k], 255.f * r.confidence.data[k], 0.5f + 1e-3f) << k;

  // Without a confidence map neither file is written.
  const std::string dir2 = fresh_dir() + "_none";
  fs::create_directories(dir2);
  Result bare = r;
  bare.confidence = Image();
  bare.unimodal = Image();
  write_result_images(dir2, bare, 255.0);
  EXPECT_FALSE(fs::exists(path_in(dir2, "confidence.tiff")));
  EXPECT_FALSE(fs::exists(path_in(dir2, "confidence.png")));
}

TEST(ConfidenceOutputs, SolveWritesMapsAndReportSections) {
  const std::string dir = fresh_dir();
  write_frames(dir);
  ASSERT_EQ(run_dfd_code(dir,
                         "solve a.png b.png --focus-distances 1,4 --epochs 1 --threads 2 -q --cleanup all "
                         "--min-confidence 0.2 --cleanup-tv-factor 4 --out o"),
            0);
  const json rep = read_json(path_in(dir, "o/report.json"));
  const LoadedImage conf = read_image(path_in(dir, "o/confidence.tiff"));
  ASSERT_EQ(conf.image.width, 64);
  ASSERT_EQ(conf.image.height, 48);
  double sum = 0.0;
  size_t low = 0;
  for (float c : conf.image.data) {
    ASSERT_TRUE(c >= 0.f && c <= 1.f) << c;
    sum += c;
    low += c < 0.2f;
  }
  ASSERT_TRUE(rep.contains("confidence")) << rep.dump(2);
  EXPECT_NEAR(rep["confidence"]["mean"].get<double>(), sum / conf.image.data.size(), 1e-6);
  const double uf = rep["confidence"]["unimodal_fraction"].get<double>();
  EXPECT_TRUE(uf >= 0.0 && uf <= 1.0);
  EXPECT_FALSE(rep["confidence"]["definition"].get<std::string>().empty());
  const json& cl = rep["cleanup"];
  EXPECT_EQ(cl["enabled"], true);
  EXPECT_EQ(cl["rules"], "tv,constant,confidence");
  EXPECT_EQ(cl["tv_factor"], 4.0);
  EXPECT_EQ(cl["pixels"], 64 * 48);
  EXPECT_EQ(cl["flagged"]["confidence"].get<size_t>(), low);  // the map in the folder is the one used
  EXPECT_LE(cl["flagged"]["any"].get<size_t>(), 64u * 48u);
  EXPECT_EQ(cl["replaced"].get<size_t>() + cl["kept"].get<size_t>(), cl["flagged"]["any"].get<size_t>());
  const auto outputs = rep["outputs"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(outputs.begin(), outputs.end(), "confidence.png"), outputs.end());
}

TEST(ConfidenceOutputs, NoConfidenceAndBadFlags) {
  const std::string dir = fresh_dir();
  write_frames(dir);
  const std::string base = "solve a.png b.png --focus-distances 1,4 --epochs 1 --threads 2 -q ";
  ASSERT_EQ(run_dfd_code(dir, base + "--no-confidence --out o"), 0);
  EXPECT_FALSE(fs::exists(path_in(dir, "o/confidence.tiff")));
  EXPECT_FALSE(fs::exists(path_in(dir, "o/confidence.png")));
  const json rep = read_json(path_in(dir, "o/report.json"));
  EXPECT_TRUE(rep["confidence"].is_null());
  EXPECT_EQ(rep["cleanup"]["enabled"], false);

  std::string err;
  EXPECT_EQ(run_dfd_code(dir, base + "--cleanup edges --out o2", &err), 2);
  EXPECT_NE(err.find("unknown rule 'edges'"), std::string::npos) << err;
  EXPECT_EQ(run_dfd_code(dir, base + "--no-confidence --min-confidence 0.3 --out o3", &err), 2);
  EXPECT_NE(err.find("--no-confidence"), std::string::npos) << err;
  EXPECT_EQ(run_dfd_code(dir, base + "--min-confidence 1.5 --out o4", &err), 2);
  EXPECT_EQ(run_dfd_code(dir, base + "--cleanup-tv-factor -1 --out o5", &err), 2);
  for (const char* o : {"o2", "o3", "o4", "o5"}) EXPECT_FALSE(fs::exists(path_in(dir, o))) << o;
}

}  // namespace
}  // namespace dfd
