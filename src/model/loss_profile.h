// The confidence of a depth: statistics of one pixel's loss profile over the grid candidates
// (host and device code share this header; it has no CUDA types and compiles in plain C++).
#pragma once

#include <cmath>

#include "model/host_device.h"

namespace dfd {

// Of the profile l_0 .. l_{N-1} (the un-windowed loss at candidates Z_0 .. Z_{N-1}):
//   l*, j*   the smallest loss and its index (lowest index on ties), S = max_j l_j - l* the spread;
//   l2       the lowest competing local minimum: j with l_j <= its neighbours, |j - j*| >= 2,
//            separated from j* by a barrier B_j = max of l between j and j* with
//            B_j - l_j > kProfileProminence S (smaller wiggles belong to j*'s own basin);
//            gap = l2 - l*, or S when there is none (then the profile is unimodal);
//   kappa    the second difference at j* (l_{j*-1} - 2 l* + l_{j*+1}); at an end, the larger
//            of the one-sided second difference and 2 |l_1 - l_0| (a parabola with its vertex
//            at the end), so a V-shaped minimum scores the same inside and at an end;
//   delta    = sqrt(2 (l* + eps) / kappa), the half-width in candidates of the band where the
//            parabola through the minimum stays within the residual level l* + eps of it:
//            how far the depth can move before the loss notices (infinite for kappa <= 0).
// confidence = contrast * separation * sharpness, each factor in [0, 1]:
//   contrast   = S / (S + l* + eps)      the profile rises above the residual (noise, mismatch)
//                                        and above eps = (kProfileFloor R)^2;
//   separation = gap / S                 1 unimodal, 0 when a second minimum ties with l*;
//   sharpness  = 1 - min(1, 2 delta / N) the fraction of the candidate range outside that band
//                                        (1 when N < 3: no width to measure).
// A flat profile (S <= eps) has confidence 0 and is not unimodal.
constexpr float kProfileProminence = 0.02f;
constexpr float kProfileFloor = 1e-3f;

struct ProfileStats {
  float best = 0.f;       // l*
  int best_j = 0;         // j*
  float spread = 0.f;     // S
  float gap = 0.f;        // l2 - l* (S when unimodal)
  float curvature = 0.f;  // kappa
  bool unimodal = false;
  float confidence = 0.f;
};

// `loss(j)` returns l_j (called about 2N times; it may recompute); `eps` = (kProfileFloor R)^2.
template <class LossAt>
DFD_HOST_DEVICE ProfileStats profile_stats(int N, const LossAt& loss, float eps) {
  ProfileStats s;
  if (N <= 0) return s;
  float lo = loss(0), hi = lo;
  int jb = 0;
  float l_left = 0.f, l_right = 0.f;  // neighbours of the running best
  float prev = lo;
  bool need_right = true;
  for (int j = 1; j < N; ++j) {
    const float v = loss(j);
    if (j == jb + 1 && need_right) {
      l_right = v;
      need_right = false;
    }
    if (v < lo) {  // strict: lowest index on ties
      lo = v;
      jb = j;
      l_left = prev;
      need_right = true;
    }
    if (v > hi) hi = v;
    prev = v;
  }
  s.best = lo;
  s.best_j = jb;
  s.spread = hi - lo;
  if (!(s.spread > eps)) return s;  // flat (or NaN): no minimum to speak of

  // Curvature at j* (one-sided at the ends).
  if (N >= 3) {
    if (jb == 0) {
      const float l1 = l_right, l2 = loss(2);
      s.curvature = fmaxf(lo - 2.f * l1 + l2, 2.f * fabsf(l1 - lo));
    } else if (jb == N - 1) {
      const float l1 = l_left, l2 = loss(N - 3);
      s.curvature = fmaxf(lo - 2.f * l1 + l2, 2.f * fabsf(l1 - lo));
    } else {
      s.curvature = l_left - 2.f * lo + l_right;
    }
  } else {
    s.curvature = 2.f * s.spread;  // two candidates: the other one is the whole profile
  }

  // Competing minima: walk outwards from j* on each side, the barrier being the running max.
  const float tol = kProfileProminence * s.spread;
  float l2 = INFINITY;
  for (int dir = -1; dir <= 1; dir += 2) {
    float barrier = lo;
    float before = lo;  // l at j - dir (towards j*)
    int j = jb + dir;
    if (j < 0 || j >= N) continue;
    float here = loss(j);
    for (; j >= 0 && j < N; j += dir) {
      const int next = j + dir;
      const bool has_next = next >= 0 && next < N;
      const float after = has_next ? loss(next) : INFINITY;
      if (here > barrier) barrier = here;
      const int dist = dir * (j - jb);
      if (dist >= 2 && here <= before && here <= after && barrier - here > tol && here < l2) l2 = here;
      before = here;
      here = after;
    }
  }
  s.unimodal = !(l2 < INFINITY);
  s.gap = s.unimodal ? s.spread : l2 - lo;

  const float contrast = s.spread / (s.spread + fmaxf(lo, 0.f) + eps);
  const float separation = s.gap / s.spread;
  float sharpness = N < 3 ? 1.f : 0.f;  // fewer than 3 candidates: no width to measure
  if (N >= 3 && s.curvature > 0.f) {
    const float delta = sqrtf(2.f * (fmaxf(lo, 0.f) + eps) / s.curvature);
    sharpness = 1.f - fminf(1.f, 2.f * delta / static_cast<float>(N));
  }
  const float c = contrast * separation * sharpness;
  s.confidence = c > 0.f ? (c < 1.f ? c : 1.f) : 0.f;
  return s;
}

}  // namespace dfd
