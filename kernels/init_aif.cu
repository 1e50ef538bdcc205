// Initial AIF kernels: luminance, Sobel magnitude and exp, separable Gaussian smoothing with
// reflected borders, running argmax over frames (first frame wins ties), colour copy.
#include "cuda/cuda_check.h"
#include "init_aif.cuh"

namespace dfd::cuda {

namespace {

using model::reflect101;

__global__ void luminance_kernel(const float* __restrict__ frame, int C, size_t HW, float inv,
                                 float* __restrict__ grey) {
  const size_t p = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (p >= HW) return;
  grey[p] = model::luminance(frame, C, HW, p, inv);
}

__global__ void sobel_exp_kernel(const float* __restrict__ grey, int H, int W, float* __restrict__ sharp) {
  const int x = blockIdx.x * blockDim.x + threadIdx.x;
  const int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x >= W || y >= H) return;
  const float* up = grey + static_cast<size_t>(reflect101(y - 1, H)) * W;
  const float* mid = grey + static_cast<size_t>(y) * W;
  const float* dn = grey + static_cast<size_t>(reflect101(y + 1, H)) * W;
  sharp[static_cast<size_t>(y) * W + x] = model::sobel_sharpness(up, mid, dn, x, W);
}

__global__ void smooth_rows_kernel(const float* __restrict__ in, int H, int W, SmoothingTaps taps,
                                   float* __restrict__ out) {
  const int x = blockIdx.x * blockDim.x + threadIdx.x;
  const int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x >= W || y >= H) return;
  out[static_cast<size_t>(y) * W + x] = model::smooth_at(in + static_cast<size_t>(y) * W, 1, x, W, taps);
}

// Vertical pass, then the running argmax: strict > keeps the first sharpest frame.
__global__ void smooth_cols_argmax_kernel(const float* __restrict__ in, int H, int W, SmoothingTaps taps,
                                          int frame_index, float* __restrict__ best, int* __restrict__ arg) {
  const int x = blockIdx.x * blockDim.x + threadIdx.x;
  const int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x >= W || y >= H) return;
  const float s = model::smooth_at(in + x, W, y, H, taps);
  const size_t p = static_cast<size_t>(y) * W + x;
  // As the CPU: the running best starts at -inf, so a NaN sharpness never wins (not even in
  // frame 0, which a later finite frame must still be able to beat).
  const float b = frame_index == 0 ? -INFINITY : best[p];
  if (s > b) {
    best[p] = s;
    arg[p] = frame_index;
  } else if (frame_index == 0) {
    best[p] = -INFINITY;
    arg[p] = 0;
  }
}

__global__ void copy_sharpest_kernel(const float* __restrict__ stack, const int* __restrict__ arg, int C, size_t HW,
                                     float* __restrict__ aif) {
  const size_t p = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (p >= HW) return;
  const size_t i = static_cast<size_t>(arg[p]);
  for (int c = 0; c < C; ++c) aif[static_cast<size_t>(c) * HW + p] = stack[(i * C + c) * HW + p];
}

}  // namespace

void launch_sharpness_argmax(const float* frame, int frame_index, int C, int H, int W, float inv_range,
                             const SmoothingTaps& taps, float* sharp, float* tmp, float* best, int* arg,
                             cudaStream_t stream) {
  const size_t HW = static_cast<size_t>(H) * W;
  if (HW == 0) return;
  luminance_kernel<<<static_cast<unsigned>((HW + 255) / 256), 256, 0, stream>>>(frame, C, HW, inv_range, tmp);
  DFD_CUDA_CHECK_LAUNCH("luminance_kernel");
  const dim3 block(32, 8);
  const dim3 grid(static_cast<unsigned>((W + 31) / 32), static_cast<unsigned>((H + 7) / 8));
  sobel_exp_kernel<<<grid, block, 0, stream>>>(tmp, H, W, sharp);
  DFD_CUDA_CHECK_LAUNCH("sobel_exp_kernel");
  smooth_rows_kernel<<<grid, block, 0, stream>>>(sharp, H, W, taps, tmp);
  DFD_CUDA_CHECK_LAUNCH("smooth_rows_kernel");
  smooth_cols_argmax_kernel<<<grid, block, 0, stream>>>(tmp, H, W, taps, frame_index, best, arg);
  DFD_CUDA_CHECK_LAUNCH("smooth_cols_argmax_kernel");
}

void launch_copy_sharpest(const float* stack, const int* arg, int C, size_t pixels, float* aif, cudaStream_t stream) {
  if (pixels == 0) return;
  copy_sharpest_kernel<<<static_cast<unsigned>((pixels + 255) / 256), 256, 0, stream>>>(stack, arg, C, pixels, aif);
  DFD_CUDA_CHECK_LAUNCH("copy_sharpest_kernel");
}

}  // namespace dfd::cuda
