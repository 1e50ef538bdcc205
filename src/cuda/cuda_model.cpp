// The CUDA backend's model primitives: initial AIF, level blurs, depth search and the
// operator A(Z) with its transpose, all enqueued on the backend's stream without a sync.
#include <algorithm>
#include <cmath>

#include "blur_operator.cuh"
#include "cuda/cuda_backend.h"
#include "cuda/cuda_check.h"
#include "depth_search.cuh"
#include "init_aif.cuh"

namespace dfd::cuda {

void CudaBackend::do_init_aif(DVec x) {
  const size_t HW = geo_.pixels, C = geo_.channels;
  const SmoothingTaps taps = model::smoothing_taps();
  const float inv_range = static_cast<float>(1.0 / range_);
  for (int i = 0; i < geo_.frames; ++i)
    launch_sharpness_argmax(stack_.data() + static_cast<size_t>(i) * C * HW, i, geo_.channels, geo_.height, geo_.width,
                            inv_range, taps, init_sharp_.data(), init_tmp_.data(), init_best_.data(),
                            init_frame_.data(), stream_);
  launch_copy_sharpest(stack_.data(), init_frame_.data(), geo_.channels, HW, x.ptr, stream_);
}

void CudaBackend::do_blur_levels(DVec x) { blur_.blur(x.ptr, levels_.data()); }

void CudaBackend::do_grid_search(DVec Z, DVec loss) {
  const ModelView m = model();
  const CandidateTable t = table();
  if (window_ <= 1) {
    launch_grid_search(m, t, Z.ptr, loss.ptr, stream_);
    return;
  }
  // Windowed: per chunk of candidates, the loss maps, their window means, the running argmin;
  // then the un-windowed loss of the winner.
  for (int j0 = 0; j0 < candidates_; j0 += chunk_) {
    const int J = std::min(chunk_, candidates_ - j0);
    launch_candidate_losses(m, t, j0, J, slab_.data(), stream_);
    launch_window_mean(slab_.data(), slab_tmp_.data(), J, geo_.height, geo_.width, window_, stream_);
    launch_argmin_update(slab_.data(), j0, J, geo_.pixels, best_.data(), best_j_.data(), stream_);
  }
  launch_finish_search(m, t, best_j_.data(), Z.ptr, loss.ptr, stream_);
}

void CudaBackend::do_golden_section(DVec Z, DVec loss) {
  launch_golden_section(model(), table(), golden_, nullptr, 0.f, Z.ptr, loss.ptr, stream_);
}

void CudaBackend::do_pixel_loss(DVec Z, DVec loss) { launch_pixel_loss(model(), Z.ptr, loss.ptr, stream_); }

void CudaBackend::do_keep_better(DVec Z, DVec loss, DVec Z_old, DVec loss_old) {
  launch_keep_better(Z.ptr, loss.ptr, Z_old.ptr, loss_old.ptr, Z.size, stream_);
}

void CudaBackend::do_set_depth(DVec Z) {
  launch_set_depth(model(), Z.ptr, pixel_weights(), level_used_.data(), stream_);
}

void CudaBackend::do_apply_A(DVec x, DVec y) {
  // Only the levels some pixel reads (flagged by set_depth, on the device: no host sync).
  blur_.blur(x.ptr, levels_.data(), level_used_.data());
  launch_gather_levels(model(), pixel_weights(), y.ptr, stream_);
}

void CudaBackend::do_apply_At(DVec y, DVec x) {
  launch_spread_levels(geo_, pixel_weights(), y.ptr, levels_.data(), stream_);  // T_l in the level buffer
  blur_.blur_sum(levels_.data(), x.ptr, level_used_.data());                    // unread levels have T_l = 0
}

}  // namespace dfd::cuda
