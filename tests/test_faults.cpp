// Faults inside the library: stop requests, staged result folders, memory limits read from file
// headers, item claims, and a batch meeting a full disk or a stop request.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>

#include "dfd/backends.h"
#include "dfd/batch.h"
#include "dfd/cancel.h"
#include "dfd/error.h"
#include "dfd/io.h"
#include "dfd/memory.h"
#include "dfd/solver.h"
#include "dfd/synthetic.h"
#include "test_faults_util.h"
#include "test_io_util.h"
#include "util/clock.h"
#include "util/staged_folder.h"

namespace dfd {
namespace {

namespace fs = std::filesystem;
using faults_testing::forged_png;
using testing::fresh_dir;
using testing::path_in;
using testing::slurp;

// Restores the process-wide state these tests change.
struct Restore {
  ~Restore() {
    clear_stop();
    set_max_memory(0);
  }
};

SyntheticScene small_scene() {
  SceneSpec spec;
  spec.width = 32;
  spec.height = 24;
  return make_synthetic_scene(spec);
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

// ---- Stop requests ---------------------------------------------------------------------------------

TEST(Cancel, AStopRequestEndsASolveWithItsSignalsExitCode) {
  Restore restore;
  const SyntheticScene sc = small_scene();
  Options opt = sc.options;
  opt.epochs = 3;
  auto be = make_cpu_backend(1);
  request_stop(SIGTERM);
  try {
    solve(sc.stack, opt, *be);
    FAIL() << "a stopped solve returned";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Interrupted);
    EXPECT_EQ(e.exit_code(), 128 + SIGTERM);
    EXPECT_NE(std::string(e.what()).find("SIGTERM"), std::string::npos) << e.what();
  }
  clear_stop();
  EXPECT_NO_THROW(solve(sc.stack, opt, *be));  // cleared: the next solve runs
}

TEST(Cancel, AStopDuringTheSolveIsSeenAtTheNextSafePoint) {
  Restore restore;
  const SyntheticScene sc = small_scene();
  Options opt = sc.options;
  opt.epochs = 5;
  auto be = make_cpu_backend(1);
  int steps = 0;
  try {
    solve(sc.stack, opt, *be, [&](const StepLog&, int) {
      if (++steps == 2) request_stop(SIGINT);
    });
    FAIL() << "a stopped solve returned";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), 130);
  }
  EXPECT_EQ(steps, 2);  // no step after the request
}

TEST(Cancel, ARequestWithoutASignalExitsAsInterrupted) {
  Restore restore;
  request_stop();
  try {
    throw_if_stopped("here");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), static_cast<int>(ErrorKind::Interrupted));
    EXPECT_NE(std::string(e.what()).find("stopped here"), std::string::npos) << e.what();
  }
}

// ---- Staged result folders -------------------------------------------------------------------------

TEST(StagedFolder, ANewFolderAppearsOnlyOnCommit) {
  const std::string dir = fresh_dir();
  const std::string target = path_in(dir, "out");
  {
    StagedFolder s(target);
    write_file(path_in(s.path(), "a.txt"), "new");
    EXPECT_FALSE(fs::exists(target));
    EXPECT_EQ(fs::path(s.path()).parent_path(), fs::path(dir));
    s.commit();
  }
  EXPECT_EQ(slurp(path_in(target, "a.txt")), "new");
  EXPECT_EQ(testing::slurp(path_in(dir, "out/a.txt")), "new");
  size_t entries = 0;
  for (const auto& e : fs::directory_iterator(dir)) entries += e.path().filename() != "out";
  EXPECT_EQ(entries, 0u) << "nothing but the target is left beside it";
}

TEST(StagedFolder, AnUncommittedFolderLeavesThePreviousResultsAlone) {
  const std::string dir = fresh_dir();
  const std::string target = path_in(dir, "out");
  fs::create_directories(target);
  write_file(path_in(target, "a.txt"), "old");
  {
    StagedFolder s(target);
    write_file(path_in(s.path(), "a.txt"), "half");
  }  // an exception, say: never committed
  EXPECT_EQ(slurp(path_in(target, "a.txt")), "old");
  size_t entries = 0;
  for (const auto& e : fs::directory_iterator(dir)) entries += e.path().filename() != "out";
  EXPECT_EQ(entries, 0u);
}

