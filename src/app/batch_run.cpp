// Runs one shard of a batch: skip finished items, prefetch on one thread, solve on one worker per device.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <filesystem>
#include <mutex>
#include <new>
#include <nlohmann/json.hpp>
#include <thread>

#include "dfd/batch.h"
#include "dfd/cancel.h"
#include "dfd/error.h"
#include "util/atomic_file.h"
#include "util/clock.h"
#include "util/files.h"

namespace dfd {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

std::string host() {
  const std::string h = host_name();
  return h.empty() ? std::string("unknown") : h;
}

// The message and exit code of the exception in flight.
ItemFailure describe_current_exception(const std::string& id) {
  ItemFailure f{id, "", static_cast<int>(ErrorKind::Runtime)};
  try {
    throw;
  } catch (const FileError& e) {
    f.error = e.what();
    f.exit_code = e.exit_code();
    f.disk_full = e.disk_full();
  } catch (const Error& e) {
    f.error = e.what();
    // An item's usage error (flags that contradict each other or its inputs) is bad input of the
    // manifest: exit code 2 is kept for the batch's own command line, before any work.
    f.exit_code = e.kind() == ErrorKind::Usage ? static_cast<int>(ErrorKind::Input) : e.exit_code();
  } catch (const std::bad_alloc&) {
    f.error = "out of host memory";
    f.exit_code = static_cast<int>(ErrorKind::OutOfMemory);
  } catch (const std::exception& e) {
    f.error = e.what();
  } catch (...) {
    f.error = "unknown error";
  }
  return f;
}

// A loaded item waiting for a worker (or the reason it could not be loaded).
struct Task {
  const BatchItem* item = nullptr;
  std::unique_ptr<ItemClaim> claim;  // held from loading to commit
  std::unique_ptr<ItemRunner::Prepared> prepared;
  std::optional<ItemFailure> failure;
  double load_seconds = 0.0;
};

// A FIFO of at most `capacity` tasks: the prefetch thread blocks when it is full, so at most
// capacity + 1 loaded items wait in memory besides those the workers hold.
class TaskQueue {
 public:
  explicit TaskQueue(size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}
  bool push(Task t) {
    std::unique_lock<std::mutex> l(m_);
    not_full_.wait(l, [&] { return closed_ || q_.size() < capacity_; });
    if (closed_) return false;
    q_.push_back(std::move(t));
    not_empty_.notify_one();
    return true;
  }
  bool pop(Task& t) {
    std::unique_lock<std::mutex> l(m_);
    not_empty_.wait(l, [&] { return closed_ || !q_.empty(); });
    if (q_.empty()) return false;
    t = std::move(q_.front());
    q_.pop_front();
    not_full_.notify_one();
    return true;
  }
  void close() {  // no more pushes; pops drain what is queued
    std::lock_guard<std::mutex> l(m_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }
  void abort() {  // stop now: drop what is queued
    std::lock_guard<std::mutex> l(m_);
    closed_ = true;
    q_.clear();
    not_full_.notify_all();
    not_empty_.notify_all();
  }

 private:
  size_t capacity_;
  std::mutex m_;
  std::condition_variable not_full_, not_empty_;
  std::deque<Task> q_;
  bool closed_ = false;
};

// The state shared by the threads of one run.
class ShardRun {
 public:
  ShardRun(const BatchConfig& cfg, ItemRunner& runner, BatchSummary& summary, StatusLog& log, size_t todo)
      : cfg_(cfg), layout_(cfg.out), runner_(runner), summary_(summary), log_(log), todo_(todo) {}

  json base(const char* status) const {
    json j;
    j["time"] = utc_now();
    j["shard"] = cfg_.shard.index;
    j["of"] = cfg_.shard.count;
    j["status"] = status;
    return j;
  }

  void note(const std::string& line) {
    if (!cfg_.quiet) std::fprintf(stderr, "dfd batch: %s\n", line.c_str());
  }

  void fail(const Task& t, const ItemFailure& f, const char* phase, const std::string& device, double seconds) {
    json j = base("failed");
    j["id"] = t.item->id;
    j["line"] = t.item->line;
    j["phase"] = phase;
    j["error"] = f.error;
    j["exit_code"] = f.exit_code;
    if (!device.empty()) j["device"] = device;
    j["seconds"] = seconds;
    log_.append(j.dump());
    std::lock_guard<std::mutex> g(m_);
    summary_.failed++;
    summary_.failures.push_back(f);
    note("[" + std::to_string(++done_) + "/" + std::to_string(todo_) + "] " + t.item->id + " FAILED (" + phase +
         "): " + f.error);
  }

