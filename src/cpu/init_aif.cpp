// The initial all-in-focus image of SPEC 5, by hand (no OpenCV in the core): Sobel gradient
// magnitude of the luminance, exp, Gaussian smoothing, per-pixel argmax over the frames.
#include "cpu/init_aif.h"

#include <cmath>
#include <limits>
#include <vector>

#include "cpu/cpu_backend.h"
#include "dfd/error.h"
#include "model/init_aif_model.h"

namespace dfd {

using model::reflect101;

void initial_aif(const float* stack, int F, int C, int H, int W, double range, float* aif, int threads) {
  if (F < 1 || C < 1 || H < 1 || W < 1) throw_input("initial AIF: empty stack");
  if (!(range > 0)) throw_input("initial AIF: range must be positive (got " + std::to_string(range) + ")");
  const size_t HW = static_cast<size_t>(H) * W;
  const model::SmoothingTaps taps = model::smoothing_taps();

  std::vector<float> grey(HW), sharp(HW), tmp(HW), best(HW, -std::numeric_limits<float>::infinity());
  std::vector<int> arg(HW, 0);
  const float inv = static_cast<float>(1.0 / range);
  for (int i = 0; i < F; ++i) {
    const float* frame = stack + static_cast<size_t>(i) * C * HW;
#pragma omp parallel num_threads(threads)
    {
#pragma omp for schedule(static)
      for (size_t p = 0; p < HW; ++p) grey[p] = model::luminance(frame, C, HW, p, inv);
#pragma omp for schedule(static)
      for (int y = 0; y < H; ++y) {  // sharpness = exp(|Sobel gradient|)
        const float* up = &grey[static_cast<size_t>(reflect101(y - 1, H)) * W];
        const float* mid = &grey[static_cast<size_t>(y) * W];
        const float* dn = &grey[static_cast<size_t>(reflect101(y + 1, H)) * W];
        for (int x = 0; x < W; ++x) sharp[static_cast<size_t>(y) * W + x] = model::sobel_sharpness(up, mid, dn, x, W);
      }
#pragma omp for schedule(static)
      for (int y = 0; y < H; ++y)  // Gaussian, horizontal
        for (int x = 0; x < W; ++x)
          tmp[static_cast<size_t>(y) * W + x] = model::smooth_at(&sharp[static_cast<size_t>(y) * W], 1, x, W, taps);
#pragma omp for schedule(static)
      for (int y = 0; y < H; ++y)  // Gaussian, vertical; then the running argmax
        for (int x = 0; x < W; ++x) {
          const float s = model::smooth_at(&tmp[x], W, y, H, taps);
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
    for (int c = 0; c < C; ++c)
      aif[static_cast<size_t>(c) * HW + p] = stack[(static_cast<size_t>(arg[p]) * C + c) * HW + p];
}

void CpuBackend::do_init_aif(DVec x) {
  initial_aif(stack_.data(), F_, C_, prob_.height, prob_.width, prob_.range, x.ptr, threads_);
}

}  // namespace dfd
