// The shared per-pixel model (src/model/pixel_model.h), which the CPU loops and the CUDA kernels
// both call: each function against a plain reference written from SPEC 2, 3 and 4.3.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "dfd/blur_levels.h"
#include "dfd/camera.h"
#include "dfd/reference_model.h"
#include "model/model_params.h"
#include "model/pixel_model.h"

namespace dfd {
namespace {

TEST(PixelModel, BlurSigmaIsTheThinLensLawOfSpec2) {
  Camera cam;
  cam.thresh = 0.25;
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> depth(0.06, 20.0);
  for (double zf : {0.08, 0.5, 1.0, 3.0, 9.0})
    for (int k = 0; k < 200; ++k) {
      const double z = depth(rng);
      // SPEC 2: CoC = D |Z - Zf| / Z * f / (Zf - f), sigma = CoC / (2 ps), at least thresh.
      const double coc = cam.aperture * std::fabs(z - zf) / z * cam.focal_length / (zf - cam.focal_length);
      const double ref = std::max(cam.thresh, coc / (2 * cam.pixel_pitch));
      EXPECT_NEAR(blur_sigma(cam, zf, z), ref, 1e-14 * ref) << "Zf " << zf << " Z " << z;
    }
  EXPECT_EQ(blur_sigma(cam, 2.0, 2.0), cam.thresh);  // in focus: the floor
  cam.model = BlurModel::FocusIndex;
  cam.index_scale = 1.5;
  EXPECT_EQ(blur_sigma(cam, 3.0, 5.0), 3.0);   // a |s - i|
  EXPECT_EQ(blur_sigma(cam, 3.0, 3.1), 0.25);  // floored
}

TEST(PixelModel, LevelWeightsAreCatmullRomInLogSigma) {
  const LevelPlan plan = LevelPlan::with_levels(0.5, 12.0, 31, 9);
  const model::LevelGrid g = model::level_grid(plan);
  const double step = (std::log(12.0) - std::log(0.5)) / 8;
  for (double sigma = 0.3; sigma < 15.0; sigma *= 1.013) {
    float w[4];
    const int first = model::level_weights(g, sigma, w);
    // The reference: t = (log s - log lo) / step with libm's log, k = floor(t) clamped.
    const double s = std::min(12.0, std::max(0.5, sigma));
    const double t = (std::log(s) - std::log(0.5)) / step;
    const int k = std::min(std::max(static_cast<int>(std::floor(t + 1e-12)), 0), 7);
    const double f = t - k;
    const double ref[4] = {0.5 * (-f * f * f + 2 * f * f - f), 0.5 * (3 * f * f * f - 5 * f * f + 2),
                           0.5 * (-3 * f * f * f + 4 * f * f + f), 0.5 * (f * f * f - f * f)};
    ASSERT_EQ(first, k) << sigma;
    for (int m = 0; m < 4; ++m) EXPECT_NEAR(w[m], ref[m], 2e-7) << sigma << " weight " << m;
    EXPECT_NEAR(w[0] + w[1] + w[2] + w[3], 1.0, 1e-6);  // a partition of unity
  }
  // A sigma at a level gets exactly that level: weight 1 on it, 0 elsewhere.
  for (int l = 1; l <= 7; ++l) {
    float w[4];
    const int first = model::level_weights(g, plan.sigmas()[l + 1], w);
    EXPECT_EQ(first, l);  // interior level l is level l + 1 of the plan: the second tap
    EXPECT_EQ(w[1], 1.f) << "level " << l;
    EXPECT_EQ(w[0], 0.f);
    EXPECT_EQ(w[2], 0.f);
    EXPECT_EQ(w[3], 0.f);
  }
  float w[4];
  EXPECT_EQ(model::level_weights(g, std::numeric_limits<double>::quiet_NaN(), w), 0);  // NaN: sigma_lo
  EXPECT_EQ(w[1], 1.f);
  const LevelPlan single = LevelPlan::with_levels(0.5, 0.5, 31, 1);
  EXPECT_EQ(model::level_weights(model::level_grid(single), 3.0, w), 0);
  EXPECT_EQ(w[0], 1.f);
  EXPECT_EQ(w[1] + w[2] + w[3], 0.f);
}

TEST(PixelModel, NearestCandidateIsTheClosestWithTiesUp) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> u(0.0, 10.0);
  std::vector<double> cand(37);
  for (double& c : cand) c = u(rng);
  std::sort(cand.begin(), cand.end());
  for (int k = 0; k < 2000; ++k) {
    const double z = u(rng) * 1.2 - 1.0;
    const int j = model::nearest_candidate(cand.data(), 37, z);
    for (int i = 0; i < 37; ++i) ASSERT_LE(std::fabs(cand[j] - z), std::fabs(cand[i] - z)) << z;
  }
  const double even[3] = {1.0, 2.0, 3.0};
  EXPECT_EQ(model::nearest_candidate(even, 3, 1.5), 1);  // an exact tie goes up
  EXPECT_EQ(model::nearest_candidate(even, 3, 3.0), 2);
  EXPECT_EQ(model::nearest_candidate(even, 3, 9.0), 2);
  EXPECT_EQ(model::nearest_candidate(even, 3, -9.0), 0);
}

TEST(PixelModel, GoldenStepsShrinkTheBracketOntoTheMinimum) {
  std::vector<double> cand;
  for (int j = 0; j < 50; ++j) cand.push_back(0.5 + 0.1 * j);
  for (double zmin : {0.55, 1.234, 2.0, 4.9}) {
    auto f = [&](double z) { return static_cast<float>((z - zmin) * (z - zmin) + 1.0); };
    const double z0 = cand[model::nearest_candidate(cand.data(), 50, zmin)];
    model::GoldenBracket br = model::golden_start(cand.data(), 50, z0, 2);
    EXPECT_LE(br.a, zmin + 1e-12);
    EXPECT_GE(br.b, zmin - 1e-12);
    EXPECT_NEAR(br.d - br.a, model::kInvPhi * (br.b - br.a), 1e-12);  // the golden ratio
    EXPECT_NEAR(br.b - br.c, model::kInvPhi * (br.b - br.a), 1e-12);
    br.fc = f(br.c);
    br.fd = f(br.d);
    int iters = 0;
    double width = br.b - br.a;
    while (model::golden_open(br, 1e-6) && iters < 100) {
      bool left = false;
      const double z = model::golden_narrow(br, left);
      model::golden_take(br, left, z, f(z));
      EXPECT_NEAR(br.b - br.a, model::kInvPhi * width, 1e-9 * width + 1e-15);  // shrinks by 1/phi a step
      width = br.b - br.a;
      ASSERT_LE(br.a, br.c);
      ASSERT_LE(br.c, br.d);
      ASSERT_LE(br.d, br.b);
      ++iters;
    }
    EXPECT_LT(iters, 40);
    // float f: the minimum is found to the float resolution of the loss near it (~3e-4).
    EXPECT_NEAR(model::golden_midpoint(br), zmin, 5e-4) << zmin;
  }
}

TEST(PixelModel, TheWindowSpansWPixels) {
  for (int w = 1; w < 12; ++w) {
    EXPECT_EQ(model::window_before(w) + model::window_after(w) + 1, w);
    EXPECT_GE(model::window_before(w), model::window_after(w));  // even w: one more before
    EXPECT_LE(model::window_before(w) - model::window_after(w), 1);
  }
}

// window_mean_at against a plain loop over the window's pixels, and the CPU's prefix-sum path
// (dfd::window_mean, what the CPU backend runs) against window_mean_at: the same extent at the
// borders, the same divisor, sums equal to double rounding.
TEST(PixelModel, WindowMeanAtAndThePrefixSumPathAgree) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> U(0.f, 1000.f);
  const int shapes[][2] = {{1, 1}, {1, 7}, {5, 3}, {17, 13}, {9, 32}};
  for (const auto& hw : shapes)
    for (int w : {2, 3, 4, 5, 8, 15, 40}) {
      const int H = hw[0], W = hw[1];
      std::vector<float> map(static_cast<size_t>(H) * W);
      for (float& v : map) v = U(rng);
      std::vector<float> fast = map;
      window_mean(fast.data(), H, W, w);
      for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x) {
          double s = 0.0;
          int n = 0;
          for (int dy = -(w / 2); dy < w - w / 2; ++dy)
            for (int dx = -(w / 2); dx < w - w / 2; ++dx) {
              const int yy = y + dy, xx = x + dx;
              if (yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
              s += map[static_cast<size_t>(yy) * W + xx];
              ++n;
            }
          const float want = static_cast<float>(s / n);
          const float at = model::window_mean_at(map.data(), H, W, w, x, y);
          EXPECT_NEAR(at, want, 1e-6f * want) << H << "x" << W << " w " << w << " at " << x << "," << y;
          EXPECT_NEAR(fast[static_cast<size_t>(y) * W + x], at, 1e-6f * want)
              << H << "x" << W << " w " << w << " at " << x << "," << y;
        }
    }
  // The extent at a border: clipped to the image, w positions inside it.
  const model::WindowSpan left = model::window_span(0, 10, 4), mid = model::window_span(5, 10, 4);
  EXPECT_EQ(left.lo, 0);
  EXPECT_EQ(left.hi, 1);
  EXPECT_EQ(model::window_count(left), 2);
  EXPECT_EQ(mid.lo, 3);
  EXPECT_EQ(mid.hi, 6);
  EXPECT_EQ(model::window_count(mid), 4);
}

}  // namespace
}  // namespace dfd
