// Confidence of the depth on the CPU: every pixel's un-windowed loss over all candidates,
// block by block, summarised by profile_stats (model/loss_profile.h).
#include <algorithm>
#include <vector>

#include "cpu/candidate_loss.h"
#include "cpu/cpu_backend.h"
#include "model/loss_profile.h"

namespace dfd {

namespace {

constexpr int kProfileBlock = 256;  // pixels per work item: N x 256 losses per thread

}  // namespace

void CpuBackend::do_loss_profile_stats(DVec confidence, DVec unimodal) {
  const size_t HW = hw_, LS = ls_;
  const int F = F_, C = C_, N = N_;
  const float norm = 1.f / static_cast<float>(F * C);
  const float eps = static_cast<float>((kProfileFloor * prob_.range) * (kProfileFloor * prob_.range));
  const float* X = levels_.data();
  const float* b = stack_.data();
  const long blocks = static_cast<long>((HW + kProfileBlock - 1) / kProfileBlock);
#pragma omp parallel num_threads(threads_)
  {
    std::vector<float> prof(static_cast<size_t>(N) * kProfileBlock);  // prof[j * n + k]
#pragma omp for schedule(static)
    for (long blk = 0; blk < blocks; ++blk) {
      const size_t p0 = blk * kProfileBlock;
      const int n = static_cast<int>(std::min<size_t>(kProfileBlock, HW - p0));
      for (int j = 0; j < N; ++j)
        cpu_detail::candidate_loss(&table_[static_cast<size_t>(j) * F], F, C, b, X, HW, LS, p0, n, norm,
                                   &prof[static_cast<size_t>(j) * n]);
      for (int k = 0; k < n; ++k) {
        const float* col = &prof[k];
        const ProfileStats s = profile_stats(
            N, [&](int j) { return col[static_cast<size_t>(j) * n]; }, eps);
        confidence.ptr[p0 + k] = s.confidence;
        unimodal.ptr[p0 + k] = s.unimodal ? 1.f : 0.f;
      }
    }
  }
}

}  // namespace dfd
