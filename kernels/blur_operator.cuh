// Launchers of the spatially varying operator A(Z) through the blur levels (SPEC 4.3):
// per-pixel level weights of a depth map, the gather y = sum_m w X_{first+m} (apply_A after
// the level blurs) and its exact transpose, the per-level spread T_l (apply_At before them).
#pragma once

#include <cuda_runtime_api.h>

#include "cuda/model_view.h"

namespace dfd::cuda {

// weights(i, p) = LevelPlan::weights(sigma_i(Z(p))) for every frame i and pixel p, and
// used[l] = 1 for every level some pixel reads (first .. first + taps - 1), else 0.
void launch_set_depth(const ModelView& m, const float* Z, PixelWeightsView weights, int* used, cudaStream_t stream);
// y_i(p, c) = sum_m w_{i,m}(p) X_{first_i(p)+m}(p, c), X = m.levels; y: F x C x H x W.
void launch_gather_levels(const ModelView& m, PixelWeightsView weights, float* y, cudaStream_t stream);
// T_l(p, c) = sum_i sum_m [first_i(p) + m == l] w_{i,m}(p) y_i(p, c); T: L x C x H x W, every
// element written (zeros where no frame uses the level).
void launch_spread_levels(const Geometry& geo, PixelWeightsView weights, const float* y, float* T, cudaStream_t stream);

}  // namespace dfd::cuda
