// `dfd bench`: fixed in-memory workloads, per-phase timings against measured floors, and
// the terminal table, JSON and PNG plot they are reported in.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "dfd/backend.h"
#include "dfd/ceilings.h"
#include "dfd/image.h"
#include "dfd/options.h"

namespace dfd {

// ---- Workloads ------------------------------------------------------------------------------

// One row of the fixed workload table (bench/workloads.cpp): the same row gives the same
// problem in every run, so figures are comparable across runs and machines.
struct Workload {
  std::string name;  // "320x240", also the --sizes key
  int width = 0, height = 0;
  int channels = 3;
  int frames = 5;              // focal planes F
  std::string config;          // "nyuv2" or "make3d-like"
  int epochs = 0;              // epochs of the timed whole solve
  std::string epochs_note;     // why epochs differ from the preset's (empty: the preset's)
  bool cpu_solve = true;       // false: on the CPU only the phases are timed
  std::string cpu_solve_note;  // ... and why
  bool quick = false;          // part of --quick
  // Caps on BenchConfig's counts for the big rows (each repeat there costs minutes).
  int max_repeats = 100;        // timed repeats per phase
  int max_solve_repeats = 100;  // timed whole solves
  int max_inner = 100;          // CG / FISTA iterations per timed repeat
};

// The table: 320x240 and 640x480 (nyuv2), 1920x1080 and 4000x3000 (10 planes, make3d-like).
const std::vector<Workload>& standard_workloads();
// The row named `name`; Error(Usage) listing the names otherwise.
const Workload& find_workload(const std::string& name);
// The solver options of a workload: the preset, its camera scaled to the image width, and
// the workload's epochs.
Options workload_options(const Workload& w);
// Focus distances of a workload (the preset's, or 10 planes log-spaced over make3d's 1..64 m).
std::vector<double> workload_focus_distances(const Workload& w);

// A workload's scene: ground truth and the focal stack rendered from it.
struct BenchScene {
  Image aif, depth;  // ground truth
  FocalStack stack;
  std::string stack_model;  // how the stack was rendered ("exact K x K model", ...)
  double seconds = 0.0;     // time to build it (not part of any timing)
};
BenchScene make_bench_scene(const Workload& w, const Options& opt);
// b = A(Z) x by the CPU backend's fast operator (within SPEC 4.3's kernel contract), rendered
// in horizontal strips of about `strip_pixels` plus a K / 2 margin: bounded memory at any size,
// the same frames as one whole-image pass.
FocalStack render_stack_fast(const Image& aif, const Image& depth, const Options& opt, const std::vector<double>& focus,
                             double range, double strip_pixels = 2.0 * (1 << 20));

// ---- Statistics and floors --------------------------------------------------------------------

struct Stats {
  double median = 0, min = 0, max = 0;
  int count = 0;
};
// Median (mean of the middle two for an even count), min and max. Error(Input) when empty.
Stats summarize(std::vector<double> samples);

// The minimal work of one phase: each input read once and each output written once (float32),
// and the floating-point operations any implementation of the phase must do.
struct PhaseCost {
  double bytes = 0.0;
  double flops = 0.0;
};
inline PhaseCost operator+(PhaseCost a, PhaseCost b) { return {a.bytes + b.bytes, a.flops + b.flops}; }
inline PhaseCost operator*(double k, PhaseCost a) { return {k * a.bytes, k * a.flops}; }

// The cost model of one problem (formulas in bench/floors.cpp and bench/README.md).
class CostModel {
 public:
  explicit CostModel(const Problem& p);

  // Flops of blurring one channel image with the L spatially invariant level kernels: the
  // cheaper of separable passes (2 passes of K multiply-adds per pixel and level) and FFTs
  // (one forward transform per channel, then per level a spectrum product and an inverse).
  double level_blur_flops() const;
  // Golden-section iterations per pixel for the interior bracket of 2 g grid steps.
  int golden_iterations() const;

