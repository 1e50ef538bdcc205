// Device versions of the model's per-pixel functions: blur sigma of a depth (camera.h
// blur_sigma), Catmull-Rom level weights (LevelPlan::weights) and the per-pixel loss of a
// depth. Same formulas and operation order as the host code. Include from .cu files only.
#pragma once

#include "cuda/model_view.h"

namespace dfd::cuda {

struct DeviceLevelWeights {
  int first;
  int taps;  // levels first .. first + taps - 1 are used (4, or 1 for a single-level plan)
  float w[4];
};

// sigma_i(Z) = max(thresh, D |Z - Zf| / Z f / (Zf - f) / (2 ps)); FocusIndex: max(thresh, a |Z - Zf|).
__device__ __forceinline__ double device_blur_sigma(const CameraParams& c, double zf, double z) {
  if (c.focus_index) {
    const double s = c.index_scale * fabs(z - zf);
    return s > c.thresh ? s : c.thresh;
  }
  const double coc = c.aperture * fabs(z - zf) / z * c.focal_length / (zf - c.focal_length);
  const double s = coc / (2.0 * c.pixel_pitch);
  return s > c.thresh ? s : c.thresh;
}

__device__ __forceinline__ DeviceLevelWeights device_level_weights(const LevelParams& p, double sigma) {
  DeviceLevelWeights lw;
  if (p.interior <= 1) {
    lw.first = 0;
    lw.taps = 1;
    lw.w[0] = 1.f;
    lw.w[1] = lw.w[2] = lw.w[3] = 0.f;
    return lw;
  }
  const double s = sigma > p.lo ? (sigma < p.hi ? sigma : p.hi) : p.lo;  // NaN -> lo
  double t = (log(s) - p.log_lo) / p.step;
  const double tr = round(t);
  if (fabs(t - tr) < 1e-9) t = tr;
  int k = static_cast<int>(floor(t));
  k = min(max(k, 0), p.interior - 2);
  const double f = t - k, f2 = f * f, f3 = f2 * f;
  lw.first = k;
  lw.taps = 4;
  lw.w[0] = static_cast<float>(0.5 * (-f3 + 2 * f2 - f));
  lw.w[1] = static_cast<float>(0.5 * (3 * f3 - 5 * f2 + 2));
  lw.w[2] = static_cast<float>(0.5 * (-3 * f3 + 4 * f2 + f));
  lw.w[3] = static_cast<float>(0.5 * (f3 - f2));
  return lw;
}

// Blurred value of channel c at pixel p: sum_m w_m X_{first+m}(p, c).
__device__ __forceinline__ float interpolate_levels(const ModelView& m, const DeviceLevelWeights& lw, int c,
                                                    size_t p) {
  const size_t HW = m.geo.pixels, C = m.geo.channels;
  float v = 0.f;
#pragma unroll
  for (int t = 0; t < 4; ++t)
    if (t < lw.taps) v += lw.w[t] * m.levels[((lw.first + t) * C + c) * HW + p];
  return v;
}

// 1/(F C) sum_{i,c} (b_i(p,c) - [k_{sigma_i(z)} * x](p,c))^2 through the levels.
__device__ __forceinline__ float device_pixel_loss(const ModelView& m, size_t p, double z) {
  const size_t HW = m.geo.pixels;
  const int C = m.geo.channels, F = m.geo.frames;
  float acc = 0.f;
  for (int i = 0; i < F; ++i) {
    const DeviceLevelWeights lw = device_level_weights(m.plan, device_blur_sigma(m.cam, m.focus[i], z));
    for (int c = 0; c < C; ++c) {
      const float r = m.stack[(static_cast<size_t>(i) * C + c) * HW + p] - interpolate_levels(m, lw, c, p);
      acc += r * r;
    }
  }
  return acc * (1.f / static_cast<float>(F * C));
}

}  // namespace dfd::cuda
