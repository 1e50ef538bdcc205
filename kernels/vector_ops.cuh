// Launchers of the vector algebra and scalar-slot kernels (CG / FISTA primitives). Scalars
// are doubles in device memory; nothing here synchronises with the host.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>

namespace dfd::cuda {

// scale * (slot >= 0 ? scalars[slot] : 1), read on the device (mirrors dfd::Coef).
struct ScalarCoef {
  int slot = -1;
  float scale = 1.f;
};

// Partial sums of a reduction: at most this many blocks, one double each.
constexpr int kMaxReducePartials = 1024;
// Threads per block of a reduction's first pass (kernels/reduce.cuh uses the same).
constexpr int kReduceThreads = 256;

// Blocks of a reduction's first pass over n terms: each thread sums at least 8 terms, at most
// kMaxReducePartials blocks. Depends on n alone, so the summation order (and the result) is
// reproducible.
unsigned reduce_blocks(size_t n);
// The second pass: *out = the sum of partials[0 .. count - 1] in double, in a fixed order (one
// block), count <= kMaxReducePartials.
void launch_final_sum(const double* partials, int count, double* out, cudaStream_t stream);

// Whether this binary holds code the current device can run (cudaFuncGetAttributes of one
// of its kernels): cudaSuccess, or why not (e.g. no kernel image for the architecture).
cudaError_t probe_kernel_image();

void launch_fill(float* x, size_t n, float value, cudaStream_t stream);
// y = a x + b y; where b evaluates to 0, y is not read (y = a x).
void launch_axpby(ScalarCoef a, const float* x, ScalarCoef b, float* y, size_t n, const double* scalars,
                  cudaStream_t stream);
void launch_multiply(const float* m, float* y, size_t n, cudaStream_t stream);
void launch_clip(float* x, size_t n, float lo, float hi, cudaStream_t stream);
// m = 0 where (x <= lo and g > 0) or (x >= hi and g < 0), else 1.
void launch_free_mask(const float* x, const float* g, float lo, float hi, float* m, size_t n, cudaStream_t stream);
// *out = sum_i a_i b_i (b == nullptr: sum_i a_i), accumulated in double in a fixed order
// (deterministic). `partials` holds kMaxReducePartials doubles of scratch.
void launch_reduce(const float* a, const float* b, size_t n, double* partials, double* out, cudaStream_t stream);

void launch_scalar_set(double* scalars, int slot, double value, cudaStream_t stream);
// scalars[out] = scalars[den] == 0 ? 0 : scalars[num] / scalars[den]
void launch_scalar_ratio(double* scalars, int num, int den, int out, cudaStream_t stream);
// scalars[out] = sqrt(max(0, scalars[in]))
void launch_scalar_sqrt(double* scalars, int in, int out, cudaStream_t stream);

}  // namespace dfd::cuda
