// `dfd bench` on the command line: its flags, and bad sizes / backends refused before any work.
#ifdef DFD_HAVE_BENCH
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dfd/error.h"
#include "test_io_util.h"

namespace dfd {
namespace {

struct CliResult {
  int code = -1;
  std::string out, err;
  double seconds = 0;
};

CliResult bench(const std::string& args) {
  const std::string dir = testing::fresh_dir();
  const std::string out = testing::path_in(dir, "out"), err = testing::path_in(dir, "err");
  const std::string cmd = "cd '" + dir + "' && '" + DFD_CLI + "' bench " + args + " >'" + out + "' 2>'" + err + "'";
  const auto t0 = std::chrono::steady_clock::now();
  const int status = std::system(cmd.c_str());
  CliResult r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::stringstream o, e;
  o << std::ifstream(out).rdbuf();
  e << std::ifstream(err).rdbuf();
  r.out = o.str();
  r.err = e.str();
  // Nothing but the captured streams: a refused run writes no report.
  EXPECT_FALSE(std::filesystem::exists(testing::path_in(dir, "bench.json")));
  std::filesystem::remove_all(dir);
  return r;
}

TEST(BenchCli, HelpListsTheFlags) {
  const CliResult r = bench("--help");
  EXPECT_EQ(r.code, 0);
  for (const char* flag : {"--sizes", "--backends", "--repeats", "--quick", "--json", "--plot"})
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
}

TEST(BenchCli, UnknownSizeIsAUsageErrorBeforeAnyWork) {
  const CliResult r = bench("--sizes 320x240,9x9");
  EXPECT_EQ(r.code, static_cast<int>(ErrorKind::Usage)) << r.err;
  EXPECT_NE(r.err.find("9x9"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("640x480"), std::string::npos) << "names the valid sizes: " << r.err;
  // Refused at once: the ceilings (~1 s) and the 320x240 workload never started.
  EXPECT_LT(r.seconds, 5.0);
}

TEST(BenchCli, UnknownBackendIsAUsageError) {
  const CliResult r = bench("--backends cpu,tpu");
  EXPECT_EQ(r.code, static_cast<int>(ErrorKind::Usage)) << r.err;
  EXPECT_NE(r.err.find("tpu"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace dfd
#endif  // DFD_HAVE_BENCH
