// Initial AIF kernels: luminance, Sobel magnitude and exp, separable Gaussian smoothing with
// reflected borders, running argmax over frames (first frame wins ties), colour copy.
#include "cuda/cuda_check.h"
#include "init_aif.cuh"

namespace dfd::cuda {

namespace {

constexpr int kRadius = 4;

// OpenCV's BORDER_REFLECT_101 (gfedcb|abcdefgh|gfedcba): -1 -> 1, n -> n - 2.
__device__ __forceinline__ int reflect101(int i, int n) {
  if (n == 1) return 0;
  while (i < 0 || i >= n) i = i < 0 ? -i : 2 * n - 2 - i;
  return i;
}

__global__ void luminance_kernel(const float* __restrict__ frame, int C, size_t HW, float inv,
                                 float* __restrict__ grey) {
  const size_t p = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (p >= HW) return;
  grey[p] = C == 3 ? (0.299f * frame[p] + 0.587f * frame[HW + p] + 0.114f * frame[2 * HW + p]) * inv
                   : frame[p] * inv;
}

__global__ void sobel_exp_kernel(const float* __restrict__ grey, int H, int W, float* __restrict__ sharp) {
  const int x = blockIdx.x * blockDim.x + threadIdx.x;
  const int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x >= W || y >= H) return;
  const float* up = grey + static_cast<size_t>(reflect101(y - 1, H)) * W;
  const float* mid = grey + static_cast<size_t>(y) * W;
  const float* dn = grey + static_cast<size_t>(reflect101(y + 1, H)) * W;
  const int xm = reflect101(x - 1, W), xp = reflect101(x + 1, W);
  const float gx = (up[xp] + 2.f * mid[xp] + dn[xp]) - (up[xm] + 2.f * mid[xm] + dn[xm]);
  const float gy = (dn[xm] + 2.f * dn[x] + dn[xp]) - (up[xm] + 2.f * up[x] + up[xp]);
  sharp[static_cast<size_t>(y) * W + x] = expf(sqrtf(gx * gx + gy * gy));
}

__global__ void smooth_rows_kernel(const float* __restrict__ in, int H, int W, SmoothingTaps taps,
                                   float* __restrict__ out) {
  const int x = blockIdx.x * blockDim.x + threadIdx.x;
  const int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x >= W || y >= H) return;
  const float* row = in + static_cast<size_t>(y) * W;
  float s = 0.f;
#pragma unroll
  for (int k = -kRadius; k <= kRadius; ++k) s += taps.g[k + kRadius] * row[reflect101(x + k, W)];
  out[static_cast<size_t>(y) * W + x] = s;
}

// Vertical pass, then the running argmax: strict > keeps the first sharpest frame.
__global__ void smooth_cols_argmax_kernel(const float* __restrict__ in, int H, int W, SmoothingTaps taps,
                                          int frame_index, float* __restrict__ best, int* __restrict__ arg) {
  const int x = blockIdx.x * blockDim.x + threadIdx.x;
  const int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x >= W || y >= H) return;
  float s = 0.f;
#pragma unroll
  for (int k = -kRadius; k <= kRadius; ++k)
    s += taps.g[k + kRadius] * in[static_cast<size_t>(reflect101(y + k, H)) * W + x];
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