TEST(StagedFolder, CommitSwapsAnExistingFolderWhole) {
  const std::string dir = fresh_dir();
  const std::string target = path_in(dir, "out");
  fs::create_directories(target);
  write_file(path_in(target, "a.txt"), "old");
  write_file(path_in(target, "gone.txt"), "old only");
  StagedFolder s(target + "/");  // a trailing slash names the same folder
  write_file(path_in(s.path(), "a.txt"), "new");
  s.commit();
  EXPECT_EQ(slurp(path_in(target, "a.txt")), "new");
  EXPECT_FALSE(fs::exists(path_in(target, "gone.txt")));
  EXPECT_FALSE(fs::exists(s.path()));
}

TEST(StagedFolder, WhatADeadProcessLeftIsRemovedAndALiveOnesIsKept) {
  const std::string dir = fresh_dir();
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  ::waitpid(child, nullptr, 0);  // its pid is now (almost surely) free
  const std::string host = file_safe_host_name();
  const std::string dead = path_in(dir, ".out.dfd-staging." + host + "." + std::to_string(child));
  const std::string live = path_in(dir, ".out.dfd-staging." + host + ".1");  // init never dies
  const std::string other = path_in(dir, ".other.dfd-staging." + host + "." + std::to_string(child));
  for (const auto& p : {dead, live, other}) fs::create_directories(p);
  StagedFolder s(path_in(dir, "out"));
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_TRUE(fs::exists(live));
  EXPECT_TRUE(fs::exists(other)) << "another target's staging is not ours to clean";
}

TEST(StagedFolder, TargetsAreNormalised) {
  const std::string dir = fresh_dir();
  fs::create_directories(path_in(dir, "a"));
  StagedFolder s(path_in(dir, "a/../out/./"));
  EXPECT_EQ(fs::path(s.target()), fs::path(dir) / "out");
  EXPECT_EQ(fs::path(s.path()).parent_path(), fs::path(dir));
  EXPECT_THROW(StagedFolder("/"), Error);
}

TEST(StagedFolder, ForeignEntriesAreThoseNoRunWrote) {
  const std::string dir = fresh_dir();
  for (const char* n : {"depth.tiff", "notes.txt", ".aif.png.tmp-abc123", "report.json"})
    write_file(path_in(dir, n), "x");
  EXPECT_EQ(foreign_entries(dir, solve_output_names()), std::vector<std::string>{"notes.txt"});
  EXPECT_TRUE(foreign_entries(path_in(dir, "missing"), {}).empty());
}

// ---- Memory limits ------------------------------------------------------------------------------------

TEST(MemoryLimit, SizesParseWithBinaryUnits) {
  EXPECT_EQ(parse_memory_size("1000"), 1000u);
  EXPECT_EQ(parse_memory_size("512M"), 512ull << 20);
  EXPECT_EQ(parse_memory_size("8G"), 8ull << 30);
  EXPECT_EQ(parse_memory_size("8GiB"), 8ull << 30);
  EXPECT_EQ(parse_memory_size("1.5g"), 3ull << 29);
  EXPECT_EQ(parse_memory_size("2 T"), 2ull << 40);
  for (const char* bad : {"", "abc", "-1G", "0", "8Q", "nan", "1e30T"}) {
    try {
      parse_memory_size(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Usage) << bad;
      EXPECT_NE(std::string(e.what()).find("--max-memory"), std::string::npos) << e.what();
    }
  }
}

TEST(MemoryLimit, TheLimitIsTheFlagElseAFractionOfWhatIsAvailable) {
  Restore restore;
  std::string what;
  const size_t avail = available_host_memory(&what);
  EXPECT_GT(avail, 0u);
  EXPECT_FALSE(what.empty());
  const MemoryLimit def = host_memory_limit();
  EXPECT_LE(def.bytes, avail);
  EXPECT_NE(def.source.find("available"), std::string::npos) << def.source;
  set_max_memory(12345);
  EXPECT_EQ(host_memory_limit().bytes, 12345u);
  EXPECT_NO_THROW(check_host_memory(12345, "x"));
  try {
    check_host_memory(12346, "the thing");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::OutOfMemory);
    const std::string m = e.what();
    EXPECT_NE(m.find("the thing would take"), std::string::npos) << m;
    EXPECT_NE(m.find("--max-memory"), std::string::npos) << m;
  }
}

