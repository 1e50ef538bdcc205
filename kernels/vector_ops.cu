// Vector algebra and scalar-slot kernels: grid-stride element-wise ops and a two-pass
// double-precision reduction (block partials, then one block) with a fixed order.
#include <cub/block/block_reduce.cuh>

#include "cuda/cuda_check.h"
#include "vector_ops.cuh"

namespace dfd::cuda {

namespace {

constexpr int kThreads = kReduceThreads;  // the element-wise kernels use the same
// Grid-stride loops: enough blocks to fill any current GPU, few enough to amortise.
constexpr size_t kMaxBlocks = 8192;

unsigned blocks_for(size_t n) {
  size_t b = (n + kThreads - 1) / kThreads;
  if (b < 1) b = 1;
  if (b > kMaxBlocks) b = kMaxBlocks;
  return static_cast<unsigned>(b);
}

__device__ __forceinline__ size_t first_index() { return static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; }
__device__ __forceinline__ size_t grid_stride() { return static_cast<size_t>(gridDim.x) * blockDim.x; }

__device__ __forceinline__ float coef_value(ScalarCoef c, const double* scalars) {
  return c.slot >= 0 ? static_cast<float>(static_cast<double>(c.scale) * scalars[c.slot]) : c.scale;
}

__global__ void fill_kernel(float* x, size_t n, float v) {
  for (size_t i = first_index(); i < n; i += grid_stride()) x[i] = v;
}

__global__ void axpby_kernel(ScalarCoef ca, const float* x, ScalarCoef cb, float* y, size_t n, const double* scalars) {
  const float a = coef_value(ca, scalars);
  const float b = coef_value(cb, scalars);
  // b == 0: y = a x, so that stale (even non-finite) y cannot leak through 0 * y.
  if (b == 0.f) {
    for (size_t i = first_index(); i < n; i += grid_stride()) y[i] = a * x[i];
  } else {
    for (size_t i = first_index(); i < n; i += grid_stride()) y[i] = a * x[i] + b * y[i];
  }
}

__global__ void multiply_kernel(const float* m, float* y, size_t n) {
  for (size_t i = first_index(); i < n; i += grid_stride()) y[i] = m[i] * y[i];
}

__global__ void clip_kernel(float* x, size_t n, float lo, float hi) {
  for (size_t i = first_index(); i < n; i += grid_stride()) {
    const float v = x[i];
    x[i] = v < lo ? lo : (v > hi ? hi : v);
  }
}

__global__ void free_mask_kernel(const float* x, const float* g, float lo, float hi, float* m, size_t n) {
  for (size_t i = first_index(); i < n; i += grid_stride()) {
    const float xv = x[i], gv = g[i];
    const bool fixed = (xv <= lo && gv > 0.f) || (xv >= hi && gv < 0.f);
    m[i] = fixed ? 0.f : 1.f;
  }
}

using BlockSum = cub::BlockReduce<double, kThreads>;

// One partial per block; b == nullptr sums a alone.
__global__ void partial_sum_kernel(const float* a, const float* b, size_t n, double* partials) {
  double acc = 0.0;
  if (b) {
    for (size_t i = first_index(); i < n; i += grid_stride())
      acc += static_cast<double>(a[i]) * static_cast<double>(b[i]);
  } else {
    for (size_t i = first_index(); i < n; i += grid_stride()) acc += static_cast<double>(a[i]);
  }
  __shared__ typename BlockSum::TempStorage tmp;
  const double s = BlockSum(tmp).Sum(acc);
  if (threadIdx.x == 0) partials[blockIdx.x] = s;
}

__global__ void final_sum_kernel(const double* partials, int count, double* out) {
  double acc = 0.0;
  for (int i = threadIdx.x; i < count; i += blockDim.x) acc += partials[i];
  __shared__ typename BlockSum::TempStorage tmp;
  const double s = BlockSum(tmp).Sum(acc);
  if (threadIdx.x == 0) *out = s;
}

__global__ void scalar_set_kernel(double* s, int slot, double v) { s[slot] = v; }

__global__ void scalar_ratio_kernel(double* s, int num, int den, int out) {
  const double d = s[den];
  s[out] = d == 0.0 ? 0.0 : s[num] / d;
}

__global__ void scalar_sqrt_kernel(double* s, int in, int out) { s[out] = sqrt(fmax(0.0, s[in])); }

}  // namespace

cudaError_t probe_kernel_image() {
  cudaFuncAttributes attr{};
  return cudaFuncGetAttributes(&attr, fill_kernel);
}

void launch_fill(float* x, size_t n, float value, cudaStream_t stream) {
  if (n == 0) return;
  fill_kernel<<<blocks_for(n), kThreads, 0, stream>>>(x, n, value);
  DFD_CUDA_CHECK_LAUNCH("fill_kernel");
}

void launch_axpby(ScalarCoef a, const float* x, ScalarCoef b, float* y, size_t n, const double* scalars,
                  cudaStream_t stream) {
  if (n == 0) return;
  axpby_kernel<<<blocks_for(n), kThreads, 0, stream>>>(a, x, b, y, n, scalars);
  DFD_CUDA_CHECK_LAUNCH("axpby_kernel");
}

void launch_multiply(const float* m, float* y, size_t n, cudaStream_t stream) {
  if (n == 0) return;
  multiply_kernel<<<blocks_for(n), kThreads, 0, stream>>>(m, y, n);
  DFD_CUDA_CHECK_LAUNCH("multiply_kernel");
}

void launch_clip(float* x, size_t n, float lo, float hi, cudaStream_t stream) {
  if (n == 0) return;
  clip_kernel<<<blocks_for(n), kThreads, 0, stream>>>(x, n, lo, hi);
  DFD_CUDA_CHECK_LAUNCH("clip_kernel");
}

void launch_free_mask(const float* x, const float* g, float lo, float hi, float* m, size_t n, cudaStream_t stream) {
  if (n == 0) return;
  free_mask_kernel<<<blocks_for(n), kThreads, 0, stream>>>(x, g, lo, hi, m, n);
  DFD_CUDA_CHECK_LAUNCH("free_mask_kernel");
}

unsigned reduce_blocks(size_t n) {
  size_t blocks = (n + kReduceThreads * 8 - 1) / (kReduceThreads * 8);
  if (blocks < 1) blocks = 1;
  if (blocks > static_cast<size_t>(kMaxReducePartials)) blocks = kMaxReducePartials;
  return static_cast<unsigned>(blocks);
}

void launch_final_sum(const double* partials, int count, double* out, cudaStream_t stream) {
  final_sum_kernel<<<1, kThreads, 0, stream>>>(partials, count, out);
  DFD_CUDA_CHECK_LAUNCH("final_sum_kernel");
}

void launch_reduce(const float* a, const float* b, size_t n, double* partials, double* out, cudaStream_t stream) {
  const unsigned blocks = reduce_blocks(n);
  partial_sum_kernel<<<blocks, kThreads, 0, stream>>>(a, b, n, partials);
  DFD_CUDA_CHECK_LAUNCH("partial_sum_kernel");
  launch_final_sum(partials, static_cast<int>(blocks), out, stream);
}

void launch_scalar_set(double* scalars, int slot, double value, cudaStream_t stream) {
  scalar_set_kernel<<<1, 1, 0, stream>>>(scalars, slot, value);
  DFD_CUDA_CHECK_LAUNCH("scalar_set_kernel");
}

void launch_scalar_ratio(double* scalars, int num, int den, int out, cudaStream_t stream) {
  scalar_ratio_kernel<<<1, 1, 0, stream>>>(scalars, num, den, out);
  DFD_CUDA_CHECK_LAUNCH("scalar_ratio_kernel");
}

void launch_scalar_sqrt(double* scalars, int in, int out, cudaStream_t stream) {
  scalar_sqrt_kernel<<<1, 1, 0, stream>>>(scalars, in, out);
  DFD_CUDA_CHECK_LAUNCH("scalar_sqrt_kernel");
}

}  // namespace dfd::cuda
