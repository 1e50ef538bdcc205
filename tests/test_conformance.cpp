// Conformance with the published reference implementation: the forward stacks of case1 and
// case2 and case1's grid-search losses (plain and 5 x 5 windowed), from tests/data.
#include <gtest/gtest.h>

#include <cmath>

#include "dfd/reference_model.h"
#include "test_util.h"

namespace dfd {
namespace {

using test::kFloatEps;

// The reference sums K^2 float32 products per pixel; worst-case rounding of such a sum is
// K^2 eps max|x|, the typical (random-walk) error K eps max|x|. Allow the worst case: a
// convention difference (padding, kernel normalisation, sigma formula) moves values by
// orders of magnitude more (e.g. renormalising at the border changes edge pixels by ~30%).
double forward_tolerance(int K, double max_x) { return K * K * kFloatEps * max_x; }

void expect_forward_matches(const std::string& name) {
  const test::Fixture f = test::load_fixture(name);
  ASSERT_GT(f.frames(), 0);
  const std::vector<Image> y = exact_forward(f.aif, f.depth, f.camera, f.focus, f.K);
  const double tol = forward_tolerance(f.K, test::max_abs(f.aif.data));
  for (int i = 0; i < f.frames(); ++i)
    EXPECT_LE(test::max_abs_diff(y[i].data, f.stack[i].data), tol) << name << " frame " << i;
}

TEST(Conformance, ForwardStackCase1Rgb) { expect_forward_matches("case1"); }
TEST(Conformance, ForwardStackCase2Grey) { expect_forward_matches("case2"); }

// Loss of candidate j at p: mean over (i, c) of d^2 with d = b - blur. Each blurred value
// carries the forward rounding t above (on both sides: ours and the reference's), so each
// d^2 moves by at most 2t (2|d| + 2t); averaged, |dL| <= 2t (2 sqrt(L) + 2t) by
// Cauchy-Schwarz (mean |d| <= sqrt(mean d^2)); a window mean keeps the bound (Jensen).
// Plus float rounding of the loss itself, a few eps relative.
void expect_grid_losses_match(int window, const std::string& file) {
  const test::Fixture f = test::load_fixture("case1");
  ASSERT_GT(f.frames(), 0);
  std::vector<double> cand(100);
  for (int j = 0; j < 100; ++j) cand[j] = 0.1 + (10.0 - 0.1) * j / 99;
  const std::vector<float> ours = exact_grid_losses(f.stack, f.aif, f.camera, f.focus, cand, f.K, window);
  const std::vector<float> ref = test::read_f32(file, ours.size());
  const double t = forward_tolerance(f.K, test::max_abs(f.aif.data));
  size_t bad = 0;
  double worst = 0.0;
  for (size_t k = 0; k < ours.size(); ++k) {
    const double L = std::max<double>(ref[k], 0.0);
    const double tol = 2 * t * (2 * std::sqrt(L) + 2 * t) + 8 * kFloatEps * L;
    const double d = std::fabs(double(ours[k]) - ref[k]);
    worst = std::max(worst, d / tol);
    bad += d > tol;
  }
  EXPECT_EQ(bad, 0u) << file << ": worst difference " << worst << " x its tolerance";
}

TEST(Conformance, GridLossesCase1) { expect_grid_losses_match(1, "case1_grid_losses.f32"); }
TEST(Conformance, GridLossesCase1Window5) { expect_grid_losses_match(5, "case1_grid_losses_window5.f32"); }

}  // namespace
}  // namespace dfd
