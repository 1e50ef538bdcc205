// The per-pixel arithmetic of the regularised steps (depth prior and AIF prior), shared by the
// CPU loops and the CUDA kernels: forward differences, their adjoint, the Huber penalty and its
// majorising weight, the edge weight of the depth prior, and one primal-dual iteration of the
// weighted Huber-ROF problem. Plain C++ without CUDA types (host_device.h).
#pragma once

#include <cmath>

#include "model/host_device.h"

namespace dfd::prior {

// Forward differences of a row-major H x W map at (x, y) with Neumann boundaries (the
// difference across the last column / row is 0). `m` points at the map's first element.
struct Grad {
  float dx, dy;
};
DFD_HOST_DEVICE inline Grad forward_diff(const float* m, int W, int H, int x, int y) {
  const long i = static_cast<long>(y) * W + x;
  const float v = m[i];
  return {x + 1 < W ? m[i + 1] - v : 0.f, y + 1 < H ? m[i + W] - v : 0.f};
}

DFD_HOST_DEVICE inline float magnitude(Grad d) { return sqrtf(d.dx * d.dx + d.dy * d.dy); }

// The adjoint of forward_diff applied to a field (px, py): (D^T p)(x, y), so that
// sum <D u, p> = sum u D^T p exactly. (D^T = -div with the matching boundary terms.)
DFD_HOST_DEVICE inline float diff_adjoint(const float* px, const float* py, int W, int H, int x, int y) {
  const long i = static_cast<long>(y) * W + x;
  float v = 0.f;
  if (x + 1 < W) v -= px[i];
  if (x > 0) v += px[i - 1];
  if (y + 1 < H) v -= py[i];
  if (y > 0) v += py[i - W];
  return v;
}

// Huber penalty of a gradient magnitude t >= 0: t^2 / (2 eps) below eps, t - eps / 2 above
// (eps -> 0: total variation).
DFD_HOST_DEVICE inline float huber(float t, float eps) { return t <= eps ? 0.5f * t * t / eps : t - 0.5f * eps; }

// The weight of the quadratic majoriser of huber at t0: huber(t) <= 0.5 w t^2 + const for all
// t, with equality at t0 (iteratively reweighted least squares / lagged diffusivity).
DFD_HOST_DEVICE inline float huber_weight(float t0, float eps) { return 1.f / (t0 > eps ? t0 : eps); }

// Edge weight of the depth prior at an AIF gradient magnitude t (intensity units per pixel):
// 1 on flat image regions, falling as exp(-t / scale) across image edges, never below `floor`
// (so that depth jumps stay cheap but not free where the image has an edge).
DFD_HOST_DEVICE inline float edge_weight(float t, float scale, float floor) {
  const float g = expf(-t / scale);
  return g > floor ? g : floor;
}

// Chambolle-Pock iterations of the weighted Huber-ROF problem, in candidate-index units (u, a
// divided by the candidate step, so that eps and theta are in steps and steps squared):
//   min_u  sum_p g_p huber(|D u|_p, eps) + 1/(2 theta) ||u - a||^2,
// split into the dual update at pixel p (reads D u_bar) and the primal update (reads D^T q).
// Dual: q <- (q + sigma D u_bar) / (1 + sigma eps / g), then projected onto |q| <= g (the prox
// of the conjugate of g huber(|.|, eps)).
DFD_HOST_DEVICE inline void rof_dual(float& qx, float& qy, Grad du, float g, float sigma, float eps) {
  const float shrink = 1.f / (1.f + sigma * eps / g);
  float nx = (qx + sigma * du.dx) * shrink, ny = (qy + sigma * du.dy) * shrink;
  const float n = sqrtf(nx * nx + ny * ny);
  if (n > g) {
    nx *= g / n;
    ny *= g / n;
  }
  qx = nx;
  qy = ny;
}

// Primal: u <- (u - tau D^T q + tau a / theta) / (1 + tau / theta), the prox of the coupling.
DFD_HOST_DEVICE inline float rof_primal(float u, float dtq, float a, float tau, float theta) {
  return (u - tau * dtq + tau * a / theta) / (1.f + tau / theta);
}

// Step sizes with tau sigma ||D||^2 <= 1 (||D||^2 <= 8 for 2-D forward differences).
constexpr float kRofTau = 0.35f;
constexpr float kRofSigma = 0.35f;

// The a-step of the coupled depth problem at one pixel and candidate: data loss plus the
// quadratic coupling to the smooth depth u.
DFD_HOST_DEVICE inline float coupled_cost(float loss, float u, float z, float weight) {
  const float d = u - z;
  return loss + weight * d * d;
}

// Offset in (-0.5, 0.5) candidate steps of the vertex of the parabola through the costs at the
// candidates j - 1, j, j + 1 (e_mid the smallest of the three); 0 when they are not convex.
// The a-step's sub-candidate estimate (DTAM refines its exhaustive search the same way).
DFD_HOST_DEVICE inline float parabola_offset(float e_left, float e_mid, float e_right) {
  const float curv = e_left - 2.f * e_mid + e_right;
  if (!(curv > 0.f)) return 0.f;
  const float t = 0.5f * (e_left - e_right) / curv;
  return t < -0.5f ? -0.5f : (t > 0.5f ? 0.5f : t);
}

// Luminance-like mean of the channels' forward differences' magnitude at (x, y) of a planar
// C x H x W image: the edge strength the depth prior's weight reads.
DFD_HOST_DEVICE inline float image_gradient(const float* img, int W, int H, int C, int x, int y) {
  const long HW = static_cast<long>(W) * H;
  float gx = 0.f, gy = 0.f;
  for (int c = 0; c < C; ++c) {
    const Grad d = forward_diff(img + c * HW, W, H, x, y);
    gx += d.dx;
    gy += d.dy;
  }
  gx /= C;
  gy /= C;
  return sqrtf(gx * gx + gy * gy);
}

}  // namespace dfd::prior
