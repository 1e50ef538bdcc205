// Solver options: dataset presets (SPEC 6), every field overridable, validated before work.
#pragma once

#include <string>
#include <vector>

#include "dfd/camera.h"
#include "dfd/cleanup.h"

namespace dfd {

struct FocalStack;

enum class AifSolver { CG, Fista };
enum class StepOrder { DepthFirst, AifFirst };
enum class BackendKind { Auto, Cpu, Cuda };
// The depth the alternation starts from. None: the step order's own start (depth-first: the
// first depth step's grid search on the initial AIF; AIF-first: the middle candidate). Focus:
// the focus-measure depth (dfd/focus_measure.h: argmax of the smoothed squared Laplacian with a
// parabolic peak fit), then the AIF step first. Auto: Focus for the uncalibrated model on a
// dense sweep (at least kDenseSweepFrames frames), None otherwise.
enum class DepthInit { Auto, None, Focus };
constexpr int kDenseSweepFrames = 20;
constexpr int kAutoEdgePad = -1;
// Epochs 0 (the uncalibrated preset): kDenseSweepEpochs in the dense-sweep mode (from the
// focus-measure depth one AIF step and one depth step; more epochs measured no better), else
// kUncalibratedEpochs. Resolved by solve_options.
constexpr int kAutoEpochs = 0;
constexpr int kDenseSweepEpochs = 1;
constexpr int kUncalibratedEpochs = 5;
// Auto: regularised when the stack is quantised (integer samples: 8/16-bit, JPEG, also after
// --align / --scale resampled them: FocalStack::sample_step) or its estimated noise exceeds
// kNoisyFraction R; the pure least-squares objective otherwise.
enum class Regularizer { Auto, None, Tv };
constexpr double kNoisyFraction = 1e-3;

struct Options {
  std::string preset = "nyuv2";  // name of the preset the defaults came from

  // Blur model: ThinLens (SPEC 2, calibrated) or FocusIndex (uncalibrated: depth in frame-index
  // units, focus distances are the frame indices 0..F-1, see camera.h).
  BlurModel blur_model = BlurModel::ThinLens;
  double blur_scale = 0.0;  // a of the FocusIndex model (pixels per frame step); 0 = estimate

  // Camera (SPEC 1-2), in the stack's length unit.
  double focal_length = 0.05;   // f
  double f_number = 8.0;        // N; the aperture is f / N unless `aperture` > 0
  double aperture = 0.0;        // D; 0 = derive from f_number
  double pixel_pitch = 1.2e-5;  // ps
  double thresh = 2.0;          // minimum blur sigma, pixels

  // Model window.
  int kernel_size = 0;  // K (odd); 0 = default heuristic from the image size

  // Depth step (SPEC 4.2).
  double depth_min = 0.1;      // Zmin
  double depth_max = 10.0;     // Zmax
  int depth_candidates = 100;  // N grid candidates, linspace(Zmin, Zmax, N)
  int window = 0;              // w: windowed grid-search loss over w x w; 0 or 1 = none
  int edge_pad = 0;            // pad the input by this many pixels (edge replicate), cropped after;
                               // kAutoEdgePad: (K - 1) / 2 in the dense-sweep mode (focus_init), else 0
  int gs_bracket = 1;          // golden section on [Z_{j*-g}, Z_{j*+g}]
  double gs_tol = 1e-2;        // stop when the bracket is shorter than this (depth units)
  int gs_max_iters = 100;

  // AIF step (SPEC 4.1).
  AifSolver aif_solver = AifSolver::CG;
  int cg_iters_first = 10;  // CG iterations in the first epoch ...
  int cg_iters_max = 40;    // ... growing by cg_growth per epoch up to this
  double cg_growth = 1.25;
  int fista_iters0 = 200;     // T_0 of the reference schedule
  double fista_alpha = 1.05;  // T_{e+1} = floor(alpha T_e)
  int power_iters = 15;       // power iterations for the FISTA step size

  int epochs = 40;
  StepOrder order = StepOrder::DepthFirst;
  DepthInit depth_init = DepthInit::Auto;
  double focus_init_sigma = 4.0;  // smoothing of the focus measure (Gaussian sigma, pixels)
  // Whether the solve of `stack` starts from the focus-measure depth (depth_init resolved).
  bool focus_init(const FocalStack& stack) const;