  void process(Task& t, ItemRunner::Worker& worker, int slot) {
    const BatchItem& item = *t.item;
    if (t.failure) {
      fail(t, *t.failure, "load", "", t.load_seconds);
      return;
    }
    const auto t0 = Clock::now();
    const std::string staging = layout_.staging_dir(item.id, slot);
    std::error_code ec;
    try {
      fs::remove_all(staging, ec);
      make_dirs(staging);
      const std::vector<std::string> files = worker.run(item, *t.prepared, staging);
      const std::string remark = t.prepared->remark();
      t.prepared.reset();  // free the stack before the next item is taken
      const double solve_seconds = seconds_since(t0);
      json fields;
      fields["line"] = item.line;
      fields["item"] = json::parse(item.json);
      fields["device"] = worker.device();
      fields["host"] = host();
      fields["finished"] = utc_now();
      fields["load_seconds"] = t.load_seconds;
      fields["solve_seconds"] = solve_seconds;
      const bool committed = commit_item(layout_, item.id, staging, files, fields.dump());
      json j = base("ok");
      j["id"] = item.id;
      j["line"] = item.line;
      j["device"] = worker.device();
      j["load_seconds"] = t.load_seconds;
      j["seconds"] = solve_seconds;
      j["dir"] = layout_.item_dir(item.id);
      if (!remark.empty()) j["remark"] = remark;
      if (!committed) j["note"] = "finished concurrently by another process; its result was kept";
      log_.append(j.dump());
      std::lock_guard<std::mutex> g(m_);
      summary_.succeeded++;
      char secs[32];
      std::snprintf(secs, sizeof(secs), "%.2f", solve_seconds);
      note("[" + std::to_string(++done_) + "/" + std::to_string(todo_) + "] " + item.id + " ok in " + secs + " s on " +
           worker.device() + (remark.empty() ? "" : " (" + remark + ")"));
    } catch (...) {
      const ItemFailure f = describe_current_exception(item.id);
      fs::remove_all(staging, ec);
      if (stop_requested()) {  // abandoned, not failed: a rerun does it
        json j = base("abandoned");
        j["id"] = item.id;
        j["line"] = item.line;
        j["reason"] = f.error;
        j["seconds"] = seconds_since(t0);
        log_.append(j.dump());
        return;
      }
      fail(t, f, "solve", worker.device(), seconds_since(t0));
      if (f.disk_full) {
        std::lock_guard<std::mutex> g(m_);
        summary_.stopped_disk_full = true;
      }
    }
  }

  // Items another process holds: skipped, and the shard not counted complete.
  void busy(const BatchItem& item) {
    json j = base("skipped");
    j["id"] = item.id;
    j["line"] = item.line;
    j["reason"] = "being run by another process (its claim " + layout_.locks_dir() + "/" + item.id + ".lock is held)";
    log_.append(j.dump());
    std::lock_guard<std::mutex> g(m_);
    summary_.busy++;
    note(item.id + " skipped: another process is running it");
  }

  // The workers stop taking items: a stop was requested or the disk is full.
  bool stopping() {
    std::lock_guard<std::mutex> g(m_);
    return summary_.stopped_disk_full || stop_requested();
  }

