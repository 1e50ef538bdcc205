// Blur-level weights of many depths at once: LevelPlan::weights(sigma_i(Z)) in a form the
// compiler vectorises (a polynomial log instead of libm calls), for the per-pixel loops.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "dfd/blur_levels.h"
#include "dfd/camera.h"

namespace dfd {

// log(x) for finite x > 0 (normal), to ~1e-14 relative: x = m 2^e with m in [sqrt(1/2),
// sqrt(2)), log m = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.172, by its odd series.
#pragma omp declare simd
inline double log_poly(double x) {
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  int64_t e = static_cast<int64_t>((bits >> 52) & 0x7ff) - 1023;
  bits = (bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;  // mantissa in [1, 2)
  double m;
  std::memcpy(&m, &bits, sizeof m);
  if (m > 1.4142135623730951) {
    m *= 0.5;
    e += 1;
  }
  const double s = (m - 1.0) / (m + 1.0), s2 = s * s;
  const double series =
      1.0 + s2 * (1.0 / 3 + s2 * (1.0 / 5 + s2 * (1.0 / 7 + s2 * (1.0 / 9 + s2 * (1.0 / 11 + s2 * (1.0 / 13 + s2 / 15))))));
  return static_cast<double>(e) * 0.6931471805599453 + 2.0 * s * series;
}

// The per-frame constants of sigma_i(Z) and the plan's log-sigma grid.
class PixelWeights {
 public:
  void setup(const LevelPlan& plan, const Camera& cam, const std::vector<double>& focus) {
    single_ = plan.count() == 1;
    lo_ = plan.sigma_lo();
    hi_ = plan.sigma_hi();
    interior_ = single_ ? 1 : plan.count() - 2;
    log_lo_ = std::log(lo_);
    inv_step_ = single_ ? 0.0 : (interior_ - 1) / (std::log(hi_) - log_lo_);
    thresh_ = cam.thresh;
    focus_ = focus;
    scale_.clear();
    // sigma = scale |Z - Zf| / Z, floored at thresh (camera.h); the FocusIndex model has
    // sigma = a |Z - Zf| (no division by Z).
    index_model_ = cam.model == BlurModel::FocusIndex;
    for (double zf : focus)
      scale_.push_back(index_model_ ? cam.index_scale
                                    : cam.aperture * cam.focal_length / (zf - cam.focal_length) / (2.0 * cam.pixel_pitch));
  }

  // Weights of frame i at n depths: first[k] and w[m][k] (m = 0..3), as LevelPlan::weights
  // (same clamping, same snapping of sigmas at a level, same Catmull-Rom formulas).
  template <class Depth>
  void eval(int i, const Depth* __restrict z, int n, int32_t* __restrict first, float* __restrict w0,
            float* __restrict w1, float* __restrict w2, float* __restrict w3) const {
    if (single_) {
      for (int k = 0; k < n; ++k) {
        first[k] = 0;
        w0[k] = 1.f;
        w1[k] = w2[k] = w3[k] = 0.f;
      }
      return;
    }
    // One loop per blur law: a branch inside the vector loop would cost the golden section,
    // which evaluates weights for every pixel at every iteration.
    if (index_model_)
      eval_law<true>(i, z, n, first, w0, w1, w2, w3);
    else
      eval_law<false>(i, z, n, first, w0, w1, w2, w3);
  }

 private:
  template <bool kIndexModel, class Depth>
  void eval_law(int i, const Depth* __restrict z, int n, int32_t* __restrict first, float* __restrict w0,
                float* __restrict w1, float* __restrict w2, float* __restrict w3) const {
    const double zf = focus_[i], scale = scale_[i], thresh = thresh_, lo = lo_, hi = hi_;
    const double log_lo = log_lo_, inv_step = inv_step_;
    const double kmax = interior_ - 2;
#pragma omp simd
    for (int k = 0; k < n; ++k) {
      const double zk = z[k];
      double sigma = kIndexModel ? scale * std::fabs(zk - zf) : scale * std::fabs(zk - zf) / zk;
      sigma = sigma > thresh ? sigma : thresh;
      const double s = sigma > lo ? (sigma < hi ? sigma : hi) : lo;  // NaN -> lo
      // t lies in [0, interior - 1] up to rounding, so truncation is floor where it matters
      // (std::floor would not vectorise without -fno-trapping-math).
      double t = (log_poly(s) - log_lo) * inv_step;
      const double tr = static_cast<double>(static_cast<int64_t>(t + 0.5));
      t = std::fabs(t - tr) < 1e-9 ? tr : t;  // a sigma at a level gets exactly that level
      double kf = static_cast<double>(static_cast<int64_t>(t));
      kf = std::min(std::max(kf, 0.0), kmax);
      const double f = t - kf, f2 = f * f, f3 = f2 * f;
      first[k] = static_cast<int32_t>(kf);
      w0[k] = static_cast<float>(0.5 * (-f3 + 2 * f2 - f));
      w1[k] = static_cast<float>(0.5 * (3 * f3 - 5 * f2 + 2));
      w2[k] = static_cast<float>(0.5 * (-3 * f3 + 4 * f2 + f));
      w3[k] = static_cast<float>(0.5 * (f3 - f2));
    }
  }

  bool single_ = true;
  bool index_model_ = false;
  double lo_ = 1, hi_ = 1, log_lo_ = 0, inv_step_ = 0, thresh_ = 0;
  int interior_ = 1;
  std::vector<double> focus_, scale_;
};

}  // namespace dfd
