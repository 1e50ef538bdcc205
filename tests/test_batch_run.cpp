// Shard runs with a stand-in runner: failures stay per item, resume skips, prefetch stays bounded.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "dfd/batch.h"
#include "dfd/error.h"
#include "test_batch_util.h"

namespace dfd {
namespace {

namespace fs = std::filesystem;
using batch_testing::list_dir;
using batch_testing::path_in;
using batch_testing::read_jsonl;
using batch_testing::read_text;

// Loads nothing and "solves" by writing the id into result.txt. Ids containing "bad-load" fail
// to load (bad input), "bad-solve" fail in the worker (runtime). Counts what the scheduler does.
class FakeRunner : public ItemRunner {
 public:
  std::atomic<int> loaded_alive{0}, max_loaded_alive{0};  // prepared items not yet released
  std::atomic<int> running{0}, max_running{0};            // run() calls in flight
  std::atomic<int> prepares{0}, runs{0};
  std::chrono::milliseconds solve_time{0};
  std::string broken_device;  // make_worker fails for this device name
  std::mutex m;
  std::set<std::thread::id> worker_threads;
  std::vector<std::string> ran;

  struct P : Prepared {
    FakeRunner* r;
    explicit P(FakeRunner* owner) : r(owner) {
      const int n = ++r->loaded_alive;
      int m = r->max_loaded_alive;
      while (n > m && !r->max_loaded_alive.compare_exchange_weak(m, n)) {
      }
    }
    ~P() override { --r->loaded_alive; }
  };

  class W : public Worker {
   public:
    W(FakeRunner* r, DeviceSpec d) : r_(r), d_(d) {}
    std::string device() const override { return d_.name(); }
    std::vector<std::string> run(const BatchItem& item, Prepared&, const std::string& dir) override {
      const int n = ++r_->running;
      int m = r_->max_running;
      while (n > m && !r_->max_running.compare_exchange_weak(m, n)) {
      }
      {
        std::lock_guard<std::mutex> g(r_->m);
        r_->worker_threads.insert(std::this_thread::get_id());
        r_->ran.push_back(item.id);
      }
      ++r_->runs;
      std::this_thread::sleep_for(r_->solve_time);
      --r_->running;
      if (item.id.find("bad-solve") != std::string::npos) {
        batch_testing::write_text(path_in(dir, "half.tiff"), "partial");
        throw_runtime("simulated solver failure on " + item.id);
      }
      batch_testing::write_text(path_in(dir, "result.txt"), item.id);
      return {"result.txt"};
    }

   private:
    FakeRunner* r_;
    DeviceSpec d_;
  };

