// Loss-profile statistics kernel: per pixel, profile_stats over the candidates' losses, the
// same function (and operation order) as the CPU backend.
#include "candidate_loss.cuh"
#include "cuda/cuda_check.h"
#include "loss_profile.cuh"
#include "model/loss_profile.h"

namespace dfd::cuda {

namespace {

constexpr int kThreads = 256;

__global__ void loss_profile_kernel(ModelView m, CandidateTable t, float eps, float* __restrict__ confidence,
                                    float* __restrict__ unimodal) {
  const size_t p = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (p >= m.geo.pixels) return;
  const ProfileStats s = profile_stats(
      t.count, [&](int j) { return candidate_loss(m, t, j, p); }, eps);
  confidence[p] = s.confidence;
  unimodal[p] = s.unimodal ? 1.f : 0.f;
}

}  // namespace

void launch_loss_profile_stats(const ModelView& m, const CandidateTable& t, float eps, float* confidence,
                               float* unimodal, cudaStream_t stream) {
  if (m.geo.pixels == 0) return;
  const unsigned blocks = static_cast<unsigned>((m.geo.pixels + kThreads - 1) / kThreads);
  loss_profile_kernel<<<blocks, kThreads, 0, stream>>>(m, t, eps, confidence, unimodal);
  DFD_CUDA_CHECK_LAUNCH("loss_profile_kernel");
}

}  // namespace dfd::cuda
