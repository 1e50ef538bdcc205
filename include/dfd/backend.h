// The backend primitives the solver is written over (one interface, CPU and CUDA
// implementations). No CUDA types: a CPU-only build compiles this header. The factories of
// the two backends and the choice between them are in dfd/backends.h.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "dfd/blur_levels.h"
#include "dfd/camera.h"

namespace dfd {

// A vector in backend memory (host memory on the CPU, device memory on CUDA). A view:
// the backend owns the storage. Solver code never dereferences `ptr`.
struct DVec {
  float* ptr = nullptr;
  size_t size = 0;
};

// A scalar coefficient: scale * (slot >= 0 ? scalar[slot] : 1). Lets CG keep alpha and
// beta in backend memory (no host round trip per iteration).
struct Coef {
  int slot = -1;
  float scale = 1.f;
  static Coef constant(float v) { return Coef{-1, v}; }
  static Coef of(int slot, float scale = 1.f) { return Coef{slot, scale}; }
};

// The problem of one solve, as plain host data (SPEC 1-4).
struct Problem {
  int width = 0, height = 0, channels = 0, frames = 0;
  const float* stack = nullptr;  // b: frames x channels x height x width, planar
  double range = 255.0;          // R
  Camera camera;
  std::vector<double> focus_distances;  // Zf_i, one per frame
  int K = 0;                            // window
  LevelPlan levels;                     // blur levels of the fast operator
  std::vector<double> candidates;       // Z_j of the grid search
  int window = 0;                       // windowed grid-search loss (w x w); <= 1: none
  int gs_bracket = 1;                   // golden section on [Z_{j*-g}, Z_{j*+g}]
  double gs_tol = 1e-2;
  int gs_max_iters = 100;
  // Floats of backend memory the solver allocates (alloc) for its own vectors, computed next to
  // the code that allocates them (make_problem): part of every memory estimate.
  size_t solver_floats = 0;

  size_t pixels() const { return static_cast<size_t>(width) * height; }
  size_t image_size() const { return pixels() * channels; }    // one AIF
  size_t stack_size() const { return image_size() * frames; }  // the whole stack

  // Error(Input) "<who>: ..." unless the problem is one any backend can solve: sizes >= 1, a
  // stack, one focus distance a frame, an odd K matched by the level plan, candidates positive
  // (finite for the uncalibrated model) and strictly increasing, range > 0, golden-section
  // bracket >= 0, tol > 0, iterations >= 0. Backend::setup calls it first, as "<name> backend".
  void validate(const std::string& who) const;
  // The level weights of sigma_i(Z_j) for every candidate j and frame i, entry j F + i: the
  // grid search's table (the same for every pixel), which both backends stage.
  std::vector<LevelWeights> candidate_weights() const;
};

// The public primitives are non-virtual (the pattern of ceres' TypedLinearSolver): each checks
// its arguments once against the problem staged by setup (vector sizes, setup and blur_levels
// done where it needs them, scalar slots, null pointers), throwing Error(Runtime) "<name>
// backend: <primitive>: ..." on a misuse, counts and times the call (call_times), then calls
// the backend's private do_<primitive>. A backend implements only the do_ functions and may
// rely on their arguments being checked.
class Backend {
 public:
  static constexpr int kScalarSlots = 16;

  // The primitives, for call_times.
  enum class Primitive {
    setup,
    stack,
    alloc,
    fill,
    copy,
    axpby,
    multiply,
    clip,
    free_mask,
    dot,
    sum,
    scalar_set,
    scalar_ratio,
    scalar_sqrt,
    read_scalars,
    init_aif,
    blur_levels,
    grid_search,
    golden_section,
    pixel_loss,
    keep_better,
    loss_profile_stats,
    candidate_losses,
    window_mean_planes,
    edge_weights,
    rof_iterations,
    coupled_search,
    coupled_golden_section,
    tv_sum,
    huber_weights,
    weighted_gradient,
    weighted_gradient_adjoint,
    huber_sum,
    set_depth,
    apply_A,
    apply_At,
    download,
    upload,
    kCount
  };
  static constexpr int kPrimitives = static_cast<int>(Primitive::kCount);
  static const char* primitive_name(Primitive p);  // "grid_search", ...

