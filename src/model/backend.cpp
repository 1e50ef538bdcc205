// The backend base (dfd/backend.h): each public primitive checks its arguments against the
// staged problem once, counts and times the call, then calls the backend's do_<primitive>.
// The checks live here and nowhere else: CpuBackend and CudaBackend implement only do_*.
#include <chrono>
#include <string>

#include "dfd/backend.h"
#include "dfd/error.h"

namespace dfd {

namespace {

const char* const kNames[] = {
    "setup",
    "stack",
    "alloc",
    "fill",
    "copy",
    "axpby",
    "multiply",
    "clip",
    "free_mask",
    "dot",
    "sum",
    "scalar_set",
    "scalar_ratio",
    "scalar_sqrt",
    "read_scalars",
    "init_aif",
    "blur_levels",
    "grid_search",
    "golden_section",
    "pixel_loss",
    "keep_better",
    "loss_profile_stats",
    "candidate_losses",
    "window_mean_planes",
    "edge_weights",
    "rof_iterations",
    "coupled_search",
    "coupled_golden_section",
    "tv_sum",
    "huber_weights",
    "weighted_gradient",
    "weighted_gradient_adjoint",
    "huber_sum",
    "set_depth",
    "apply_A",
    "apply_At",
    "download",
    "upload",
};
static_assert(sizeof(kNames) / sizeof(kNames[0]) == Backend::kPrimitives, "a name for every Backend::Primitive");

using P = Backend::Primitive;

// What each size the checks expect is, for the messages.
constexpr const char* kPixels = "the problem's pixels, H x W";
constexpr const char* kImage = "one image, C x H x W";
constexpr const char* kStack = "the stack, F x C x H x W";
constexpr const char* kCandidates = "one map a candidate, N x H x W";
constexpr const char* kTwoPixels = "two maps, 2 x H x W";
constexpr const char* kTwoImages = "two images, 2 x C x H x W";

}  // namespace

// One call's seconds (steady_clock, host side) added to its primitive's entry on scope exit,
// also when the backend throws.
class Backend::Timed {
 public:
  Timed(Backend& be, Primitive p) : entry_(be.calls_[static_cast<int>(p)]), t0_(std::chrono::steady_clock::now()) {}
  ~Timed() {
    ++entry_.calls;
    entry_.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  }
  Timed(const Timed&) = delete;
  Timed& operator=(const Timed&) = delete;