TEST(ImageHeader, SizesOfTheFormatsDfdReadsMatchTheirPixels) {
  const std::string dir = fresh_dir();
  cv::Mat rgb(37, 53, CV_8UC3, cv::Scalar(1, 2, 3)), grey16(41, 29, CV_16UC1, cv::Scalar(7)),
      f(19, 23, CV_32FC1, cv::Scalar(0.5));
  struct Case {
    std::string name;
    cv::Mat m;
    int bits;
  };
  const std::vector<Case> cases = {{"a.png", rgb, 8},      {"b.png", grey16, 16}, {"c.jpg", rgb, 8},
                                   {"d.tiff", grey16, 16}, {"e.tiff", rgb, 8},    {"f.bmp", rgb, 8}};
  for (const auto& c : cases) {
    const std::string p = path_in(dir, c.name);
    ASSERT_TRUE(cv::imwrite(p, c.m)) << p;
    const auto h = read_image_header(p);
    ASSERT_TRUE(h) << p;
    EXPECT_EQ(h->width, c.m.cols) << p;
    EXPECT_EQ(h->height, c.m.rows) << p;
    EXPECT_EQ(h->channels, c.m.channels()) << p;
    EXPECT_EQ(h->bits, c.bits) << p;
  }
  write_float_tiff(path_in(dir, "g.tiff"), Image(23, 19, 1));
  const auto h = read_image_header(path_in(dir, "g.tiff"));
  ASSERT_TRUE(h);
  EXPECT_EQ(h->width, 23);
  EXPECT_EQ(h->height, 19);
  EXPECT_EQ(h->bits, 32);
  // Not an image header: no size claimed (decoding reports the problem).
  write_file(path_in(dir, "junk.png"), "\x89PNG\r\n\x1a\nnot really");
  EXPECT_FALSE(read_image_header(path_in(dir, "junk.png")));
  EXPECT_FALSE(read_image_header(path_in(dir, "missing.png")));
}

TEST(ImageHeader, AHugeHeaderIsRefusedBeforeDecoding) {
  Restore restore;
  const std::string dir = fresh_dir();
  std::vector<std::string> frames;
  for (int i = 0; i < 3; ++i) {
    frames.push_back(path_in(dir, "f" + std::to_string(i) + ".png"));
    write_file(frames.back(), forged_png(30000, 30000));
  }
  set_max_memory(parse_memory_size("4G"));
  const auto t0 = std::chrono::steady_clock::now();
  try {
    read_image(frames[0]);
    FAIL() << "decoded a 30000x30000 header";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::OutOfMemory);
    EXPECT_NE(std::string(e.what()).find("30000x30000"), std::string::npos) << e.what();
  }
  try {
    load_stack(frames, {1, 2, 3});
    FAIL() << "loaded a stack of 30000x30000 headers";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::OutOfMemory);
    EXPECT_NE(std::string(e.what()).find("3 frames"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 1.0);
}

TEST(ImageHeader, ADicomFileIsRefusedBeforeOpenCvHandsItToGdcm) {
  const std::string dir = fresh_dir();
  std::string bytes(128, '\0');
  bytes += "DICM";
  bytes += std::string(64, '\x7f');
  write_file(path_in(dir, "scan.png"), bytes);
  try {
    read_image(path_in(dir, "scan.png"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Input);
    EXPECT_NE(std::string(e.what()).find("DICOM"), std::string::npos) << e.what();
  }
}

TEST(ImageHeader, AStackUnderTheLimitStillLoads) {
  Restore restore;
  const std::string dir = fresh_dir();
  testing::write_frames(dir);
  // 64x48 RGB 8-bit: 36 KiB of float per frame, ~0.5 MiB at the decode's peak.
  set_max_memory(parse_memory_size("4M"));
  EXPECT_NO_THROW(load_stack({path_in(dir, "a.png"), path_in(dir, "b.png")}, {1, 4}));
  set_max_memory(parse_memory_size("64K"));
  EXPECT_THROW(load_stack({path_in(dir, "a.png"), path_in(dir, "b.png")}, {1, 4}), Error);
}

TEST(MemoryLimit, TheSolveChecksItsWorkingSetBeforeAllocating) {
  Restore restore;
  const SyntheticScene sc = small_scene();
  Options opt = sc.options;
  opt.epochs = 1;
  auto be = make_cpu_backend(1);
  set_max_memory(parse_memory_size("256K"));  // the stack alone is 32 x 24 x 3 x 6 x 4 B = 54 KiB
  try {
    solve(sc.stack, opt, *be);
    FAIL() << "solved over the limit";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::OutOfMemory);
    EXPECT_NE(std::string(e.what()).find("solving 32x24"), std::string::npos) << e.what();
  }
  set_max_memory(0);
  EXPECT_NO_THROW(solve(sc.stack, opt, *be));
}

