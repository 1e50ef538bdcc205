// The CPU backend: the Backend primitives on host memory with OpenMP and FFTW (SPEC 4).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "cpu/blur_engine.h"
#include "cpu/pixel_weights.h"
#include "dfd/backend.h"

namespace dfd {

class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(int threads = 0);  // 0 = all hardware threads

  const char* name() const override { return "cpu"; }
  std::string device() const override;
  size_t memory_estimate(const Problem& p) const override;
  size_t peak_memory() const override { return peak_; }
  bool uses_host_memory() const override { return true; }

  // Test hook: the blur path of the next setup() (Auto: the cost model decides).
  void force_blur_path(BlurPath path) { forced_path_ = path; }
  BlurPath blur_path() const { return blur_.path(); }
  int threads() const { return threads_; }

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

  // Every buffer setup allocates, in elements (blur engine: bytes): what setup sizes them with
  // and memory_estimate sums, so the estimate is the allocation's own arithmetic.
  struct BufferPlan {
    size_t stack = 0, levels = 0, weight = 0, weighted_field = 0;  // floats
    size_t first = 0;                                              // int32
    size_t table = 0;                                              // LevelWeights, N x F
    int chunk = 0;                                                 // windowed search: candidates a slab
    size_t slab = 0, best_win = 0;                                 // floats (two slabs)
    size_t window_scratch = 0;                                     // doubles
    size_t blur_bytes = 0;
    size_t bytes() const;
  };
  BufferPlan buffer_plan(const Problem& p) const;
  double coef(Coef c) const;
  // Losses 1/(F C) sum_{i,c} (b - blurred levels)^2 of pixels p0 .. p0 + n - 1 (n <= 64) at
  // depths z[0 .. n - 1], from the level blurs of blur_levels().
  void block_loss(size_t p0, int n, const double* z, float* loss) const;
  void track(size_t bytes);
  void golden(DVec Z, DVec loss, const float* u, float weight);

  int threads_ = 1;
  BlurPath forced_path_ = BlurPath::Auto;
  Problem prob_;            // sizes, camera, plan, candidates (prob_.stack -> stack_)
  size_t hw_ = 0, ls_ = 0;  // pixels; floats per level (C H W)
  int F_ = 0, C_ = 0, L_ = 0, N_ = 0;
  std::vector<float> stack_;   // F x C x H x W
  std::vector<float> levels_;  // max(L, 4) x C x H x W: level blurs, or T_l inside apply_At
  BlurEngine blur_;
  std::vector<int> all_levels_, used_levels_;
  std::vector<unsigned char> used_mask_;  // threads x L, set_depth's scratch
  PixelWeights pixel_weights_;            // LevelPlan::weights(sigma_i(Z)) for blocks of pixels

  // Per-pixel interpolation of the operator's depth map (set_depth): F x H x W.
  std::vector<int32_t> first_;
  std::vector<float> weight_;  // F x 4 x H x W
  // Grid search: the candidates' LevelWeights, N x F (the same for every pixel).
  std::vector<LevelWeights> table_;
  // Windowed grid search: loss slabs of a chunk of candidates, the running best, scratch.
  int chunk_ = 0;
  std::vector<float> slab_raw_, slab_win_, best_win_;
  std::vector<double> window_scratch_;

  std::vector<float> weighted_field_;           // weighted_gradient_adjoint's sqrt(w) .* p, 2 C H W
  std::deque<std::vector<float>> allocations_;  // alloc(): stable addresses
  size_t in_use_ = 0, peak_ = 0;
  double scalars_[kScalarSlots] = {};
};

}  // namespace dfd
