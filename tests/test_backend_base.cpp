// The Backend base (dfd/backend.h, src/model/backend.cpp): every public primitive checks its
// arguments against the staged problem before the backend sees them, names the primitive and
// the sizes in its error, and counts and times the calls. A recording backend shows that a
// misuse never reaches do_<primitive>; the CPU backend shows the same checks and counters on the
// real thing.
#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "cpu/cpu_backend.h"
#include "dfd/backend.h"
#include "dfd/error.h"
#include "dfd/solver.h"
#include "test_util.h"

namespace dfd {
namespace {

using P = Backend::Primitive;

// Host vectors and a count of the do_ calls that got through the base's checks.
class RecordingBackend final : public Backend {
 public:
  int reached = 0;

  const char* name() const override { return "test"; }
  std::string device() const override { return "test device"; }
  size_t memory_estimate(const Problem&) const override { return 0; }
  size_t peak_memory() const override { return 0; }

 private:
  void hit() { ++reached; }
  void do_setup(const Problem& p) override {
    hit();
    stack_.assign(p.stack, p.stack + p.stack_size());
  }
  DVec do_stack() override {
    hit();
    return DVec{stack_.data(), stack_.size()};
  }
  DVec do_alloc(size_t n) override {
    hit();
    vectors_.emplace_back(n, 0.f);
    return DVec{vectors_.back().data(), n};
  }
  void do_fill(DVec, float) override { hit(); }
  void do_copy(DVec, DVec) override { hit(); }
  void do_axpby(Coef, DVec, Coef, DVec) override { hit(); }
  void do_multiply(DVec, DVec) override { hit(); }
  void do_clip(DVec, float, float) override { hit(); }
  void do_free_mask(DVec, DVec, float, float, DVec) override { hit(); }
  void do_dot(DVec, DVec, int) override { hit(); }
  void do_sum(DVec, int) override { hit(); }
  void do_scalar_set(int, double) override { hit(); }
  void do_scalar_ratio(int, int, int) override { hit(); }
  void do_scalar_sqrt(int, int) override { hit(); }
  void do_read_scalars(double*, int) override { hit(); }
  void do_init_aif(DVec) override { hit(); }
  void do_blur_levels(DVec) override { hit(); }
  void do_grid_search(DVec, DVec) override { hit(); }
  void do_golden_section(DVec, DVec) override { hit(); }
  void do_pixel_loss(DVec, DVec) override { hit(); }
  void do_keep_better(DVec, DVec, DVec, DVec) override { hit(); }
  void do_loss_profile_stats(DVec, DVec) override { hit(); }
  void do_candidate_losses(DVec) override { hit(); }
  void do_window_mean_planes(DVec, int, int, DVec) override { hit(); }
  void do_edge_weights(DVec, float, float, DVec) override { hit(); }
  void do_rof_iterations(DVec, DVec, DVec, DVec, float, float, float, int, DVec) override { hit(); }
  void do_coupled_search(DVec, DVec, float, DVec, DVec) override { hit(); }
  void do_coupled_golden_section(DVec, DVec, DVec, float) override { hit(); }
  void do_tv_sum(DVec, DVec, float, float, int) override { hit(); }
  void do_huber_weights(DVec, float, DVec) override { hit(); }
  void do_weighted_gradient(DVec, DVec, float, DVec) override { hit(); }
  void do_weighted_gradient_adjoint(DVec, DVec, float, DVec) override { hit(); }
  void do_huber_sum(DVec, float, int) override { hit(); }
  void do_set_depth(DVec) override { hit(); }
  void do_apply_A(DVec, DVec) override { hit(); }
  void do_apply_At(DVec, DVec) override { hit(); }
  void do_download(DVec, float*) override { hit(); }
  void do_upload(const float*, DVec) override { hit(); }

