// Launchers of the regularised steps' kernels on the device: the depth prior's edge weights,
// Huber-ROF iterations, coupled search and weighted TV, and the AIF prior's Huber weights,
// weighted differences and their adjoint. Per-pixel maths: src/model/prior_model.h, the same
// functions as the CPU backend. Nothing here synchronises with the host.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>

#include "cuda/model_view.h"

namespace dfd::cuda {

// g(p) = edge_weight(image_gradient(x, p), scale, floor); x C x H x W, g H x W.
void launch_edge_weights(const Geometry& geo, const float* x, float scale, float floor, float* g, cudaStream_t stream);

// `iterations` Chambolle-Pock iterations (in candidate-index units: u / step, a / step) of the
// weighted Huber-ROF problem; u (H W) and q (2 H W: x then y components) in place, u_bar (H W)
// scratch, set to u / step first. Each iteration is a dual pass over all pixels (reads u_bar,
// writes q), then a primal pass (reads q, writes u and u_bar): two launches, the launch
// boundary the barrier between them.
void launch_rof_iterations(const Geometry& geo, float* u, float* q, const float* a, const float* g, float step,
                           float theta, float eps, int iterations, float* u_bar, cudaStream_t stream);

// For the j minimising e_j = coupled_cost(V_j(p), u(p), Z_j, weight), lowest index on ties:
// loss(p) = V_j(p) and a(p) = Z_j, moved to the vertex of the parabola through e_{j-1}, e_j,
// e_{j+1} when j is interior (prior::parabola_offset); V is N x H x W (N = t.count). u may alias
// a (each pixel reads its u before it writes its a).
void launch_coupled_search(const float* V, const float* u, float weight, const CandidateTable& t, size_t pixels,
                           float* a, float* loss, cudaStream_t stream);

// *out = sum_p g(p) huber(|D Z|(p) / step, eps), deterministic (partials: kMaxReducePartials).
void launch_tv_sum(const Geometry& geo, const float* Z, const float* g, float step, float eps, double* partials,
                   double* out, cudaStream_t stream);

// w = huber_weight(|D x_c|(p), delta) per channel plane (C x H x W).
void launch_huber_weights(const Geometry& geo, const float* x, float delta, float* w, cudaStream_t stream);
// out (2 C H W: per channel the x then the y differences) = scale sqrt(w) .* D x.
void launch_weighted_gradient(const Geometry& geo, const float* x, const float* w, float scale, float* out,
                              cudaStream_t stream);
// x += scale D^T (sqrt(w) .* p): the weighted field goes to `field` (2 C H W scratch) first,
// then D^T per pixel (two launches).
void launch_weighted_gradient_adjoint(const Geometry& geo, const float* p, const float* w, float scale, float* field,
                                      float* x, cudaStream_t stream);
// *out = sum over channels and pixels of huber(|D x_c|(p), delta), deterministic.
void launch_huber_sum(const Geometry& geo, const float* x, float delta, double* partials, double* out,
                      cudaStream_t stream);

}  // namespace dfd::cuda
