// CUDA backend vector algebra and scalar slots against the CPU backend on random data.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "dfd/error.h"
#include "gpu_test_util.h"

namespace dfd {
namespace {

using gputest::get;
using gputest::put;
using gputest::random_vector;
using gputest::rel_l2;

// A small problem: the vector primitives need a set-up backend, not a meaningful scene.
gputest::Scene tiny_scene() {
  gputest::SceneSpec s;
  s.width = 23;
  s.height = 17;
  s.K = 7;
  s.candidates = 8;
  return gputest::make_scene(s);
}

// Element-wise results: the same float operations in both backends, up to one rounding of a
// fused multiply-add (the GPU contracts a x + b y): relative 1e-6 is ten float ulps of slack.
constexpr double kElementwise = 1e-6;

TEST(CudaVectorOps, ElementwiseMatchCpu) {
  DFD_REQUIRE_CUDA();
  const gputest::Scene sc = tiny_scene();
  gputest::Backends be(sc.problem);
  const size_t n = 100003;  // not a multiple of any block size
  const auto hx = random_vector(n, -3.f, 5.f, 11), hy = random_vector(n, -2.f, 2.f, 12);
  const auto hm = random_vector(n, 0.f, 1.f, 13);
  std::vector<float> res[2][6];
  int k = 0;
  for (Backend* b : {be.cpu.get(), static_cast<Backend*>(be.gpu.get())}) {
    DVec x = put(*b, hx), y = put(*b, hy), m = put(*b, hm), g = put(*b, hy), mask = b->alloc(n), y2 = b->alloc(n);
    b->scalar_set(3, -0.75);
    b->axpby(Coef::constant(1.5f), x, Coef::of(3, 2.f), y);  // y = 1.5 x - 1.5 y
    b->multiply(m, y);
    b->clip(x, -1.f, 4.f);  // many x now sit exactly on a bound
    b->free_mask(x, g, -1.f, 4.f, mask);
    b->copy(y, y2);
    b->axpby(Coef::constant(2.f), x, Coef::constant(0.f), g);  // g = 2 x
    b->fill(m, 0.25f);
    res[k][0] = get(*b, x);
    res[k][1] = get(*b, y);
    res[k][2] = get(*b, mask);
    res[k][3] = get(*b, y2);
    res[k][4] = get(*b, g);
    res[k][5] = get(*b, m);
    ++k;
  }
  for (int r = 0; r < 6; ++r) {
    EXPECT_EQ(gputest::count_non_finite(res[1][r]), 0u) << "result " << r;
    EXPECT_LE(rel_l2(res[1][r], res[0][r]), kElementwise) << "result " << r;
  }
  // clip, free_mask, g = 2 x and fill involve one exact operation each: bit-identical.
  EXPECT_EQ(res[1][0], res[0][0]);
  EXPECT_EQ(res[1][2], res[0][2]);
  EXPECT_EQ(res[1][4], res[0][4]);
  EXPECT_EQ(res[1][5], res[0][5]);
}

TEST(CudaVectorOps, AxpbyWithZeroBetaIgnoresStaleY) {
  DFD_REQUIRE_CUDA();
  const gputest::Scene sc = tiny_scene();
  gputest::Backends be(sc.problem);
  const size_t n = 4099;
  const auto hx = random_vector(n, -1.f, 1.f, 21);
  DVec x = put(*be.gpu, hx), y = be.gpu->alloc(n);
  be.gpu->fill(y, std::numeric_limits<float>::quiet_NaN());
  be.gpu->scalar_set(5, 0.0);
  be.gpu->axpby(Coef::constant(3.f), x, Coef::of(5, 7.f), y);  // b evaluates to 0 on the device
  const auto out = get(*be.gpu, y);
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(out[i], 3.f * hx[i]) << i;
}

TEST(CudaVectorOps, ReductionsAndScalarsMatchCpu) {
  DFD_REQUIRE_CUDA();
  const gputest::Scene sc = tiny_scene();
  gputest::Backends be(sc.problem);
  for (const size_t n : {size_t(1), size_t(777), size_t(1000003)}) {
    const auto ha = random_vector(n, -1.f, 3.f, 31 + n), hb = random_vector(n, -2.f, 2.f, 41 + n);
    double s[2][Backend::kScalarSlots];
    int k = 0;
    for (Backend* b : {be.cpu.get(), static_cast<Backend*>(be.gpu.get())}) {
      DVec a = put(*b, ha), bb = put(*b, hb);
      b->dot(a, bb, 0);
      b->sum(a, 1);
      b->dot(a, a, 2);
      b->scalar_ratio(0, 2, 3);
      b->scalar_sqrt(2, 4);
      b->scalar_set(5, -4.0);
      b->scalar_sqrt(5, 6);  // sqrt of a negative: 0
      b->scalar_set(7, 0.0);
      b->scalar_ratio(0, 7, 8);  // division by zero: 0
      b->read_scalars(s[k], 9);
      ++k;
    }
    // Both backends accumulate exact float products in double, in different orders: the
    // results differ by at most n 2^-53 (< 1.2e-10 for n <= 1e6) of the sum of magnitudes.
    double mag[3] = {0, 0, 0};
    for (size_t i = 0; i < n; ++i) {
      mag[0] += std::fabs(double(ha[i]) * hb[i]);
      mag[1] += std::fabs(double(ha[i]));
      mag[2] += double(ha[i]) * ha[i];
    }
    for (int slot = 0; slot < 3; ++slot)
      EXPECT_NEAR(s[1][slot], s[0][slot], 1e-9 * mag[slot]) << "slot " << slot << ", n " << n;
    // The scalar kernels are single correctly rounded double operations.
    EXPECT_EQ(s[1][3], s[1][2] == 0 ? 0.0 : s[1][0] / s[1][2]);
    EXPECT_EQ(s[1][4], std::sqrt(s[1][2]));
    EXPECT_EQ(s[1][5], -4.0);
    EXPECT_EQ(s[1][6], 0.0);
    EXPECT_EQ(s[1][7], 0.0);
    EXPECT_EQ(s[1][8], 0.0);
  }
}

TEST(CudaVectorOps, ReductionIsDeterministic) {
  DFD_REQUIRE_CUDA();
  const gputest::Scene sc = tiny_scene();
  gputest::Backends be(sc.problem);
  const auto ha = random_vector(3000017, -1.f, 1.f, 51);
  DVec a = put(*be.gpu, ha);
  double first[1], again[1];
  be.gpu->dot(a, a, 0);
  be.gpu->read_scalars(first, 1);
  for (int r = 0; r < 5; ++r) {
    be.gpu->dot(a, a, 0);
    be.gpu->read_scalars(again, 1);
    ASSERT_EQ(first[0], again[0]) << "run " << r;  // bit for bit: fixed blocks, fixed order
  }
}

TEST(CudaVectorOps, RejectsBadSlotsSizesAndCallsBeforeSetup) {
  DFD_REQUIRE_CUDA();
  cuda::CudaBackend fresh;
  EXPECT_THROW(fresh.scalar_set(0, 1.0), Error);
  EXPECT_THROW(fresh.alloc(10), Error);
  const gputest::Scene sc = tiny_scene();
  gputest::Backends be(sc.problem);
  DVec a = be.gpu->alloc(10), b = be.gpu->alloc(11);
  EXPECT_THROW(be.gpu->dot(a, a, Backend::kScalarSlots), Error);
  EXPECT_THROW(be.gpu->scalar_ratio(-1, 0, 1), Error);
  EXPECT_THROW(be.gpu->axpby(Coef::of(99), a, Coef::constant(1.f), a), Error);
  EXPECT_THROW(be.gpu->copy(a, b), Error);
  EXPECT_THROW(be.gpu->grid_search(a, a), Error);  // no blur_levels yet (and wrong sizes)
  double out[1];
  EXPECT_THROW(be.gpu->read_scalars(out, Backend::kScalarSlots + 1), Error);
}

}  // namespace
}  // namespace dfd
