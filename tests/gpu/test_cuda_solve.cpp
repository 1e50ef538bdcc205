// CUDA backend end to end and its resource contract: the initial AIF and a whole solve
// against the CPU backend, the memory estimate against the peak, out-of-memory as an error.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "dfd/backends.h"
#include "dfd/error.h"
#include "dfd/metrics.h"
#include "dfd/solver.h"
#include "gpu_test_util.h"

namespace dfd {
namespace {

using gputest::get;
using gputest::put;

// The same frame choice per pixel except where two frames' smoothed sharpness agree to
// within rounding (exp and the 9-tap sums differ by an ulp or two between the backends):
// rare on a textured scene, at most 1% of pixels; and every pixel's colour is copied exactly
// from one frame.
TEST(CudaInitAif, MatchesCpu) {
  DFD_REQUIRE_CUDA();
  const gputest::Scene sc = gputest::make_scene(gputest::SceneSpec{});
  const Problem& p = sc.problem;
  gputest::Backends be(p);
  std::vector<float> out[2];
  int k = 0;
  for (Backend* b : {be.cpu.get(), static_cast<Backend*>(be.gpu.get())}) {
    DVec x = b->alloc(p.image_size());
    b->fill(x, -1.f);  // no valid colour is negative: an unwritten pixel shows
    b->init_aif(x);
    out[k++] = get(*b, x);
  }
  const size_t HW = p.pixels(), C = p.channels;
  size_t differ = 0;
  for (size_t q = 0; q < HW; ++q) {
    bool same = true, from_a_frame = false;
    for (size_t c = 0; c < C; ++c) same = same && out[1][c * HW + q] == out[0][c * HW + q];
    for (int i = 0; i < p.frames && !from_a_frame; ++i) {
      bool match = true;
      for (size_t c = 0; c < C; ++c) match = match && out[1][c * HW + q] == sc.stack[(i * C + c) * HW + q];
      from_a_frame = match;
    }
    EXPECT_TRUE(from_a_frame) << "pixel " << q;
    differ += !same;
  }
  EXPECT_LE(differ, HW / 100) << differ << " pixels took another frame than on the CPU";
}

// dfd::solve on both backends from a textured scene: the GPU's final depth within AbsRel
// 1e-3 of the CPU's. Both run the same solver code on operators that agree to ~1e-6; what
// remains are pixels where rounding tips a grid-search near-tie (one candidate step, 0.1 m).
TEST(CudaSolve, MatchesCpuEndToEnd) {
  DFD_REQUIRE_CUDA();
  gputest::SceneSpec spec;
  spec.width = 96;
  spec.height = 72;
  const gputest::Scene sc = gputest::make_scene(spec);
  const FocalStack stack = gputest::focal_stack(sc);
  Options opt = preset_options("nyuv2");
  opt.kernel_size = spec.K;
  opt.epochs = 4;
  opt.threads = 2;
  opt.validate(&stack);
  auto cpu = make_cpu_backend(2);
  cuda::CudaBackend gpu;
  const Result rc = solve(stack, opt, *cpu);
  const Result rg = solve(stack, opt, gpu);
  ASSERT_EQ(rg.depth.size(), rc.depth.size());
  EXPECT_EQ(rg.backend, "cuda");
  const DepthMetrics between = depth_metrics(rg.depth, rc.depth);
  EXPECT_LE(between.absrel, 1e-3);
  // The AIFs follow from the depths; 35 dB is an RMS difference of 4.5 of 255.
  EXPECT_GE(psnr(rg.aif, rc.aif, 255.0), 35.0);
  // Both recover the scene about equally well.
  const DepthMetrics mg = depth_metrics(rg.depth, sc.depth), mc = depth_metrics(rc.depth, sc.depth);
  EXPECT_NEAR(mg.absrel, mc.absrel, 2e-3);
  // The final losses of the log agree (same steps, same guard decisions).
  ASSERT_EQ(rg.log.size(), rc.log.size());
  EXPECT_NEAR(rg.log.back().loss, rc.log.back().loss, 1e-2 * rc.log.back().loss + 1e-6);
  // Everything the solve allocated was in the estimate.
  EXPECT_LE(rg.peak_memory, gpu.memory_estimate(make_problem(stack, opt)));
  EXPECT_GT(rg.peak_memory, sizeof(float) * sc.stack.size());
}

// The regularised objective (Options::regularizer = Tv: the coupled depth step with its Huber-ROF
// prior, the AIF prior in CGLS) on an 8-bit-rounded stack (the noise level the priors scale
// with is then the rounding floor), both backends: the same solver code over primitives that
// agree to rounding, whose differences the alternating steps carry along while the objective
// still falls. Sized without a GPU by a CPU backend with Gaussian noise on its operator outputs
// and loss volume (relative r): at 6 epochs (the objective then falls by 4% per epoch), r = 3e-7
// / 1e-6 moved the final objective by 2e-6 / 1.3e-6 relative and the depth by AbsRel 4e-5 /
// 2.3e-4; at 3 epochs r = 1e-6 moved the objective by 1.7e-4. The direct blur path this size
// takes (K 11) rounds at ~1e-7. Hence 6 epochs, AbsRel 1e-3 and 1e-4 relative on the objective.
TEST(CudaSolve, RegularisedMatchesCpuEndToEnd) {
  DFD_REQUIRE_CUDA();
  gputest::SceneSpec spec;
  spec.width = 96;
  spec.height = 72;
  const gputest::Scene sc = gputest::make_scene(spec);
  FocalStack stack = gputest::focal_stack(sc);
  for (Image& f : stack.frames)
    for (float& v : f.data) v = std::min(255.f, std::max(0.f, std::round(v)));
  Options opt = preset_options("nyuv2");
  opt.kernel_size = spec.K;
  opt.epochs = 6;
  opt.threads = 2;
  opt.regularizer = Regularizer::Tv;
  opt.validate(&stack);
  auto cpu = make_cpu_backend(2);
  cuda::CudaBackend gpu;
  const Result rc = solve(stack, opt, *cpu);
  const Result rg = solve(stack, opt, gpu);
  ASSERT_TRUE(rc.depth_prior && rc.aif_prior) << "the priors did not run on the CPU";
  ASSERT_TRUE(rg.depth_prior && rg.aif_prior) << "the priors did not run on the GPU";
  // The same noise estimate (host code on the same stack), so the same weights.
  EXPECT_NEAR(rg.depth_prior_weight, rc.depth_prior_weight, 1e-12 * rc.depth_prior_weight);
  ASSERT_EQ(rg.depth.size(), rc.depth.size());
  EXPECT_LE(depth_metrics(rg.depth, rc.depth).absrel, 1e-3);
  ASSERT_EQ(rg.log.size(), rc.log.size());
  for (size_t k = 0; k < rg.log.size(); ++k) {
    SCOPED_TRACE("log entry " + std::to_string(k) + " (" + rg.log[k].step + ")");
    EXPECT_EQ(rg.log[k].step, rc.log[k].step);
    // Measured on both or on neither (NaN: not measured, as the initialisation's).
    EXPECT_EQ(std::isfinite(rg.log[k].objective), std::isfinite(rc.log[k].objective));
  }
  ASSERT_TRUE(std::isfinite(rc.log.back().objective));
  EXPECT_NEAR(rg.log.back().objective, rc.log.back().objective, 1e-4 * std::fabs(rc.log.back().objective));
  // The estimate, now from the solver's own count, covers the regularised solve's vectors too.
  EXPECT_LE(rg.peak_memory, gpu.memory_estimate(make_problem(stack, opt)));
}

// The floats a solver allocates (Problem::solver_floats) in this test: 8 images, 6 pixel maps
// and 2 stacks, the unregularised solve's AIF, depth and loss maps and CG / FISTA work vectors.
size_t test_solver_floats(const Problem& p) { return 8 * p.image_size() + 6 * p.pixels() + 2 * p.stack_size(); }

TEST(CudaResources, EstimateCoversPeakAndGrowsWithSize) {
  DFD_REQUIRE_CUDA();
  gputest::SceneSpec s;
  s.window = 5;
  const gputest::Scene sc = gputest::make_scene(s);
  Problem p = sc.problem;
  p.solver_floats = test_solver_floats(p);
  cuda::CudaBackend gpu;
  const size_t estimate = gpu.memory_estimate(p);
  gpu.setup(p);
  for (int k = 0; k < 8; ++k) gpu.alloc(p.image_size());
  for (int k = 0; k < 6; ++k) gpu.alloc(p.pixels());
  for (int k = 0; k < 2; ++k) gpu.alloc(p.stack_size());
  EXPECT_LE(gpu.peak_memory(), estimate);
  EXPECT_GE(gpu.peak_memory(), estimate / 2);  // the estimate is a count, not a guess
  // The solver's own count enters float for float.
  Problem more = p;
  more.solver_floats += 1000;
  EXPECT_EQ(gpu.memory_estimate(more), estimate + 1000 * sizeof(float));
  gputest::SceneSpec big = s;
  big.width *= 2;
  gputest::Scene sc2 = gputest::make_scene(big);
  sc2.problem.solver_floats = test_solver_floats(sc2.problem);
  EXPECT_GT(gpu.memory_estimate(sc2.problem), estimate);
}

// A problem far beyond any device: Error(OutOfMemory) from setup, before the stack is read
// (the stack pointer here covers one float only) and before any allocation.
TEST(CudaResources, TooLargeAProblemIsAnOutOfMemoryError) {
  DFD_REQUIRE_CUDA();
  gputest::SceneSpec s;
  s.width = 9;
  s.height = 9;
  gputest::Scene sc = gputest::make_scene(s);
  Problem p = sc.problem;
  p.width = 60000;
  p.height = 60000;  // 3.6e9 pixels x 3 channels x 5 frames: 216 GB of stack alone
  float one = 0.f;
  p.stack = &one;
  cuda::CudaBackend gpu;
  try {
    gpu.setup(p);
    FAIL() << "setup accepted a 216 GB problem";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::OutOfMemory);
    const std::string what = e.what();
    EXPECT_NE(what.find("needs"), std::string::npos) << what;
    EXPECT_NE(what.find("free"), std::string::npos) << what;
  }
  // The backend stays usable for a problem that fits.
  gpu.setup(sc.problem);
  EXPECT_EQ(gpu.stack().size, sc.problem.stack_size());
}

TEST(CudaResources, FactoryRejectsAMissingDevice) {
  DFD_REQUIRE_CUDA();
  EXPECT_THROW(make_cuda_backend(1000), Error);
  auto be = make_cuda_backend(0);
  EXPECT_STREQ(be->name(), "cuda");
  EXPECT_NE(be->device().find("CUDA device 0"), std::string::npos) << be->device();
}

}  // namespace
}  // namespace dfd