  // Calls of one primitive and the host seconds spent in them (checks excluded): a
  // steady_clock pair a call. On the CUDA backend a primitive enqueues its kernels and returns,
  // so its seconds are the enqueue time; the device's work shows up in the calls that
  // synchronise (read_scalars, download, upload).
  struct CallTime {
    long long calls = 0;
    double seconds = 0.0;
  };

  Backend() = default;
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;
  virtual ~Backend() = default;
  virtual const char* name() const = 0;    // "cpu", "cuda"
  virtual std::string device() const = 0;  // human-readable description of the device

  // Bytes of backend memory one solve of `p` needs (estimated before allocating).
  virtual size_t memory_estimate(const Problem& p) const = 0;
  // Validates p (Problem::validate), stages the stack and allocates the working buffers; called
  // once per solve (frees the buffers of an earlier problem, forgets blur_levels and set_depth).
  // Throws Error(Input) for an invalid problem, Error(OutOfMemory) when it does not fit. Every
  // other primitive needs a successful setup.
  void setup(const Problem& p);
  // Peak backend memory in use since setup, bytes.
  virtual size_t peak_memory() const = 0;
  // Whether the backend's memory is the host's (the CPU backend): memory_estimate then counts
  // against the host memory limit (dfd/memory.h) before setup.
  virtual bool uses_host_memory() const { return false; }

  DVec stack();          // b as staged by setup
  DVec alloc(size_t n);  // zero-filled; valid until the next setup or destruction

  // --- Vector algebra (all sizes equal) --------------------------------------------------
  void fill(DVec x, float v);
  void copy(DVec src, DVec dst);
  void axpby(Coef a, DVec x, Coef b, DVec y);  // y = a x + b y
  void multiply(DVec m, DVec y);               // y = m .* y
  void clip(DVec x, float lo, float hi);
  // m = 0 where x sits on a bound and the descent direction -g points outside, else 1.
  void free_mask(DVec x, DVec g, float lo, float hi, DVec m);
  void dot(DVec a, DVec b, int slot);  // scalar[slot] = <a, b>
  void sum(DVec a, int slot);          // scalar[slot] = sum(a)

  // --- Scalars (kept in backend memory; read_scalars synchronises) -------------------------
  void scalar_set(int slot, double v);
  void scalar_ratio(int num, int den, int out);  // out = num / den (0 if den == 0)
  void scalar_sqrt(int in, int out);
  void read_scalars(double* out, int count);  // slots 0..count-1

