// Depth metrics and PSNR of SPEC 7 on hand-computed cases.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "dfd/error.h"
#include "dfd/metrics.h"

namespace dfd {
namespace {

Image map_of(std::initializer_list<float> v) {
  Image im(static_cast<int>(v.size()), 1, 1);
  std::copy(v.begin(), v.end(), im.data.begin());
  return im;
}

TEST(Metrics, DepthMetricsByHand) {
  const Image gt = map_of({1.f, 2.f, 4.f, 10.f});
  const Image pred = map_of({1.f, 2.4f, 2.1f, 10.f});  // exact, ratio 1.2, ratio 1.905, exact
  const DepthMetrics m = depth_metrics(pred, gt);
  EXPECT_EQ(m.pixels, 4u);
  // Float inputs (2.4f, 2.1f) carry ~1e-7 relative representation error.
  EXPECT_NEAR(m.rmse, std::sqrt((0.16 + 3.61) / 4), 1e-6);
  EXPECT_NEAR(m.absrel, (0.2 + 0.475) / 4, 1e-6);
  EXPECT_DOUBLE_EQ(m.delta1, 0.75);  // 1.2 < 1.25 passes, 1.905 fails
  EXPECT_DOUBLE_EQ(m.delta2, 0.75);  // 1.905 >= 1.25^2 = 1.5625
  EXPECT_DOUBLE_EQ(m.delta3, 1.00);  // 1.905 < 1.25^3 = 1.953
}

TEST(Metrics, NonPositivePredictionFailsEveryThreshold) {
  const DepthMetrics m = depth_metrics(map_of({0.f, -1.f}), map_of({1.f, 1.f}));
  EXPECT_EQ(m.delta3, 0.0);
}

TEST(Metrics, RejectsBadInputs) {
  EXPECT_THROW(depth_metrics(map_of({1.f}), map_of({1.f, 2.f})), Error);
  EXPECT_THROW(depth_metrics(map_of({1.f}), map_of({0.f})), Error);
  EXPECT_THROW(psnr(map_of({1.f}), map_of({1.f, 2.f}), 255), Error);
  EXPECT_THROW(psnr(map_of({1.f}), map_of({1.f}), 0), Error);
}

TEST(Metrics, PsnrByHand) {
  const Image a = map_of({0.f, 10.f, 20.f, 30.f});
  const Image b = map_of({1.f, 9.f, 21.f, 29.f});  // MSE 1
  EXPECT_NEAR(psnr(a, b, 255.0), 20 * std::log10(255.0), 1e-9);
  EXPECT_TRUE(std::isinf(psnr(a, a, 255.0)));
}

}  // namespace
}  // namespace dfd

namespace dfd {
namespace {

// A ramp of slope 3 in x and 4 in y has gradient energy 3^2 + 4^2 = 25 at every interior pixel;
// blurring a texture lowers it (the all-in-focus check of report.json rests on this).
TEST(GradientEnergy, IsTheMeanSquaredCentralDifferenceAndFallsWithBlur) {
  Image ramp(9, 7, 3);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 7; ++y)
      for (int x = 0; x < 9; ++x) ramp.at(x, y, c) = static_cast<float>(3 * x + 4 * y + 10 * c);
  EXPECT_NEAR(gradient_energy(ramp), 25.0, 1e-9);
  Image tex(32, 32, 1), blurred(32, 32, 1);
  for (int y = 0; y < 32; ++y)
    for (int x = 0; x < 32; ++x) tex.at(x, y) = static_cast<float>(((x * 7 + y * 13) % 11) * 20);
  for (int y = 0; y < 32; ++y)
    for (int x = 0; x < 32; ++x) {
      double s = 0;
      for (int v = -1; v <= 1; ++v)
        for (int u = -1; u <= 1; ++u) s += tex.at(std::clamp(x + u, 0, 31), std::clamp(y + v, 0, 31));
      blurred.at(x, y) = static_cast<float>(s / 9);
    }
  EXPECT_LT(gradient_energy(blurred), 0.5 * gradient_energy(tex));
  EXPECT_EQ(gradient_energy(Image(2, 2, 1)), 0.0);  // no interior pixel
}

}  // namespace
}  // namespace dfd
