// Batch jobs for clusters: a JSON Lines manifest of focal stacks, split into shards, resumable.
//
// Output layout under --out DIR:
//   DIR/items/<id>/            one folder per finished item: dfd solve's outputs, then done.json
//   DIR/staging/<id>@<attempt>/  an item being written; renamed to items/<id> once complete
//   DIR/logs/shard-<I>-of-<N>.jsonl         status log of shard I (appended, one line per event)
//   DIR/logs/shard-<I>-of-<N>.summary.json  summary of the shard's latest run
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dfd {

// ---- Manifest -----------------------------------------------------------------------------------

// One line of a batch manifest (JSON Lines; blank lines are skipped):
//   {"id": "scene-0001", "stack": "scenes/0001/STACK.json"}
//   {"id": "scene-0002", "frames": ["a.png", "b.png", ...], "focus_distances": [1, 1.5, ...],
//    "preset": "nyuv2", "overrides": {"epochs": 10, "depth-range": [0.5, 8]}}
//   {"id": "scene-0003", "folder": "scenes/0003"}   (its STACK.json, else its images by name)
// Exactly one of "stack", "frames", "folder". Relative paths are relative to the manifest's
// folder. "overrides" holds `dfd solve` flags without their dashes (see `dfd solve --help`).
struct BatchItem {
  std::string id;                   // unique; [A-Za-z0-9._-], not starting with '.'
  int line = 0;                     // 1-based line in the manifest, for messages
  std::string stack;                // STACK.json path (resolved), or empty
  std::vector<std::string> frames;  // frame paths (resolved), or empty
  std::string folder;               // folder path (resolved), or empty
  std::optional<std::vector<double>> focus_distances;
  std::optional<std::string> preset;
  std::vector<std::pair<std::string, std::vector<std::string>>> overrides;  // flag -> values
  std::string json;  // the line as given (compact), for the status log

  // Where its frames come from, for messages ("frames a.png ...", "stack x/STACK.json").
  std::string describe_inputs() const;
};

// Parses a manifest. Throws Error(Input) naming the file and line on invalid JSON, a missing or
// malformed id, unknown keys, wrong types, or an id used twice (naming both lines): all before
// any work, since shard assignment needs every id. Missing or corrupt images are not checked
// here; they fail their own item when it runs.
std::vector<BatchItem> read_batch_manifest(const std::string& path);
// The same over text; `name` is used in messages, `base_dir` resolves relative paths.
std::vector<BatchItem> parse_batch_manifest(const std::string& text, const std::string& name,
                                            const std::string& base_dir);
// Throws Error(Input) unless `id` is usable as a folder name (1..128 of [A-Za-z0-9._-], no
// leading '.').
void check_item_id(const std::string& id, const std::string& where);

// ---- Shards -------------------------------------------------------------------------------------

// Which shard of how many this process runs, and where that came from.
struct Shard {
  int index = 0;
  int count = 1;
  std::string source = "default";  // "flags", "kubernetes", "slurm" or "default"
};

// 64-bit FNV-1a of the id's bytes, mixed by MurmurHash3's fmix64 finaliser (so that every bit,
// and thus `mod N`, depends on every byte): stable across platforms, runs and manifest order.
uint64_t item_hash(const std::string& id);
// The shard an item belongs to: item_hash(id) mod count. Depends on the id alone, so every
// process computes the same split, and reordering or appending lines moves no item.
int shard_of(const std::string& id, int count);
// The items of `shard`, in manifest order.
std::vector<const BatchItem*> shard_items(const std::vector<BatchItem>& items, const Shard& shard);

// Reads an environment variable (injectable for tests).
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
std::optional<std::string> process_env(const std::string& name);

// Resolves the shard: explicit values win; else Kubernetes Indexed Jobs (JOB_COMPLETION_INDEX;
// the count must then be given, Kubernetes does not export it); else Slurm job arrays
// (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT, with SLURM_ARRAY_TASK_MIN / _STEP so that
// --array=1-8 or 0-14:2 map to 0..N-1); else shard 0 of 1. Throws Error(Usage) naming the
// variable on a malformed value or an index outside 0..count-1.
Shard resolve_shard(std::optional<int> index, std::optional<int> count, const EnvLookup& env = process_env);

// ---- Devices ------------------------------------------------------------------------------------

// One worker's device: "cpu", a CUDA device index, or "auto" (CUDA device 0 when available,
// else the CPU, as `dfd solve --backend auto`).
struct DeviceSpec {
  enum Kind { Auto, Cpu, Cuda } kind = Auto;
  int index = 0;             // CUDA device
  std::string name() const;  // "auto", "cpu", "cuda:1"
};
// "0,1,3" -> CUDA 0, 1, 3; "cpu,cpu" -> two CPU workers; "auto". Throws Error(Usage).
std::vector<DeviceSpec> parse_devices(const std::string& list);
// The workers of `dfd batch --backend B --devices LIST` (either may be absent). --backend alone
// means one worker: cpu, cuda (device 0) or auto, as `dfd solve --backend`; --devices alone is
// parse_devices; both: every entry must be of the backend's kind ("auto" entries take it, CUDA
// device 0), --backend auto leaves the entries as listed. Throws Error(Usage) on a contradiction
// (--backend cpu --devices 0,1), naming both flags.
std::vector<DeviceSpec> batch_devices(const std::optional<std::string>& backend,
                                      const std::optional<std::string>& devices);

// ---- Output folder and resume -------------------------------------------------------------------

class BatchLayout {
 public:
  explicit BatchLayout(std::string out);
  const std::string& out() const { return out_; }
  std::string items_dir() const;
  std::string staging_root() const;
  std::string logs_dir() const;
  std::string locks_dir() const;  // locks/<id>.lock: the claim of an item being run
  std::string item_dir(const std::string& id) const;
  std::string marker(const std::string& id) const;  // items/<id>/done.json
  // The staging folder of one attempt: staging/<id>@<host>.<pid>.w<worker> ('@' is never in
  // an id, so the id can be read back from the name).
  std::string staging_dir(const std::string& id, int worker) const;
  std::string status_log(const Shard& s) const;
  std::string summary(const Shard& s) const;
  static constexpr const char* kMarker = "done.json";

 private:
  std::string out_;
};

// True when items/<id>/done.json exists, parses, names this id, and every file it lists exists.
// `why` (optional) says what is missing otherwise.
bool item_finished(const BatchLayout& layout, const std::string& id, std::string* why = nullptr);

// Removes what interrupted attempts left of the given ids: staging folders, and item folders
// without a valid completion marker. Returns the paths removed.
std::vector<std::string> clean_partial(const BatchLayout& layout, const std::vector<std::string>& ids);

// Commits an attempt: writes done.json (listing `files`, plus `marker_fields`, a JSON object
// text) into `staging` last, then renames `staging` to items/<id>. If a finished items/<id>
// exists already (another process got there first) the attempt is discarded and false is
// returned; an unfinished one is replaced.
bool commit_item(const BatchLayout& layout, const std::string& id, const std::string& staging,
                 const std::vector<std::string>& files, const std::string& marker_fields);

// The claim of one item by this process (an exclusive flock on locks/<id>.lock, released when
// the claim is destroyed or the process dies, kill -9 included), so that two processes given the
// same items never run one at the same time.
class ItemClaim {
 public:
  ~ItemClaim();
  ItemClaim(const ItemClaim&) = delete;
  ItemClaim& operator=(const ItemClaim&) = delete;

 private:
  friend std::unique_ptr<ItemClaim> try_claim_item(const BatchLayout&, const std::string&);
  explicit ItemClaim(int fd) : fd_(fd) {}
  int fd_;
};
// The claim, or null when another process holds it. Error(Runtime) when the lock file cannot be
// opened.
std::unique_ptr<ItemClaim> try_claim_item(const BatchLayout& layout, const std::string& id);

// Appends JSON lines to a status log: one write(2) per line on an O_APPEND descriptor, fsynced,
// so lines from concurrent workers never interleave and a killed run leaves whole lines.
class StatusLog {
 public:
  explicit StatusLog(const std::string& path);
  ~StatusLog();
  StatusLog(const StatusLog&) = delete;
  StatusLog& operator=(const StatusLog&) = delete;
  void append(const std::string& json_line);  // thread-safe; `json_line` without newline
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
  struct Lock;
  std::unique_ptr<Lock> lock_;
};

// ---- Running a shard ----------------------------------------------------------------------------

// What running one item means. The production runner (make_solve_item_runner) is `dfd solve`'s
// pipeline; tests plug in their own to exercise the scheduling alone.
class ItemRunner {
 public:
  // An item loaded and checked on the prefetch thread, waiting for a worker.
  struct Prepared {
    virtual ~Prepared() = default;
    // A short remark for the item's progress line and status log entry (e.g. that it was solved
    // uncalibrated because it had no focus distances); empty for none.
    virtual std::string remark() const { return {}; }
  };
  // A worker bound to one device; created and used on one thread.
  class Worker {
   public:
    virtual ~Worker() = default;
    virtual std::string device() const = 0;  // for the status log
    // Solves and writes the outputs into `dir` (exists, empty); returns the file names written.
    virtual std::vector<std::string> run(const BatchItem& item, Prepared& prepared, const std::string& dir) = 0;
  };

  virtual ~ItemRunner() = default;
  // Loads and validates an item (CPU only, may run concurrently with workers). Throws on bad input.
  virtual std::unique_ptr<Prepared> prepare(const BatchItem& item) = 0;
  // Creates the worker of one device (`slot` = 0.., `slots` workers in all). Throws if unusable.
  virtual std::unique_ptr<Worker> make_worker(const DeviceSpec& device, int slot, int slots) = 0;
};

struct BatchConfig {
  std::string manifest;  // for the log and summary
  std::string out;       // --out
  Shard shard;
  std::vector<DeviceSpec> devices = {DeviceSpec{}};  // one worker each
  int prefetch = 0;                                  // items loaded ahead of the workers; 0 = one per worker
  bool quiet = false;                                // no progress lines on stderr
  std::string command_line;                          // recorded in the summary
};

struct ItemFailure {
  std::string id;
  std::string error;
  int exit_code = 0;       // of the error's class (3 input, 4 runtime, 5 out of memory)
  bool disk_full = false;  // the outputs could not be written: no space (ENOSPC) or quota (EDQUOT)
};

struct BatchSummary {
  int manifest_items = 0;   // in the whole manifest
  int shard_items = 0;      // in this shard
  int finished_before = 0;  // skipped: finished by an earlier run
  int succeeded = 0;        // finished by this run
  int failed = 0;
  int busy = 0;  // left alone: another process held the item's claim
  std::vector<ItemFailure> failures;
  bool stopped_disk_full = false;  // the shard stopped early: an item's outputs hit a full disk
  double seconds = 0.0;
  // 0 when every item of the shard is finished; else the largest exit code of a failed item
  // (3 when all failures were bad input, which a retry would not fix); 4 when items were left to
  // another process that held them (the shard is not known to be complete).
  int exit_code() const;
};

// Runs the shard's items: skips finished ones, cleans what interrupted attempts left, loads
// items ahead on one prefetch thread into a bounded queue, solves them on one worker per
// device, commits each item atomically, logs one status line per item and writes the summary.
// A failing item is logged and the batch goes on, except when its outputs hit a full disk
// (ENOSPC, EDQUOT): the next items would fail the same way, so the shard stops there (the items
// not yet run are neither failed nor logged; a rerun after freeing space does them). Items
// another process has claimed are skipped ("busy"). Throws Error before any item runs when the
// output folder is unusable or a device's worker cannot be created, and Error(Interrupted) when
// a stop is requested (SIGTERM, SIGINT): the item being solved is abandoned (its staging folder
// removed) and an "interrupted" line logged.
BatchSummary run_batch(const std::vector<BatchItem>& items, const BatchConfig& config, ItemRunner& runner);

}  // namespace dfd
