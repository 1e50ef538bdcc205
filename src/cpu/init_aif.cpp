// The initial all-in-focus image of SPEC 5, by hand (no OpenCV in the core): Sobel gradient
// magnitude of the luminance, exp, Gaussian smoothing, per-pixel argmax over the frames.
#include "cpu/init_aif.h"

#include <cmath>
#include <limits>
#include <vector>

#include "cpu/cpu_backend.h"
#include "dfd/error.h"

namespace dfd {

namespace {

// OpenCV's default border (BORDER_REFLECT_101): -1 -> 1, n -> n - 2.
inline int reflect101(int i, int n) {
  if (n == 1) return 0;
  while (i < 0 || i >= n) i = i < 0 ? -i : 2 * n - 2 - i;
  return i;
}

}  // namespace

void initial_aif(const float* stack, int F, int C, int H, int W, double range, float* aif, int threads) {
  if (F < 1 || C < 1 || H < 1 || W < 1) throw_input("initial AIF: empty stack");
  if (!(range > 0)) throw_input("initial AIF: range must be positive (got " + std::to_string(range) + ")");
  const size_t HW = static_cast<size_t>(H) * W;
  // Gaussian of sigma 1 px with 9 taps: OpenCV's GaussianBlur(ksize (0,0), sigma 1) on floats.
  constexpr int r = 4;
  float g[2 * r + 1];
  double gs = 0.0;
  for (int k = -r; k <= r; ++k) gs += std::exp(-0.5 * k * k);
  for (int k = -r; k <= r; ++k) g[k + r] = static_cast<float>(std::exp(-0.5 * k * k) / gs);

  std::vector<float> grey(HW), sharp(HW), tmp(HW), best(HW, -std::numeric_limits<float>::infinity());
  std::vector<int> arg(HW, 0);
  const float inv = static_cast<float>(1.0 / range);
  for (int i = 0; i < F; ++i) {
    const float* frame = stack + static_cast<size_t>(i) * C * HW;
#pragma omp parallel num_threads(threads)
    {
#pragma omp for schedule(static)
      for (size_t p = 0; p < HW; ++p)  // luminance / R (Rec.601 luma for colour)
        grey[p] = C == 3 ? (0.299f * frame[p] + 0.587f * frame[HW + p] + 0.114f * frame[2 * HW + p]) * inv
                         : frame[p] * inv;
#pragma omp for schedule(static)
      for (int y = 0; y < H; ++y) {  // sharpness = exp(|Sobel gradient|)
        const float* up = &grey[static_cast<size_t>(reflect101(y - 1, H)) * W];
        const float* mid = &grey[static_cast<size_t>(y) * W];
        const float* dn = &grey[static_cast<size_t>(reflect101(y + 1, H)) * W];
        for (int x = 0; x < W; ++x) {
          const int xm = reflect101(x - 1, W), xp = reflect101(x + 1, W);
          const float gx = (up[xp] + 2.f * mid[xp] + dn[xp]) - (up[xm] + 2.f * mid[xm] + dn[xm]);
          const float gy = (dn[xm] + 2.f * dn[x] + dn[xp]) - (up[xm] + 2.f * up[x] + up[xp]);
          sharp[static_cast<size_t>(y) * W + x] = std::exp(std::sqrt(gx * gx + gy * gy));
        }
      }
#pragma omp for schedule(static)
      for (int y = 0; y < H; ++y)  // Gaussian, horizontal
        for (int x = 0; x < W; ++x) {
          float s = 0.f;
          for (int k = -r; k <= r; ++k) s += g[k + r] * sharp[static_cast<size_t>(y) * W + reflect101(x + k, W)];
          tmp[static_cast<size_t>(y) * W + x] = s;
        }
#pragma omp for schedule(static)
      for (int y = 0; y < H; ++y)  // Gaussian, vertical; then the running argmax
        for (int x = 0; x < W; ++x) {
          float s = 0.f;
          for (int k = -r; k <= r; ++k) s += g[k + r] * tmp[static_cast<size_t>(reflect101(y + k, H)) * W + x];
          const size_t p = static_cast<size_t>(y) * W + x;
          if (s > best[p]) {  // strict: the first sharpest frame wins ties
            best[p] = s;
            arg[p] = i;
          }
        }
    }
  }
#pragma omp parallel for num_threads(threads) schedule(static)
  for (size_t p = 0; p < HW; ++p)
    for (int c = 0; c < C; ++c) aif[static_cast<size_t>(c) * HW + p] = stack[(static_cast<size_t>(arg[p]) * C + c) * HW + p];
}

void CpuBackend::init_aif(DVec x) {
  require_setup("init_aif");
  check(x, ls_, "init_aif", "x");
  initial_aif(stack_.data(), F_, C_, prob_.height, prob_.width, prob_.range, x.ptr, threads_);
}

}  // namespace dfd