  // Noise-aware regularisation (solver/depth_prior.cpp, solver/aif_step.cpp). The objective
  // becomes L(x, Z) + mu TV_g(Z) / HW + rho sum huber(|grad x|) / (F C H W): a depth prior with
  // edge weights g from the AIF and an AIF prior, both scaled by the noise variance sigma^2 (so
  // that they vanish on noise-free data) as a Gaussian likelihood with these priors would have it.
  Regularizer regularizer = Regularizer::Auto;
  double noise_sigma = 0.0;       // noise standard deviation, intensity units; 0 = estimate it
  double depth_smoothness = 1.0;  // beta: mu = 2 sigma^2 beta / (F C), per candidate step of depth gradient
  double depth_huber = 0.5;       // Huber corner of the depth prior, candidate steps per pixel
  double edge_scale = 0.02;       // edge weight g = exp(-|grad x| / (edge_scale R)) ...
  double edge_floor = 0.3;        // ... at least this (0.05 cost 11-20% AbsRel: bench/RESULTS.md)
  int prior_iterations = 60;      // annealing steps of the coupled depth search per depth step
  double aif_smoothness = 1.0;    // beta_x: rho = 2 sigma^2 beta_x / (0.02 R)
  double aif_huber = 1.0;         // Huber corner of the AIF prior, in units of sigma
  // Residual scaling: the weights take max(sigma^2, the data loss L of the latest step) for
  // sigma^2, so that a stack the model fits only to a residual above its sensor noise (real
  // stacks: misalignment, JPEG, the uncalibrated model's approximations; and every stack in
  // the first epochs) is regularised at the level it is fitted to. On rendered stacks L
  // settles at sigma^2 and the weights are those of sigma. false: sigma^2 throughout.
  bool prior_residual_scaling = true;

  // Operator accuracy (SPEC 4.3): implied-kernel L1 error bound of the blur levels.
  double kernel_tolerance = 1e-3;

  // Outputs. confidence: Result::confidence and Result::unimodal from the final loss profiles
  // (Backend::loss_profile_stats: one more level blur and grid-search pass after the last epoch).
  bool confidence = true;
  CleanupOptions cleanup;  // outlier clean-up of the final depth (dfd/cleanup.h); off by default

  // Execution.
  BackendKind backend = BackendKind::Auto;
  int threads = 0;     // CPU threads; 0 = all
  double range = 0.0;  // R; 0 = from the input's bit depth

  double effective_aperture() const { return aperture > 0 ? aperture : focal_length / f_number; }
  Camera camera() const;
  // K for an image of this size: kernel_size, or the default heuristic.
  int window_for(int height, int width) const;
  // AIF iterations in epoch e (0-based) under the chosen solver's schedule.
  int aif_iterations(int epoch) const;
  // Candidate depths Z_j = linspace(Zmin, Zmax, N).
  std::vector<double> candidates() const;

  // FocusIndex with depth_min == depth_max == 0 (the "uncalibrated" preset): the depth range is
  // that of the frames' focus indices (0 .. F-1), fixed by resolved_for(stack).
  bool auto_index_range() const;
  Options resolved_for(const FocalStack& stack) const;

  // Throws Error(Input) naming the problem; `stack` (optional) is checked against the options:
  // focus distances count and > f, equal frame sizes, finite non-negative intensities.
  void validate(const FocalStack* stack = nullptr) const;
  // Human-readable one-option-per-line summary.
  std::string summary() const;
};

// The presets of SPEC 6: "nyuv2", "make3d", "mobiledepth". Throws Error(Usage) for others.
Options preset_options(const std::string& name);
std::vector<std::string> preset_names();
// The nyuv2 focus distances (metres); make3d's are 1, 2, 4, ..., 64.
std::vector<double> preset_focus_distances(const std::string& name);

const char* to_string(AifSolver s);
const char* to_string(StepOrder s);
const char* to_string(DepthInit d);
// "auto", "none", "focus"; Error(Usage) naming the field otherwise.
DepthInit depth_init_from_string(const std::string& s);
const char* to_string(BackendKind b);
const char* to_string(Regularizer r);
// "auto", "none", "tv"; Error(Usage) naming the field otherwise.
Regularizer regularizer_from_string(const std::string& s);

}  // namespace dfd