// ---- Item claims and batches under faults -------------------------------------------------------------------

TEST(ItemClaim, OneHolderAtATime) {
  const std::string dir = fresh_dir();
  const BatchLayout layout(dir);
  fs::create_directories(layout.locks_dir());
  auto a = try_claim_item(layout, "x");
  ASSERT_TRUE(a);
  EXPECT_FALSE(try_claim_item(layout, "x")) << "a second claim (another open file) must fail while held";
  EXPECT_TRUE(try_claim_item(layout, "y"));
  a.reset();
  EXPECT_TRUE(try_claim_item(layout, "x"));
}

// Writes result.txt; throws what `fail` says on the item named so.
class FaultRunner : public ItemRunner {
 public:
  std::string fail_on;
  int fail_errno = ENOSPC;
  bool stop_instead = false;
  std::vector<std::string> ran;
  struct P : Prepared {};
  class W : public Worker {
   public:
    explicit W(FaultRunner* r) : r_(r) {}
    std::string device() const override { return "cpu"; }
    std::vector<std::string> run(const BatchItem& item, Prepared&, const std::string& dir) override {
      r_->ran.push_back(item.id);
      std::ofstream(path_in(dir, "result.txt")) << item.id;
      if (item.id == r_->fail_on) {
        if (r_->stop_instead) {
          request_stop(SIGTERM);
          throw_if_stopped("in the fake solve");
        }
        throw FileError(path_in(dir, "aif.png") + ": write failed: " + std::strerror(r_->fail_errno), r_->fail_errno);
      }
      return {"result.txt"};
    }

   private:
    FaultRunner* r_;
  };
  std::unique_ptr<Prepared> prepare(const BatchItem&) override { return std::make_unique<P>(); }
  std::unique_ptr<Worker> make_worker(const DeviceSpec&, int, int) override { return std::make_unique<W>(this); }
};

std::vector<BatchItem> items_named(int n) {
  std::vector<BatchItem> items;
  for (int i = 0; i < n; ++i) {
    BatchItem it;
    it.id = "item-" + std::to_string(i);
    it.line = i + 1;
    it.stack = "s.json";
    it.json = "{\"id\": \"" + it.id + "\"}";
    items.push_back(it);
  }
  return items;
}

std::vector<std::string> statuses(const BatchLayout& layout) {
  std::vector<std::string> out;
  std::ifstream in(layout.status_log(Shard{0, 1, ""}));
  std::string line;
  while (std::getline(in, line)) {
    const size_t at = line.find("\"status\":\"");
    if (at != std::string::npos) out.push_back(line.substr(at + 10, line.find('"', at + 10) - at - 10));
  }
  return out;
}

BatchConfig quiet_config(const std::string& out) {
  BatchConfig cfg;
  cfg.out = out;
  cfg.quiet = true;
  cfg.devices = {DeviceSpec{}};
  return cfg;
}