  std::vector<float> stack_;
  std::deque<std::vector<float>> vectors_;
};

// 8 x 6 pixels, 2 channels, 3 frames, 5 candidates: pixels 48, image 96, stack 288, V 240.
Problem small_problem(const std::vector<float>& stack) {
  Problem p;
  p.width = 8;
  p.height = 6;
  p.channels = 2;
  p.frames = 3;
  p.stack = stack.data();
  p.focus_distances = {1.0, 2.0, 4.0};
  p.K = 7;
  p.levels = LevelPlan::make(p.camera.thresh, max_blur_sigma(p.camera, p.focus_distances, 0.5, 5.0), p.K);
  p.candidates = {0.5, 1.0, 2.0, 3.0, 5.0};
  return p;
}

// Runs fn, which must throw Error(Runtime) whose message holds every one of `says`.
template <class Fn>
void expect_misuse(Fn&& fn, const std::vector<std::string>& says) {
  try {
    fn();
    ADD_FAILURE() << "no error; expected one saying " << says.front();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Runtime) << e.what();
    for (const std::string& s : says) EXPECT_NE(std::string(e.what()).find(s), std::string::npos) << e.what();
  }
}

class BackendBase : public ::testing::Test {
 protected:
  void SetUp() override {
    p_ = small_problem(stack_);
    be_.setup(p_);
    be_.reached = 0;
  }
  std::vector<float> stack_ = std::vector<float>(288, 1.f);
  Problem p_;
  RecordingBackend be_;
};

TEST(BackendBaseSetup, EveryPrimitiveNeedsSetupAndAnInvalidProblemNeverReachesTheBackend) {
  RecordingBackend be;
  std::vector<float> buf(48);
  const DVec v{buf.data(), buf.size()};
  expect_misuse([&] { be.stack(); }, {"test backend: stack called before setup()"});
  expect_misuse([&] { be.alloc(4); }, {"test backend: alloc called before setup()"});
  expect_misuse([&] { be.fill(v, 0.f); }, {"test backend: fill called before setup()"});
  expect_misuse([&] { be.init_aif(v); }, {"test backend: init_aif called before setup()"});
  expect_misuse([&] { be.grid_search(v, v); }, {"test backend: grid_search called before setup()"});
  expect_misuse([&] { be.download(v, buf.data()); }, {"test backend: download called before setup()"});
  std::vector<float> stack(288, 1.f);
  Problem bad = small_problem(stack);
  bad.K = 9;  // the plan is for K = 7
  try {
    be.setup(bad);
    ADD_FAILURE() << "no error for a plan of another K";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Input);
    EXPECT_EQ(std::string(e.what()).rfind("test backend: ", 0), 0u) << e.what();
  }
  EXPECT_EQ(be.reached, 0);
  EXPECT_EQ(be.call_time(P::setup).calls, 0);  // rejected before the backend's setup ran
  be.setup(small_problem(stack));
  EXPECT_EQ(be.reached, 1);
  EXPECT_EQ(be.call_time(P::setup).calls, 1);
}

TEST_F(BackendBase, WrongSizesNameThePrimitiveAndBothSizes) {
  DVec img = be_.alloc(96), hw = be_.alloc(48), bad = be_.alloc(47), stk = be_.alloc(288);
  be_.reached = 0;
  expect_misuse([&] { be_.init_aif(hw); }, {"test backend: init_aif: x has 48 elements, expected 96", "C x H x W"});
  expect_misuse([&] { be_.blur_levels(bad); }, {"blur_levels: x has 47 elements, expected 96"});
  be_.blur_levels(img);
  expect_misuse([&] { be_.grid_search(bad, hw); }, {"test backend: grid_search: Z has 47 elements, expected 48"});
  expect_misuse([&] { be_.grid_search(hw, bad); }, {"grid_search: loss has 47 elements, expected 48", "H x W"});
  expect_misuse([&] { be_.candidate_losses(hw); }, {"candidate_losses: V has 48 elements, expected 240", "N x H x W"});
  expect_misuse([&] { be_.copy(hw, bad); }, {"copy: destination has 47 elements, expected 48"});
  expect_misuse([&] { be_.dot(hw, bad, 0); }, {"dot: b has 47 elements, expected 48"});
  expect_misuse([&] { be_.keep_better(hw, hw, bad, hw); }, {"keep_better: Z_old has 47 elements, expected 48"});
  expect_misuse([&] { be_.weighted_gradient(img, img, 1.f, img); }, {"weighted_gradient: out has 96", "expected 192"});
  expect_misuse([&] { be_.rof_iterations(hw, hw, hw, hw, 1.f, 1.f, 1.f, 1, hw); }, {"rof_iterations: q has 48"});
  be_.set_depth(hw);
  expect_misuse([&] { be_.apply_A(img, img); }, {"apply_A: y has 96 elements, expected 288", "F x C x H x W"});
  expect_misuse([&] { be_.apply_At(stk, hw); }, {"apply_At: x has 48 elements, expected 96"});
  // A null vector of the right size, null host pointers.
  expect_misuse([&] { be_.pixel_loss(DVec{nullptr, 48}, hw); }, {"pixel_loss: Z is null"});
  expect_misuse([&] { be_.download(hw, nullptr); }, {"download: host pointer is null"});
  EXPECT_EQ(be_.reached, 2);  // blur_levels and set_depth only
}