 private:
  CallTime& entry_;
  std::chrono::steady_clock::time_point t0_;
};

const char* Backend::primitive_name(Primitive p) {
  const int k = static_cast<int>(p);
  return k >= 0 && k < kPrimitives ? kNames[k] : "?";
}

void Backend::reset_call_times() {
  for (CallTime& c : calls_) c = CallTime{};
}

// ---- Checks ----------------------------------------------------------------------------------

void Backend::require_setup(const char* who) const {
  if (!ready_) throw_runtime(std::string(name()) + " backend: " + who + " called before setup()");
}

void Backend::require_levels(const char* who) const {
  require_setup(who);
  if (!levels_valid_)
    throw_runtime(std::string(name()) + " backend: " + who +
                  " needs blur_levels() first (apply_A / apply_At reuse the level buffer)");
}

void Backend::check(const char* who, const char* what, DVec v, size_t n, const char* expected) const {
  if (v.size != n)
    throw_runtime(std::string(name()) + " backend: " + who + ": " + what + " has " + std::to_string(v.size) +
                  " elements, expected " + std::to_string(n) + " (" + expected + ")");
  if (!v.ptr && n > 0) throw_runtime(std::string(name()) + " backend: " + who + ": " + what + " is null");
}

void Backend::check_ptr(const char* who, const char* what, DVec v) const {
  if (!v.ptr && v.size > 0) throw_runtime(std::string(name()) + " backend: " + who + ": " + what + " is null");
}

void Backend::check_same(const char* who, const char* what, DVec v, DVec like, const char* like_name) const {
  if (v.size != like.size)
    throw_runtime(std::string(name()) + " backend: " + who + ": " + what + " has " + std::to_string(v.size) +
                  " elements, expected " + std::to_string(like.size) + " (as " + like_name + ")");
  check_ptr(who, what, v);
  check_ptr(who, like_name, like);
}

void Backend::check_slot(const char* who, int slot) const {
  if (slot < 0 || slot >= kScalarSlots)
    throw_runtime(std::string(name()) + " backend: " + who + ": scalar slot " + std::to_string(slot) +
                  " out of range 0.." + std::to_string(kScalarSlots - 1));
}

void Backend::check_alias(const char* who, DVec a, const char* a_name, DVec b, const char* b_name) const {
  if (a.ptr && a.ptr == b.ptr)
    throw_runtime(std::string(name()) + " backend: " + who + ": " + a_name + " must not alias " + b_name);
}

// ---- Setup and memory --------------------------------------------------------------------------

void Backend::setup(const Problem& p) {
  ready_ = levels_valid_ = depth_set_ = false;
  p.validate(std::string(name()) + " backend");
  {
    Timed t(*this, P::setup);
    do_setup(p);
  }
  shape_ = Shape{p.pixels(), p.image_size(), p.stack_size(), p.candidates.size()};
  ready_ = true;
}

DVec Backend::stack() {
  require_setup("stack");
  Timed t(*this, P::stack);
  return do_stack();
}

DVec Backend::alloc(size_t n) {
  require_setup("alloc");
  Timed t(*this, P::alloc);
  return do_alloc(n);
}

// ---- Vector algebra ----------------------------------------------------------------------------

void Backend::fill(DVec x, float v) {
  require_setup("fill");
  check_ptr("fill", "x", x);
  Timed t(*this, P::fill);
  do_fill(x, v);
}

void Backend::copy(DVec src, DVec dst) {
  require_setup("copy");
  check_same("copy", "destination", dst, src, "the source");
  Timed t(*this, P::copy);
  do_copy(src, dst);
}

void Backend::axpby(Coef a, DVec x, Coef b, DVec y) {
  require_setup("axpby");
  check_same("axpby", "y", y, x, "x");
  if (a.slot >= 0) check_slot("axpby", a.slot);  // a negative slot is a constant
  if (b.slot >= 0) check_slot("axpby", b.slot);
  Timed t(*this, P::axpby);
  do_axpby(a, x, b, y);
}

void Backend::multiply(DVec m, DVec y) {
  require_setup("multiply");
  check_same("multiply", "y", y, m, "m");
  Timed t(*this, P::multiply);
  do_multiply(m, y);
}

void Backend::clip(DVec x, float lo, float hi) {
  require_setup("clip");
  check_ptr("clip", "x", x);
  Timed t(*this, P::clip);
  do_clip(x, lo, hi);
}

void Backend::free_mask(DVec x, DVec g, float lo, float hi, DVec m) {
  require_setup("free_mask");
  check_same("free_mask", "g", g, x, "x");
  check_same("free_mask", "m", m, x, "x");
  Timed t(*this, P::free_mask);
  do_free_mask(x, g, lo, hi, m);
}

void Backend::dot(DVec a, DVec b, int slot) {
  require_setup("dot");
  check_same("dot", "b", b, a, "a");
  check_slot("dot", slot);
  Timed t(*this, P::dot);
  do_dot(a, b, slot);
}

void Backend::sum(DVec a, int slot) {
  require_setup("sum");
  check_ptr("sum", "a", a);
  check_slot("sum", slot);
  Timed t(*this, P::sum);
  do_sum(a, slot);
}

// ---- Scalars -----------------------------------------------------------------------------------

void Backend::scalar_set(int slot, double v) {
  require_setup("scalar_set");
  check_slot("scalar_set", slot);
  Timed t(*this, P::scalar_set);
  do_scalar_set(slot, v);
}

void Backend::scalar_ratio(int num, int den, int out) {
  require_setup("scalar_ratio");
  for (int s : {num, den, out}) check_slot("scalar_ratio", s);
  Timed t(*this, P::scalar_ratio);
  do_scalar_ratio(num, den, out);
}

void Backend::scalar_sqrt(int in, int out) {
  require_setup("scalar_sqrt");
  for (int s : {in, out}) check_slot("scalar_sqrt", s);
  Timed t(*this, P::scalar_sqrt);
  do_scalar_sqrt(in, out);
}

void Backend::read_scalars(double* out, int count) {
  require_setup("read_scalars");
  if (count < 0 || count > kScalarSlots)
    throw_runtime(std::string(name()) + " backend: read_scalars: count " + std::to_string(count) + " out of range 0.." +
                  std::to_string(kScalarSlots));
  if (!out && count > 0) throw_runtime(std::string(name()) + " backend: read_scalars: out is null");
  Timed t(*this, P::read_scalars);
  do_read_scalars(out, count);
}

// ---- The model ---------------------------------------------------------------------------------

void Backend::init_aif(DVec x) {
  require_setup("init_aif");
  check("init_aif", "x", x, shape_.image, kImage);
  Timed t(*this, P::init_aif);
  do_init_aif(x);
}

void Backend::blur_levels(DVec x) {
  require_setup("blur_levels");
  check("blur_levels", "x", x, shape_.image, kImage);
  levels_valid_ = false;
  {
    Timed t(*this, P::blur_levels);
    do_blur_levels(x);
  }
  levels_valid_ = true;
}

void Backend::grid_search(DVec Z, DVec loss) {
  require_levels("grid_search");
  check("grid_search", "Z", Z, shape_.pixels, kPixels);
  check("grid_search", "loss", loss, shape_.pixels, kPixels);
  Timed t(*this, P::grid_search);
  do_grid_search(Z, loss);
}

void Backend::golden_section(DVec Z, DVec loss) {
  require_levels("golden_section");
  check("golden_section", "Z", Z, shape_.pixels, kPixels);
  check("golden_section", "loss", loss, shape_.pixels, kPixels);
  Timed t(*this, P::golden_section);
  do_golden_section(Z, loss);
}

void Backend::pixel_loss(DVec Z, DVec loss) {
  require_levels("pixel_loss");
  check("pixel_loss", "Z", Z, shape_.pixels, kPixels);
  check("pixel_loss", "loss", loss, shape_.pixels, kPixels);
  Timed t(*this, P::pixel_loss);
  do_pixel_loss(Z, loss);
}

void Backend::keep_better(DVec Z, DVec loss, DVec Z_old, DVec loss_old) {
  require_setup("keep_better");
  check_same("keep_better", "loss", loss, Z, "Z");
  check_same("keep_better", "Z_old", Z_old, Z, "Z");
  check_same("keep_better", "loss_old", loss_old, Z, "Z");
  Timed t(*this, P::keep_better);
  do_keep_better(Z, loss, Z_old, loss_old);
}

void Backend::loss_profile_stats(DVec confidence, DVec unimodal) {
  require_levels("loss_profile_stats");
  check("loss_profile_stats", "confidence", confidence, shape_.pixels, kPixels);
  check("loss_profile_stats", "unimodal", unimodal, shape_.pixels, kPixels);
  Timed t(*this, P::loss_profile_stats);
  do_loss_profile_stats(confidence, unimodal);
}

// ---- Regularised depth step --------------------------------------------------------------------

void Backend::candidate_losses(DVec V) {
  require_levels("candidate_losses");
  check("candidate_losses", "V", V, shape_.candidates * shape_.pixels, kCandidates);
  Timed t(*this, P::candidate_losses);
  do_candidate_losses(V);
}

void Backend::window_mean_planes(DVec maps, int planes, int w, DVec tmp) {
  const char* who = "window_mean_planes";
  require_setup(who);
  if (planes < 0) throw_runtime(std::string(name()) + " backend: " + who + ": negative plane count");
  check(who, "maps", maps, static_cast<size_t>(planes) * shape_.pixels, "`planes` maps of H x W");
  if (tmp.size < shape_.pixels || !tmp.ptr)
    throw_runtime(std::string(name()) + " backend: " + who + ": tmp has " + std::to_string(tmp.size) +
                  " elements, expected at least " + std::to_string(shape_.pixels) + " (" + kPixels + ")");
  check_alias(who, tmp, "tmp", maps, "maps");
  Timed t(*this, P::window_mean_planes);
  if (w <= 1 || planes == 0) return;  // no window: nothing to average
  do_window_mean_planes(maps, planes, w, tmp);
}

void Backend::edge_weights(DVec x, float scale, float floor, DVec g) {
  require_setup("edge_weights");
  check("edge_weights", "x", x, shape_.image, kImage);
  check("edge_weights", "g", g, shape_.pixels, kPixels);
  Timed t(*this, P::edge_weights);
  do_edge_weights(x, scale, floor, g);
}

void Backend::rof_iterations(DVec u, DVec q, DVec a, DVec g, float step, float theta, float eps, int iterations,
                             DVec u_bar) {
  const char* who = "rof_iterations";
  require_setup(who);
  check(who, "u", u, shape_.pixels, kPixels);
  check(who, "q", q, 2 * shape_.pixels, kTwoPixels);
  check(who, "a", a, shape_.pixels, kPixels);
  check(who, "g", g, shape_.pixels, kPixels);
  check(who, "u_bar", u_bar, shape_.pixels, kPixels);
  // u_bar is written while the next dual pass reads its neighbours, u while the primal pass
  // reads a: distinct buffers, or a parallel backend's passes would race.
  check_alias(who, u_bar, "u_bar", u, "u");
  check_alias(who, u_bar, "u_bar", a, "a");
  check_alias(who, u_bar, "u_bar", g, "g");
  Timed t(*this, P::rof_iterations);
  do_rof_iterations(u, q, a, g, step, theta, eps, iterations, u_bar);
}

void Backend::coupled_search(DVec V, DVec u, float weight, DVec a, DVec loss) {
  require_setup("coupled_search");
  check("coupled_search", "V", V, shape_.candidates * shape_.pixels, kCandidates);
  check("coupled_search", "u", u, shape_.pixels, kPixels);
  check("coupled_search", "a", a, shape_.pixels, kPixels);
  check("coupled_search", "loss", loss, shape_.pixels, kPixels);
  Timed t(*this, P::coupled_search);
  do_coupled_search(V, u, weight, a, loss);
}

void Backend::coupled_golden_section(DVec Z, DVec loss, DVec u, float weight) {
  require_levels("coupled_golden_section");
  check("coupled_golden_section", "Z", Z, shape_.pixels, kPixels);
  check("coupled_golden_section", "loss", loss, shape_.pixels, kPixels);
  check("coupled_golden_section", "u", u, shape_.pixels, kPixels);
  Timed t(*this, P::coupled_golden_section);
  do_coupled_golden_section(Z, loss, u, weight);
}

void Backend::tv_sum(DVec Z, DVec g, float step, float eps, int slot) {
  require_setup("tv_sum");
  check("tv_sum", "Z", Z, shape_.pixels, kPixels);
  check("tv_sum", "g", g, shape_.pixels, kPixels);
  check_slot("tv_sum", slot);
  Timed t(*this, P::tv_sum);
  do_tv_sum(Z, g, step, eps, slot);
}

// ---- Regularised AIF step ----------------------------------------------------------------------

void Backend::huber_weights(DVec x, float delta, DVec w) {
  require_setup("huber_weights");
  check("huber_weights", "x", x, shape_.image, kImage);
  check("huber_weights", "w", w, shape_.image, kImage);
  Timed t(*this, P::huber_weights);
  do_huber_weights(x, delta, w);
}

void Backend::weighted_gradient(DVec x, DVec w, float scale, DVec out) {
  require_setup("weighted_gradient");
  check("weighted_gradient", "x", x, shape_.image, kImage);
  check("weighted_gradient", "w", w, shape_.image, kImage);
  check("weighted_gradient", "out", out, 2 * shape_.image, kTwoImages);
  Timed t(*this, P::weighted_gradient);
  do_weighted_gradient(x, w, scale, out);
}

void Backend::weighted_gradient_adjoint(DVec p, DVec w, float scale, DVec x) {
  require_setup("weighted_gradient_adjoint");
  check("weighted_gradient_adjoint", "p", p, 2 * shape_.image, kTwoImages);
  check("weighted_gradient_adjoint", "w", w, shape_.image, kImage);
  check("weighted_gradient_adjoint", "x", x, shape_.image, kImage);
  Timed t(*this, P::weighted_gradient_adjoint);
  do_weighted_gradient_adjoint(p, w, scale, x);
}

void Backend::huber_sum(DVec x, float delta, int slot) {
  require_setup("huber_sum");
  check("huber_sum", "x", x, shape_.image, kImage);
  check_slot("huber_sum", slot);
  Timed t(*this, P::huber_sum);
  do_huber_sum(x, delta, slot);
}

// ---- The operator ------------------------------------------------------------------------------

void Backend::set_depth(DVec Z) {
  require_setup("set_depth");
  check("set_depth", "Z", Z, shape_.pixels, kPixels);
  depth_set_ = false;
  {
    Timed t(*this, P::set_depth);
    do_set_depth(Z);
  }
  depth_set_ = true;
}

void Backend::apply_A(DVec x, DVec y) {
  require_setup("apply_A");
  if (!depth_set_) throw_runtime(std::string(name()) + " backend: apply_A called before set_depth()");
  check("apply_A", "x", x, shape_.image, kImage);
  check("apply_A", "y", y, shape_.stack, kStack);
  levels_valid_ = false;  // the level buffer holds the blurs of x from here
  Timed t(*this, P::apply_A);
  do_apply_A(x, y);
}

void Backend::apply_At(DVec y, DVec x) {
  require_setup("apply_At");
  if (!depth_set_) throw_runtime(std::string(name()) + " backend: apply_At called before set_depth()");
  check("apply_At", "y", y, shape_.stack, kStack);
  check("apply_At", "x", x, shape_.image, kImage);
  levels_valid_ = false;  // the level buffer holds T_l from here
  Timed t(*this, P::apply_At);
  do_apply_At(y, x);
}

// ---- Transfers ---------------------------------------------------------------------------------

void Backend::download(DVec v, float* host) {
  require_setup("download");
  check_ptr("download", "v", v);
  if (!host && v.size > 0) throw_runtime(std::string(name()) + " backend: download: host pointer is null");
  Timed t(*this, P::download);
  do_download(v, host);
}

void Backend::upload(const float* host, DVec v) {
  require_setup("upload");
  check_ptr("upload", "v", v);
  if (!host && v.size > 0) throw_runtime(std::string(name()) + " backend: upload: host pointer is null");
  Timed t(*this, P::upload);
  do_upload(host, v);
}

}  // namespace dfd
