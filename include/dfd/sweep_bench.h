// The dense focus-sweep benchmark (issue 14): rendered sweeps with known depth
// (dfd/sweep_scenes.h) solved by the uncalibrated model with no flags and by the focus-measure
// argmax (dfd/focus_measure.h), both scored by the RMSE after the best affine map (relative to
// the depth range) and by Spearman's rank correlation.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "dfd/options.h"
#include "dfd/sweep_scenes.h"

namespace dfd {

struct SweepRow {
  std::string surface, blur, coding;  // coding: "8bit" or "jpeg90"
  int width = 0, height = 0, frames = 0;
  double a_true = 0;      // Gaussian sigma per frame step the sweep was rendered with
  double a_estimate = 0;  // the solve's estimate (0: given)
  double dfd_rmse = 0, dfd_spearman = 0, dfd_seconds = 0, estimate_seconds = 0;
  double fm_rmse = 0, fm_spearman = 0, fm_seconds = 0;
  int kernel_size = 0;
  std::string texture;
};

struct SweepBenchConfig {
  int width = 400, height = 400, frames = 41;
  double a = 0.25;
  std::vector<std::string> surfaces = {"slant", "dome"};
  std::vector<std::string> blurs = {"gaussian", "disc"};
  std::vector<bool> jpeg = {false, true};
  int threads = 0;
  std::function<void(Options&)> apply_overrides;  // after the "uncalibrated" preset
  std::function<void(const std::string&)> log;
};

// Renders and solves every (surface, blur, coding) row.
std::vector<SweepRow> run_sweep_bench(const SweepBenchConfig& cfg);
// One row: the scene given.
SweepRow run_sweep_row(const SweepScene& scene, const SweepBenchConfig& cfg);
std::string sweep_table(const std::vector<SweepRow>& rows);

}  // namespace dfd