  const BatchConfig& cfg_;
  BatchLayout layout_;
  ItemRunner& runner_;
  BatchSummary& summary_;
  StatusLog& log_;
  size_t todo_;
  size_t done_ = 0;
  std::mutex m_;
};

}  // namespace

int BatchSummary::exit_code() const {
  int code = busy > 0 ? static_cast<int>(ErrorKind::Runtime) : 0;
  for (const auto& f : failures) code = std::max(code, f.exit_code > 0 ? f.exit_code : 4);
  return code;
}

BatchSummary run_batch(const std::vector<BatchItem>& items, const BatchConfig& cfg, ItemRunner& runner) {
  const auto t0 = Clock::now();
  const std::string started = utc_now();
  if (cfg.devices.empty()) throw_usage("no devices to run on");
  const BatchLayout layout(cfg.out);
  make_dirs(layout.items_dir());
  make_dirs(layout.staging_root());
  make_dirs(layout.logs_dir());

  BatchSummary summary;
  summary.manifest_items = static_cast<int>(items.size());
  const std::vector<const BatchItem*> mine = shard_items(items, cfg.shard);
  summary.shard_items = static_cast<int>(mine.size());

  StatusLog log(layout.status_log(cfg.shard));
  std::vector<const BatchItem*> todo, finished;
  std::vector<std::string> todo_ids;
  for (const BatchItem* it : mine) {
    if (item_finished(layout, it->id)) {
      finished.push_back(it);
      continue;
    }
    todo.push_back(it);
    todo_ids.push_back(it->id);
  }
  summary.finished_before = static_cast<int>(finished.size());
  make_dirs(layout.locks_dir());
  // What interrupted attempts left, of the items no live process holds (a held claim means its
  // staging folder is in use).
  std::vector<std::string> removed;
  for (const std::string& id : todo_ids)
    if (const auto claim = try_claim_item(layout, id)) {
      const std::vector<std::string> r = clean_partial(layout, {id});
      removed.insert(removed.end(), r.begin(), r.end());
    }

  ShardRun run(cfg, runner, summary, log, todo.size());
  {
    json j = run.base("started");
    j["manifest"] = cfg.manifest;
    j["items"] = summary.shard_items;
    j["finished_before"] = summary.finished_before;
    j["todo"] = todo.size();
    j["cleaned"] = removed;
    json devs = json::array();
    for (const auto& d : cfg.devices) devs.push_back(d.name());
    j["devices"] = devs;
    j["host"] = host();
    j["pid"] = ::getpid();
    log.append(j.dump());
  }
  for (const BatchItem* it : finished) {
    json j = run.base("skipped");
    j["id"] = it->id;
    j["line"] = it->line;
    j["reason"] = "finished by an earlier run";
    log.append(j.dump());
  }
  run.note("shard " + std::to_string(cfg.shard.index) + " of " + std::to_string(cfg.shard.count) + " (" +
           cfg.shard.source + "): " + std::to_string(mine.size()) + " of " + std::to_string(items.size()) + " items, " +
           std::to_string(summary.finished_before) + " finished earlier, " + std::to_string(todo.size()) +
           " to run on " + std::to_string(cfg.devices.size()) + " worker(s)" +
           (removed.empty() ? "" : ", cleaned " + std::to_string(removed.size()) + " partial folder(s)"));

  // Workers: created on their own threads (a CUDA device is bound per thread), all before any
  // item is loaded, so that an unusable device fails the run before work starts.
  const size_t slots = cfg.devices.size();
  TaskQueue queue(cfg.prefetch > 0 ? static_cast<size_t>(cfg.prefetch) : slots);
  std::mutex m;
  std::condition_variable cv;
  size_t ready = 0;
  bool go = false, stop = false;
  std::vector<std::string> startup_errors;
  std::exception_ptr fatal;
  std::vector<std::thread> threads;
  for (size_t k = 0; k < slots; ++k) {
    threads.emplace_back([&, k] {
      std::unique_ptr<ItemRunner::Worker> worker;
      std::string error;
      try {
        worker = runner.make_worker(cfg.devices[k], static_cast<int>(k), static_cast<int>(slots));
      } catch (...) {
        error = cfg.devices[k].name() + ": " + describe_current_exception("").error;
      }
      {
        std::unique_lock<std::mutex> l(m);
        if (!error.empty()) startup_errors.push_back(error);
        ++ready;
        cv.notify_all();
        cv.wait(l, [&] { return go || stop; });
        if (stop) return;
      }
      try {
        Task t;
        while (queue.pop(t)) {
          run.process(t, *worker, static_cast<int>(k));
          t = Task{};
          if (run.stopping()) {
            queue.abort();
            break;
          }
        }
      } catch (...) {  // the status log or output folder failed: stop the run
        std::lock_guard<std::mutex> l(m);
        if (!fatal) fatal = std::current_exception();
        queue.abort();
      }
    });
  }
  {
    std::unique_lock<std::mutex> l(m);
    cv.wait(l, [&] { return ready == slots; });
    if (startup_errors.empty())
      go = true;
    else
      stop = true;
    cv.notify_all();
  }
  if (stop) {
    for (auto& t : threads) t.join();
    std::string all;
    for (const auto& e : startup_errors) all += (all.empty() ? "" : "; ") + e;
    json j = run.base("aborted");
    j["error"] = "cannot start a worker: " + all;
    log.append(j.dump());
    throw_runtime("cannot start a worker: " + all);
  }

  // Prefetch on this thread: loading overlaps solving, bounded by the queue.
  for (const BatchItem* it : todo) {
    if (run.stopping()) break;
    Task t;
    t.item = it;
    // The claim first: another process given the same item either holds it (skip) or finished
    // it since the scan above (skip), or left a partial attempt (cleaned under the claim).
    t.claim = try_claim_item(layout, it->id);
    if (!t.claim) {
      run.busy(*it);
      continue;
    }
    if (item_finished(layout, it->id)) {
      json j = run.base("skipped");
      j["id"] = it->id;
      j["line"] = it->line;
      j["reason"] = "finished by another process during this run";
      log.append(j.dump());
      summary.finished_before++;
      continue;
    }
    clean_partial(layout, {it->id});
    const auto tl = Clock::now();
    try {
      t.prepared = runner.prepare(*it);
    } catch (...) {
      if (stop_requested()) break;  // not the item's fault
      t.failure = describe_current_exception(it->id);
    }
    t.load_seconds = seconds_since(tl);
    if (!queue.push(std::move(t))) break;  // aborted
  }
  queue.close();
  for (auto& t : threads) t.join();
  if (stop_requested()) {
    json j = run.base("interrupted");
    j["signal"] = stop_signal();
    j["succeeded"] = summary.succeeded;
    j["failed"] = summary.failed;
    j["seconds"] = seconds_since(t0);
    log.append(j.dump());
    throw_if_stopped("between batch items; finished items are kept, a rerun does the rest");
  }
  if (fatal) std::rethrow_exception(fatal);

  summary.seconds = seconds_since(t0);
  json s;
  s["manifest"] = cfg.manifest;
  s["out"] = cfg.out;
  s["shard"] = cfg.shard.index;
  s["shard_count"] = cfg.shard.count;
  s["shard_source"] = cfg.shard.source;
  s["manifest_items"] = summary.manifest_items;
  s["items"] = summary.shard_items;
  s["finished_before"] = summary.finished_before;
  s["succeeded"] = summary.succeeded;
  s["failed"] = summary.failed;
  s["busy"] = summary.busy;
  if (summary.stopped_disk_full) s["stopped"] = "an item's outputs hit a full disk; the items after it were not run";
  json failures = json::array();
  for (const auto& f : summary.failures)
    failures.push_back({{"id", f.id}, {"error", f.error}, {"exit_code", f.exit_code}});
  s["failures"] = failures;
  s["complete"] = summary.failed == 0 && summary.busy == 0 && !summary.stopped_disk_full;
  s["exit_code"] = summary.exit_code();
  s["seconds"] = summary.seconds;
  json devs = json::array();
  for (const auto& d : cfg.devices) devs.push_back(d.name());
  s["devices"] = devs;
  s["host"] = host();
  s["started"] = started;
  s["finished"] = utc_now();
  s["command_line"] = cfg.command_line;
  s["dfd_version"] = DFD_VERSION;
  const std::string text = s.dump(2) + "\n";
  write_file_atomic(layout.summary(cfg.shard), text.data(), text.size());

  json j = run.base("finished");
  j["succeeded"] = summary.succeeded;
  j["failed"] = summary.failed;
  j["busy"] = summary.busy;
  j["finished_before"] = summary.finished_before;
  j["seconds"] = summary.seconds;
  j["exit_code"] = summary.exit_code();
  log.append(j.dump());
  run.note("shard " + std::to_string(cfg.shard.index) + ": " + std::to_string(summary.succeeded) + " ok, " +
           std::to_string(summary.failed) + " failed, " + std::to_string(summary.finished_before) +
           " finished earlier" +
           (summary.busy ? ", " + std::to_string(summary.busy) + " left to another process" : "") +
           (summary.stopped_disk_full ? "; STOPPED: the disk is full (free space and rerun)" : "") + "; summary in " +
           layout.summary(cfg.shard));
  return summary;
}

}  // namespace dfd
