// The alternating minimisation of SPEC 3, written once over the Backend primitives.
#pragma once

#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "dfd/backend.h"
#include "dfd/image.h"
#include "dfd/noise.h"
#include "dfd/options.h"

namespace dfd {

// One entry of the loss log: L(x, Z) after a step.
struct StepLog {
  int epoch = 0;          // 0-based; -1 for the initialisation
  std::string step;       // "init", "depth", "aif"
  double loss = 0.0;      // L(x, Z) after the step (SPEC 2), in intensity units squared
  double seconds = 0.0;   // wall time of the step
  int iterations = 0;     // AIF iterations (0 for depth steps)
  bool reverted = false;  // the step's result was worse and the previous one was kept
  // The objective the step minimises, after it and before it (NaN: not measured): L plus the
  // priors' terms when regularised (Options::regularizer), else L. A depth step's objective is
  // L + mu TV_g(Z) / HW, an AIF step's L + rho sum huber(|grad x|) / (F C H W). Each step leaves
  // its objective no higher than it found it.
  double objective = 0.0;
  double objective_before = 0.0;
  // The noise level the step's prior weights were scaled with (Options::prior_residual_scaling:
  // sqrt(max(sigma^2, L of the previous step))); NaN when the step ran unregularised.
  double prior_sigma = std::numeric_limits<double>::quiet_NaN();
};

// The uncalibrated model's blur scale a as estimated from the stack (estimate_blur_scale).
struct BlurScaleEstimate {
  double scale = 0.0;                             // a at the stack's full resolution, pixels per frame step
  int factor = 1;                                 // the stack was box-downscaled by this factor for the trials
  std::vector<std::pair<double, double>> trials;  // (a at full resolution, final loss), in order tried
  double seconds = 0.0;
  std::vector<int> frames;              // the frames the trials solved (all, or evenly spaced on dense sweeps)
  double grid_lo = 0.0, grid_hi = 0.0;  // the initial doubling grid of a, full resolution
  int grid_extensions = 0;              // doubling steps added at an end of the grid to bracket the minimum
  int max_grid_extensions = 0;          // the bound on them
  bool bracketed = false;               // the best grid point had a worse neighbour on either side
};

struct Result {
  Image depth;  // 1 channel, depth units
  Image aif;    // stack channels, [0, R]
  Image loss;   // per-pixel un-windowed loss at the final depth
  // How sharply each pixel's loss over the depth candidates is minimised, in [0, 1] (1 channel;
  // empty when not computed), and 1 where that loss profile has a single local minimum, else 0.
  Image confidence;
  Image unimodal;
  double confidence_seconds = 0.0;  // time of the confidence pass (blur levels + loss profiles)
  CleanupStats cleanup;             // what the outlier clean-up (Options::cleanup) flagged and replaced
  std::vector<StepLog> log;
  std::string backend, device;
  int kernel_size = 0;
  int levels = 0;                         // blur levels of the fast operator
  double level_kernel_error = 0.0;        // its verified implied-kernel L1 error
  double seconds = 0.0;                   // solve wall time, staging and download included
  Options options;                        // the options as solved (uncalibrated depth range, blur scale, K resolved)
  BlurScaleEstimate blur_scale_estimate;  // when the uncalibrated model's a was estimated (scale > 0)
  size_t peak_memory = 0;                 // backend bytes
  NoiseEstimate noise;                    // the stack's noise level (estimated, or Options::noise_sigma)
  bool noise_given = false;               // noise.sigma is Options::noise_sigma, not an estimate
  bool depth_prior = false;               // the regularised depth step ran (Options::regularizer)
  bool aif_prior = false;                 // the AIF prior was on
  double depth_prior_weight = 0.0;        // mu (objective += mu TV_g(Z) / HW)
  double aif_prior_weight = 0.0;          // rho (||A x - b||^2 + rho sum huber(|grad x|))
};

// Whether Options::regularizer resolves to the regularised objective for a stack of this noise.
bool regularized(const Options& opt, const NoiseEstimate& noise, double range);

// Called after every step (for progress output).
using ProgressFn = std::function<void(const StepLog&, int epochs)>;

// Estimates the FocusIndex model's a: short solves of a downscaled copy of the stack (longest side
// at most 256 px; the trials' thresh is the floor blur in trial pixels, box average included) for
// a on a doubling grid, refined by golden section on log a; the a whose solve reaches the
// lowest loss, rescaled to full resolution. When the best grid point is an end of the grid, the
// grid is extended by doubling steps in that direction (at most 4) until the minimum is
// bracketed. Dense sweeps: the trials solve at most max_frames, evenly spaced, first and last
// included, at their own frame indices (a stays per frame step of the whole stack). Uses (and re-sets) the backend.
// `progress` (optional) hears of every trial as a StepLog with epoch kEstimateEpoch, step
// "a=<value>" and the trial's final loss and time.
// `max_frames`: the most frames the trials solve (0 = all).
constexpr int kEstimateEpoch = -2;
constexpr int kBlurScaleTrialFrames = 12;
BlurScaleEstimate estimate_blur_scale(const FocalStack& stack, const Options& opt, Backend& backend,
                                      const ProgressFn& progress = nullptr, int max_frames = kBlurScaleTrialFrames);

// The options a solve of this stack runs with: the uncalibrated depth range 0 .. F-1 and, for the
// FocusIndex model without --kernel-size, K covering +-3 sigma_max (at most half the shorter side).
// The blur scale must be resolved (> 0) for the FocusIndex model.
Options solve_options(const FocalStack& stack, const Options& opt);

// Builds the Problem of a stack under options (window, levels, candidates).
Problem make_problem(const FocalStack& stack, const Options& opt);

// Solves on the given backend. The stack must be validated (opt.validate(&stack)).
Result solve(const FocalStack& stack, const Options& opt, Backend& backend, const ProgressFn& progress = nullptr);

// Edge-replicate padding and cropping (for presets with edge_pad).
Image pad_edge(const Image& im, int pad);
Image crop(const Image& im, int pad);

}  // namespace dfd
