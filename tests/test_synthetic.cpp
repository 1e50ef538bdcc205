// The procedural synthetic scene: determinism, texture everywhere, layered depth, rendering.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "dfd/error.h"
#include "dfd/reference_model.h"
#include "dfd/synthetic.h"

namespace dfd {
namespace {

TEST(Synthetic, SameSeedSameSceneOtherSeedOtherScene) {
  EXPECT_EQ(synthetic_texture(64, 48, 3).data, synthetic_texture(64, 48, 3).data);
  EXPECT_NE(synthetic_texture(64, 48, 3).data, synthetic_texture(64, 48, 4).data);
  EXPECT_EQ(synthetic_depth(64, 48, 0.5, 8, 3).data, synthetic_depth(64, 48, 0.5, 8, 3).data);
  EXPECT_NE(synthetic_depth(64, 48, 0.5, 8, 3).data, synthetic_depth(64, 48, 0.5, 8, 4).data);
}

TEST(Synthetic, TextureHasDetailThatDefocusRemovesEverywhere) {
  const int W = 160, H = 120, K = 11;
  for (uint64_t seed : {1, 2, 3}) {
    const Image t = synthetic_texture(W, H, seed);
    ASSERT_EQ(t.channels, 3);
    const auto [lo, hi] = std::minmax_element(t.data.begin(), t.data.end());
    EXPECT_GE(*lo, 8.f);  // no clipped pixels
    EXPECT_LE(*hi, 247.f);
    // In every 16x16 tile (away from the zero-padded border), the smallest blur the nyuv2
    // preset models (sigma = 2 px) must change the image by more than 3 grey levels RMS: ten
    // times the RMS error of 8-bit quantisation (1/sqrt(12)), so defocus is measurable there.
    const Image b = exact_blur(t, 2.0, K);
    const int m = K / 2;
    for (int ty = m; ty + 16 <= H - m; ty += 16)
      for (int tx = m; tx + 16 <= W - m; tx += 16) {
        double s2 = 0;
        for (int c = 0; c < 3; ++c)
          for (int y = ty; y < ty + 16; ++y)
            for (int x = tx; x < tx + 16; ++x) s2 += std::pow(t.at(x, y, c) - b.at(x, y, c), 2);
        EXPECT_GT(std::sqrt(s2 / (3 * 256)), 3.0) << "seed " << seed << " tile at " << tx << "," << ty;
      }
  }
}

TEST(Synthetic, DepthHasLayersAndSlantsWithinRange) {
  const int W = 160, H = 120;
  const double zmin = 0.5, zmax = 8.0;
  for (uint64_t seed : {1, 2, 3}) {
    const Image z = synthetic_depth(W, H, zmin, zmax, seed);
    ASSERT_EQ(z.channels, 1);
    std::map<float, int> counts;
    for (float v : z.data) {
      EXPECT_GE(v, zmin);
      EXPECT_LE(v, zmax);
      ++counts[v];
    }
    // Fronto-parallel objects are plateaus of one value; of the five, some may be occluded,
    // but at least three must show on 1% of the image or more.
    int plateaus = 0, on_plateaus = 0;
    for (const auto& [v, n] : counts)
      if (n >= static_cast<int>(z.pixels() / 100)) ++plateaus, on_plateaus += n;
    EXPECT_GE(plateaus, 3) << "seed " << seed;
    // Wall, floor and panel are slanted: a fifth of the image or more varies continuously.
    EXPECT_GE(z.pixels() - on_plateaus, z.pixels() / 5) << "seed " << seed;
    // The floor reaches within 2x of the near end, the wall past half of the far end (by
    // construction: log-depth fractions <= 0.2 and >= 0.8 of the range).
    const auto [lo, hi] = std::minmax_element(z.data.begin(), z.data.end());
    EXPECT_LT(*lo, 2 * zmin);
    EXPECT_GT(*hi, 0.5 * zmax);
  }
}

TEST(Synthetic, RenderedConstantPlaneIsTheReferenceBlurOfEachFrame) {
  // For a constant depth, A_i(Z) is the spatially invariant blur with sigma_i(Z) (SPEC 2).
  const Options opt = preset_options("nyuv2");
  const Camera cam = opt.camera();
  const std::vector<double> focus = {1.0, 1.5, 2.5, 4.0, 6.0};
  const int K = 9;
  const Image aif = synthetic_texture(40, 30, 9);
  const Image depth(40, 30, 1, 2.5f);  // in focus in frame 2: sigma = thresh there
  const FocalStack s = render_stack(aif, depth, cam, focus, K, 255.0);
  ASSERT_EQ(s.count(), 5);
  EXPECT_EQ(s.range, 255.0);
  EXPECT_EQ(s.focus_distances, focus);
  EXPECT_DOUBLE_EQ(blur_sigma(cam, focus[2], 2.5), cam.thresh);
  for (int i = 0; i < 5; ++i) {
    const Image ref = exact_blur(aif, blur_sigma(cam, focus[i], 2.5), K);
    ASSERT_EQ(s.frames[i].size(), ref.size());
    // Float sums of K^2 = 81 terms of at most 255: rounding stays below 81 * 255 * 6e-8 = 1.3e-3.
    for (size_t k = 0; k < ref.size(); ++k) ASSERT_NEAR(s.frames[i].data[k], ref.data[k], 1.3e-3) << i;
  }
}

TEST(Synthetic, RenderRejectsMismatchedOrInvalidDepth) {
  const Camera cam = preset_options("nyuv2").camera();
  const Image aif(20, 10, 3, 100.f);
  try {
    render_stack(aif, Image(10, 20, 1, 2.f), cam, {1, 2}, 7, 255);
    ADD_FAILURE() << "mismatched sizes accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Input);
    EXPECT_NE(std::string(e.what()).find("10x20"), std::string::npos) << e.what();
  }
  Image zero(20, 10, 1, 2.f);
  zero.at(3, 3) = 0.f;
  EXPECT_THROW(render_stack(aif, zero, cam, {1, 2}, 7, 255), Error);
}

TEST(Synthetic, DemoSceneUsesTheNyuv2Camera) {
  SceneSpec spec;
  spec.width = 64;
  spec.height = 48;
  const SyntheticScene sc = make_synthetic_scene(spec);
  EXPECT_EQ(sc.options.preset, "nyuv2");
  EXPECT_EQ(sc.stack.focus_distances, (std::vector<double>{1.0, 1.5, 2.5, 4.0, 6.0}));
  ASSERT_EQ(sc.stack.count(), 5);
  EXPECT_EQ(sc.stack.width(), 64);
  EXPECT_EQ(sc.stack.channels(), 3);
  EXPECT_EQ(sc.stack.range, 255.0);
  EXPECT_NO_THROW(sc.options.validate(&sc.stack));
  // Frames focused at 1 m and at 6 m see the scene's depths differently.
  EXPECT_NE(sc.stack.frames[0].data, sc.stack.frames[4].data);
}

}  // namespace
}  // namespace dfd
