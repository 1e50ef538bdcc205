// The depth step on the CPU: exhaustive grid search over the candidates (plain or
// windowed), per-pixel golden-section refinement, per-pixel loss and the monotone guard.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "cpu/candidate_loss.h"
#include "cpu/cpu_backend.h"
#include "model/pixel_model.h"
#include "model/prior_model.h"
#include "model/window_mean.h"

namespace dfd {

namespace {

constexpr int kSearchBlock = 512;  // pixels per work item: the block's level planes stay in L2
constexpr int kLaneBlock = 64;     // pixels evaluated together (vector lanes) in golden section

using cpu_detail::candidate_loss;

}  // namespace

void CpuBackend::block_loss(size_t p0, int n, const double* z, float* loss) const {
  const size_t HW = hw_, LS = ls_;
  const int F = F_, C = C_;
  int32_t first[kLaneBlock];
  float w[4][kLaneBlock];
  for (int k = 0; k < n; ++k) loss[k] = 0.f;
  for (int i = 0; i < F; ++i) {
    pixel_weights_.eval(i, z, n, first, w[0], w[1], w[2], w[3]);
    for (int c = 0; c < C; ++c) {
      const float* __restrict b = &stack_[(static_cast<size_t>(i) * C + c) * HW + p0];
      const float* X = levels_.data() + c * HW + p0;
#pragma omp simd
      for (int k = 0; k < n; ++k) {
        const float* x = X + first[k] * LS + k;
        const float d =
            b[k] - model::blend_levels(w[0][k], w[1][k], w[2][k], w[3][k], x[0], x[LS], x[2 * LS], x[3 * LS]);
        loss[k] += d * d;
      }
    }
  }
  const float norm = 1.f / static_cast<float>(F * C);
  for (int k = 0; k < n; ++k) loss[k] *= norm;
}

void CpuBackend::do_grid_search(DVec Z, DVec loss) {
  const size_t HW = hw_, LS = ls_;
  const int F = F_, C = C_, N = N_;
  const float norm = 1.f / static_cast<float>(F * C);
  const float* X = levels_.data();
  const float* b = stack_.data();
  const double* cand = prob_.candidates.data();
  const long blocks = static_cast<long>((HW + kSearchBlock - 1) / kSearchBlock);

  if (prob_.window <= 1) {
    // Plain search: every pixel block runs through all candidates with its planes in cache.
#pragma omp parallel for num_threads(threads_) schedule(static)
    for (long blk = 0; blk < blocks; ++blk) {
      const size_t p0 = blk * kSearchBlock;
      const int n = static_cast<int>(std::min<size_t>(kSearchBlock, HW - p0));
      float acc[kSearchBlock], best[kSearchBlock];
      int arg[kSearchBlock];
      std::fill(best, best + n, std::numeric_limits<float>::infinity());
      std::fill(arg, arg + n, 0);
      for (int j = 0; j < N; ++j) {
        candidate_loss(&table_[static_cast<size_t>(j) * F], F, C, b, X, HW, LS, p0, n, norm, acc);
        for (int k = 0; k < n; ++k)
          if (acc[k] < best[k]) {  // strict: the lowest index wins ties
            best[k] = acc[k];
            arg[k] = j;
          }
      }
      for (int k = 0; k < n; ++k) {
        Z.ptr[p0 + k] = static_cast<float>(cand[arg[k]]);
        loss.ptr[p0 + k] = best[k];
      }
    }
    return;
  }

  // Windowed search: the loss maps of a chunk of candidates, box-averaged, then the argmin;
  // the un-windowed loss of the winner is what is reported.
  const int H = prob_.height, W = prob_.width, w = prob_.window;
  std::fill(best_win_.begin(), best_win_.end(), std::numeric_limits<float>::infinity());
  std::fill(Z.ptr, Z.ptr + HW, static_cast<float>(cand[0]));
  std::fill(loss.ptr, loss.ptr + HW, std::numeric_limits<float>::infinity());
  const size_t scratch = window_mean_scratch(H, W);
  for (int j0 = 0; j0 < N; j0 += chunk_) {
    const int nj = std::min(chunk_, N - j0);
#pragma omp parallel num_threads(threads_)
    {
#pragma omp for schedule(static)
      for (long blk = 0; blk < blocks; ++blk) {
        const size_t p0 = blk * kSearchBlock;
        const int n = static_cast<int>(std::min<size_t>(kSearchBlock, HW - p0));
        for (int jj = 0; jj < nj; ++jj)
          candidate_loss(&table_[static_cast<size_t>(j0 + jj) * F], F, C, b, X, HW, LS, p0, n, norm,
                         &slab_raw_[jj * HW + p0]);
      }
      double* mine = &window_scratch_[omp_get_thread_num() * scratch];
#pragma omp for schedule(static)
      for (int jj = 0; jj < nj; ++jj) {
        std::copy(&slab_raw_[jj * HW], &slab_raw_[jj * HW] + HW, &slab_win_[jj * HW]);
        window_mean_into(&slab_win_[jj * HW], H, W, w, mine);
      }
#pragma omp for schedule(static)
      for (size_t p = 0; p < HW; ++p)
        for (int jj = 0; jj < nj; ++jj)
          if (slab_win_[jj * HW + p] < best_win_[p]) {  // candidates in increasing order: lowest wins ties
            best_win_[p] = slab_win_[jj * HW + p];
            Z.ptr[p] = static_cast<float>(cand[j0 + jj]);
            loss.ptr[p] = slab_raw_[jj * HW + p];
          }
    }
  }
}

void CpuBackend::do_golden_section(DVec Z, DVec loss) { golden(Z, loss, nullptr, 0.f); }

void CpuBackend::do_coupled_golden_section(DVec Z, DVec loss, DVec u, float weight) {
  golden(Z, loss, weight != 0.f ? u.ptr : nullptr, weight);
}

// Golden section on loss(z) + weight (z - u)^2 (u null: the loss alone); `loss` gets the data part.
void CpuBackend::golden(DVec Z, DVec loss, const float* u, float weight) {
  const double* cand = prob_.candidates.data();
  const int N = N_, reach = std::max(1, prob_.gs_bracket), max_iters = prob_.gs_max_iters;
  const double tol = prob_.gs_tol;
  const long blocks = static_cast<long>((hw_ + kLaneBlock - 1) / kLaneBlock);
  // Pixels run in blocks of kLaneBlock lanes that step together (every bracket starts one or
  // two grid steps wide, so the lanes need about the same number of iterations); a lane
  // whose bracket is done evaluates a throwaway point and keeps its state. Each lane's steps
  // are the shared model's (model/pixel_model.h), as the CUDA kernel's one thread a pixel.
#pragma omp parallel for num_threads(threads_) schedule(dynamic, 4)
  for (long blk = 0; blk < blocks; ++blk) {
    const size_t p0 = blk * kLaneBlock;
    const int n = static_cast<int>(std::min<size_t>(kLaneBlock, hw_ - p0));
    model::GoldenBracket br[kLaneBlock];
    double z0[kLaneBlock], znew[kLaneBlock];
    float fnew[kLaneBlock], f0[kLaneBlock];
    bool left[kLaneBlock], active[kLaneBlock];
    for (int k = 0; k < n; ++k) {
      z0[k] = Z.ptr[p0 + k];
      br[k] = model::golden_start(cand, N, z0[k], reach);  // around the grid search's candidate
    }
    // The objective of lane k at depth z: the data loss plus the coupling (the data loss alone
    // is kept in `data` for the pixels' final write).
    auto objective = [&](const double* z, float* out, float* data) {
      block_loss(p0, n, z, data ? data : out);
      for (int k = 0; k < n; ++k) {
        const float l = data ? data[k] : out[k];
        out[k] = u ? prior::coupled_cost(l, u[p0 + k], static_cast<float>(z[k]), weight) : l;
      }
    };
    for (int k = 0; k < n; ++k) znew[k] = br[k].c;
    objective(znew, fnew, nullptr);
    for (int k = 0; k < n; ++k) {
      br[k].fc = fnew[k];
      znew[k] = br[k].d;
    }
    objective(znew, fnew, nullptr);
    for (int k = 0; k < n; ++k) br[k].fd = fnew[k];
    for (int it = 0; it < max_iters; ++it) {
      bool any = false;
      for (int k = 0; k < n; ++k) {
        active[k] = model::golden_open(br[k], tol);
        any |= active[k];
        znew[k] = active[k] ? model::golden_narrow(br[k], left[k]) : br[k].c;
      }
      if (!any) break;
      objective(znew, fnew, nullptr);
      for (int k = 0; k < n; ++k)
        if (active[k]) model::golden_take(br[k], left[k], znew[k], fnew[k]);
    }
    // The bracket midpoint (rounded to the float that is stored, so the loss written is the
    // loss of the depth written), unless it is worse than where the pixel started: the loss
    // need not be unimodal on the bracket, and the step must never increase it.
    for (int k = 0; k < n; ++k) znew[k] = model::golden_midpoint(br[k]);
    float dnew[kLaneBlock], d0[kLaneBlock];
    objective(znew, fnew, dnew);
    objective(z0, f0, d0);
    for (int k = 0; k < n; ++k) {
      const bool better = fnew[k] <= f0[k];
      Z.ptr[p0 + k] = static_cast<float>(better ? znew[k] : z0[k]);
      loss.ptr[p0 + k] = better ? dnew[k] : d0[k];
    }
  }
}

void CpuBackend::do_pixel_loss(DVec Z, DVec loss) {
  const long blocks = static_cast<long>((hw_ + kLaneBlock - 1) / kLaneBlock);
#pragma omp parallel for num_threads(threads_) schedule(static)
  for (long blk = 0; blk < blocks; ++blk) {
    const size_t p0 = blk * kLaneBlock;
    const int n = static_cast<int>(std::min<size_t>(kLaneBlock, hw_ - p0));
    double z[kLaneBlock];
    for (int k = 0; k < n; ++k) z[k] = Z.ptr[p0 + k];
    block_loss(p0, n, z, loss.ptr + p0);
  }
}

void CpuBackend::do_keep_better(DVec Z, DVec loss, DVec Z_old, DVec loss_old) {
  float* z = Z.ptr;
  float* l = loss.ptr;
  const float* zo = Z_old.ptr;
  const float* lo = loss_old.ptr;
#pragma omp parallel for simd num_threads(threads_) schedule(static)
  for (size_t p = 0; p < Z.size; ++p)
    if (lo[p] < l[p]) {
      z[p] = zo[p];
      l[p] = lo[p];
    }
}

}  // namespace dfd
