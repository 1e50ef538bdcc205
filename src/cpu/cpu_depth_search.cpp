// The depth step on the CPU: exhaustive grid search over the candidates (plain or
// windowed), per-pixel golden-section refinement, per-pixel loss and the monotone guard.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/window_mean.h"
#include "cpu/cpu_backend.h"
#include "dfd/error.h"

namespace dfd {

namespace {

constexpr int kSearchBlock = 512;  // pixels per work item: the block's level planes stay in L2

// out[k] = norm * sum_{i,c} (b_i(p,c) - sum_m w_m X_{first+m}(p,c))^2 for p = p0 + k,
// with the per-frame weights `lw` of one candidate (the same for every pixel).
inline void candidate_loss(const LevelWeights* lw, int F, int C, const float* stack, const float* X, size_t HW,
                           size_t LS, size_t p0, int n, float norm, float* __restrict out) {
  for (int k = 0; k < n; ++k) out[k] = 0.f;
  for (int i = 0; i < F; ++i) {
    const float w0 = lw[i].weight[0], w1 = lw[i].weight[1], w2 = lw[i].weight[2], w3 = lw[i].weight[3];
    for (int c = 0; c < C; ++c) {
      const float* __restrict b = stack + (static_cast<size_t>(i) * C + c) * HW + p0;
      const float* __restrict x0 = X + lw[i].first * LS + c * HW + p0;
      const float* __restrict x1 = x0 + LS;
      const float* __restrict x2 = x1 + LS;
      const float* __restrict x3 = x2 + LS;
#pragma omp simd
      for (int k = 0; k < n; ++k) {
        const float d = b[k] - (w0 * x0[k] + w1 * x1[k] + w2 * x2[k] + w3 * x3[k]);
        out[k] += d * d;
      }
    }
  }
  for (int k = 0; k < n; ++k) out[k] *= norm;
}

}  // namespace

float CpuBackend::loss_at(size_t p, double z) const {
  const size_t HW = hw_, LS = ls_;
  const float* X = levels_.data();
  float s = 0.f;
  for (int i = 0; i < F_; ++i) {
    const LevelWeights lw = prob_.levels.weights(blur_sigma(prob_.camera, prob_.focus_distances[i], z));
    for (int c = 0; c < C_; ++c) {
      const float* x = X + lw.first * LS + c * HW + p;
      const float d = stack_[(static_cast<size_t>(i) * C_ + c) * HW + p] -
                      (lw.weight[0] * x[0] + lw.weight[1] * x[LS] + lw.weight[2] * x[2 * LS] + lw.weight[3] * x[3 * LS]);
      s += d * d;
    }
  }
  return s / static_cast<float>(F_ * C_);
}

void CpuBackend::grid_search(DVec Z, DVec loss) {
  require_levels("grid_search");
  check(Z, hw_, "grid_search", "Z");
  check(loss, hw_, "grid_search", "loss");
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

void CpuBackend::golden_section(DVec Z, DVec loss) {
  require_levels("golden_section");
  check(Z, hw_, "golden_section", "Z");
  check(loss, hw_, "golden_section", "loss");
  const std::vector<double>& cand = prob_.candidates;
  const int N = N_, g = std::max(1, prob_.gs_bracket), max_iters = prob_.gs_max_iters;
  const double tol = prob_.gs_tol, invphi = 0.5 * (std::sqrt(5.0) - 1.0);
  const long HW = static_cast<long>(hw_);
#pragma omp parallel for num_threads(threads_) schedule(static, 256)
  for (long p = 0; p < HW; ++p) {
    const double z0 = Z.ptr[p];
    // Index of the nearest candidate (Z comes from the grid search).
    int j = static_cast<int>(std::lower_bound(cand.begin(), cand.end(), z0) - cand.begin());
    if (j == N || (j > 0 && z0 - cand[j - 1] < cand[j] - z0)) --j;
    double a = cand[std::max(j - g, 0)], b = cand[std::min(j + g, N - 1)];
    double c = b - invphi * (b - a), d = a + invphi * (b - a);
    float fc = loss_at(p, c), fd = loss_at(p, d);
    for (int it = 0; it < max_iters && b - a > tol; ++it) {
      if (fc < fd) {
        b = d;
        d = c;
        fd = fc;
        c = b - invphi * (b - a);
        fc = loss_at(p, c);
      } else {
        a = c;
        c = d;
        fc = fd;
        d = a + invphi * (b - a);
        fd = loss_at(p, d);
      }
    }
    // The bracket midpoint, unless it is worse than where the pixel started (the loss need
    // not be unimodal on the bracket): the step never increases the loss.
    const double zm = static_cast<float>(0.5 * (a + b));  // the depth as stored, for a consistent loss
    const float fm = loss_at(p, zm), f0 = loss_at(p, z0);
    if (fm <= f0) {
      Z.ptr[p] = static_cast<float>(zm);
      loss.ptr[p] = fm;
    } else {
      loss.ptr[p] = f0;
    }
  }
}

void CpuBackend::pixel_loss(DVec Z, DVec loss) {
  require_levels("pixel_loss");
  check(Z, hw_, "pixel_loss", "Z");
  check(loss, hw_, "pixel_loss", "loss");
  const long HW = static_cast<long>(hw_);
#pragma omp parallel for num_threads(threads_) schedule(static, 1024)
  for (long p = 0; p < HW; ++p) loss.ptr[p] = loss_at(p, Z.ptr[p]);
}

void CpuBackend::keep_better(DVec Z, DVec loss, DVec Z_old, DVec loss_old) {
  check(loss, Z.size, "keep_better", "loss");
  check(Z_old, Z.size, "keep_better", "Z_old");
  check(loss_old, Z.size, "keep_better", "loss_old");
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
