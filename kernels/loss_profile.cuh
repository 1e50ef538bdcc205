// Launcher of the loss-profile statistics (the confidence of the depth) on the device.
#pragma once

#include <cuda_runtime_api.h>

#include "cuda/model_view.h"

namespace dfd::cuda {

// One thread per pixel: the un-windowed loss over all candidates of the table (computed twice,
// not stored) summarised by profile_stats (model/loss_profile.h) with eps = (1e-3 R)^2.
void launch_loss_profile_stats(const ModelView& m, const CandidateTable& t, float eps, float* confidence,
                               float* unimodal, cudaStream_t stream);

}  // namespace dfd::cuda
