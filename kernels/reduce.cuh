// The first pass of a deterministic double reduction over computed terms (a functor of the
// element index), the partner of launch_final_sum: the sums of per-pixel penalties need no
// scratch map of their terms. Include from .cu files only.
#pragma once

#include <cub/block/block_reduce.cuh>

#include "cuda/cuda_check.h"
#include "vector_ops.cuh"

namespace dfd::cuda {

// partials[block] = sum of static_cast<double>(term(i)) over the block's grid-stride indices
// i < n, launched with kReduceThreads threads and reduce_blocks(n) blocks (a fixed order).
template <class Term>
__global__ void reduce_terms_kernel(Term term, size_t n, double* __restrict__ partials) {
  double acc = 0.0;
  const size_t stride = static_cast<size_t>(gridDim.x) * blockDim.x;
  for (size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
    acc += static_cast<double>(term(i));
  using BlockSum = cub::BlockReduce<double, kReduceThreads>;
  __shared__ typename BlockSum::TempStorage tmp;
  const double s = BlockSum(tmp).Sum(acc);
  if (threadIdx.x == 0) partials[blockIdx.x] = s;
}

// *out = sum_{i < n} term(i) in double, reproducibly; `partials` holds kMaxReducePartials doubles.
template <class Term>
void launch_reduce_terms(const Term& term, size_t n, double* partials, double* out, cudaStream_t stream) {
  const unsigned blocks = reduce_blocks(n);
  reduce_terms_kernel<<<blocks, kReduceThreads, 0, stream>>>(term, n, partials);
  DFD_CUDA_CHECK_LAUNCH("reduce_terms_kernel");
  launch_final_sum(partials, static_cast<int>(blocks), out, stream);
}

}  // namespace dfd::cuda
