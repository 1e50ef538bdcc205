// The CUDA backend's primitives of the regularised steps: the candidate loss volume, the depth
// prior's edge weights, Huber-ROF iterations, coupled search and golden section, weighted TV,
// and the AIF prior's Huber weights and weighted differences; all enqueued on the backend's
// stream without a sync. The per-pixel arithmetic is src/model/prior_model.h (kernels/prior.cu).
#include <algorithm>

#include "cuda/cuda_backend.h"
#include "depth_search.cuh"
#include "dfd/error.h"
#include "prior.cuh"

namespace dfd::cuda {

void CudaBackend::candidate_losses(DVec V) {
  require_levels("candidate_losses");
  check(V, static_cast<size_t>(candidates_) * geo_.pixels, "candidate_losses", "V");
  launch_candidate_losses(model(), table(), 0, candidates_, V.ptr, stream_);
}

void CudaBackend::window_mean_planes(DVec maps, int planes, int w, DVec tmp) {
  require_setup("window_mean_planes");
  const size_t HW = geo_.pixels;
  if (planes < 0) throw_runtime("cuda backend: window_mean_planes: negative plane count");
  check(maps, static_cast<size_t>(planes) * HW, "window_mean_planes", "maps");
  if (tmp.size < HW) check(tmp, HW, "window_mean_planes", "tmp");
  if (tmp.ptr == maps.ptr) throw_runtime("cuda backend: window_mean_planes: tmp must not alias maps");
  if (w <= 1 || planes == 0) return;
  const int chunk = static_cast<int>(std::min<size_t>(tmp.size / HW, static_cast<size_t>(planes)));
  for (int j0 = 0; j0 < planes; j0 += chunk)
    launch_window_mean(maps.ptr + static_cast<size_t>(j0) * HW, tmp.ptr, std::min(chunk, planes - j0), geo_.height,
                       geo_.width, w, stream_);
}

void CudaBackend::edge_weights(DVec x, float scale, float floor, DVec g) {
  require_setup("edge_weights");
  check(x, geo_.pixels * geo_.channels, "edge_weights", "x");
  check(g, geo_.pixels, "edge_weights", "g");
  launch_edge_weights(geo_, x.ptr, scale, floor, g.ptr, stream_);
}

void CudaBackend::rof_iterations(DVec u, DVec q, DVec a, DVec g, float step, float theta, float eps, int iterations,
                                 DVec u_bar) {
  require_setup("rof_iterations");
  const size_t HW = geo_.pixels;
  check(u, HW, "rof_iterations", "u");
  check(q, 2 * HW, "rof_iterations", "q");
  check(a, HW, "rof_iterations", "a");
  check(g, HW, "rof_iterations", "g");
  check(u_bar, HW, "rof_iterations", "u_bar");
  // u_bar is written while the dual pass of the next iteration reads its neighbours, and u while
  // the primal pass reads a: distinct buffers, or the passes would race.
  if (u_bar.ptr == u.ptr || u_bar.ptr == a.ptr || u_bar.ptr == g.ptr)
    throw_runtime("cuda backend: rof_iterations: u_bar must not alias u, a or g");
  launch_rof_iterations(geo_, u.ptr, q.ptr, a.ptr, g.ptr, step, theta, eps, iterations, u_bar.ptr, stream_);
}

void CudaBackend::coupled_search(DVec V, DVec u, float weight, DVec a, DVec loss) {
  require_setup("coupled_search");
  const size_t HW = geo_.pixels;
  check(V, static_cast<size_t>(candidates_) * HW, "coupled_search", "V");
  check(u, HW, "coupled_search", "u");
  check(a, HW, "coupled_search", "a");
  check(loss, HW, "coupled_search", "loss");
  launch_coupled_search(V.ptr, u.ptr, weight, table(), HW, a.ptr, loss.ptr, stream_);
}

void CudaBackend::coupled_golden_section(DVec Z, DVec loss, DVec u, float weight) {
  require_levels("coupled_golden_section");
  check(Z, geo_.pixels, "coupled_golden_section", "Z");
  check(loss, geo_.pixels, "coupled_golden_section", "loss");
  check(u, geo_.pixels, "coupled_golden_section", "u");
  // Weight 0 is the plain golden section (as the CPU backend: the coupling term is not formed).
  launch_golden_section(model(), table(), golden_, weight != 0.f ? u.ptr : nullptr, weight, Z.ptr, loss.ptr, stream_);
}

void CudaBackend::tv_sum(DVec Z, DVec g, float step, float eps, int slot) {
  require_setup("tv_sum");
  check(Z, geo_.pixels, "tv_sum", "Z");
  check(g, geo_.pixels, "tv_sum", "g");
  check_slot(slot, "tv_sum");
  launch_tv_sum(geo_, Z.ptr, g.ptr, step, eps, partials_.data(), scalars_.data() + slot, stream_);
}

void CudaBackend::huber_weights(DVec x, float delta, DVec w) {
  require_setup("huber_weights");
  const size_t image = geo_.pixels * geo_.channels;
  check(x, image, "huber_weights", "x");
  check(w, image, "huber_weights", "w");
  launch_huber_weights(geo_, x.ptr, delta, w.ptr, stream_);
}

void CudaBackend::weighted_gradient(DVec x, DVec w, float scale, DVec out) {
  require_setup("weighted_gradient");
  const size_t image = geo_.pixels * geo_.channels;
  check(x, image, "weighted_gradient", "x");
  check(w, image, "weighted_gradient", "w");
  check(out, 2 * image, "weighted_gradient", "out");
  launch_weighted_gradient(geo_, x.ptr, w.ptr, scale, out.ptr, stream_);
}

void CudaBackend::weighted_gradient_adjoint(DVec p, DVec w, float scale, DVec x) {
  require_setup("weighted_gradient_adjoint");
  const size_t image = geo_.pixels * geo_.channels;
  check(p, 2 * image, "weighted_gradient_adjoint", "p");
  check(w, image, "weighted_gradient_adjoint", "w");
  check(x, image, "weighted_gradient_adjoint", "x");
  launch_weighted_gradient_adjoint(geo_, p.ptr, w.ptr, scale, prior_field_.data(), x.ptr, stream_);
}

void CudaBackend::huber_sum(DVec x, float delta, int slot) {
  require_setup("huber_sum");
  check(x, geo_.pixels * geo_.channels, "huber_sum", "x");
  check_slot(slot, "huber_sum");
  launch_huber_sum(geo_, x.ptr, delta, partials_.data(), scalars_.data() + slot, stream_);
}

}  // namespace dfd::cuda
