// Shape from focus: the smoothed squared Laplacian per frame, the per-pixel argmax and a
// parabolic peak fit (dfd/focus_measure.h). One pass over the frames, O(H W) memory.
#include "dfd/focus_measure.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <omp.h>

#include "dfd/error.h"

namespace dfd {

namespace {

// Separable Gaussian of `sigma` (taps to +-ceil(3 sigma), normalised), replicated border.
void gaussian_smooth(std::vector<float>& im, std::vector<float>& tmp, int W, int H, double sigma, int threads) {
  if (!(sigma > 0)) return;
  const int r = std::max(1, static_cast<int>(std::ceil(3.0 * sigma)));
  std::vector<float> g(2 * r + 1);
  double gs = 0;
  for (int k = -r; k <= r; ++k) gs += std::exp(-0.5 * k * k / (sigma * sigma));
  for (int k = -r; k <= r; ++k) g[k + r] = static_cast<float>(std::exp(-0.5 * k * k / (sigma * sigma)) / gs);
#pragma omp parallel num_threads(threads)
  {
#pragma omp for schedule(static)
    for (int y = 0; y < H; ++y) {
      const float* row = &im[static_cast<size_t>(y) * W];
      float* out = &tmp[static_cast<size_t>(y) * W];
      for (int x = 0; x < W; ++x) {
        float s = 0.f;
        if (x >= r && x + r < W) {
          for (int k = -r; k <= r; ++k) s += g[k + r] * row[x + k];
        } else {
          for (int k = -r; k <= r; ++k) s += g[k + r] * row[std::clamp(x + k, 0, W - 1)];
        }
        out[x] = s;
      }
    }
#pragma omp for schedule(static)
    for (int y = 0; y < H; ++y) {
      float* out = &im[static_cast<size_t>(y) * W];
      for (int x = 0; x < W; ++x) out[x] = 0.f;
      for (int k = -r; k <= r; ++k) {
        const float* row = &tmp[static_cast<size_t>(std::clamp(y + k, 0, H - 1)) * W];
        const float gk = g[k + r];
        for (int x = 0; x < W; ++x) out[x] += gk * row[x];
      }
    }
  }
}

}  // namespace

Image focus_measure_depth(const FocalStack& stack, const FocusMeasureOptions& opt, int threads) {
  const int F = stack.count(), W = stack.width(), H = stack.height(), C = stack.channels();
  if (F < 1 || W < 1 || H < 1 || C < 1) throw_input("focus measure: empty stack");
  if (threads <= 0) threads = std::max(1, omp_get_max_threads());
  const size_t HW = static_cast<size_t>(W) * H;
  std::vector<float> grey(HW), m(HW), tmp(HW), prev(HW, 0.f), best(HW, -std::numeric_limits<float>::infinity()),
      left(HW, 0.f), right(HW, 0.f);
  std::vector<int> arg(HW, 0);
  const float invC = 1.f / C;
  const bool modified = opt.measure == FocusMeasure::ModifiedLaplacian;
  for (int i = 0; i < F; ++i) {
    const Image& f = stack.frames[i];
    if (f.width != W || f.height != H || f.channels != C) throw_input("focus measure: frames differ in size");
#pragma omp parallel num_threads(threads)
    {
#pragma omp for schedule(static)
      for (size_t p = 0; p < HW; ++p) {
        float s = 0.f;
        for (int c = 0; c < C; ++c) s += f.data[static_cast<size_t>(c) * HW + p];
        grey[p] = s * invC;
      }
#pragma omp for schedule(static)
      for (int y = 0; y < H; ++y) {
        const float* up = &grey[static_cast<size_t>(std::max(y - 1, 0)) * W];
        const float* mid = &grey[static_cast<size_t>(y) * W];
        const float* dn = &grey[static_cast<size_t>(std::min(y + 1, H - 1)) * W];
        for (int x = 0; x < W; ++x) {
          const float c2 = 2.f * mid[x];
          const float dxx = mid[std::max(x - 1, 0)] + mid[std::min(x + 1, W - 1)] - c2;
          const float dyy = up[x] + dn[x] - c2;
          const float v = modified ? std::fabs(dxx) + std::fabs(dyy) : dxx + dyy;
          m[static_cast<size_t>(y) * W + x] = v * v;
        }
      }
    }
    gaussian_smooth(m, tmp, W, H, opt.sigma, threads);
#pragma omp parallel for num_threads(threads) schedule(static)
    for (size_t p = 0; p < HW; ++p) {
      const float v = m[p];
      if (v > best[p]) {  // strict: the first of equal peaks wins
        best[p] = v;
        arg[p] = i;
        left[p] = prev[p];
      } else if (arg[p] == i - 1) {
        right[p] = v;
      }
      prev[p] = v;
    }
  }
  Image depth(W, H, 1);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (size_t p = 0; p < HW; ++p) {
    double s = arg[p];
    if (opt.parabolic && arg[p] > 0 && arg[p] < F - 1) {
      const double l = left[p], c = best[p], r = right[p];
      const double den = l - 2 * c + r;
      if (den < 0) s += std::clamp(0.5 * (l - r) / den, -0.5, 0.5);
    }
    depth.data[p] = static_cast<float>(s);
  }
  return depth;
}

Image index_to_focus_distance(const Image& index_depth, const std::vector<double>& fd) {
  Image out = index_depth;
  const int F = static_cast<int>(fd.size());
  if (F == 0) return out;
  for (float& v : out.data) {
    if (F == 1) {
      v = static_cast<float>(fd[0]);
      continue;
    }
    const double s = std::clamp(static_cast<double>(v), 0.0, F - 1.0);
    const int k = std::min(static_cast<int>(s), F - 2);
    v = static_cast<float>(fd[k] + (s - k) * (fd[k + 1] - fd[k]));
  }
  return out;
}

}  // namespace dfd
