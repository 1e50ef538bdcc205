// Helpers of the fault tests: forged headers, child processes with their peak memory, and the
// check that a result folder is complete or absent.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "dfd/io.h"
#include "dfd/synthetic.h"
#include "test_batch_e2e.h"
#include "test_io_util.h"

extern char** environ;

namespace dfd::faults_testing {

// A PNG that is only a header claiming w x h 8-bit RGB pixels, then a few bytes of nothing.
inline std::string forged_png(uint32_t w, uint32_t h) {
  std::string s = "\x89PNG\r\n\x1a\n";
  s += std::string("\0\0\0\x0d", 4) + "IHDR";
  for (uint32_t v : {w, h}) {
    s += static_cast<char>(v >> 24);
    s += static_cast<char>(v >> 16);
    s += static_cast<char>(v >> 8);
    s += static_cast<char>(v);
  }
  s += std::string("\x08\x02\0\0\0", 5);  // 8-bit RGB
  s += std::string("\0\0\0\0", 4);        // (wrong) CRC
  s += std::string(64, '\0');
  return s;
}

#ifdef DFD_CLI
struct Child {
  int code = -1;        // exit code, or 128 + signal
  double seconds = 0;   // wall time
  long max_rss_kb = 0;  // its own peak resident set
};

// Runs the dfd binary with `args` (batch_testing::spawn_dfd, output appended to `log`); waits with
// wait4 for its own rusage.
inline Child run_child(const std::vector<std::string>& args, const std::string& log) {
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = batch_testing::spawn_dfd(args, {}, log);
  Child c;
  if (pid <= 0) return c;
  int status = 0;
  rusage ru{};
  if (::wait4(pid, &status, 0, &ru) != pid) return c;
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  c.max_rss_kb = ru.ru_maxrss;
  c.code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
  return c;
}
#endif

// A result folder is fine when absent, or when its report.json parses and every file it lists
// is there. `why` says what is wrong otherwise.
inline bool folder_complete(const std::string& dir, std::string* why = nullptr) {
  namespace fs = std::filesystem;
  auto no = [&](const std::string& w) {
    if (why) *why = w;
    return false;
  };
  if (!fs::exists(dir)) return true;
  const std::string report = testing::path_in(dir, "report.json");
  if (!fs::exists(report)) return no(dir + " has no report.json: a folder that is not finished");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(testing::slurp(report));
  } catch (const std::exception& e) {
    return no(report + " does not parse: " + e.what());
  }
  if (!j.contains("outputs")) return no(report + " lists no outputs");
  for (const auto& f : j["outputs"])
    if (!fs::exists(testing::path_in(dir, f.get<std::string>()))) return no(dir + " lacks " + f.get<std::string>());
  return true;
}

// Entries ".<name>.dfd-*" in `parent`: staging or set-aside folders.
inline std::vector<std::string> hidden_leftovers(const std::string& parent, const std::string& name) {
  std::vector<std::string> out;
  const std::string prefix = "." + name + ".dfd-";
  for (const auto& e : std::filesystem::directory_iterator(parent))
    if (e.path().filename().string().rfind(prefix, 0) == 0) out.push_back(e.path().filename().string());
  return out;
}

// The synthetic scene's frames at w x h as 8-bit PNGs in `dir`; their paths.
inline std::vector<std::string> write_scene_frames(const std::string& dir, int w, int h) {
  SceneSpec spec;
  spec.width = w;
  spec.height = h;
  const SyntheticScene sc = make_synthetic_scene(spec);
  std::vector<std::string> out;
  for (int i = 0; i < sc.stack.count(); ++i) {
    out.push_back(testing::path_in(dir, "f" + std::to_string(i) + ".png"));
    write_png8(out.back(), sc.stack.frames[i], sc.stack.range);
  }
  return out;
}

// Waits until the file contains `text`; false after `seconds`.
inline bool wait_for_text(const std::string& path, const std::string& text, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (testing::slurp(path).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// Writes <mount>/filler so that `bytes` (a multiple of the page size) stay free.
inline void fill_to_free(const std::string& mount, uint64_t bytes) {
  struct statvfs v {};
  ASSERT_EQ(::statvfs(mount.c_str(), &v), 0);
  const uint64_t free_now = static_cast<uint64_t>(v.f_bavail) * v.f_frsize;
  ASSERT_GE(free_now, bytes) << "the tmpfs is too small for the test";
  std::ofstream out(testing::path_in(mount, "filler"), std::ios::binary);
  const std::string block(4096, '\0');
  for (uint64_t n = 0; n + 4096 <= free_now - bytes; n += 4096) out.write(block.data(), block.size());
  out.close();
  ASSERT_EQ(::statvfs(mount.c_str(), &v), 0);
  ASSERT_EQ(static_cast<uint64_t>(v.f_bavail) * v.f_frsize, bytes);
}

#ifdef DFD_CLI
// kill -9 at `n` points spread over a solve that replaces earlier results: after each, the
// folder is the old result or a complete new one; a rerun then completes and cleans up.
inline void kill_at_random_points(int n) {
  const std::string dir = testing::fresh_dir();
  testing::write_frames(dir);
  const std::vector<std::string> args = {"solve",
                                         testing::path_in(dir, "a.png"),
                                         testing::path_in(dir, "b.png"),
                                         "--focus-distances",
                                         "1,4",
                                         "--epochs",
                                         "3",
                                         "--threads",
                                         "1",
                                         "--force",
                                         "--quiet",
                                         "--out",
                                         testing::path_in(dir, "res")};
  const Child first = run_child(args, testing::path_in(dir, "log"));
  ASSERT_EQ(first.code, 0) << testing::slurp(testing::path_in(dir, "log"));
  std::mt19937 rng(20261201);
  std::uniform_real_distribution<double> when(0.0, 1.3 * first.seconds);
  int finished = 0;
  for (int i = 0; i < n; ++i) {
    const pid_t pid = batch_testing::spawn_dfd(args, {}, testing::path_in(dir, "log"));
    std::this_thread::sleep_for(std::chrono::duration<double>(when(rng)));
    ::kill(pid, SIGKILL);
    finished += batch_testing::wait_exit(pid) == 0;
    std::string why;
    ASSERT_TRUE(folder_complete(testing::path_in(dir, "res"), &why)) << "after kill " << i << ": " << why;
  }
  std::printf("%d kills, %d runs finished before theirs\n", n, finished);
  ASSERT_EQ(batch_testing::run_dfd(args, {}, testing::path_in(dir, "log")), 0)
      << testing::slurp(testing::path_in(dir, "log"));
  EXPECT_TRUE(folder_complete(testing::path_in(dir, "res")));
  EXPECT_TRUE(hidden_leftovers(dir, "res").empty()) << "the rerun removes what the killed runs left";
}

#endif

}  // namespace dfd::faults_testing