  // --- The model ----------------------------------------------------------------------------
  // Initial AIF of SPEC 5 into x (channels x height x width).
  void init_aif(DVec x);
  // Level blurs of x for the depth step (kept until the next call or apply_A / apply_At).
  void blur_levels(DVec x);
  // Exhaustive search over the candidates with the (optionally windowed) loss: Z and the
  // un-windowed per-pixel loss at Z. Lowest index on ties. Needs blur_levels.
  void grid_search(DVec Z, DVec loss);
  // Golden-section refinement of Z (a grid candidate per pixel) and its loss. Needs blur_levels.
  void golden_section(DVec Z, DVec loss);
  // Un-windowed per-pixel loss 1/(F C) sum_{i,c} (b - blur)^2 at depth Z. Needs blur_levels.
  void pixel_loss(DVec Z, DVec loss);
  // Where loss_old < loss: Z = Z_old and loss = loss_old (the monotone guard).
  void keep_better(DVec Z, DVec loss, DVec Z_old, DVec loss_old);
  // Per pixel, the un-windowed loss over all N candidates (the grid search's loss) summarised
  // by profile_stats (src/model/loss_profile.h, eps = (1e-3 R)^2): confidence in [0, 1] (spread
  // above the residual x gap to the lowest competing local minimum / spread x sharpness of
  // the minimum) and unimodal (1: no competing minimum, else 0). Needs blur_levels.
  void loss_profile_stats(DVec confidence, DVec unimodal);
  // --- Regularised depth step (solver/depth_prior.cpp; maths in src/model/prior_model.h) ------
  // The un-windowed loss of every candidate: V[j * H W + p] = loss_j(p), N x H x W. Needs
  // blur_levels.
  void candidate_losses(DVec V);
  // In place, the w x w box mean of each of `planes` H x W maps (window_mean of SPEC 4.2, as the
  // windowed grid search averages its loss maps); tmp is scratch of at least H W floats (the
  // CUDA backend averages tmp.size / (H W) planes at a time). w <= 1: nothing.
  void window_mean_planes(DVec maps, int planes, int w, DVec tmp);
  // Edge weight of the depth prior from the AIF x: g(p) = max(floor, exp(-|grad x|(p) / scale)),
  // |grad x| the magnitude of the channel-mean forward differences (prior::image_gradient).
  void edge_weights(DVec x, float scale, float floor, DVec g);
  // `iterations` Chambolle-Pock iterations of min_u sum g huber(|D u| / s, eps) + 1/(2 theta)
  // ||(u - a) / s||^2 (u, a depth maps, s = step: eps in steps, theta in steps squared). u and
  // its dual q (2 H W: x then y components) are updated in place; u_bar is scratch (H W).
  void rof_iterations(DVec u, DVec q, DVec a, DVec g, float step, float theta, float eps, int iterations, DVec u_bar);
  // Per pixel, the candidate j minimising e_j = V_j(p) + weight (u(p) - Z_j)^2 (lowest index on
  // ties), refined to the vertex of the parabola through e_{j-1}, e_j, e_{j+1} for interior j
  // (prior::parabola_offset): a = Z_j + offset step, loss = V_j(p) (the data part at Z_j).
  void coupled_search(DVec V, DVec u, float weight, DVec a, DVec loss);
  // golden_section on loss(z) + weight (z - u(p))^2 instead of loss(z); `loss` receives the
  // data part at the result. weight 0 is golden_section. Needs blur_levels.
  void coupled_golden_section(DVec Z, DVec loss, DVec u, float weight);
  // scalar[slot] = sum_p g(p) huber(|D Z|(p) / step, eps).
  void tv_sum(DVec Z, DVec g, float step, float eps, int slot);

  // --- Regularised AIF step (solver/aif_step.cpp) --------------------------------------------
  // For each channel plane of x (C x H x W): w = huber_weight(|D x_c|(p), delta) (C x H x W).
  void huber_weights(DVec x, float delta, DVec w);
  // out (2 C H W: per channel the x then the y differences) = scale sqrt(w) .* D x.
  void weighted_gradient(DVec x, DVec w, float scale, DVec out);
  // x += scale D^T (sqrt(w) .* p), p as weighted_gradient's output: its exact adjoint.
  void weighted_gradient_adjoint(DVec p, DVec w, float scale, DVec x);
  // scalar[slot] = sum over channels and pixels of huber(|D x_c|(p), delta).
  void huber_sum(DVec x, float delta, int slot);

  // Fixes the depth map of the operator A(Z) used by apply_A / apply_At.
  void set_depth(DVec Z);
  void apply_A(DVec x, DVec y);   // y (F C H W) = A(Z) x
  void apply_At(DVec y, DVec x);  // x (C H W) = A(Z)^T y

  // --- Transfers (synchronous) --------------------------------------------------------------
  void download(DVec v, float* host);
  void upload(const float* host, DVec v);

  // --- Call counts and times -----------------------------------------------------------------
  // Since construction or the last reset_call_times (setup does not reset them).
  const CallTime& call_time(Primitive p) const { return calls_[static_cast<int>(p)]; }
  void reset_call_times();