TEST_F(BackendBase, OrderSlotsAndAliasingAreChecked) {
  DVec img = be_.alloc(96), hw = be_.alloc(48), q = be_.alloc(96), V = be_.alloc(240), stk = be_.alloc(288);
  be_.reached = 0;
  // The level buffer: none before blur_levels, none after apply_A / apply_At reused it.
  expect_misuse([&] { be_.grid_search(hw, hw); }, {"test backend: grid_search needs blur_levels() first"});
  expect_misuse([&] { be_.loss_profile_stats(hw, hw); }, {"loss_profile_stats needs blur_levels() first"});
  expect_misuse([&] { be_.apply_A(img, stk); }, {"test backend: apply_A called before set_depth()"});
  be_.blur_levels(img);
  be_.grid_search(hw, hw);
  be_.set_depth(hw);
  be_.apply_At(stk, img);
  expect_misuse([&] { be_.golden_section(hw, hw); }, {"golden_section needs blur_levels() first"});
  be_.blur_levels(img);
  be_.candidate_losses(V);
  // A new setup forgets both.
  be_.setup(p_);
  expect_misuse([&] { be_.pixel_loss(hw, hw); }, {"pixel_loss needs blur_levels() first"});
  expect_misuse([&] { be_.apply_At(stk, img); }, {"apply_At called before set_depth()"});
  hw = be_.alloc(48);
  q = be_.alloc(96);
  DVec u = be_.alloc(48), a = be_.alloc(48);
  const int reached = be_.reached;
  expect_misuse([&] { be_.dot(hw, hw, Backend::kScalarSlots); }, {"dot: scalar slot 16 out of range 0..15"});
  expect_misuse([&] { be_.axpby(Coef::of(-1), hw, Coef::of(16), hw); }, {"axpby: scalar slot 16"});
  expect_misuse([&] { be_.scalar_ratio(0, 1, -2); }, {"scalar_ratio: scalar slot -2"});
  expect_misuse([&] { be_.read_scalars(nullptr, 17); }, {"read_scalars: count 17 out of range 0..16"});
  expect_misuse([&] { be_.rof_iterations(u, q, a, hw, 1.f, 1.f, 1.f, 1, u); }, {"u_bar must not alias u"});
  expect_misuse([&] { be_.window_mean_planes(hw, 1, 3, hw); }, {"window_mean_planes: tmp must not alias maps"});
  expect_misuse([&] { be_.window_mean_planes(hw, 1, 3, be_.alloc(10)); }, {"tmp has 10", "at least 48"});
  expect_misuse([&] { be_.window_mean_planes(hw, -1, 3, u); }, {"negative plane count"});
  EXPECT_EQ(be_.reached, reached + 1);                 // the alloc(10) only
  be_.axpby(Coef::of(-1, 2.f), hw, Coef::of(15), hw);  // a negative slot is a constant
  be_.window_mean_planes(hw, 1, 1, u);                 // w <= 1: no window, nothing to do
  be_.window_mean_planes(hw, 1, 3, u);
  EXPECT_EQ(be_.reached, reached + 3);
}

TEST_F(BackendBase, CallsAreCountedAndTimed) {
  DVec x = be_.alloc(5), y = be_.alloc(5);
  for (int k = 0; k < 3; ++k) be_.fill(x, 1.f);
  be_.copy(x, y);
  expect_misuse([&] { be_.copy(x, be_.alloc(4)); }, {"copy"});  // rejected calls are not counted
  EXPECT_EQ(be_.call_time(P::fill).calls, 3);
  EXPECT_EQ(be_.call_time(P::copy).calls, 1);
  EXPECT_EQ(be_.call_time(P::alloc).calls, 3);
  EXPECT_EQ(be_.call_time(P::setup).calls, 1);  // SetUp's
  EXPECT_EQ(be_.call_time(P::grid_search).calls, 0);
  EXPECT_GE(be_.call_time(P::fill).seconds, 0.0);
  EXPECT_LT(be_.call_time(P::fill).seconds, 1.0);
  be_.reset_call_times();
  for (int k = 0; k < Backend::kPrimitives; ++k) {
    EXPECT_EQ(be_.call_time(static_cast<P>(k)).calls, 0);
    EXPECT_EQ(be_.call_time(static_cast<P>(k)).seconds, 0.0);
  }
  // Every primitive has its own name.
  std::vector<std::string> names;
  for (int k = 0; k < Backend::kPrimitives; ++k) names.push_back(Backend::primitive_name(static_cast<P>(k)));
  EXPECT_EQ(names.front(), "setup");
  EXPECT_EQ(names.back(), "upload");
  EXPECT_EQ(std::string(Backend::primitive_name(P::grid_search)), "grid_search");
  for (size_t i = 0; i < names.size(); ++i)
    for (size_t j = i + 1; j < names.size(); ++j) EXPECT_NE(names[i], names[j]);
}

