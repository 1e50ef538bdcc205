// `dfd batch`: a JSON Lines manifest of focal stacks, one shard per process, each item run as `dfd solve`.
#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <thread>

#include "cli/cli.h"
#include "dfd/backends.h"
#include "dfd/batch.h"
#include "dfd/error.h"
#include "dfd/job.h"
#include "dfd/memory.h"

namespace dfd::cli {

namespace fs = std::filesystem;

namespace {

struct BatchArgs {
  std::string manifest, out, devices, backend, max_memory;
  int shard_index = 0, shard_count = 1, prefetch = 0, threads = 0;
  CLI::Option *index_opt = nullptr, *count_opt = nullptr, *devices_opt = nullptr, *threads_opt = nullptr,
              *backend_opt = nullptr, *max_memory_opt = nullptr;
  bool quiet = false;
};

// A folder item: its STACK.json (or the stack.json `dfd synth` writes), else its images by name.
std::vector<std::string> folder_inputs(const std::string& folder) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) throw_input(folder + ": no such folder");
  for (const char* name : {"STACK.json", "stack.json"}) {
    const fs::path p = fs::path(folder) / name;
    if (fs::is_regular_file(p, ec)) return {p.string()};
  }
  static const std::vector<std::string> image_ext = {".png", ".jpg", ".jpeg", ".tif", ".tiff",
                                                     ".exr", ".bmp", ".pgm",  ".ppm", ".webp"};
  std::vector<std::string> frames;
  for (const auto& e : fs::directory_iterator(folder, ec)) {
    std::string ext = e.path().extension().string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (e.is_regular_file() && std::find(image_ext.begin(), image_ext.end(), ext) != image_ext.end())
      frames.push_back(e.path().string());
  }
  if (ec) throw_input(folder + ": cannot list the folder: " + ec.message());
  if (frames.empty()) throw_input(folder + ": no STACK.json and no images in the folder");
  std::sort(frames.begin(), frames.end());
  return frames;
}

// The flags of an item as `dfd solve` would get them on its command line.
std::vector<std::string> item_flags(const BatchItem& item) {
  std::vector<std::string> args;
  if (item.preset) args.push_back("--preset=" + *item.preset);
  if (item.focus_distances) {
    std::string list;
    for (double d : *item.focus_distances) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", d);
      list += (list.empty() ? "" : ",") + std::string(buf);
    }
    args.push_back("--focus-distances=" + list);
  }
  for (const auto& [name, values] : item.overrides) {
    if (name == "backend" || name == "threads" || name == "max-memory")
      throw_input("override \"" + name +
                  "\": the devices, CPU threads and memory limit of a batch are set for all "
                  "items by `dfd batch --backend/--devices/--threads/--max-memory`");
    if (name == "out" || name == "force" || name == "preset" || name == "focus-distances")
      throw_input("override \"" + name + "\" is not allowed" +
                  (name == "preset" || name == "focus-distances" ? " (use the item's \"preset\" / \"focus_distances\")"
                                                                 : " (the batch decides where outputs go)"));
    if (values.size() == 1) {
      args.push_back("--" + name + "=" + values[0]);
    } else {
      args.push_back("--" + name);
      args.insert(args.end(), values.begin(), values.end());
    }
  }
  return args;
}

// A batch item as a `dfd solve` job: its flags parsed by the same flag definitions as `dfd solve`,
// loaded and validated by the same library call (prepare_solve_job), solved and written by the
// same call (run_solve_job).
class SolveRunner : public ItemRunner {
 public:
  explicit SolveRunner(int threads) : threads_(threads) {}

  struct Loaded : Prepared {
    SolveJob job;
    std::string remark() const override {
      return job.auto_uncalibrated.empty() ? std::string() : "solved uncalibrated: " + job.auto_uncalibrated;
    }
  };

  std::unique_ptr<Prepared> prepare(const BatchItem& item) override {
    CLI::App app{"item flags", "overrides"};
    CameraFlags camera;
    SolverFlags solver;
    SolveFileFlags files;  // --exr, --ply..., --focus-csv: every `dfd solve` option is an override
    camera.add(app);
    solver.add(app);
    files.add(app);
    std::vector<std::string> args = item_flags(item);
    std::reverse(args.begin(), args.end());  // CLI11 takes a vector in reverse order
    try {
      app.parse(args);
    } catch (const CLI::ParseError& e) {
      throw_input("line " + std::to_string(item.line) + ": the item's preset, focus distances or overrides are " +
                  "not valid `dfd solve` flags: " + e.what());
    }
    std::vector<std::string> inputs;
    if (!item.stack.empty())
      inputs = {item.stack};
    else if (!item.folder.empty())
      inputs = folder_inputs(item.folder);
    else
      inputs = item.frames;
    auto loaded = std::make_unique<Loaded>();
    SolveRequest request = solve_request(inputs, camera, solver);
    files.apply(request);
    try {
      loaded->job = prepare_solve_job(request);
      loaded->job.outputs = files.outputs;
      check_output_options(loaded->job.outputs);
    } catch (const Error& e) {
      // The messages `dfd solve` prints: option fields named by their flags (edge_floor -> --edge-floor).
      throw Error(e.kind(), flags_for_fields(e.what()));
    }
    return loaded;
  }

