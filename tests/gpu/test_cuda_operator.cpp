// CUDA operator A(Z) and its transpose: parity with the CPU backend on both level-blur
// paths, agreement with the exact model of SPEC 2, and adjointness on the device.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "gpu_test_util.h"

namespace dfd {
namespace {

using cuda::BlurPath;
using gputest::get;
using gputest::put;
using gputest::random_vector;
using gputest::rel_l2;

// Both backends evaluate the same linear map in float. A direct blur sums K terms (error
// ~K 2^-24 ~ 1e-6 relative); an FFT blur errs by ~2^-24 log2(size) ~ 2e-6 of the input's
// norm, and blurs of non-negative data keep the norm. 1e-5 leaves a factor 5 or more.
constexpr double kOperatorTol = 1e-5;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

struct OperatorRun {
  std::vector<float> Ax, Aty;
};

// y = A(Z) x and x' = A(Z)^T y on one backend; outputs poisoned first so that an unwritten
// element shows up as NaN.
OperatorRun run_operator(Backend& be, const std::vector<float>& Z, const std::vector<float>& x,
                         const std::vector<float>& y) {
  DVec dZ = put(be, Z), dx = put(be, x), dy = put(be, y);
  DVec Ax = be.alloc(y.size()), Aty = be.alloc(x.size());
  be.fill(Ax, kNaN);
  be.fill(Aty, kNaN);
  be.set_depth(dZ);
  be.apply_A(dx, Ax);
  be.apply_At(dy, Aty);
  return OperatorRun{get(be, Ax), get(be, Aty)};
}

void expect_parity(const gputest::SceneSpec& spec, BlurPath path, uint64_t seed) {
  const gputest::Scene sc = gputest::make_scene(spec);
  gputest::Backends be(sc.problem, path);
  if (path != BlurPath::Auto) ASSERT_EQ(be.gpu->blur_path(), path);
  const Problem& p = sc.problem;
  const auto Z = random_vector(p.pixels(), 0.1f, 10.f, seed);  // the whole search range
  const auto x = random_vector(p.image_size(), 0.f, 255.f, seed + 1);
  const auto y = random_vector(p.stack_size(), 0.f, 255.f, seed + 2);
  const OperatorRun cpu = run_operator(*be.cpu, Z, x, y), gpu = run_operator(*be.gpu, Z, x, y);
  EXPECT_EQ(gputest::count_non_finite(gpu.Ax), 0u);
  EXPECT_EQ(gputest::count_non_finite(gpu.Aty), 0u);
  EXPECT_LE(rel_l2(gpu.Ax, cpu.Ax), kOperatorTol);
  EXPECT_LE(rel_l2(gpu.Aty, cpu.Aty), kOperatorTol);
}

// The uncalibrated model (sigma = max(thresh, a |Z - i|), no division by Z) on both blur paths.
TEST(CudaOperator, MatchesCpuForTheUncalibratedModel) {
  DFD_REQUIRE_CUDA();
  gputest::SceneSpec spec;
  spec.focus_index = true;
  for (BlurPath path : {BlurPath::Direct, BlurPath::Fft}) {
    const gputest::Scene sc = gputest::make_scene(spec);
    gputest::Backends be(sc.problem, path);
    const Problem& p = sc.problem;
    const auto Z = random_vector(p.pixels(), 0.f, static_cast<float>(p.frames - 1), 301);
    const auto x = random_vector(p.image_size(), 0.f, 255.f, 302);
    const auto y = random_vector(p.stack_size(), 0.f, 255.f, 303);
    const OperatorRun cpu = run_operator(*be.cpu, Z, x, y), gpu = run_operator(*be.gpu, Z, x, y);
    EXPECT_LE(rel_l2(gpu.Ax, cpu.Ax), kOperatorTol);
    EXPECT_LE(rel_l2(gpu.Aty, cpu.Aty), kOperatorTol);
  }
}

TEST(CudaOperator, MatchesCpuOnDirectPath) {
  DFD_REQUIRE_CUDA();
  expect_parity(gputest::SceneSpec{}, BlurPath::Direct, 101);
}

TEST(CudaOperator, MatchesCpuOnFftPath) {
  DFD_REQUIRE_CUDA();
  expect_parity(gputest::SceneSpec{}, BlurPath::Fft, 201);
}

TEST(CudaOperator, MatchesCpuWithGreyStackAndSevenFrames) {
  DFD_REQUIRE_CUDA();
  gputest::SceneSpec s;
  s.channels = 1;
  s.frames = 7;
  s.K = 7;
  expect_parity(s, BlurPath::Direct, 301);
  expect_parity(s, BlurPath::Fft, 302);
}

// A window wider than the image: the FFT padding (side + r, not side + K - 1) and the
// direct path's halo loads are both at their edge cases.
TEST(CudaOperator, MatchesCpuWhenTheWindowExceedsTheImage) {
  DFD_REQUIRE_CUDA();
  gputest::SceneSpec s;
  s.width = 30;
  s.height = 20;
  s.K = 31;
  expect_parity(s, BlurPath::Direct, 401);
  expect_parity(s, BlurPath::Fft, 402);
}

TEST(CudaOperator, MatchesCpuWithASingleLevelPlan) {
  DFD_REQUIRE_CUDA();
  gputest::SceneSpec s;
  s.single_level = true;
  expect_parity(s, BlurPath::Direct, 501);
  expect_parity(s, BlurPath::Fft, 502);
}

TEST(CudaOperator, DirectAndFftPathsAgree) {
  DFD_REQUIRE_CUDA();
  gputest::SceneSpec s;
  s.K = 15;
  const gputest::Scene sc = gputest::make_scene(s);
  cuda::CudaBackend direct(cuda::CudaBackendConfig{0, BlurPath::Direct}),
      fft(cuda::CudaBackendConfig{0, BlurPath::Fft});
  direct.setup(sc.problem);
  fft.setup(sc.problem);
  const Problem& p = sc.problem;
  const auto Z = random_vector(p.pixels(), 0.1f, 10.f, 601);
  const auto x = random_vector(p.image_size(), 0.f, 255.f, 602);
  const auto y = random_vector(p.stack_size(), 0.f, 255.f, 603);
  const OperatorRun a = run_operator(direct, Z, x, y), b = run_operator(fft, Z, x, y);
  EXPECT_LE(rel_l2(b.Ax, a.Ax), kOperatorTol);
  EXPECT_LE(rel_l2(b.Aty, a.Aty), kOperatorTol);
}

// Against the exact model that rendered the stack: per pixel the implied kernel is within
// the plan's tolerance 1e-3 (L1) of k_sigma, so |A x - b| <= 1e-3 max|x| <= 1e-3 R, plus
// float rounding (1e-3 absolute is ~400 ulps of 255).
TEST(CudaOperator, MatchesTheExactModelWithinTheKernelTolerance) {
  DFD_REQUIRE_CUDA();
  for (BlurPath path : {BlurPath::Direct, BlurPath::Fft}) {
    SCOPED_TRACE(cuda::to_string(path));
    const gputest::Scene sc = gputest::make_scene(gputest::SceneSpec{});
    cuda::CudaBackend gpu(cuda::CudaBackendConfig{0, path});
    gpu.setup(sc.problem);
    DVec Z = put(gpu, sc.depth.data), x = put(gpu, sc.aif.data), y = gpu.alloc(sc.stack.size());
    gpu.fill(y, kNaN);
    gpu.set_depth(Z);
    gpu.apply_A(x, y);
    const auto Ax = get(gpu, y);
    double worst = 0;
    for (size_t k = 0; k < Ax.size(); ++k) worst = std::max(worst, std::fabs(double(Ax[k]) - sc.stack[k]));
    EXPECT_LE(worst, 1e-3 * sc.problem.range + 1e-3);
  }
}

// <A x, y> = <x, A^T y> on the device for signed random x, y. Rounding in A x is at most
// ~1e-6 ||A|| ||x|| (see kOperatorTol), ||A|| <= sqrt(F) max_i ||A_i|| and each A_i is a
// combination of blurs with weights of absolute sum <= 1.25 (Catmull-Rom's lobes): the two
// products may differ by 1e-5 sqrt(F) ||x|| ||y||.
TEST(CudaOperator, TransposeIsAdjointOnTheDevice) {
  DFD_REQUIRE_CUDA();
  for (BlurPath path : {BlurPath::Direct, BlurPath::Fft}) {
    SCOPED_TRACE(cuda::to_string(path));
    const gputest::Scene sc = gputest::make_scene(gputest::SceneSpec{});
    cuda::CudaBackend gpu(cuda::CudaBackendConfig{0, path});
    gpu.setup(sc.problem);
    const Problem& p = sc.problem;
    const auto hx = random_vector(p.image_size(), -255.f, 255.f, 701);
    const auto hy = random_vector(p.stack_size(), -255.f, 255.f, 702);
    const auto hZ = random_vector(p.pixels(), 0.1f, 10.f, 703);
    DVec Z = put(gpu, hZ), x = put(gpu, hx), y = put(gpu, hy), Ax = gpu.alloc(hy.size()), Aty = gpu.alloc(hx.size());
    gpu.set_depth(Z);
    gpu.apply_A(x, Ax);
    gpu.apply_At(y, Aty);
    gpu.dot(Ax, y, 0);
    gpu.dot(x, Aty, 1);
    gpu.dot(x, x, 2);
    gpu.dot(y, y, 3);
    double s[4];
    gpu.read_scalars(s, 4);
    const double scale = std::sqrt(s[2]) * std::sqrt(s[3]);
    EXPECT_NEAR(s[0], s[1], 1e-5 * std::sqrt(double(p.frames)) * scale);
    EXPECT_GT(std::fabs(s[0]), 0.0);
  }
}

}  // namespace
}  // namespace dfd
