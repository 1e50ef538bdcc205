// The CPU backend's primitives of the regularised steps: the candidate loss volume, the depth
// prior's edge weights, Huber-ROF iterations and coupled search, and the AIF prior's Huber
// weights and weighted differences. The per-pixel arithmetic is src/model/prior_model.h.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "cpu/candidate_loss.h"
#include "cpu/cpu_backend.h"
#include "model/prior_model.h"
#include "model/window_mean.h"

namespace dfd {

namespace {

constexpr int kBlock = 512;  // pixels per work item of the candidate-volume pass

}  // namespace

void CpuBackend::do_candidate_losses(DVec V) {
  const size_t HW = hw_, LS = ls_;
  const int F = F_, C = C_, N = N_;
  const float norm = 1.f / static_cast<float>(F * C);
  const long blocks = static_cast<long>((HW + kBlock - 1) / kBlock);
#pragma omp parallel for num_threads(threads_) schedule(static)
  for (long blk = 0; blk < blocks; ++blk) {
    const size_t p0 = blk * kBlock;
    const int n = static_cast<int>(std::min<size_t>(kBlock, HW - p0));
    for (int j = 0; j < N; ++j)
      cpu_detail::candidate_loss(&table_[static_cast<size_t>(j) * F], F, C, stack_.data(), levels_.data(), HW, LS, p0,
                                 n, norm, V.ptr + static_cast<size_t>(j) * HW + p0);
  }
}

void CpuBackend::do_window_mean_planes(DVec maps, int planes, int w,
                                       DVec /*tmp: unused, the prefix sums have their own*/) {
  const int H = prob_.height, W = prob_.width;
  // The windowed search's per-thread scratch (allocated by setup when the problem has a window,
  // as the solver's callers do); grown once here for a caller without one.
  const size_t scratch = window_mean_scratch(H, W);
  if (window_scratch_.size() < static_cast<size_t>(threads_) * scratch) {
    const size_t had = window_scratch_.size();
    window_scratch_.assign(static_cast<size_t>(threads_) * scratch, 0.0);
    track(sizeof(double) * (window_scratch_.size() - had));
  }
  const int threads = std::min(threads_, planes);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int j = 0; j < planes; ++j)
    window_mean_into(maps.ptr + static_cast<size_t>(j) * hw_, H, W, w,
                     &window_scratch_[omp_get_thread_num() * scratch]);
}

void CpuBackend::do_edge_weights(DVec x, float scale, float floor, DVec g) {
  const int W = prob_.width, H = prob_.height, C = C_;
#pragma omp parallel for num_threads(threads_) schedule(static)
  for (int y = 0; y < H; ++y)
    for (int xx = 0; xx < W; ++xx)
      g.ptr[static_cast<size_t>(y) * W + xx] =
          prior::edge_weight(prior::image_gradient(x.ptr, W, H, C, xx, y), scale, floor);
}

void CpuBackend::do_rof_iterations(DVec u, DVec q, DVec a, DVec g, float step, float theta, float eps, int iterations,
                                   DVec u_bar) {
  const int W = prob_.width, H = prob_.height;
  const size_t HW = hw_;
  const float inv_s = 1.f / step;
  float* qx = q.ptr;
  float* qy = q.ptr + HW;
  // In index units: u_hat = u / step. u_bar holds u_hat at the extrapolated point.
#pragma omp parallel for simd num_threads(threads_) schedule(static)
  for (size_t p = 0; p < HW; ++p) u_bar.ptr[p] = u.ptr[p] * inv_s;
  for (int it = 0; it < iterations; ++it) {
#pragma omp parallel num_threads(threads_)
    {
#pragma omp for schedule(static)
      for (int y = 0; y < H; ++y)
        for (int xx = 0; xx < W; ++xx) {
          const size_t p = static_cast<size_t>(y) * W + xx;
          prior::rof_dual(qx[p], qy[p], prior::forward_diff(u_bar.ptr, W, H, xx, y), g.ptr[p], prior::kRofSigma, eps);
        }
#pragma omp for schedule(static)
      for (int y = 0; y < H; ++y)
        for (int xx = 0; xx < W; ++xx) {
          const size_t p = static_cast<size_t>(y) * W + xx;
          const float old = u.ptr[p] * inv_s;
          const float nu =
              prior::rof_primal(old, prior::diff_adjoint(qx, qy, W, H, xx, y), a.ptr[p] * inv_s, prior::kRofTau, theta);
          u.ptr[p] = nu * step;
          // Written after every read of u_bar in the dual loop above (the barrier between).
          u_bar.ptr[p] = 2.f * nu - old;
        }
    }
  }
}

