// The grid search's loss of one candidate at one pixel, through the candidate table's level
// weights (shared by the depth search and the loss-profile kernels). Include from .cu files only.
#pragma once

#include "cuda/model_view.h"
#include "level_weights.cuh"

namespace dfd::cuda {

// loss_j(p) with the precomputed weights of candidate j (the same for every pixel).
__device__ __forceinline__ float candidate_loss(const ModelView& m, const CandidateTable& t, int j, size_t p) {
  const size_t HW = m.geo.pixels;
  const int C = m.geo.channels, F = m.geo.frames, L = m.geo.levels;
  float acc = 0.f;
  for (int i = 0; i < F; ++i) {
    const int e = j * F + i;
    DeviceLevelWeights lw;
    lw.first = t.first[e];
    lw.taps = min(4, L - lw.first);
    const float4 w4 = reinterpret_cast<const float4*>(t.weight)[e];
    lw.w[0] = w4.x;
    lw.w[1] = w4.y;
    lw.w[2] = w4.z;
    lw.w[3] = w4.w;
    for (int c = 0; c < C; ++c) {
      const float r = m.stack[(static_cast<size_t>(i) * C + c) * HW + p] - interpolate_levels(m, lw, c, p);
      acc += r * r;
    }
  }
  return acc * (1.f / static_cast<float>(F * C));
}

}  // namespace dfd::cuda
