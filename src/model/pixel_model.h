// The per-pixel model of SPEC 2 and 4.3, written once for the CPU loops and the CUDA kernels
// alike (DFD_HOST_DEVICE): the blur law sigma_i(Z), the level coordinate and Catmull-Rom
// weights of a sigma, the blend of four levels, the nearest candidate, the golden-section step
// and the box window's extent and mean. The CPU tests therefore run the arithmetic the GPU runs. Plain
// C++ with no CUDA types; scalars and plain structs only, so that kernels take them by value.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "model/host_device.h"

namespace dfd::model {

// log(x) for finite x > 0 (normal), to ~1e-14 relative: x = m 2^e with m in [sqrt(1/2),
// sqrt(2)), log m = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.172, by its odd series. The
// one log of the level coordinate: a polynomial the CPU loops vectorise (libm's log does not),
// and the same value on the GPU.
#ifndef __CUDACC__
#pragma omp declare simd
#endif
DFD_HOST_DEVICE inline double log_poly(double x) {
  uint64_t bits;
#ifdef __CUDA_ARCH__
  bits = static_cast<uint64_t>(__double_as_longlong(x));
#else
  std::memcpy(&bits, &x, sizeof bits);
#endif
  int64_t e = static_cast<int64_t>((bits >> 52) & 0x7ff) - 1023;
  bits = (bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;  // mantissa in [1, 2)
  double m;
#ifdef __CUDA_ARCH__
  m = __longlong_as_double(static_cast<long long>(bits));
#else
  std::memcpy(&m, &bits, sizeof m);
#endif
  if (m > 1.4142135623730951) {
    m *= 0.5;
    e += 1;
  }
  const double s = (m - 1.0) / (m + 1.0), s2 = s * s;
  const double series =
      1.0 +
      s2 * (1.0 / 3 + s2 * (1.0 / 5 + s2 * (1.0 / 7 + s2 * (1.0 / 9 + s2 * (1.0 / 11 + s2 * (1.0 / 13 + s2 / 15))))));
  return static_cast<double>(e) * 0.6931471805599453 + 2.0 * s * series;
}

// ---- The blur law (SPEC 2) ---------------------------------------------------------------
// sigma_i(Z) = max(thresh, scale_i |Z - Zf_i| / Z) with the per-frame constant
// scale_i = D f / (Zf_i - f) / (2 ps) (thin lens, metric depths), or, for the uncalibrated
// FocusIndex model, sigma_i(s) = max(thresh, a |s - i|) with scale_i = a and Zf_i = i.

DFD_HOST_DEVICE inline double sigma_scale(bool focus_index, double index_scale, double aperture, double focal_length,
                                          double pixel_pitch, double focus_distance) {
  return focus_index ? index_scale : aperture * focal_length / (focus_distance - focal_length) / (2.0 * pixel_pitch);
}

template <bool kFocusIndex>
DFD_HOST_DEVICE inline double blur_sigma_law(double scale, double focus_distance, double depth, double thresh) {
  const double s = kFocusIndex ? scale * fabs(depth - focus_distance) : scale * fabs(depth - focus_distance) / depth;
  return s > thresh ? s : thresh;
}

DFD_HOST_DEVICE inline double blur_sigma_law(bool focus_index, double scale, double focus_distance, double depth,
                                             double thresh) {
  return focus_index ? blur_sigma_law<true>(scale, focus_distance, depth, thresh)
                     : blur_sigma_law<false>(scale, focus_distance, depth, thresh);
}

// ---- Blur levels (SPEC 4.3) --------------------------------------------------------------
// The interpolation grid of a LevelPlan: `interior` levels evenly spaced in log sigma over
// [lo, hi] (one ghost level each side), coordinate t = (log sigma - log_lo) inv_step.
// interior = 1: a single level that every sigma uses.
struct LevelGrid {
  double lo = 1, hi = 1, log_lo = 0, inv_step = 0;
  int interior = 1;
};

// The levels of sigma (interior >= 2): first = k and the uniform Catmull-Rom weights of
// levels k .. k + 3 (interior levels k - 1 .. k + 2) at t = k + f. Sigma is clamped to [lo, hi]
// (NaN to lo), a sigma at a level (|t - round t| < 1e-9) gets exactly that level, and k is at
// most interior - 2. t >= 0 up to rounding, where truncation is floor.
DFD_HOST_DEVICE inline int32_t interior_level_weights(const LevelGrid& g, double sigma, float* w) {
  const double s = sigma > g.lo ? (sigma < g.hi ? sigma : g.hi) : g.lo;
  double t = (log_poly(s) - g.log_lo) * g.inv_step;
  const double tr = static_cast<double>(static_cast<int64_t>(t + 0.5));
  t = fabs(t - tr) < 1e-9 ? tr : t;
  double kf = static_cast<double>(static_cast<int64_t>(t));
  const double kmax = g.interior - 2;
  kf = kf < 0.0 ? 0.0 : (kf > kmax ? kmax : kf);
  const double f = t - kf, f2 = f * f, f3 = f2 * f;
  w[0] = static_cast<float>(0.5 * (-f3 + 2 * f2 - f));
  w[1] = static_cast<float>(0.5 * (3 * f3 - 5 * f2 + 2));
  w[2] = static_cast<float>(0.5 * (-3 * f3 + 4 * f2 + f));
  w[3] = static_cast<float>(0.5 * (f3 - f2));
  return static_cast<int32_t>(kf);
}

// Any plan: a single-level one gives first 0 and weights {1, 0, 0, 0}.
DFD_HOST_DEVICE inline int32_t level_weights(const LevelGrid& g, double sigma, float* w) {
  if (g.interior <= 1) {
    w[0] = 1.f;
    w[1] = w[2] = w[3] = 0.f;
    return 0;
  }
  return interior_level_weights(g, sigma, w);
}

// The blurred value of one pixel through four levels, left to right: w0 x0 + w1 x1 + w2 x2 + w3 x3.
DFD_HOST_DEVICE inline float blend_levels(float w0, float w1, float w2, float w3, float x0, float x1, float x2,
                                          float x3) {
  return w0 * x0 + w1 * x1 + w2 * x2 + w3 * x3;
}

// ---- The depth step (SPEC 3) -------------------------------------------------------------

// Index of the candidate nearest z among cand[0 .. n-1] (ascending); the upper one on an exact
// tie. By bisection (std::lower_bound's answer).
DFD_HOST_DEVICE inline int nearest_candidate(const double* cand, int n, double z) {
  int j = 0, hi = n;
  while (j < hi) {
    const int mid = (j + hi) / 2;
    if (cand[mid] < z)
      j = mid + 1;
    else
      hi = mid;
  }
  if (j == n || (j > 0 && z - cand[j - 1] < cand[j] - z)) --j;
  return j;
}

// Golden-section search on a bracket [a, b] with interior points c < d and their objective
// values fc, fd. Start: golden_start(a, b), then evaluate fc and fd; while golden_open, narrow
// (which returns the next point to evaluate) and take its value.
struct GoldenBracket {
  double a = 0, b = 0, c = 0, d = 0;
  float fc = 0, fd = 0;
};

constexpr double kInvPhi = 0.6180339887498949;  // (sqrt 5 - 1) / 2

// The bracket of a pixel whose depth z0 is near a candidate: `reach` candidates each side of
// the nearest one (clamped to the ends).
DFD_HOST_DEVICE inline GoldenBracket golden_start(const double* cand, int n, double z0, int reach) {
  const int j = nearest_candidate(cand, n, z0);
  GoldenBracket g;
  g.a = cand[j - reach > 0 ? j - reach : 0];
  g.b = cand[j + reach < n - 1 ? j + reach : n - 1];
  g.c = g.b - kInvPhi * (g.b - g.a);
  g.d = g.a + kInvPhi * (g.b - g.a);
  return g;
}

DFD_HOST_DEVICE inline bool golden_open(const GoldenBracket& g, double tol) { return g.b - g.a > tol; }

// Drops the side of the bracket the values rule out. `left`: the minimum lies in [a, d], (d, b]
// is dropped and the new point is the next c; otherwise [a, c) is dropped and it is the next d.
DFD_HOST_DEVICE inline double golden_narrow(GoldenBracket& g, bool& left) {
  left = g.fc < g.fd;
  if (left) {
    g.b = g.d;
    g.d = g.c;
    g.fd = g.fc;
    return g.b - kInvPhi * (g.b - g.a);
  }
  g.a = g.c;
  g.c = g.d;
  g.fc = g.fd;
  return g.a + kInvPhi * (g.b - g.a);
}

DFD_HOST_DEVICE inline void golden_take(GoldenBracket& g, bool left, double z, float f) {
  if (left) {
    g.c = z;
    g.fc = f;
  } else {
    g.d = z;
    g.fd = f;
  }
}

// The bracket's midpoint as the float that is stored (so the loss written is the loss of the
// depth written).
DFD_HOST_DEVICE inline double golden_midpoint(const GoldenBracket& g) { return static_cast<float>(0.5 * (g.a + g.b)); }

// ---- The windowed loss (SPEC 4.2) --------------------------------------------------------
// A w x w box spans offsets -before .. after around a pixel (for even w one more before).
DFD_HOST_DEVICE inline int window_before(int w) { return w / 2; }
DFD_HOST_DEVICE inline int window_after(int w) { return w - 1 - w / 2; }

// The window around index i of an axis of n samples, clipped to the image: lo .. hi.
struct WindowSpan {
  int lo, hi;
};
DFD_HOST_DEVICE inline WindowSpan window_span(int i, int n, int w) {
  const int lo = i - window_before(w), hi = i + window_after(w);
  return WindowSpan{lo < 0 ? 0 : lo, hi > n - 1 ? n - 1 : hi};
}
// The window positions inside the image along the axis: what the mean divides by.
DFD_HOST_DEVICE inline int window_count(WindowSpan s) { return s.hi - s.lo + 1; }
// The window's sum along one axis, in double: v[k stride] for k in the span, in order.
DFD_HOST_DEVICE inline double window_sum(const float* v, size_t stride, WindowSpan s) {
  double sum = 0.0;
  for (int k = s.lo; k <= s.hi; ++k) sum += v[static_cast<size_t>(k) * stride];
  return sum;
}
// The mean divisor of a pixel: the window positions inside the image, rows times columns.
DFD_HOST_DEVICE inline double window_positions(WindowSpan sx, WindowSpan sy) {
  return static_cast<double>(window_count(sy)) * window_count(sx);
}
// window_mean of SPEC 4.2 at pixel (x, y) of an H x W map (w > 1): the sum over the w x w window
// clipped to the image (each row's sum, then the rows), divided by its positions inside the
// image. The definition: the CUDA kernels evaluate it as two separable passes, the CPU by prefix
// sums (dfd::window_mean), each tested against it.
DFD_HOST_DEVICE inline float window_mean_at(const float* map, int H, int W, int w, int x, int y) {
  const WindowSpan sx = window_span(x, W, w), sy = window_span(y, H, w);
  double s = 0.0;
  for (int k = sy.lo; k <= sy.hi; ++k) s += window_sum(map + static_cast<size_t>(k) * W, 1, sx);
  return static_cast<float>(s / window_positions(sx, sy));
}

}  // namespace dfd::model