  std::unique_ptr<Prepared> prepare(const BatchItem& item) override {
    ++prepares;
    if (item.id.find("bad-load") != std::string::npos) throw_input(item.stack + ": not an image (simulated)");
    return std::make_unique<P>(this);
  }
  std::unique_ptr<Worker> make_worker(const DeviceSpec& d, int, int) override {
    if (d.name() == broken_device) throw_runtime("no such device (simulated)");
    return std::make_unique<W>(this, d);
  }
};

std::vector<BatchItem> make_items(int n, const std::set<int>& bad_load = {}, const std::set<int>& bad_solve = {}) {
  std::string text;
  for (int i = 0; i < n; ++i) {
    std::string id = "item-" + std::to_string(i);
    if (bad_load.count(i)) id += "-bad-load";
    if (bad_solve.count(i)) id += "-bad-solve";
    text += "{\"id\": \"" + id + "\", \"stack\": \"stacks/" + id + ".json\"}\n";
  }
  return parse_batch_manifest(text, "test.jsonl", "/in");
}

BatchConfig config(const std::string& out, int index = 0, int count = 1, const std::string& devices = "cpu") {
  BatchConfig c;
  c.manifest = "test.jsonl";
  c.out = out;
  c.shard = Shard{index, count, "flags"};
  c.devices = parse_devices(devices);
  c.quiet = true;
  return c;
}

std::vector<nlohmann::json> lines_with(const std::vector<nlohmann::json>& lines, const std::string& status) {
  std::vector<nlohmann::json> out;
  for (const auto& l : lines)
    if (l.value("status", "") == status) out.push_back(l);
  return out;
}

TEST(BatchRun, AFailingItemIsReportedAndTheOthersFinish) {
  const std::string out = batch_testing::fresh_dir();
  const auto items = make_items(12, {3}, {7});
  FakeRunner runner;
  const BatchSummary s = run_batch(items, config(out, 0, 1, "cpu,cpu"), runner);
  EXPECT_EQ(s.shard_items, 12);
  EXPECT_EQ(s.succeeded, 10);
  EXPECT_EQ(s.failed, 2);
  EXPECT_EQ(s.exit_code(), 4);  // a runtime failure (4) outranks a bad input (3)

  const BatchLayout layout(out);
  for (const auto& it : items) {
    const bool bad = it.id.find("bad") != std::string::npos;
    EXPECT_EQ(item_finished(layout, it.id), !bad) << it.id;
    EXPECT_EQ(fs::exists(layout.item_dir(it.id)), !bad) << it.id;  // no partial folder
    if (!bad) {
      EXPECT_EQ(read_text(path_in(layout.item_dir(it.id), "result.txt")), it.id);
    }
  }
  EXPECT_TRUE(list_dir(layout.staging_root()).empty());

  const auto lines = read_jsonl(layout.status_log(Shard{0, 1, ""}));
  EXPECT_EQ(lines_with(lines, "started").size(), 1u);
  EXPECT_EQ(lines_with(lines, "ok").size(), 10u);
  EXPECT_EQ(lines_with(lines, "finished").size(), 1u);
  const auto failed = lines_with(lines, "failed");
  ASSERT_EQ(failed.size(), 2u);
  for (const auto& f : failed) {
    const std::string id = f["id"];
    if (id.find("bad-load") != std::string::npos) {
      EXPECT_EQ(f["phase"], "load");
      EXPECT_EQ(f["exit_code"], 3);
      EXPECT_NE(f["error"].get<std::string>().find("/in/stacks/" + id + ".json: not an image"), std::string::npos)
          << f.dump();
    } else {
      EXPECT_EQ(f["phase"], "solve");
      EXPECT_EQ(f["exit_code"], 4);
      EXPECT_NE(f["error"].get<std::string>().find("simulated solver failure on " + id), std::string::npos);
    }
  }

  const auto summary = nlohmann::json::parse(read_text(layout.summary(Shard{0, 1, ""})));
  EXPECT_EQ(summary["succeeded"], 10);
  EXPECT_EQ(summary["failed"], 2);
  EXPECT_EQ(summary["exit_code"], 4);
  EXPECT_EQ(summary["complete"], false);
  EXPECT_EQ(summary["failures"].size(), 2u);
}

TEST(BatchRun, OnlyBadInputFailuresGiveExitCode3) {
  const std::string out = batch_testing::fresh_dir();
  FakeRunner runner;
  EXPECT_EQ(run_batch(make_items(4, {1}), config(out), runner).exit_code(), 3);
  FakeRunner clean;
  EXPECT_EQ(run_batch(make_items(3), config(batch_testing::fresh_dir() + "/x"), clean).exit_code(), 0);
}

TEST(BatchRun, ARerunSkipsFinishedItemsAndRetriesFailedOnes) {
  const std::string out = batch_testing::fresh_dir();
  const auto items = make_items(10, {}, {4});
  FakeRunner first;
  run_batch(items, config(out), first);
  ASSERT_EQ(first.runs, 10);

  const BatchLayout layout(out);
  const auto marker_time = fs::last_write_time(layout.marker("item-0"));
  FakeRunner second;
  const BatchSummary s = run_batch(items, config(out), second);
  EXPECT_EQ(s.finished_before, 9);
  EXPECT_EQ(s.failed, 1);
  EXPECT_EQ(second.prepares, 1);  // nothing finished is even loaded again
  EXPECT_EQ(second.ran, (std::vector<std::string>{"item-4-bad-solve"}));
  EXPECT_EQ(fs::last_write_time(layout.marker("item-0")), marker_time);
  const auto lines = read_jsonl(layout.status_log(Shard{0, 1, ""}));
  EXPECT_EQ(lines_with(lines, "skipped").size(), 9u);
  EXPECT_EQ(lines_with(lines, "started").size(), 2u);  // one per run, appended
}

TEST(BatchRun, LeftoversOfAKilledRunAreCleanedAndRedone) {
  const std::string out = batch_testing::fresh_dir();
  const auto items = make_items(3);
  const BatchLayout layout(out);
  // What a run killed mid-item leaves: a staging folder with a partial file, and (from an
  // older layout or a hand edit) an item folder without a marker.
  fs::create_directories(layout.staging_dir("item-1", 0));
  batch_testing::write_text(path_in(layout.staging_dir("item-1", 0), "depth.tiff"), "half");
  fs::create_directories(layout.item_dir("item-2"));
  batch_testing::write_text(path_in(layout.item_dir("item-2"), "depth.tiff"), "half");

  FakeRunner runner;
  const BatchSummary s = run_batch(items, config(out), runner);
  EXPECT_EQ(s.succeeded, 3);
  EXPECT_TRUE(list_dir(layout.staging_root()).empty());
  EXPECT_EQ(list_dir(layout.item_dir("item-2")), (std::vector<std::string>{"done.json", "result.txt"}));
  const auto started = lines_with(read_jsonl(layout.status_log(Shard{0, 1, ""})), "started");
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started[0]["cleaned"].size(), 2u);
}

TEST(BatchRun, ShardsRunSeparatelyCoverTheManifestOnce) {
  const std::string out = batch_testing::fresh_dir();
  const auto items = make_items(40);
  int total = 0;
  std::multiset<std::string> ran;
  for (int i = 0; i < 4; ++i) {
    FakeRunner runner;
    const BatchSummary s = run_batch(items, config(out, i, 4), runner);
    EXPECT_EQ(s.manifest_items, 40);
    EXPECT_EQ(s.succeeded, s.shard_items);
    EXPECT_EQ(s.exit_code(), 0);
    total += s.shard_items;
    ran.insert(runner.ran.begin(), runner.ran.end());
  }
  EXPECT_EQ(total, 40);
  EXPECT_EQ(ran.size(), 40u);
  for (const auto& it : items) EXPECT_EQ(ran.count(it.id), 1u) << it.id;
  EXPECT_EQ(list_dir(BatchLayout(out).items_dir()).size(), 40u);
  EXPECT_EQ(list_dir(BatchLayout(out).logs_dir()).size(), 8u);  // a log and a summary per shard
}

TEST(BatchRun, WorkersRunConcurrentlyAndPrefetchStaysBounded) {
  const std::string out = batch_testing::fresh_dir();
  FakeRunner runner;
  runner.solve_time = std::chrono::milliseconds(15);  // loading is instant: the queue fills up
  BatchConfig c = config(out, 0, 1, "cpu,cpu,cpu");
  c.prefetch = 2;
  const BatchSummary s = run_batch(make_items(30), c, runner);
  EXPECT_EQ(s.succeeded, 30);
  EXPECT_EQ(runner.worker_threads.size(), 3u);
  EXPECT_GE(runner.max_running.load(), 2);
  // Alive at once: 2 queued + 1 the prefetch thread holds while the queue is full + 3 in the
  // workers. Without the bound all 30 would be loaded at once.
  EXPECT_LE(runner.max_loaded_alive.load(), 2 + 1 + 3);
  EXPECT_GE(runner.max_loaded_alive.load(), 4);  // loading ran ahead of the workers
}

TEST(BatchRun, AnUnusableDeviceFailsBeforeAnyItem) {
  const std::string out = batch_testing::fresh_dir();
  FakeRunner runner;
  runner.broken_device = "cuda:1";
  try {
    run_batch(make_items(5), config(out, 0, 1, "0,1"), runner);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cuda:1: no such device"), std::string::npos) << e.what();
  }
  EXPECT_EQ(runner.prepares, 0);
  EXPECT_EQ(runner.runs, 0);
  EXPECT_EQ(lines_with(read_jsonl(BatchLayout(out).status_log(Shard{0, 1, ""})), "aborted").size(), 1u);
}

}  // namespace
}  // namespace dfd
