// `dfd bench --robustness` on the command line: its flags, the --set overrides (parsed as
// `dfd solve` flags and refused where they are not the solver's), and one short real run.
#ifdef DFD_HAVE_BENCH
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "dfd/error.h"
#include "test_io_util.h"

namespace dfd {
namespace {

struct BenchRun {
  int code;
  std::string err;
};

BenchRun bench(const std::string& args) {
  const std::string dir = testing::fresh_dir();
  const testing::CliRun r = testing::run_dfd(dir, "bench " + args);
  EXPECT_FALSE(std::filesystem::exists(testing::path_in(dir, "bench-robust.json"))) << "a refused run writes nothing";
  std::filesystem::remove_all(dir);
  return {r.code, r.err + r.out};
}

constexpr int kUsage = static_cast<int>(ErrorKind::Usage);

TEST(RobustBenchCli, HelpListsTheFlags) {
  const BenchRun r = bench("--help");
  EXPECT_EQ(r.code, 0);
  for (const char* flag : {"--robustness", "--scenes", "--conditions", "--set", "--save", "--seed", "--opencv-data"})
    EXPECT_NE(r.err.find(flag), std::string::npos) << flag;
}

TEST(RobustBenchCli, OverridesAreSolveFlagsWithoutDashes) {
  BenchRun r = bench("--robustness --set window-size=abc");
  EXPECT_EQ(r.code, kUsage) << r.err;
  EXPECT_NE(r.err.find("window-size"), std::string::npos) << r.err;
  r = bench("--robustness --set --epochs=3");
  EXPECT_EQ(r.code, kUsage) << r.err;
  r = bench("--robustness --set no-such-flag=1");
  EXPECT_EQ(r.code, kUsage) << r.err;
  EXPECT_NE(r.err.find("no-such-flag"), std::string::npos) << r.err;
  r = bench("--robustness --set threads=1");
  EXPECT_EQ(r.code, kUsage) << r.err;
  EXPECT_NE(r.err.find("--threads"), std::string::npos) << "points at the bench's own flag: " << r.err;
  r = bench("--robustness --set preset=make3d");
  EXPECT_EQ(r.code, kUsage) << r.err;
}

TEST(RobustBenchCli, FlagsOfTheOtherModeAreRefused) {
  BenchRun r = bench("--set epochs=2");
  EXPECT_EQ(r.code, kUsage) << r.err;
  EXPECT_NE(r.err.find("--robustness"), std::string::npos) << r.err;
  r = bench("--robustness --repeats 3");
  EXPECT_EQ(r.code, kUsage) << r.err;
}

TEST(RobustBenchCli, BadNamesAndMissingDataFailAtOnce) {
  BenchRun r = bench("--robustness --conditions 8bit,8bit+n9");
  EXPECT_EQ(r.code, kUsage) << r.err;
  EXPECT_NE(r.err.find("sensor"), std::string::npos) << "lists the conditions: " << r.err;
  r = bench("--robustness --sizes 1920x1080");
  EXPECT_EQ(r.code, kUsage) << r.err;
  EXPECT_NE(r.err.find("640x480"), std::string::npos) << r.err;
  r = bench("--robustness --scenes aloe --opencv-data /nonexistent-bench-data");
  EXPECT_EQ(r.code, static_cast<int>(ErrorKind::Input)) << r.err;
  EXPECT_NE(r.err.find("/nonexistent-bench-data/aloeL.jpg"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--bench-data"), std::string::npos) << r.err;
}

TEST(RobustBenchCli, OneShortRowWithOverrides) {
  const std::string dir = testing::fresh_dir();
  const testing::CliRun r = testing::run_dfd(
      dir,
      "bench --robustness --scenes indoor --conditions 8bit --sizes 320x240 --backends cpu --threads 1 --set epochs=1 "
      "--set window-size=3 --set depth-range=0.5,8 --set no-confidence --json r.json --plot r.png -q");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("8bit"), std::string::npos) << r.out;
  const auto j = nlohmann::json::parse(testing::slurp(testing::path_in(dir, "r.json")));
  ASSERT_EQ(j["rows"].size(), 1u);
  const auto& o = j["options"]["320x240"];
  EXPECT_EQ(o["epochs"], 1);
  EXPECT_EQ(o["depth"]["window"], 3);
  EXPECT_EQ(o["depth"]["min"], 0.5);
  EXPECT_EQ(o["depth"]["max"], 8.0);
  EXPECT_TRUE(j["rows"][0]["confidence_mean"].is_null()) << "no-confidence reached the solve";
  EXPECT_TRUE(std::filesystem::exists(testing::path_in(dir, "r.png")));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dfd
#endif  // DFD_HAVE_BENCH
