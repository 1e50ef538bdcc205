// `dfd solve` under hostile input and faults, as a user meets them: a few-megabyte file claiming
// gigapixels, a memory limit, a full disk at each output file, SIGTERM, and kill -9 at random
// points. Whatever happens, the output folder is either the previous results, a complete new
// result, or absent: never a folder that looks finished and is not.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "dfd/batch.h"
#include "dfd/io.h"
#include "dfd/memory.h"
#include "dfd/synthetic.h"
#include "test_batch_e2e.h"
#include "test_faults_util.h"
#include "test_io_util.h"

namespace dfd {
namespace {

namespace fs = std::filesystem;
using testing::fresh_dir;
using testing::path_in;
using testing::slurp;
using namespace faults_testing;

TEST(FaultsCli, AFewMegabytesClaimingGigapixelsAreRefusedAtOnce) {
  const std::string dir = fresh_dir();
  std::vector<std::string> args = {"solve"};
  for (int i = 0; i < 3; ++i) {
    const std::string p = path_in(dir, "huge" + std::to_string(i) + ".png");
    std::ofstream(p, std::ios::binary) << forged_png(30000, 30000);
    args.push_back(p);
  }
  args.insert(args.end(), {"--focus-distances", "1,2,3", "--out", path_in(dir, "o")});
  // The default limit is a fraction of what is available: on a machine with more than the
  // 32 GiB these frames decode to, set the limit of a 24 GiB machine.
  if (available_host_memory() > (28ull << 30)) args.insert(args.end(), {"--max-memory", "20G"});
  const Child c = run_child(args, path_in(dir, "log"));
  const std::string log = slurp(path_in(dir, "log"));
  EXPECT_EQ(c.code, 5) << log;
  EXPECT_NE(log.find("30000x30000"), std::string::npos) << log;
  EXPECT_NE(log.find("--max-memory"), std::string::npos) << log;
#if defined(__SANITIZE_ADDRESS__)
  const double max_seconds = 5.0, max_rss_mb = 600;  // ASan's runtime and shadow pages
#else
  const double max_seconds = 1.0, max_rss_mb = 200;  // the bar
#endif
  EXPECT_LT(c.seconds, max_seconds);
  EXPECT_LT(c.max_rss_kb, max_rss_mb * 1024) << "peak RSS " << c.max_rss_kb << " KiB";
  EXPECT_FALSE(fs::exists(path_in(dir, "o")));
}

TEST(FaultsCli, TheMemoryLimitFlag) {
  const std::string dir = fresh_dir();
  testing::write_frames(dir);
  auto r = testing::run_dfd(dir, "solve a.png b.png --focus-distances 1,4 --epochs 1 --max-memory 64K --out o");
  EXPECT_EQ(r.code, 5) << r.err;
  EXPECT_NE(r.err.find("--max-memory 64.0 KiB"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(path_in(dir, "o")));
  r = testing::run_dfd(dir, "solve a.png b.png --focus-distances 1,4 --epochs 1 --max-memory lots --out o");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("--max-memory lots"), std::string::npos) << r.err;
  r = testing::run_dfd(dir, "solve a.png b.png --focus-distances 1,4 --epochs 1 --max-memory 1G --quiet --out o");
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST(FaultsCli, ForceReplacesAResultFolderWholeAndRefusesOtherFiles) {
  const std::string dir = fresh_dir();
  testing::write_frames(dir);
  const std::string solve = "solve a.png b.png --focus-distances 1,4 --epochs 1 --quiet --out res";
  ASSERT_EQ(testing::run_dfd(dir, solve).code, 0);
  ASSERT_EQ(testing::run_dfd(dir, solve + " --force --no-confidence").code, 0);
  EXPECT_FALSE(fs::exists(path_in(dir, "res/confidence.tiff"))) << "the old result's files went with it";
  EXPECT_TRUE(folder_complete(path_in(dir, "res")));
  EXPECT_TRUE(hidden_leftovers(dir, "res").empty());

  const auto here =
      testing::run_dfd(path_in(dir, "res"), "solve ../a.png ../b.png --focus-distances 1,4 --epochs 1 --force --out .");
  EXPECT_EQ(here.code, 2) << here.err;
  EXPECT_NE(here.err.find("current folder"), std::string::npos) << here.err;

  std::ofstream(path_in(dir, "res/notes.txt")) << "mine";
  const auto r = testing::run_dfd(dir, solve + " --force");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("notes.txt"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(path_in(dir, "res/notes.txt")), "mine");
}

TEST(FaultsCli, SigtermStopsASolveCleanly) {
  const std::string dir = fresh_dir();
  const std::vector<std::string> frames = write_scene_frames(dir, 96, 72);
  std::vector<std::string> args = {"solve"};
  args.insert(args.end(), frames.begin(), frames.end());
  args.insert(args.end(), {"--preset", "nyuv2", "--epochs", "100000", "--out", path_in(dir, "res")});
  const pid_t pid = batch_testing::spawn_dfd(args, {}, path_in(dir, "log"));
  ASSERT_TRUE(wait_for_text(path_in(dir, "log"), "depth loss", 60)) << slurp(path_in(dir, "log"));
  ::kill(pid, SIGTERM);
  const int code = batch_testing::wait_exit(pid);
  const std::string log = slurp(path_in(dir, "log"));
  EXPECT_EQ(code, 143) << log;
  EXPECT_NE(log.find("interrupted by SIGTERM"), std::string::npos) << log;
  EXPECT_FALSE(fs::exists(path_in(dir, "res")));
  EXPECT_TRUE(hidden_leftovers(dir, "res").empty()) << "a stopped run removes its staging folder";
}

TEST(FaultsCli, KillNineAtRandomPointsNeverLeavesAFinishedLookingPartialFolder) { kill_at_random_points(12); }

// SIGTERM and kill -9 at random points of a batch: finished items stay finished and are never
// redone, nothing half written is left looking finished, and a rerun completes the shard.
TEST(FaultsCli, TermAndKillAtRandomPointsOfABatch) {
  const std::string dir = fresh_dir();
  const auto scenes = batch_testing::make_scenes(dir, 6, 40);
  const std::string manifest = batch_testing::write_batch_manifest(dir, scenes);
  const std::string out = path_in(dir, "out");
  const std::vector<std::string> args = {"batch", manifest,    "--out", out,      "--devices",
                                         "cpu",   "--threads", "1",     "--quiet"};
  const BatchLayout layout(out);
  std::mt19937 rng(1201);
  std::uniform_real_distribution<double> when(0.05, 1.5);
  for (int i = 0; i < 6; ++i) {
    const int sig = i % 2 == 0 ? SIGTERM : SIGKILL;
    const pid_t pid = batch_testing::spawn_dfd(args, {}, path_in(dir, "log"));
    std::this_thread::sleep_for(std::chrono::duration<double>(when(rng)));
    ::kill(pid, sig);
    const int code = batch_testing::wait_exit(pid);
    EXPECT_TRUE(code == 0 || code == 128 + sig)
        << "run " << i << " exit " << code << ": " << slurp(path_in(dir, "log"));
    if (sig == SIGTERM && code == 143 && fs::exists(layout.staging_root()))
      EXPECT_TRUE(fs::is_empty(layout.staging_root())) << "a stopped batch removes its staging folder";
    if (fs::exists(layout.items_dir()))
      for (const auto& e : fs::directory_iterator(layout.items_dir())) {
        std::string why;
        EXPECT_TRUE(item_finished(layout, e.path().filename().string(), &why)) << "run " << i << ": " << why;
      }
  }
  ASSERT_EQ(batch_testing::run_dfd(args, {}, path_in(dir, "log")), 0) << slurp(path_in(dir, "log"));
  std::map<std::string, int> ok;
  for (const auto& l : batch_testing::read_jsonl(layout.status_log(Shard{0, 1, ""})))
    if (l.value("status", "") == "ok") ok[l["id"].get<std::string>()]++;
  for (const auto& s : scenes) {
    EXPECT_TRUE(item_finished(layout, s.id)) << s.id;
    EXPECT_LE(ok[s.id], 1) << s.id << " was solved again after it had finished";
  }
  EXPECT_TRUE(fs::is_empty(layout.staging_root()));
}

// A full disk at each output file in turn (a small tmpfs; needs root, as CI runs): exit 4 naming
// the file, no result folder (or the previous one untouched), nothing left beside it.
TEST(FaultsCli, ADiskFullAtEveryOutputFileLeavesNoFinishedLookingFolder) {
  const std::string dir = fresh_dir();
  const std::string mnt = path_in(dir, "mnt");
  fs::create_directories(mnt);
  if (::geteuid() != 0 || ::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=4m") != 0)
    GTEST_SKIP() << "needs root to mount a small tmpfs";
  struct Unmount {
    std::string p;
    ~Unmount() { ::umount2(p.c_str(), MNT_DETACH); }
  } unmount{mnt};
  testing::write_frames(dir);
  auto args = [&](const std::string& out, bool force) {
    std::vector<std::string> a = {"solve",
                                  path_in(dir, "a.png"),
                                  path_in(dir, "b.png"),
                                  "--focus-distances",
                                  "1,4",
                                  "--epochs",
                                  "2",
                                  "--threads",
                                  "1",
                                  "--quiet",
                                  "--out",
                                  out};
    if (force) a.push_back("--force");
    return a;
  };
  // The files and their sizes, in the order they are written (report.json's list).
  ASSERT_EQ(batch_testing::run_dfd(args(path_in(dir, "ref"), false), {}, path_in(dir, "log")), 0);
  const auto report = nlohmann::json::parse(slurp(path_in(dir, "ref/report.json")));
  std::vector<std::pair<std::string, uintmax_t>> files;
  for (const auto& f : report["outputs"])
    files.emplace_back(f, fs::file_size(path_in(dir, "ref/" + f.get<std::string>())));
  ASSERT_GE(files.size(), 6u);

  const std::string res = path_in(mnt, "res");
  for (const bool previous : {false, true}) {
    std::string before;
    if (previous) {
      ASSERT_EQ(batch_testing::run_dfd(args(res, false), {}, path_in(dir, "log")), 0) << slurp(path_in(dir, "log"));
      before = slurp(path_in(res, "report.json"));
    }
    uintmax_t pages_before = 0;
    for (const auto& [name, size] : files) {
      const uintmax_t pages = (size + 4095) / 4096;
      // Room for the files before this one and all but the last page of this one.
      fill_to_free(mnt, (pages_before + pages - 1) * 4096);
      const std::string log = path_in(dir, "log");
      const int code = batch_testing::run_dfd(args(res, previous), {}, log);
      const std::string text = slurp(log);
      EXPECT_EQ(code, 4) << name << ": " << text;
      EXPECT_NE(text.find("No space left on device"), std::string::npos) << name << ": " << text;
      EXPECT_NE(text.find(path_in(res, name)), std::string::npos) << "the message names " << name << ": " << text;
      if (previous)
        EXPECT_EQ(slurp(path_in(res, "report.json")), before) << name << ": the previous results were touched";
      else
        EXPECT_FALSE(fs::exists(res)) << name;
      EXPECT_TRUE(hidden_leftovers(mnt, "res").empty()) << name;
      fs::remove(path_in(mnt, "filler"));
      pages_before += pages;
    }
    // Space again: the run completes.
    EXPECT_EQ(batch_testing::run_dfd(args(res, true), {}, path_in(dir, "log")), 0) << slurp(path_in(dir, "log"));
    EXPECT_TRUE(folder_complete(res));
    fs::remove_all(res);
  }
}

}  // namespace
}  // namespace dfd