void CpuBackend::do_coupled_search(DVec V, DVec u, float weight, DVec a, DVec loss) {
  const size_t HW = hw_;
  const int N = N_;
  const double* cand = prob_.candidates.data();
  const long blocks = static_cast<long>((HW + kBlock - 1) / kBlock);
#pragma omp parallel for num_threads(threads_) schedule(static)
  for (long blk = 0; blk < blocks; ++blk) {
    const size_t p0 = blk * kBlock;
    const int n = static_cast<int>(std::min<size_t>(kBlock, HW - p0));
    float best[kBlock], data[kBlock];
    int arg[kBlock];
    std::fill(best, best + n, std::numeric_limits<float>::infinity());
    std::fill(arg, arg + n, 0);
    std::fill(data, data + n, 0.f);
    for (int j = 0; j < N; ++j) {
      const float zj = static_cast<float>(cand[j]);
      const float* vj = V.ptr + static_cast<size_t>(j) * HW + p0;
      for (int k = 0; k < n; ++k) {
        const float e = prior::coupled_cost(vj[k], u.ptr[p0 + k], zj, weight);
        if (e < best[k]) {  // strict: the lowest index wins ties
          best[k] = e;
          arg[k] = j;
          data[k] = vj[k];
        }
      }
    }
    // The vertex of the parabola through the winner and its neighbours (interior winners).
    for (int k = 0; k < n; ++k) {
      const int j = arg[k];
      float z = static_cast<float>(cand[j]);
      if (j > 0 && j + 1 < N) {
        const float uk = u.ptr[p0 + k];
        const float el = prior::coupled_cost(V.ptr[static_cast<size_t>(j - 1) * HW + p0 + k], uk,
                                             static_cast<float>(cand[j - 1]), weight);
        const float er = prior::coupled_cost(V.ptr[static_cast<size_t>(j + 1) * HW + p0 + k], uk,
                                             static_cast<float>(cand[j + 1]), weight);
        z += prior::parabola_offset(el, best[k], er) * static_cast<float>(cand[j + 1] - cand[j]);
      }
      a.ptr[p0 + k] = z;
      loss.ptr[p0 + k] = data[k];
    }
  }
}

void CpuBackend::do_tv_sum(DVec Z, DVec g, float step, float eps, int slot) {
  const int W = prob_.width, H = prob_.height;
  const float inv_s = 1.f / step;
  double s = 0.0;
#pragma omp parallel for num_threads(threads_) schedule(static) reduction(+ : s)
  for (int y = 0; y < H; ++y)
    for (int xx = 0; xx < W; ++xx) {
      const size_t p = static_cast<size_t>(y) * W + xx;
      const prior::Grad d = prior::forward_diff(Z.ptr, W, H, xx, y);
      s += g.ptr[p] * prior::huber(prior::magnitude(d) * inv_s, eps);
    }
  scalars_[slot] = s;
}

void CpuBackend::do_huber_weights(DVec x, float delta, DVec w) {
  const int W = prob_.width, H = prob_.height;
#pragma omp parallel for collapse(2) num_threads(threads_) schedule(static)
  for (int c = 0; c < C_; ++c)
    for (int y = 0; y < H; ++y) {
      const float* xc = x.ptr + c * hw_;
      float* wc = w.ptr + c * hw_;
      for (int xx = 0; xx < W; ++xx)
        wc[static_cast<size_t>(y) * W + xx] =
            prior::huber_weight(prior::magnitude(prior::forward_diff(xc, W, H, xx, y)), delta);
    }
}

void CpuBackend::do_weighted_gradient(DVec x, DVec w, float scale, DVec out) {
  const int W = prob_.width, H = prob_.height;
#pragma omp parallel for collapse(2) num_threads(threads_) schedule(static)
  for (int c = 0; c < C_; ++c)
    for (int y = 0; y < H; ++y) {
      const float* xc = x.ptr + c * hw_;
      const float* wc = w.ptr + c * hw_;
      float* ox = out.ptr + 2 * c * hw_;
      float* oy = ox + hw_;
      for (int xx = 0; xx < W; ++xx) {
        const size_t p = static_cast<size_t>(y) * W + xx;
        const prior::Grad d = prior::forward_diff(xc, W, H, xx, y);
        const float s = scale * std::sqrt(wc[p]);
        ox[p] = s * d.dx;
        oy[p] = s * d.dy;
      }
    }
}

void CpuBackend::do_weighted_gradient_adjoint(DVec p, DVec w, float scale, DVec x) {
  const int W = prob_.width, H = prob_.height;
  // sqrt(w) .* p first (into the weighted field setup allocated, 2 C H W), then D^T pixel by pixel.
  float* f = weighted_field_.data();
#pragma omp parallel for collapse(2) num_threads(threads_) schedule(static)
  for (int c = 0; c < C_; ++c)
    for (size_t k = 0; k < hw_; ++k) {
      const float s = std::sqrt(w.ptr[c * hw_ + k]);
      f[2 * c * hw_ + k] = s * p.ptr[2 * c * hw_ + k];
      f[2 * c * hw_ + hw_ + k] = s * p.ptr[2 * c * hw_ + hw_ + k];
    }
#pragma omp parallel for collapse(2) num_threads(threads_) schedule(static)
  for (int c = 0; c < C_; ++c)
    for (int y = 0; y < H; ++y) {
      const float* fx = f + 2 * c * hw_;
      const float* fy = fx + hw_;
      float* xc = x.ptr + c * hw_;
      for (int xx = 0; xx < W; ++xx)
        xc[static_cast<size_t>(y) * W + xx] += scale * prior::diff_adjoint(fx, fy, W, H, xx, y);
    }
}

void CpuBackend::do_huber_sum(DVec x, float delta, int slot) {
  const int W = prob_.width, H = prob_.height;
  double s = 0.0;
#pragma omp parallel for collapse(2) num_threads(threads_) schedule(static) reduction(+ : s)
  for (int c = 0; c < C_; ++c)
    for (int y = 0; y < H; ++y) {
      const float* xc = x.ptr + c * hw_;
      for (int xx = 0; xx < W; ++xx) s += prior::huber(prior::magnitude(prior::forward_diff(xc, W, H, xx, y)), delta);
    }
  scalars_[slot] = s;
}

}  // namespace dfd
