// The blur-level plan: the SPEC 4.3 accuracy contract for the preset configurations, the
// Catmull-Rom weights, the sigma_hi cap, degenerate ranges and the build time.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include "dfd/blur_levels.h"
#include "dfd/error.h"
#include "test_util.h"

namespace dfd {
namespace {

constexpr double kContract = 1e-3;  // SPEC 4.3: implied-kernel L1 error bound

// sigma_max of the NYUv2 preset: focus 1 .. 6 m, depths 0.1 .. 10 m (about 129 px).
double nyuv2_sigma_max() {
  Camera cam;  // the defaults are the NYUv2 camera: f 50 mm, f/8, 12 um pixels, thresh 2
  return max_blur_sigma(cam, {1.0, 1.5, 2.5, 4.0, 6.0}, 0.1, 10.0);
}

struct Config {
  double lo, sigma_max;
  int K;
};

void expect_contract(const Config& c) {
  const LevelPlan plan = LevelPlan::make(c.lo, c.sigma_max, c.K, kContract);
  // Four times denser than the planner's own check: the bound must not hinge on where the
  // planner happened to sample. The planner aims at half the contract, so this has margin.
  const double err = plan.max_kernel_error(c.sigma_max, 64);
  EXPECT_LE(err, kContract) << "K=" << c.K << " levels " << plan.count();
  EXPECT_LE(plan.max_kernel_error(c.sigma_max), 0.5 * kContract);  // the planner's own target
  EXPECT_GE(plan.sigma_lo(), c.lo);
  EXPECT_LE(plan.sigma_hi(), c.sigma_max);
  // Fewest levels: one interior level fewer must miss the planner's target.
  const int interior = plan.count() - 2;
  if (interior > 2) {
    const LevelPlan fewer = LevelPlan::with_levels(plan.sigma_lo(), plan.sigma_hi(), c.K, interior - 1);
    EXPECT_GT(fewer.max_kernel_error(c.sigma_max), 0.5 * kContract * 0.9)
        << "K=" << c.K << ": " << interior - 1 << " interior levels nearly meet the target too";
  }
}

TEST(LevelPlan, ContractNyuv2K11Thresh2) { expect_contract({2.0, nyuv2_sigma_max(), 11}); }
TEST(LevelPlan, ContractK23Thresh05) { expect_contract({0.5, nyuv2_sigma_max(), 23}); }
TEST(LevelPlan, ContractK137Thresh05) { expect_contract({0.5, nyuv2_sigma_max(), 137}); }
TEST(LevelPlan, ContractK137Thresh05UpToTheBox) { expect_contract({0.5, 1e5, 137}); }

TEST(LevelPlan, LevelCountsNearTheSpecReferences) {
  // SPEC 4.3 measured ~24 Catmull-Rom levels at K=11, thresh 2 for an error of 1e-3; the
  // planner aims at 5e-4 (cubic: error ~ h^4, so ~2^(1/4) = 1.19x the levels) plus 2 ghosts.
  const LevelPlan p = LevelPlan::make(2.0, nyuv2_sigma_max(), 11, kContract);
  EXPECT_GE(p.count(), 20);
  EXPECT_LE(p.count(), 40);
}

TEST(LevelPlan, WeightsSumToOneAndAreExactAtLevels) {
  const LevelPlan p = LevelPlan::with_levels(0.5, 80.0, 23, 12);
  ASSERT_EQ(p.count(), 14);
  for (double s = 0.3; s < 120.0; s *= 1.013) {
    const LevelWeights w = p.weights(s);
    EXPECT_GE(w.first, 0);
    EXPECT_LE(w.first + 3, p.count() - 1);
    // Four floats near [-0.07, 1.1]: the sum rounds within a few float eps of 1.
    EXPECT_NEAR(w.weight[0] + w.weight[1] + w.weight[2] + w.weight[3], 1.0, 4 * test::kFloatEps);
  }
  for (int l = 1; l + 1 < p.count(); ++l) {  // interior levels (0 and count-1 are ghosts)
    const LevelWeights w = p.weights(p.sigmas()[l]);
    for (int m = 0; m < 4; ++m) EXPECT_EQ(w.weight[m], w.first + m == l ? 1.f : 0.f) << "level " << l;
    EXPECT_LT(p.kernel_error(p.sigmas()[l]), 1e-12);
  }
  // Out of range: clamped to the ends.
  const LevelWeights above = p.weights(1e4), below = p.weights(0.01);
  EXPECT_EQ(above.weight[above.first + 3 == p.count() - 1 ? 2 : 1], 1.f);
  EXPECT_EQ(below.first, 0);
  EXPECT_EQ(below.weight[1], 1.f);
}

TEST(LevelPlan, LevelsEvenInLogSigmaWithGhosts) {
  const LevelPlan p = LevelPlan::with_levels(2.0, 64.0, 11, 6);  // ratio 2 per step
  ASSERT_EQ(p.count(), 8);
  EXPECT_DOUBLE_EQ(p.sigmas()[1], 2.0);
  EXPECT_DOUBLE_EQ(p.sigmas()[6], 64.0);
  for (int l = 0; l < 8; ++l) EXPECT_NEAR(p.sigmas()[l], 2.0 * std::pow(2.0, l - 1), 1e-12 * p.sigmas()[l]);
}

TEST(LevelPlan, SigmaHiCapsAtTheBox) {
  // K = 7: the kernel is within 1e-4 of the 7 x 7 box long before sigma 1e6.
  const LevelPlan p = LevelPlan::make(2.0, 1e6, 7, kContract);
  EXPECT_LT(p.sigma_hi(), 1e4);
  EXPECT_GT(p.sigma_hi(), 20.0);  // at sigma 20 a 7 x 7 kernel still differs from the box by ~4e-3
  EXPECT_LE(p.max_kernel_error(1e6, 64), kContract);
}

TEST(LevelPlan, SingleLevelWhenTheRangeIsOneSigma) {
  const LevelPlan p = LevelPlan::make(2.0, 2.0, 11, kContract);
  ASSERT_EQ(p.count(), 1);
  const LevelWeights w = p.weights(2.0);
  EXPECT_EQ(w.first, 0);
  EXPECT_EQ(w.weight[0], 1.f);
  EXPECT_EQ(w.weight[1] + w.weight[2] + w.weight[3], 0.f);
  EXPECT_EQ(p.max_kernel_error(2.0), 0.0);
}

TEST(LevelPlan, RejectsBadArguments) {
  EXPECT_THROW(LevelPlan::make(0.0, 10.0, 11), Error);
  EXPECT_THROW(LevelPlan::make(3.0, 2.0, 11), Error);
  EXPECT_THROW(LevelPlan::make(2.0, 10.0, 10), Error);
  EXPECT_THROW(LevelPlan::make(2.0, 10.0, 11, 0.0), Error);
  EXPECT_THROW(LevelPlan::with_levels(2.0, 10.0, 11, 1), Error);
}

TEST(LevelPlan, CheapToBuildAtK137) {
  const auto t0 = std::chrono::steady_clock::now();
  const LevelPlan p = LevelPlan::make(0.5, 1e5, 137, kContract);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  // Measured ~11 ms on the 2-core build machine; 50 ms is the budget of the brief, doubled
  // because other builds share these cores while the suite runs.
  EXPECT_LT(ms, 100.0) << p.count() << " levels";
}

}  // namespace
}  // namespace dfd
