// The grid search's per-candidate loss over a run of pixels, shared by the depth search and the
// loss-profile statistics of the CPU backend (private header).
#pragma once

#include <cstddef>

#include "dfd/blur_levels.h"
#include "model/pixel_model.h"

namespace dfd::cpu_detail {

// out[k] = norm * sum_{i,c} (b_i(p,c) - sum_m w_m X_{first+m}(p,c))^2 for p = p0 + k,
// with the per-frame weights `lw` of one candidate (the same for every pixel).
inline void candidate_loss(const LevelWeights* lw, int F, int C, const float* stack, const float* X, size_t HW,
                           size_t LS, size_t p0, int n, float norm, float* __restrict out) {
  for (int k = 0; k < n; ++k) out[k] = 0.f;
  for (int i = 0; i < F; ++i) {
    const float w0 = lw[i].weight[0], w1 = lw[i].weight[1], w2 = lw[i].weight[2], w3 = lw[i].weight[3];
    for (int c = 0; c < C; ++c) {
      const float* __restrict b = stack + (static_cast<size_t>(i) * C + c) * HW + p0;
      const float* __restrict x0 = X + lw[i].first * LS + c * HW + p0;
      const float* __restrict x1 = x0 + LS;
      const float* __restrict x2 = x1 + LS;
      const float* __restrict x3 = x2 + LS;
#pragma omp simd
      for (int k = 0; k < n; ++k) {
        const float d = b[k] - model::blend_levels(w0, w1, w2, w3, x0[k], x1[k], x2[k], x3[k]);
        out[k] += d * d;
      }
    }
  }
  for (int k = 0; k < n; ++k) out[k] *= norm;
}

}  // namespace dfd::cpu_detail
