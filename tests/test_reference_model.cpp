// The truncated Gaussian and the exact reference model: normalisation, the 2-D formula of
// SPEC 2, gather vs scatter (adjointness), the windowed mean and the loss.
#include <gtest/gtest.h>

#include <cmath>

#include "dfd/error.h"
#include "dfd/reference_model.h"
#include "test_util.h"

namespace dfd {
namespace {

using test::kFloatEps;

TEST(GaussianFactor, SumsToOneAndMatchesTheTwoDimensionalFormula) {
  for (int K : {1, 7, 11, 23}) {
    for (double sigma : {0.1, 0.5, 2.0, 7.3, 40.0}) {
      const std::vector<double> g = gaussian_factor(sigma, K);
      double s = 0.0;
      for (double v : g) s += v;
      EXPECT_NEAR(s, 1.0, 1e-14) << "K=" << K << " sigma=" << sigma;  // K doubles summed: rounding only
      // SPEC 2: exp(-(u^2 + v^2) / (2 sigma^2)) normalised over the whole K x K window.
      const int r = K / 2;
      double z = 0.0;
      for (int v = -r; v <= r; ++v)
        for (int u = -r; u <= r; ++u) z += std::exp(-(u * u + v * v) / (2 * sigma * sigma));
      for (int v = -r; v <= r; ++v)
        for (int u = -r; u <= r; ++u) {
          const double k2 = std::exp(-(u * u + v * v) / (2 * sigma * sigma)) / z;
          EXPECT_NEAR(g[u + r] * g[v + r], k2, 1e-14 * std::max(k2, 1e-3));
        }
      for (int u = 0; u < r; ++u) {  // symmetric and decreasing away from the centre
        EXPECT_EQ(g[u], g[K - 1 - u]);
        EXPECT_LE(g[u], g[u + 1]);
      }
    }
  }
}

TEST(GaussianFactor, LargeSigmaTendsToTheBox) {
  const int K = 11;
  const std::vector<double> g = gaussian_factor(1e6, K);
  // Deviation from 1/K is ~ u^2 / (2 sigma^2) / K = 25 / 2e12 / 11 ~ 1e-12.
  for (double v : g) EXPECT_NEAR(v, 1.0 / K, 1e-11);
  for (double v : gaussian_factor(INFINITY, K)) EXPECT_DOUBLE_EQ(v, 1.0 / K);
}

TEST(GaussianFactor, RejectsBadArguments) {
  EXPECT_THROW(gaussian_factor(0.0, 7), Error);
  EXPECT_THROW(gaussian_factor(-1.0, 7), Error);
  EXPECT_THROW(gaussian_factor(NAN, 7), Error);
  EXPECT_THROW(gaussian_factor(1.0, 8), Error);
  EXPECT_THROW(gaussian_factor(1.0, 0), Error);
}

TEST(ExactModel, ConstantDepthIsTheSpatiallyInvariantBlur) {
  const Image x = test::random_image(17, 13, 3, 0.f, 255.f, 1);
  Camera cam;
  const std::vector<double> focus = {1.0, 4.0};
  const Image depth(17, 13, 1, 2.2f);
  const std::vector<Image> y = exact_forward(x, depth, cam, focus, 9);
  for (size_t i = 0; i < focus.size(); ++i) {
    const Image b = exact_blur(x, blur_sigma(cam, focus[i], 2.2f), 9);
    // Both sum the same 81 products in double and round once to float.
    EXPECT_LE(test::max_abs_diff(y[i].data, b.data), 255.0 * kFloatEps);
  }
}

TEST(ExactModel, BorderIsZeroPaddedNotRenormalised) {
  const Image x(9, 9, 1, 1.f);            // a constant image under the 3 x 3 box (sigma -> inf)
  const Image b = exact_blur(x, 1e6, 3);  // box weights 1/9 to ~1e-12
  EXPECT_NEAR(b.at(4, 4), 1.0, 1e-6);
  EXPECT_NEAR(b.at(0, 0), 4.0 / 9.0, 1e-6);  // 4 of 9 box taps inside the image
  EXPECT_NEAR(b.at(0, 4), 6.0 / 9.0, 1e-6);
}

TEST(ExactModel, AdjointIsTheTransposeOfTheForward) {
  const int W = 23, H = 19, C = 2, K = 7;
  Camera cam;  // NYUv2 camera: sigmas from thresh 2 to well past K
  const std::vector<double> focus = {1.0, 2.5, 6.0};
  const Image x = test::random_image(W, H, C, 0.f, 1.f, 2);
  const Image depth = test::random_image(W, H, 1, 0.3f, 10.f, 3);
  std::vector<Image> y;
  for (int i = 0; i < 3; ++i) y.push_back(test::random_image(W, H, C, 0.f, 1.f, 10 + i));
  const std::vector<Image> ax = exact_forward(x, depth, cam, focus, K);
  const Image aty = exact_adjoint(y, depth, cam, focus, K);
  const double lhs = test::dot(test::concat(ax), test::concat(y));
  const double rhs = test::dot(x.data, aty.data);
  // All values positive (no cancellation); each side rounds its double sums once to float,
  // so they agree to a few float epsilons relative.
  EXPECT_NEAR(lhs, rhs, 8 * kFloatEps * std::fabs(lhs));
}

TEST(ExactModel, LossOfItsOwnForwardIsZero) {
  Camera cam;
  const std::vector<double> focus = {1.0, 3.0};
  const Image x = test::random_image(12, 10, 1, 0.f, 255.f, 4);
  const Image depth = test::random_image(12, 10, 1, 0.5f, 8.f, 5);
  const std::vector<Image> b = exact_forward(x, depth, cam, focus, 5);
  EXPECT_EQ(exact_loss(b, x, depth, cam, focus, 5), 0.0);  // the same computation, bit for bit
  std::vector<Image> shifted = b;
  for (Image& f : shifted)
    for (float& v : f.data) v += 2.f;
  // d = 2 up to the rounding of v + 2 (half an ulp of 255: 255 eps / 2), so |d^2 - 4| <= 2 * 255 eps.
  EXPECT_NEAR(exact_loss(shifted, x, depth, cam, focus, 5), 4.0, 2 * 255 * kFloatEps);
}

TEST(ExactModel, SigmaMapsFollowTheCamera) {
  Camera cam;
  const Image depth = test::random_image(4, 3, 1, 0.2f, 9.f, 6);
  const auto s = sigma_maps(cam, {1.5, 6.0}, depth);
  ASSERT_EQ(s.size(), 2u);
  for (size_t p = 0; p < depth.pixels(); ++p) EXPECT_EQ(s[1][p], blur_sigma(cam, 6.0, depth.data[p]));
}

TEST(ExactModel, MaxBlurSigmaIsTheMaximumOverTheDepthRange) {
  Camera cam;
  const std::vector<double> focus = {1.0, 1.5, 2.5, 4.0, 6.0};
  double dense = 0.0;  // sigma is continuous and the sample includes both ends
  for (int k = 0; k <= 10000; ++k)
    for (double zf : focus) dense = std::max(dense, blur_sigma(cam, zf, 0.1 + 9.9 * k / 10000));
  EXPECT_DOUBLE_EQ(max_blur_sigma(cam, focus, 0.1, 10.0), dense);
  EXPECT_EQ(max_blur_sigma(cam, {2.0}, 1.99, 2.01), cam.thresh);  // all in focus: the floor
}

TEST(WindowMean, DividesByTheWindowPositionsInsideTheImage) {
  // 3 x 4 map of ones: every mean is 1 whatever the count, so use distinct values.
  std::vector<float> m = {1, 2,  3,  4,  //
                          5, 6,  7,  8,  //
                          9, 10, 11, 12};
  window_mean(m.data(), 3, 4, 3);
  EXPECT_FLOAT_EQ(m[0], (1 + 2 + 5 + 6) / 4.f);                        // corner: 2 x 2 positions inside
  EXPECT_FLOAT_EQ(m[1], (1 + 2 + 3 + 5 + 6 + 7) / 6.f);                // top edge: 2 x 3
  EXPECT_FLOAT_EQ(m[5], (1 + 2 + 3 + 5 + 6 + 7 + 9 + 10 + 11) / 9.f);  // interior: 3 x 3
  // Even w: offsets -w/2 .. w/2 - 1, i.e. the pixel and the ones before it for w = 2.
  std::vector<float> e = {1, 2, 3, 4, 5, 6};
  window_mean(e.data(), 2, 3, 2);
  EXPECT_FLOAT_EQ(e[0], 1.f);
  EXPECT_FLOAT_EQ(e[4], (1 + 2 + 4 + 5) / 4.f);
  std::vector<float> same = {1, 2, 3};
  window_mean(same.data(), 1, 3, 1);  // w <= 1: no window
  EXPECT_EQ(same, (std::vector<float>{1, 2, 3}));
}

}  // namespace
}  // namespace dfd
