// The operator A(Z) around the level blurs: per-pixel level weights, the gather of the
// interpolated blur per frame, and its transpose (one thread per pixel, no global atomics).
#include "blur_operator.cuh"
#include "cuda/cuda_check.h"
#include "level_weights.cuh"

namespace dfd::cuda {

namespace {

constexpr int kThreads = 256;

unsigned pixel_blocks(size_t pixels) { return static_cast<unsigned>((pixels + kThreads - 1) / kThreads); }

__device__ __forceinline__ int taps_of(int first, int levels) { return min(4, levels - first); }

// Flags of the levels read are gathered per block in shared memory first, so that the global
// flags see one store per block and level rather than one per pixel.
__global__ void set_depth_kernel(ModelView m, const float* __restrict__ Z, PixelWeightsView out, int* used) {
  extern __shared__ int seen[];  // L flags
  const int L = m.geo.levels;
  for (int l = threadIdx.x; l < L; l += blockDim.x) seen[l] = 0;
  __syncthreads();
  const size_t p = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const size_t HW = m.geo.pixels;
  if (p < HW) {
    const double z = Z[p];
    for (int i = 0; i < m.geo.frames; ++i) {
      const DeviceLevelWeights lw = device_level_weights(m.plan, device_blur_sigma(m.cam, m.focus[i], z));
      const size_t e = static_cast<size_t>(i) * HW + p;
      out.first[e] = lw.first;
      reinterpret_cast<float4*>(out.weight)[e] = make_float4(lw.w[0], lw.w[1], lw.w[2], lw.w[3]);
      for (int t = 0; t < taps_of(lw.first, L); ++t) atomicOr(&seen[lw.first + t], 1);
    }
  }
  __syncthreads();
  for (int l = threadIdx.x; l < L; l += blockDim.x)
    if (seen[l]) used[l] = 1;
}

__global__ void gather_levels_kernel(ModelView m, PixelWeightsView wv, float* __restrict__ y) {
  const size_t p = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const size_t HW = m.geo.pixels;
  if (p >= HW) return;
  const int C = m.geo.channels, L = m.geo.levels;
  for (int i = 0; i < m.geo.frames; ++i) {
    const size_t e = static_cast<size_t>(i) * HW + p;
    const int first = wv.first[e];
    const int taps = taps_of(first, L);
    const float4 w4 = reinterpret_cast<const float4*>(wv.weight)[e];
    const float w[4] = {w4.x, w4.y, w4.z, w4.w};
    for (int c = 0; c < C; ++c) {
      float v = 0.f;
#pragma unroll
      for (int t = 0; t < 4; ++t)
        if (t < taps) v += w[t] * m.levels[(static_cast<size_t>(first + t) * C + c) * HW + p];
      y[(static_cast<size_t>(i) * C + c) * HW + p] = v;
    }
  }
}

// Each thread owns pixel p in every plane of T, so the read-modify-writes need no atomics.
__global__ void spread_levels_kernel(Geometry geo, PixelWeightsView wv, const float* __restrict__ y,
                                     float* __restrict__ T) {
  const size_t p = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const size_t HW = geo.pixels;
  if (p >= HW) return;
  const int C = geo.channels, L = geo.levels;
  for (int l = 0; l < L * C; ++l) T[static_cast<size_t>(l) * HW + p] = 0.f;
  for (int i = 0; i < geo.frames; ++i) {
    const size_t e = static_cast<size_t>(i) * HW + p;
    const int first = wv.first[e];
    const int taps = taps_of(first, L);
    const float4 w4 = reinterpret_cast<const float4*>(wv.weight)[e];
    const float w[4] = {w4.x, w4.y, w4.z, w4.w};
    for (int c = 0; c < C; ++c) {
      const float v = y[(static_cast<size_t>(i) * C + c) * HW + p];
#pragma unroll
      for (int t = 0; t < 4; ++t)
        if (t < taps) T[(static_cast<size_t>(first + t) * C + c) * HW + p] += w[t] * v;
    }
  }
}

}  // namespace

void launch_set_depth(const ModelView& m, const float* Z, PixelWeightsView weights, int* used, cudaStream_t stream) {
  DFD_CUDA_CHECK(cudaMemsetAsync(used, 0, sizeof(int) * m.geo.levels, stream));
  if (m.geo.pixels == 0) return;
  const size_t shared = sizeof(int) * m.geo.levels;
  set_depth_kernel<<<pixel_blocks(m.geo.pixels), kThreads, shared, stream>>>(m, Z, weights, used);
  DFD_CUDA_CHECK_LAUNCH("set_depth_kernel");
}

void launch_gather_levels(const ModelView& m, PixelWeightsView weights, float* y, cudaStream_t stream) {
  if (m.geo.pixels == 0) return;
  gather_levels_kernel<<<pixel_blocks(m.geo.pixels), kThreads, 0, stream>>>(m, weights, y);
  DFD_CUDA_CHECK_LAUNCH("gather_levels_kernel");
}

void launch_spread_levels(const Geometry& geo, PixelWeightsView weights, const float* y, float* T,
                          cudaStream_t stream) {
  if (geo.pixels == 0) return;
  spread_levels_kernel<<<pixel_blocks(geo.pixels), kThreads, 0, stream>>>(geo, weights, y, T);
  DFD_CUDA_CHECK_LAUNCH("spread_levels_kernel");
}

}  // namespace dfd::cuda
