// The CUDA backend's primitives of the regularised steps: the candidate loss volume, the depth
// prior's edge weights, Huber-ROF iterations, coupled search and golden section, weighted TV,
// and the AIF prior's Huber weights and weighted differences; all enqueued on the backend's
// stream without a sync. The per-pixel arithmetic is src/model/prior_model.h (kernels/prior.cu).
#include <algorithm>

#include "cuda/cuda_backend.h"
#include "depth_search.cuh"
#include "prior.cuh"

namespace dfd::cuda {

void CudaBackend::do_candidate_losses(DVec V) {
  launch_candidate_losses(model(), table(), 0, candidates_, V.ptr, stream_);
}

void CudaBackend::do_window_mean_planes(DVec maps, int planes, int w, DVec tmp) {
  const size_t HW = geo_.pixels;
  const int chunk = static_cast<int>(std::min<size_t>(tmp.size / HW, static_cast<size_t>(planes)));
  for (int j0 = 0; j0 < planes; j0 += chunk)
    launch_window_mean(maps.ptr + static_cast<size_t>(j0) * HW, tmp.ptr, std::min(chunk, planes - j0), geo_.height,
                       geo_.width, w, stream_);
}

void CudaBackend::do_edge_weights(DVec x, float scale, float floor, DVec g) {
  launch_edge_weights(geo_, x.ptr, scale, floor, g.ptr, stream_);
}

void CudaBackend::do_rof_iterations(DVec u, DVec q, DVec a, DVec g, float step, float theta, float eps, int iterations,
                                    DVec u_bar) {
  launch_rof_iterations(geo_, u.ptr, q.ptr, a.ptr, g.ptr, step, theta, eps, iterations, u_bar.ptr, stream_);
}

void CudaBackend::do_coupled_search(DVec V, DVec u, float weight, DVec a, DVec loss) {
  launch_coupled_search(V.ptr, u.ptr, weight, table(), geo_.pixels, a.ptr, loss.ptr, stream_);
}

void CudaBackend::do_coupled_golden_section(DVec Z, DVec loss, DVec u, float weight) {
  // Weight 0 is the plain golden section (as the CPU backend: the coupling term is not formed).
  launch_golden_section(model(), table(), golden_, weight != 0.f ? u.ptr : nullptr, weight, Z.ptr, loss.ptr, stream_);
}

void CudaBackend::do_tv_sum(DVec Z, DVec g, float step, float eps, int slot) {
  launch_tv_sum(geo_, Z.ptr, g.ptr, step, eps, partials_.data(), scalars_.data() + slot, stream_);
}

void CudaBackend::do_huber_weights(DVec x, float delta, DVec w) {
  launch_huber_weights(geo_, x.ptr, delta, w.ptr, stream_);
}

void CudaBackend::do_weighted_gradient(DVec x, DVec w, float scale, DVec out) {
  launch_weighted_gradient(geo_, x.ptr, w.ptr, scale, out.ptr, stream_);
}

void CudaBackend::do_weighted_gradient_adjoint(DVec p, DVec w, float scale, DVec x) {
  launch_weighted_gradient_adjoint(geo_, p.ptr, w.ptr, scale, prior_field_.data(), x.ptr, stream_);
}

void CudaBackend::do_huber_sum(DVec x, float delta, int slot) {
  launch_huber_sum(geo_, x.ptr, delta, partials_.data(), scalars_.data() + slot, stream_);
}

}  // namespace dfd::cuda