TEST(BatchFaults, AFullDiskStopsTheShardAfterFailingTheItem) {
  const std::string out = fresh_dir();
  FaultRunner runner;
  runner.fail_on = "item-1";
  const BatchSummary s = run_batch(items_named(4), quiet_config(out), runner);
  EXPECT_EQ(runner.ran, (std::vector<std::string>{"item-0", "item-1"}));
  EXPECT_EQ(s.succeeded, 1);
  EXPECT_EQ(s.failed, 1);
  EXPECT_TRUE(s.stopped_disk_full);
  EXPECT_EQ(s.exit_code(), 4);
  ASSERT_EQ(s.failures.size(), 1u);
  EXPECT_TRUE(s.failures[0].disk_full);
  const BatchLayout layout(out);
  EXPECT_TRUE(fs::is_empty(layout.staging_root()));
  EXPECT_FALSE(fs::exists(layout.item_dir("item-1")));
  const std::string summary = slurp(layout.summary(Shard{0, 1, ""}));
  EXPECT_NE(summary.find("full disk"), std::string::npos) << summary;
  EXPECT_NE(summary.find("\"complete\": false"), std::string::npos) << summary;

  // Space freed: the rerun does the rest and nothing twice.
  FaultRunner again;
  const BatchSummary s2 = run_batch(items_named(4), quiet_config(out), again);
  EXPECT_EQ(again.ran, (std::vector<std::string>{"item-1", "item-2", "item-3"}));
  EXPECT_EQ(s2.exit_code(), 0);
}

TEST(BatchFaults, OtherWriteFailuresFailTheItemAndTheShardGoesOn) {
  const std::string out = fresh_dir();
  FaultRunner runner;
  runner.fail_on = "item-1";
  runner.fail_errno = EACCES;
  const BatchSummary s = run_batch(items_named(3), quiet_config(out), runner);
  EXPECT_EQ(runner.ran.size(), 3u);
  EXPECT_FALSE(s.stopped_disk_full);
  EXPECT_EQ(s.failed, 1);
}

TEST(BatchFaults, AStopRequestAbandonsTheItemAndEndsTheShardAsInterrupted) {
  Restore restore;
  const std::string out = fresh_dir();
  FaultRunner runner;
  runner.fail_on = "item-1";
  runner.stop_instead = true;
  try {
    run_batch(items_named(4), quiet_config(out), runner);
    FAIL() << "an interrupted shard returned";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), 128 + SIGTERM);
  }
  clear_stop();
  EXPECT_EQ(runner.ran, (std::vector<std::string>{"item-0", "item-1"}));
  const BatchLayout layout(out);
  EXPECT_TRUE(item_finished(layout, "item-0"));
  EXPECT_FALSE(fs::exists(layout.item_dir("item-1")));
  EXPECT_TRUE(fs::is_empty(layout.staging_root()));
  const auto st = statuses(layout);
  EXPECT_NE(std::find(st.begin(), st.end(), "abandoned"), st.end());
  EXPECT_EQ(st.back(), "interrupted");
  EXPECT_EQ(std::count(st.begin(), st.end(), "failed"), 0) << "an abandoned item is not a failed one";

  FaultRunner again;
  EXPECT_EQ(run_batch(items_named(4), quiet_config(out), again).exit_code(), 0);
  EXPECT_EQ(again.ran, (std::vector<std::string>{"item-1", "item-2", "item-3"}));
}

TEST(BatchFaults, AnItemAnotherProcessHoldsIsLeftToIt) {
  const std::string out = fresh_dir();
  const BatchLayout layout(out);
  fs::create_directories(layout.locks_dir());
  // The other process: holds item-1's claim and has a live staging folder for it.
  auto held = try_claim_item(layout, "item-1");
  ASSERT_TRUE(held);
  const std::string live = layout.staging_root() + "/item-1@otherhost.1.w0";
  fs::create_directories(live);
  FaultRunner runner;
  const BatchSummary s = run_batch(items_named(3), quiet_config(out), runner);
  EXPECT_EQ(runner.ran, (std::vector<std::string>{"item-0", "item-2"}));
  EXPECT_EQ(s.busy, 1);
  EXPECT_EQ(s.exit_code(), 4) << "not known complete: the other process may still fail";
  EXPECT_TRUE(fs::exists(live)) << "a held item's staging folder is in use: not cleaned";
  held.reset();
  FaultRunner again;
  EXPECT_EQ(run_batch(items_named(3), quiet_config(out), again).exit_code(), 0);
  EXPECT_EQ(again.ran, (std::vector<std::string>{"item-1"}));
  EXPECT_FALSE(fs::exists(live)) << "released: the dead attempt's folder is cleaned";
}

}  // namespace
}  // namespace dfd
