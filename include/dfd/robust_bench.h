// `dfd bench --robustness`: the accuracy of the whole solve under realistic input. Scenes
// (dfd/robust_scenes.h) rendered with the exact forward model, degraded by input conditions
// (8-bit rounding, Gaussian noise, a Poisson-Gaussian sensor), solved with the preset's options
// plus the user's overrides, scored against the ground truth. Method: bench/README.md.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "dfd/image.h"
#include "dfd/options.h"

namespace dfd {

// ---- Input conditions -----------------------------------------------------------------------

struct InputCondition {
  std::string name;          // "float", "8bit", "8bit+n0.5", "8bit+n1", "8bit+n2", "sensor"
  bool quantize = false;     // round to integers, clamp to [0, 255]
  double noise_sigma = 0.0;  // Gaussian read noise added before rounding, DN (0: none)
  bool sensor = false;       // Poisson-Gaussian sensor model (below), then 8-bit rounding
  std::string description;
};

// The sensor condition's constants: a pixel at s DN (of 255) collects s * kSensorFullWell / 255
// photo-electrons on average; the count is Poisson, read noise is Gaussian of kSensorReadNoise
// electrons, and the sum is converted back to DN at the same gain, rounded and clamped. Its
// variance in DN before rounding: s / g + (kSensorReadNoise / g)^2 with g = 4000 / 255 e-/DN
// (sigma 4.0 DN at 255, 2.9 at 128, 0.8 at 10).
constexpr double kSensorFullWell = 4000.0;  // electrons at 255 DN
constexpr double kSensorReadNoise = 2.0;    // electrons, rms

// The conditions in report order; find_condition throws Error(Usage) listing the names.
const std::vector<InputCondition>& robust_conditions();
const InputCondition& find_condition(const std::string& name);

// One frame under a condition (range 255): pixel n of the frame (n = c H W + y W + x) draws
// noise n of stream `key` (dfd/portable_random.h); `threads` (0: all) does not change the result.
Image apply_condition(const Image& frame, const InputCondition& c, uint64_t key, int threads = 0);
// Every frame of a stack; frame i uses stream splitmix64(seed + i), so the Gaussian
// conditions of one seed share their normal draws (n1 is n0.5's noise doubled).
FocalStack apply_condition(const FocalStack& clean, const InputCondition& c, uint64_t seed, int threads = 0);

// ---- Running --------------------------------------------------------------------------------

// The sizes of the robustness rows: the nyuv2 workloads of `dfd bench` (320x240, 640x480).
std::vector<std::string> robust_sizes();

struct RobustConfig {
  std::vector<std::string> scenes;      // "aloe", "indoor"; empty: both
  std::vector<std::string> conditions;  // names of robust_conditions(); empty: all
  std::vector<std::string> sizes;       // of robust_sizes(); empty: all (quick: 320x240)
  // Arbitrary sizes (W, H), used instead of `sizes` when non-empty (tests).
  std::vector<std::pair<int, int>> custom_sizes;
  std::vector<std::string> backends = {"cpu", "cuda"};  // a missing GPU is noted, not run
  bool quick = false;    // 320x240 only, kQuickEpochs epochs (unless sizes / overrides say otherwise)
  int threads = 0;       // CPU threads; 0: all
  uint64_t seed = 2024;  // scenes and noise
  // Applied to every row's solver options after the preset's (the `--set` overrides).
  std::function<void(Options&)> apply_overrides;
  std::vector<std::string> overrides;             // the overrides as given, for the report
  std::string opencv_data_dir, skimage_data_dir;  // empty: the Debian locations (robust_scenes.h)
  std::string save_dir;                           // non-empty: each row's depth and AIF as PNGs here
  std::string command_line;
  std::function<void(const std::string&)> log;  // progress lines (may be empty)
};

constexpr int kQuickEpochs = 10;

// One (scene, condition, size, backend) solve.
struct RobustRow {
  std::string scene, condition, size, backend, device;
  int width = 0, height = 0;
  double absrel = 0, rmse = 0, delta1 = 0, delta2 = 0, delta3 = 0;
  double absrel_flat = -1;      // AbsRel over the scene's textureless pixels (-1: none)
  double absrel_textured = -1;  // ... and over the rest
  double aif_psnr = 0;          // dB, against the ground-truth AIF over [0, 255]
  double input_psnr = 0;        // dB, the conditioned stack against the rendered one (inf: float)
  double seconds = 0;           // dfd::solve wall time
  int epochs = 0, kernel_size = 0, levels = 0, reverted_steps = 0;
  double initial_loss = -1;     // the loss after the first step (-1: none logged)
  double final_loss = -1;       // ... and after the last
  double confidence_mean = -1;  // mean of Result::confidence (-1: not computed)
  std::string report_json;      // the row's solve as report.json writes it (options, log, ...)
};

// A scene as built for one size.
struct RobustSceneInfo {
  std::string scene, size;
  double depth_min = 0, depth_max = 0;  // of the ground truth, metres
  double flat_fraction = 0;             // textureless pixels (definition in bench/README.md)
  std::vector<std::string> notes;       // data files used, fallbacks
  std::string stack_model;
  double seconds = 0;  // building and rendering it
};

struct RobustReport {
  std::string date, commit, command, dfd_version, host;
  bool quick = false;
  uint64_t seed = 0;
  std::vector<std::string> overrides;
  std::vector<std::string> notes;  // e.g. a backend that is not available here
  std::vector<RobustSceneInfo> scenes;
  std::vector<RobustRow> rows;
  double wall_seconds = 0;
};

// Checks the names (Error(Usage) listing the valid ones) before any work.
void check_robust_config(const RobustConfig& cfg);
// Builds, renders, degrades and solves every row; writes only the --save images.
RobustReport run_robust_bench(const RobustConfig& cfg);

// The terminal table, the JSON report (schema "dfd-bench-robustness-1") and the PNG plot
// (AbsRel per condition, log scale, one line per scene, size and backend).
std::string robust_table(const RobustReport& r);
std::string robust_json(const RobustReport& r);
void write_robust_plot(const RobustReport& r, const std::string& path);

}  // namespace dfd
