// Launchers of the initial all-in-focus image (SPEC 5): per frame, exp(|Sobel|) of the
// luminance / R smoothed by a 9-tap Gaussian (sigma 1 px, borders reflected as OpenCV's
// default), a running per-pixel argmax over the frames, then the colour of the winner.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>

#include "model/init_aif_model.h"

namespace dfd::cuda {

using model::SmoothingTaps;  // the sigma-1 Gaussian's taps (model/init_aif_model.h)

// One frame (C x H x W) into the running argmax: sharp and tmp are H x W scratch; best / arg
// are initialised by the first frame (frame == 0).
void launch_sharpness_argmax(const float* frame, int frame_index, int C, int H, int W, float inv_range,
                             const SmoothingTaps& taps, float* sharp, float* tmp, float* best, int* arg,
                             cudaStream_t stream);
// aif(c, p) = stack(arg(p), c, p).
void launch_copy_sharpest(const float* stack, const int* arg, int C, size_t pixels, float* aif, cudaStream_t stream);

}  // namespace dfd::cuda
