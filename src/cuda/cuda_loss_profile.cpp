// The CUDA backend's loss-profile statistics (confidence and unimodality of the depth).
#include "cuda/cuda_backend.h"
#include "loss_profile.cuh"
#include "model/loss_profile.h"

namespace dfd::cuda {

void CudaBackend::do_loss_profile_stats(DVec confidence, DVec unimodal) {
  const double floor = kProfileFloor * range_;
  launch_loss_profile_stats(model(), table(), static_cast<float>(floor * floor), confidence.ptr, unimodal.ptr, stream_);
}

}  // namespace dfd::cuda