namespace dfd {
namespace {

// The uncalibrated (FocusIndex) model end to end on both backends, the blur scale estimated on
// each: the same estimate (the trials' losses agree to ~1e-6, far inside the golden-section
// spacing) and depths in frame units within a tenth of a frame step of each other on average.
TEST(CudaSolve, MatchesCpuForTheUncalibratedModel) {
  DFD_REQUIRE_CUDA();
  gputest::SceneSpec spec;
  spec.width = 96;
  spec.height = 72;
  const gputest::Scene sc = gputest::make_scene(spec);
  // Re-render the scene's AIF with the focus-index law: depth = a frame index in 0 .. 4.
  Camera cam;
  cam.model = BlurModel::FocusIndex;
  cam.index_scale = 1.3;
  cam.thresh = 0.5;
  Image depth = sc.depth;
  for (float& z : depth.data) z = 4.f * (z - 0.5f) / 7.5f;
  FocalStack stack;
  stack.focus_distances = {0, 1, 2, 3, 4};
  stack.range = 255;
  stack.frames = exact_forward(sc.aif, depth, cam, stack.focus_distances, 23);
  Options opt = preset_options("uncalibrated");
  opt.epochs = 3;
  opt.threads = 2;
  opt.validate(&stack);
  auto cpu = make_cpu_backend(2);
  cuda::CudaBackend gpu;
  const Result rc = solve(stack, opt, *cpu);
  const Result rg = solve(stack, opt, gpu);
  EXPECT_NEAR(rg.options.blur_scale, rc.options.blur_scale, 1e-3 * rc.options.blur_scale);
  ASSERT_EQ(rg.depth.size(), rc.depth.size());
  double diff = 0;
  for (size_t k = 0; k < rc.depth.data.size(); ++k) diff += std::fabs(rg.depth.data[k] - rc.depth.data[k]);
  EXPECT_LE(diff / rc.depth.data.size(), 0.1);
}

}  // namespace
}  // namespace dfd