// The same checks on the CPU backend, and its counters over a whole solve.
TEST(BackendBaseCpu, ChecksAndCountersOnTheCpuBackend) {
  std::vector<float> stack(288, 1.f);
  const Problem p = small_problem(stack);
  CpuBackend be(1);
  expect_misuse([&] { be.alloc(3); }, {"cpu backend: alloc called before setup()"});
  be.setup(p);
  DVec hw = be.alloc(48), img = be.alloc(96);
  expect_misuse([&] { be.grid_search(hw, hw); }, {"cpu backend: grid_search needs blur_levels() first"});
  expect_misuse([&] { be.set_depth(img); }, {"cpu backend: set_depth: Z has 96 elements, expected 48"});
  be.blur_levels(img);
  be.grid_search(hw, hw);
  EXPECT_EQ(be.call_time(P::grid_search).calls, 1);
  EXPECT_EQ(be.call_time(P::blur_levels).calls, 1);

  FocalStack fs;
  fs.focus_distances = {1.0, 1.5, 2.5, 4.0, 6.0};
  fs.range = 255.0;
  for (size_t i = 0; i < fs.focus_distances.size(); ++i)
    fs.frames.push_back(test::random_image(24, 16, 1, 20.f, 235.f, 3 + static_cast<uint32_t>(i)));
  Options opt = preset_options("nyuv2");
  opt.kernel_size = 7;
  opt.epochs = 2;
  opt.threads = 1;
  opt.regularizer = Regularizer::None;  // the plain depth step: grid search, then golden section
  be.reset_call_times();
  const Result r = solve(fs, opt, be);
  EXPECT_EQ(be.call_time(P::setup).calls, 1);
  EXPECT_GE(be.call_time(P::grid_search).calls, 2);  // a depth step an epoch
  EXPECT_EQ(be.call_time(P::golden_section).calls, be.call_time(P::grid_search).calls);
  EXPECT_GE(be.call_time(P::blur_levels).calls, 2);
  EXPECT_GT(be.call_time(P::apply_A).calls, 0);
  EXPECT_GT(be.call_time(P::apply_At).calls, 0);
  double total = 0.0;
  for (int k = 0; k < Backend::kPrimitives; ++k) total += be.call_time(static_cast<P>(k)).seconds;
  EXPECT_GT(total, 0.0);
  EXPECT_LE(total, r.seconds);  // the primitives run inside the solve
}

// memory_estimate sums the plan setup allocates from and the solver's own vectors
// (Problem::solver_floats): never below the peak a whole solve reaches, for plain, windowed,
// regularised and colour problems on either blur path.
TEST(BackendBaseCpu, MemoryEstimateCoversThePeakOfASolve) {
  struct Shape {
    int W, H, C, window;
    Regularizer reg;
    BlurPath path;
  };
  const Shape shapes[] = {{24, 16, 1, 0, Regularizer::None, BlurPath::Auto},
                          {30, 20, 3, 5, Regularizer::None, BlurPath::Separable},
                          {28, 18, 1, 3, Regularizer::Tv, BlurPath::Fft},
                          {20, 26, 2, 0, Regularizer::Tv, BlurPath::Auto}};
  for (const Shape& s : shapes) {
    FocalStack fs;
    fs.focus_distances = {1.0, 1.5, 2.5, 4.0, 6.0};
    fs.range = 255.0;
    for (size_t i = 0; i < fs.focus_distances.size(); ++i)
      fs.frames.push_back(test::random_image(s.W, s.H, s.C, 20.f, 235.f, 11 + static_cast<uint32_t>(i)));
    Options opt = preset_options("nyuv2");
    opt.kernel_size = 7;
    opt.epochs = 2;
    opt.threads = 2;
    opt.window = s.window;
    opt.regularizer = s.reg;
    opt.edge_pad = 0;
    CpuBackend be(2);
    be.force_blur_path(s.path);
    const Result r = solve(fs, opt, be);
    const size_t estimate = be.memory_estimate(make_problem(fs, opt));
    EXPECT_GT(r.peak_memory, 0u);
    EXPECT_LE(r.peak_memory, estimate) << s.W << "x" << s.H << "x" << s.C << " window " << s.window;
    // ... and not far above it: the plan is the allocation, not a bound picked for safety.
    EXPECT_LE(estimate, r.peak_memory + r.peak_memory / 4) << s.W << "x" << s.H << "x" << s.C;
  }
}

}  // namespace
}  // namespace dfd
