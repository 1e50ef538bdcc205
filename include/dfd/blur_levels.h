// Blur levels (SPEC 4.3): a spatially varying Gaussian blur approximated by cubic
// (Catmull-Rom) interpolation in log sigma between a few spatially invariant blurs.
#pragma once

#include <vector>

namespace dfd {

// Interpolation of one sigma: blurred(p) = sum_m weight[m] * level[first + m](p), m = 0..3.
// first + 3 < count() except for a single-level plan (count() == 1: first = 0, weights
// {1, 0, 0, 0}), where readers must skip m > 0 or pad their level buffer to 4 levels.
struct LevelWeights {
  int first = 0;
  float weight[4] = {0.f, 0.f, 0.f, 0.f};
};

// Level sigmas s_0 < ... < s_{L-1}, evenly spaced in log sigma over [sigma_lo, sigma_hi]
// plus one ghost level at each end, so that every sigma in [sigma_lo, sigma_hi] has four
// interpolation neighbours. Sigmas above sigma_hi map to sigma_hi (by construction
// sigma_hi is a sigma past which the K x K kernel no longer changes within tolerance).
class LevelPlan {
 public:
  LevelPlan() = default;

  // Plans the fewest levels whose implied kernel is within `tolerance` (L1) of k_sigma for
  // every sigma in [sigma_lo, sigma_max], window K. Verified numerically on a dense grid.
  static LevelPlan make(double sigma_lo, double sigma_max, int K, double tolerance = 1e-3);

  // A plan with `interior` levels on [sigma_lo, sigma_hi] (no verification); for tests.
  static LevelPlan with_levels(double sigma_lo, double sigma_hi, int K, int interior);

  int count() const { return static_cast<int>(sigmas_.size()); }
  const std::vector<double>& sigmas() const { return sigmas_; }
  int kernel_size() const { return K_; }
  double sigma_lo() const { return lo_; }
  double sigma_hi() const { return hi_; }
  // The interpolation grid: `interior` levels (1 for a single-level plan), the level
  // coordinate of sigma is (log sigma - log_sigma_lo()) * inv_log_step().
  int interior() const { return interior_; }
  double log_sigma_lo() const { return log_lo_; }
  double inv_log_step() const { return inv_step_; }
  LevelWeights weights(double sigma) const;

  // Worst L1 distance between the implied kernel and k_sigma over a dense sample of
  // sigmas in [sigma_lo, sigma_max] (the accuracy contract of SPEC 4.3).
  double max_kernel_error(double sigma_max, int samples_per_interval = 16) const;
  // L1 distance of the implied kernel from k_sigma at one sigma.
  double kernel_error(double sigma) const;

 private:
  std::vector<double> sigmas_;
  int K_ = 0;
  double lo_ = 1.0, hi_ = 1.0;
  double log_lo_ = 0.0, step_ = 1.0;  // log spacing of the interior levels
  double inv_step_ = 0.0;             // (interior - 1) / (log sigma_hi - log sigma_lo)
  int interior_ = 1;
};

}  // namespace dfd
