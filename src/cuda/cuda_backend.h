// The CUDA backend: the Backend primitives on one device, one stream, buffers and cuFFT
// plans made once per setup(), scalars in device memory (private header; tests use it to
// pick a blur path).
#pragma once

#include <cuda_runtime_api.h>

#include <string>
#include <vector>

#include "cuda/device_buffer.h"
#include "cuda/device_level_blur.h"
#include "cuda/model_view.h"
#include "dfd/backend.h"

namespace dfd::cuda {

struct CudaBackendConfig {
  int device = 0;
  BlurPath blur = BlurPath::Auto;  // level-blur path; Auto: the cost model decides
  // Loss slabs of the windowed grid search (two of them) hold at most this many bytes; fewer
  // candidates per chunk when the device has less free memory.
  size_t search_slab_bytes = size_t(512) << 20;
};

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(const CudaBackendConfig& cfg = {});
  ~CudaBackend() override;

  const char* name() const override { return "cuda"; }
  std::string device() const override { return description_; }
  size_t memory_estimate(const Problem& p) const override;
  size_t peak_memory() const override { return tracker_.peak(); }

  // After setup: the level-blur path in use and the windowed search's candidates per chunk.
  BlurPath blur_path() const { return blur_.path(); }
  int search_chunk() const { return chunk_; }
  // Every buffer setup allocates for p, in elements (blur: bytes); setup sizes its buffers
  // from it, so buffer_sizes and memory_estimate are the allocation's own arithmetic.
  struct BufferPlan {
    size_t scalars = 0, partials = 0, focus = 0, cand_depth = 0;                       // doubles
    size_t stack = 0, levels = 0, pixel_weight = 0, cand_weight = 0, prior_field = 0;  // floats
    size_t level_used = 0, pixel_first = 0, cand_first = 0;                            // ints
    int chunk = 0;    // windowed search: candidates a slab (0: no window)
    size_t slab = 0;  // floats, each of the two slabs
    size_t best = 0;  // the running minimum (float) and argmin (int)
    size_t init = 0;  // init_aif: three float maps and an int map
    size_t blur_bytes = 0;
  };
  BufferPlan buffer_plan(const Problem& p, int chunk) const;
  // Every buffer one solve of p needs (what memory_estimate sums), for messages and tests.
  struct BufferSize {
    std::string what;
    size_t bytes;
  };
  std::vector<BufferSize> buffer_sizes(const Problem& p, int chunk) const;
  // Candidates per chunk of the windowed search for this problem under the slab budget.
  int default_chunk(const Problem& p) const;

 private:
  // The primitives (Backend checks their arguments and times them first).
  void do_setup(const Problem& p) override;
  DVec do_stack() override;
  DVec do_alloc(size_t n) override;
  void do_fill(DVec x, float v) override;
  void do_copy(DVec src, DVec dst) override;
  void do_axpby(Coef a, DVec x, Coef b, DVec y) override;
  void do_multiply(DVec m, DVec y) override;
  void do_clip(DVec x, float lo, float hi) override;
  void do_free_mask(DVec x, DVec g, float lo, float hi, DVec m) override;
  void do_dot(DVec a, DVec b, int slot) override;
  void do_sum(DVec a, int slot) override;
  void do_scalar_set(int slot, double v) override;
  void do_scalar_ratio(int num, int den, int out) override;
  void do_scalar_sqrt(int in, int out) override;
  void do_read_scalars(double* out, int count) override;
  void do_init_aif(DVec x) override;
  void do_blur_levels(DVec x) override;
  void do_grid_search(DVec Z, DVec loss) override;
  void do_golden_section(DVec Z, DVec loss) override;
  void do_pixel_loss(DVec Z, DVec loss) override;
  void do_keep_better(DVec Z, DVec loss, DVec Z_old, DVec loss_old) override;
  void do_loss_profile_stats(DVec confidence, DVec unimodal) override;
  void do_candidate_losses(DVec V) override;
  void do_window_mean_planes(DVec maps, int planes, int w, DVec tmp) override;
  void do_edge_weights(DVec x, float scale, float floor, DVec g) override;
  void do_rof_iterations(DVec u, DVec q, DVec a, DVec g, float step, float theta, float eps, int iterations,
                         DVec u_bar) override;
  void do_coupled_search(DVec V, DVec u, float weight, DVec a, DVec loss) override;
  void do_coupled_golden_section(DVec Z, DVec loss, DVec u, float weight) override;
  void do_tv_sum(DVec Z, DVec g, float step, float eps, int slot) override;
  void do_huber_weights(DVec x, float delta, DVec w) override;
  void do_weighted_gradient(DVec x, DVec w, float scale, DVec out) override;
  void do_weighted_gradient_adjoint(DVec p, DVec w, float scale, DVec x) override;
  void do_huber_sum(DVec x, float delta, int slot) override;
  void do_set_depth(DVec Z) override;
  void do_apply_A(DVec x, DVec y) override;
  void do_apply_At(DVec y, DVec x) override;
  void do_download(DVec v, float* host) override;
  void do_upload(const float* host, DVec v) override;

  void release_problem() noexcept;
  ModelView model() const;
  CandidateTable table() const;
  PixelWeightsView pixel_weights() const;

  CudaBackendConfig cfg_;
  std::string description_;
  cudaStream_t stream_ = nullptr;
  double* host_scalars_ = nullptr;  // pinned, kScalarSlots
  MemoryTracker tracker_;

  Geometry geo_;
  CameraParams cam_;
  model::LevelGrid plan_;
  GoldenParams golden_;
  int window_ = 0, chunk_ = 0, candidates_ = 0;
  double range_ = 255.0;

  DeviceBuffer<double> scalars_;                           // kScalarSlots
  DeviceBuffer<double> partials_;                          // reduction scratch
  DeviceBuffer<double> focus_;                             // F
  DeviceBuffer<float> stack_;                              // F x C x H x W
  DeviceBuffer<float> levels_;                             // L x C x H x W: level blurs, or T_l inside apply_At
  DeviceBuffer<int> level_used_;                           // L flags: levels A(Z) reads (set_depth)
  DeviceBuffer<int> pixel_first_;                          // F x H x W (set_depth)
  DeviceBuffer<float> pixel_weight_;                       // 4 x F x H x W
  DeviceBuffer<double> cand_depth_;                        // N
  DeviceBuffer<int> cand_first_;                           // N x F
  DeviceBuffer<float> cand_weight_;                        // 4 x N x F
  DeviceBuffer<float> slab_, slab_tmp_, best_;             // windowed search: chunk x H x W (x2), H x W
  DeviceBuffer<int> best_j_;                               // H x W
  DeviceBuffer<float> init_sharp_, init_tmp_, init_best_;  // init_aif: H x W each
  DeviceBuffer<int> init_frame_;                           // H x W
  DeviceBuffer<float> prior_field_;                        // weighted_gradient_adjoint's sqrt(w) .* p: 2 C H W
  DeviceLevelBlur blur_;
  std::vector<DeviceBuffer<float>> vectors_;  // alloc()
};

}  // namespace dfd::cuda
