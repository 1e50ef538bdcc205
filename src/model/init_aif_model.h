// The per-pixel arithmetic of the initial all-in-focus image (SPEC 5), shared by the CPU loop
// (cpu/init_aif.cpp) and the CUDA kernels (kernels/init_aif.cu): OpenCV's default border,
// the luminance, the Sobel sharpness exp(|grad|) and the 9-tap Gaussian (sigma 1 px) of
// OpenCV's GaussianBlur(ksize (0, 0), sigma 1) on floats.
#pragma once

#include <cmath>
#include <cstddef>

#include "model/host_device.h"

namespace dfd::model {

constexpr int kSmoothingRadius = 4;

// The normalised taps of the sigma-1 Gaussian, offsets -4 .. 4.
struct SmoothingTaps {
  float g[2 * kSmoothingRadius + 1];
};

inline SmoothingTaps smoothing_taps() {
  SmoothingTaps t;
  double total = 0.0;
  for (int k = -kSmoothingRadius; k <= kSmoothingRadius; ++k) total += std::exp(-0.5 * k * k);
  for (int k = -kSmoothingRadius; k <= kSmoothingRadius; ++k)
    t.g[k + kSmoothingRadius] = static_cast<float>(std::exp(-0.5 * k * k) / total);
  return t;
}

// OpenCV's BORDER_REFLECT_101 (gfedcb|abcdefgh|gfedcba): -1 -> 1, n -> n - 2.
DFD_HOST_DEVICE inline int reflect101(int i, int n) {
  if (n == 1) return 0;
  while (i < 0 || i >= n) i = i < 0 ? -i : 2 * n - 2 - i;
  return i;
}

// Luminance / R of pixel p of a C x HW frame (Rec.601 luma for colour).
DFD_HOST_DEVICE inline float luminance(const float* frame, int C, size_t HW, size_t p, float inv_range) {
  return C == 3 ? (0.299f * frame[p] + 0.587f * frame[HW + p] + 0.114f * frame[2 * HW + p]) * inv_range
                : frame[p] * inv_range;
}

// exp(|Sobel gradient|) at column x of the row `mid` with its neighbour rows up and dn (rows
// already reflected at the image's top and bottom).
DFD_HOST_DEVICE inline float sobel_sharpness(const float* up, const float* mid, const float* dn, int x, int W) {
  const int xm = reflect101(x - 1, W), xp = reflect101(x + 1, W);
  const float gx = (up[xp] + 2.f * mid[xp] + dn[xp]) - (up[xm] + 2.f * mid[xm] + dn[xm]);
  const float gy = (dn[xm] + 2.f * dn[x] + dn[xp]) - (up[xm] + 2.f * up[x] + up[xp]);
  return expf(sqrtf(gx * gx + gy * gy));
}

// The Gaussian at position i of a line of n values `stride` apart, borders reflected.
DFD_HOST_DEVICE inline float smooth_at(const float* line, size_t stride, int i, int n, const SmoothingTaps& t) {
  float s = 0.f;
  for (int k = -kSmoothingRadius; k <= kSmoothingRadius; ++k)
    s += t.g[k + kSmoothingRadius] * line[static_cast<size_t>(reflect101(i + k, n)) * stride];
  return s;
}

}  // namespace dfd::model