  PhaseCost setup() const;
  PhaseCost init_aif() const;
  PhaseCost blur_levels() const;
  PhaseCost grid_search() const;
  PhaseCost golden_section() const;
  PhaseCost apply_A() const;
  PhaseCost apply_At() const;
  PhaseCost dot(size_t n) const;
  PhaseCost axpby(size_t n) const;
  PhaseCost unary(size_t n) const;  // clip, multiply by a mask, copy: read n, write n
  // One inner iteration of the solver's bounded CGLS / FISTA (the primitives they call).
  PhaseCost cg_iteration() const;
  PhaseCost fista_iteration() const;

 private:
  double P_, C_, F_, N_, L_, K_, W_, H_;
  bool windowed_ = false;
  int golden_iterations_ = 0;
};

// Roofline floor: max(bytes / bandwidth, flops / rate); 0 when the ceilings are not measured.
double floor_seconds(const PhaseCost& cost, const DeviceCeilings& ce);

// Process peak resident set (getrusage ru_maxrss) in bytes, and a reset of it where the
// kernel allows (/proc/self/clear_refs); returns false when the reset is not available.
size_t peak_host_bytes();
bool reset_peak_host_bytes();

// ---- Running --------------------------------------------------------------------------------

struct BenchConfig {
  std::vector<std::string> sizes;  // workload names; empty: all (quick: the quick ones)
  std::vector<std::string> backends = {"cpu", "cuda"};
  int repeats = 5;                           // timed repeats after one warm-up, per phase (capped per workload)
  int solve_repeats = 3;                     // timed whole solves (capped per workload)
  int inner = 5;                             // CG / FISTA iterations timed together and divided (capped per workload)
  bool quick = false;                        // with `sizes` empty: only the workloads marked quick
  int threads = 0;                           // CPU threads; 0: all
  size_t ceiling_bytes = size_t(256) << 20;  // array size of the CPU bandwidth ceiling
  std::string json_path = "bench.json";
  std::string png_path = "bench.png";
  std::string command_line;
  std::vector<Workload> workloads;              // when non-empty, run these instead of the table (tests)
  std::function<void(const std::string&)> log;  // progress lines (may be empty)
};

struct PhaseResult {
  std::string name;  // "setup", "init_aif", "blur_levels", ...
  Stats seconds;
  PhaseCost cost;
  double floor_s = 0.0;  // 0 when not known
  double mpps = 0.0;     // megapixel-planes per second: W H F / 1e6 / median
};

struct BackendRun {
  std::string backend;  // "cpu", "cuda"
  std::string device;
  std::string status;  // "measured", "skipped", "not measured"
  std::string reason;  // for skipped / not measured, or a caveat
  std::vector<PhaseResult> phases;
  bool solved = false;  // the whole solve ran
  Stats solve_seconds;
  int solve_epochs = 0;
  double solve_mpps = 0.0;  // W H F epochs / 1e6 / median solve time
  double absrel = 0.0, delta1 = 0.0, psnr = 0.0;
  size_t peak_host = 0, peak_backend = 0, memory_estimate = 0;
  const PhaseResult* phase(const std::string& name) const;
};

struct WorkloadResult {
  Workload workload;
  int K = 0, levels = 0, candidates = 0, window = 0, golden_iterations = 0;
  double level_kernel_error = 0.0;
  std::string stack_model;
  double scene_seconds = 0.0;
  std::vector<BackendRun> runs;
  const BackendRun* run(const std::string& backend) const;
};

struct BenchReport {
  std::string date, commit, command, dfd_version, host;
  std::vector<DeviceCeilings> ceilings;  // one per backend asked for, in order
  std::vector<std::string> backends;
  std::vector<WorkloadResult> workloads;
  double wall_seconds = 0.0;
};

// Runs the workloads on the backends and writes nothing: see the writers below.
BenchReport run_bench(const BenchConfig& cfg);

// The timed phases, in the order they run and are reported.
const std::vector<std::string>& bench_phases();

// GPU/CPU speed ratio of one phase ("solve" for the whole solve): cpu time / cuda time,
// or 0 when either was not measured.
double gpu_cpu_ratio(const WorkloadResult& w, const std::string& phase);

std::string bench_table(const BenchReport& r);
std::string bench_json(const BenchReport& r);
// Time per epoch and throughput against megapixels, log-log, one line per backend.
void write_bench_plot(const BenchReport& r, const std::string& path);

}  // namespace dfd