  class SolveWorker : public Worker {
   public:
    SolveWorker(std::unique_ptr<Backend> backend, std::string note, std::string name)
        : backend_(std::move(backend)), note_(std::move(note)), name_(std::move(name)) {}
    std::string device() const override { return name_; }
    std::vector<std::string> run(const BatchItem&, Prepared& prepared, const std::string& dir) override {
      const SolveJob& job = static_cast<Loaded&>(prepared).job;
      return run_solve_job(job, *backend_, dir, command_line(), note_).files;
    }

   private:
    std::unique_ptr<Backend> backend_;
    std::string note_, name_;
  };

  std::unique_ptr<Worker> make_worker(const DeviceSpec& device, int, int slots) override {
    // CPU workers share the cores: all of them / the number of workers, unless --threads.
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const int threads = threads_ > 0 ? threads_ : std::max(1, cores / std::max(1, slots));
    std::string note, why;
    std::unique_ptr<Backend> backend;
    switch (device.kind) {
      case DeviceSpec::Cpu: backend = make_cpu_backend(threads); break;
      case DeviceSpec::Cuda:
        if (!cuda_available(&why)) throw_runtime("CUDA is not usable: " + why);
        backend = make_cuda_backend(device.index);
        break;
      default: {
        Options opt;
        opt.backend = BackendKind::Auto;
        opt.threads = threads;
        backend = make_backend(opt, &note);
      }
    }
    const std::string label = (device.kind == DeviceSpec::Cuda ? device.name() : std::string(backend->name())) + " (" +
                              backend->device() + ")";
    return std::make_unique<SolveWorker>(std::move(backend), note, label);
  }

 private:
  int threads_ = 0;
};

int run_batch_command(const BatchArgs& a) {
  if (*a.max_memory_opt) set_max_memory(parse_memory_size(a.max_memory));
  const std::vector<BatchItem> items = read_batch_manifest(a.manifest);
  BatchConfig cfg;
  cfg.manifest = a.manifest;
  cfg.out = a.out;
  cfg.shard = resolve_shard(*a.index_opt ? std::optional<int>(a.shard_index) : std::nullopt,
                            *a.count_opt ? std::optional<int>(a.shard_count) : std::nullopt);
  cfg.devices = batch_devices(*a.backend_opt ? std::optional<std::string>(a.backend) : std::nullopt,
                              *a.devices_opt ? std::optional<std::string>(a.devices) : std::nullopt);
  cfg.prefetch = a.prefetch;
  cfg.quiet = a.quiet;
  cfg.command_line = command_line();
  SolveRunner runner(*a.threads_opt ? a.threads : 0);
  return run_batch(items, cfg, runner).exit_code();
}

}  // namespace

Command add_batch_command(CLI::App& root) {
  auto a = std::make_shared<BatchArgs>();
  CLI::App* app = root.add_subcommand("batch",
                                      "Solve many focal stacks listed in a JSON Lines manifest, sharded "
                                      "over processes (Kubernetes Indexed Jobs, Slurm arrays)");
  app->add_option("manifest", a->manifest, "JSON Lines manifest: one stack per line")->required();
  app->add_option("--out,-o", a->out, "Output folder (shared by all shards): items/<id>/, logs/")->required();
  a->index_opt = app->add_option("--shard-index", a->shard_index,
                                 "This process's shard, 0..N-1 (default: JOB_COMPLETION_INDEX or "
                                 "SLURM_ARRAY_TASK_ID)");
  a->count_opt =
      app->add_option("--shard-count", a->shard_count, "Number of shards N (default: SLURM_ARRAY_TASK_COUNT; 1)");
  a->backend_opt = app->add_option("--backend", a->backend,
                                   "Where to solve, as `dfd solve --backend`: one worker on cpu, cuda (device 0) or "
                                   "auto (default); with --devices, the kind all its entries must be")
                       ->check(CLI::IsMember({"cpu", "cuda", "auto"}));
  a->devices_opt = app->add_option("--devices", a->devices,
                                   "One worker per entry: CUDA devices (0,1,...), cpu, or auto (default: auto)");
  a->threads_opt = app->add_option("--threads", a->threads,
                                   "CPU threads per CPU worker (default: the cores divided among the workers)")
                       ->check(CLI::PositiveNumber);
  app->add_option("--prefetch", a->prefetch, "Items loaded ahead of the workers (default: one per worker)")
      ->check(CLI::Range(0, 64));
  a->max_memory_opt = app->add_option("--max-memory", a->max_memory, kMaxMemoryHelp);
  app->add_flag("--quiet,-q", a->quiet, "No progress lines");
  app->footer(
      "Manifest lines: {\"id\": \"s1\", \"stack\": \"s1/STACK.json\"} | {\"id\", \"frames\": [...],\n"
      "\"focus_distances\": [...]} | {\"id\", \"folder\": \"dir\"}, with optional \"preset\" and\n"
      "\"overrides\" (dfd solve flags without dashes, e.g. {\"epochs\": 10}). Paths are relative to the\n"
      "manifest. An item belongs to shard hash(id) mod N (64-bit FNV-1a + fmix64): the split needs\n"
      "no coordination. Finished items (items/<id>/done.json) are skipped, so a rerun resumes.\n"
      "Logs: OUT/logs/shard-I-of-N.jsonl (one line per item) and .summary.json.\n"
      "Exit codes: 0 all items of the shard finished, 3 some failed on bad input only, 4 some failed\n"
      "otherwise, 5 out of memory; 2 usage and 3 a bad manifest before any work.");
  return {app, [a] { return run_batch_command(*a); }};
}

}  // namespace dfd::cli