 private:
  // The sizes of the staged problem the checks compare against.
  struct Shape {
    size_t pixels = 0, image = 0, stack = 0, candidates = 0;
  };
  class Timed;  // adds one call and its seconds to calls_

  void require_setup(const char* who) const;
  void require_levels(const char* who) const;
  void check(const char* who, const char* what, DVec v, size_t n, const char* expected) const;
  void check_ptr(const char* who, const char* what, DVec v) const;  // non-null unless empty
  void check_same(const char* who, const char* what, DVec v, DVec like, const char* like_name) const;
  void check_slot(const char* who, int slot) const;
  void check_alias(const char* who, DVec a, const char* a_name, DVec b, const char* b_name) const;

  virtual void do_setup(const Problem& p) = 0;
  virtual DVec do_stack() = 0;
  virtual DVec do_alloc(size_t n) = 0;
  virtual void do_fill(DVec x, float v) = 0;
  virtual void do_copy(DVec src, DVec dst) = 0;
  virtual void do_axpby(Coef a, DVec x, Coef b, DVec y) = 0;
  virtual void do_multiply(DVec m, DVec y) = 0;
  virtual void do_clip(DVec x, float lo, float hi) = 0;
  virtual void do_free_mask(DVec x, DVec g, float lo, float hi, DVec m) = 0;
  virtual void do_dot(DVec a, DVec b, int slot) = 0;
  virtual void do_sum(DVec a, int slot) = 0;
  virtual void do_scalar_set(int slot, double v) = 0;
  virtual void do_scalar_ratio(int num, int den, int out) = 0;
  virtual void do_scalar_sqrt(int in, int out) = 0;
  virtual void do_read_scalars(double* out, int count) = 0;
  virtual void do_init_aif(DVec x) = 0;
  virtual void do_blur_levels(DVec x) = 0;
  virtual void do_grid_search(DVec Z, DVec loss) = 0;
  virtual void do_golden_section(DVec Z, DVec loss) = 0;
  virtual void do_pixel_loss(DVec Z, DVec loss) = 0;
  virtual void do_keep_better(DVec Z, DVec loss, DVec Z_old, DVec loss_old) = 0;
  virtual void do_loss_profile_stats(DVec confidence, DVec unimodal) = 0;
  virtual void do_candidate_losses(DVec V) = 0;
  virtual void do_window_mean_planes(DVec maps, int planes, int w, DVec tmp) = 0;
  virtual void do_edge_weights(DVec x, float scale, float floor, DVec g) = 0;
  virtual void do_rof_iterations(DVec u, DVec q, DVec a, DVec g, float step, float theta, float eps, int iterations,
                                 DVec u_bar) = 0;
  virtual void do_coupled_search(DVec V, DVec u, float weight, DVec a, DVec loss) = 0;
  virtual void do_coupled_golden_section(DVec Z, DVec loss, DVec u, float weight) = 0;
  virtual void do_tv_sum(DVec Z, DVec g, float step, float eps, int slot) = 0;
  virtual void do_huber_weights(DVec x, float delta, DVec w) = 0;
  virtual void do_weighted_gradient(DVec x, DVec w, float scale, DVec out) = 0;
  virtual void do_weighted_gradient_adjoint(DVec p, DVec w, float scale, DVec x) = 0;
  virtual void do_huber_sum(DVec x, float delta, int slot) = 0;
  virtual void do_set_depth(DVec Z) = 0;
  virtual void do_apply_A(DVec x, DVec y) = 0;
  virtual void do_apply_At(DVec y, DVec x) = 0;
  virtual void do_download(DVec v, float* host) = 0;
  virtual void do_upload(const float* host, DVec v) = 0;

  bool ready_ = false;         // setup succeeded
  bool levels_valid_ = false;  // blur_levels ran since setup and the last apply_A / apply_At
  bool depth_set_ = false;     // set_depth ran since setup
  Shape shape_;
  CallTime calls_[kPrimitives];
};

}  // namespace dfd
