// The model's per-pixel functions on the device: blur sigma of a depth, level weights and the
// blend of four levels are the shared model's (model/pixel_model.h, the same code the CPU
// loops run); here only their reads of the model's device arrays and the per-pixel loss of a
// depth. Include from .cu files only.
#pragma once

#include "cuda/model_view.h"

namespace dfd::cuda {

struct DeviceLevelWeights {
  int first;
  int taps;  // levels first .. first + taps - 1 are used (4, or 1 for a single-level plan)
  float w[4];
};

// sigma_i(Z) of the shared model (model/pixel_model.h), from the camera's fields.
__device__ __forceinline__ double device_blur_sigma(const CameraParams& c, double zf, double z) {
  const double scale =
      model::sigma_scale(c.focus_index != 0, c.index_scale, c.aperture, c.focal_length, c.pixel_pitch, zf);
  return model::blur_sigma_law(c.focus_index != 0, scale, zf, z, c.thresh);
}

// LevelPlan::weights of the shared model; taps 1 for a single-level plan (no level past it).
__device__ __forceinline__ DeviceLevelWeights device_level_weights(const model::LevelGrid& g, double sigma) {
  DeviceLevelWeights lw;
  lw.first = model::level_weights(g, sigma, lw.w);
  lw.taps = g.interior <= 1 ? 1 : 4;
  return lw;
}

// Blurred value of channel c at pixel p: sum_m w_m X_{first+m}(p, c).
__device__ __forceinline__ float interpolate_levels(const ModelView& m, const DeviceLevelWeights& lw, int c, size_t p) {
  const size_t HW = m.geo.pixels, C = m.geo.channels;
  const float* x = m.levels + (lw.first * C + c) * HW + p;
  if (lw.taps < 4) return lw.w[0] * x[0];  // a single-level plan
  const size_t LS = C * HW;                // one level of every channel
  return model::blend_levels(lw.w[0], lw.w[1], lw.w[2], lw.w[3], x[0], x[LS], x[2 * LS], x[3 * LS]);
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
