// The outlier clean-up: a planted depth outlier in a flat region is replaced, a clean map on a
// textured AIF is left unchanged, each rule flags what it should, bad settings are refused.
#include <gtest/gtest.h>

#include <cmath>

#include "dfd/cleanup.h"
#include "dfd/error.h"
#include "dfd/image.h"
#include "test_util.h"

namespace dfd {
namespace {

// A textured AIF (no constant patches): two crossed sinusoids, amplitude 60 on 8 bits.
Image textured(int W, int H) {
  Image a(W, H, 3);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) a.at(x, y, c) = 128.f + 60.f * std::sin(0.7f * x + 0.2f * c) * std::cos(0.5f * y);
  return a;
}

TEST(Cleanup, ReplacesAPlantedOutlierInAFlatRegion) {
  const int W = 60, H = 40, K = 11;
  Image depth(W, H, 1, 3.0f);
  depth.at(30, 20) = 9.0f;  // the outlier
  CleanupOptions o;
  o.tv = true;
  const CleanupStats s = cleanup_depth(depth, textured(W, H), nullptr, 255.0, K, o);
  EXPECT_TRUE(s.ran);
  EXPECT_EQ(s.patch_radius, 2);  // K / 4
  EXPECT_EQ(s.radius, 5);        // K / 2
  // The median TV is 0 (flat almost everywhere), so every patch that sees the spike's
  // differences is flagged: the spike's (2r+1)^2 patch plus the row/column its left and upper
  // neighbours' differences reach, i.e. x in 28-2 .. 30+2, y in 18 .. 22 and the like.
  EXPECT_GT(s.flagged_tv, 0u);
  EXPECT_LE(s.flagged_tv, 36u);  // (2r+2)^2: the patches that include a difference touching (30, 20)
  EXPECT_EQ(s.flagged, s.flagged_tv);
  EXPECT_EQ(s.replaced, s.flagged);                     // the window K/2 > 2 r always reaches unflagged pixels
  for (float z : depth.data) ASSERT_FLOAT_EQ(z, 3.0f);  // the neighbours' mean is the flat depth
}

TEST(Cleanup, LeavesACleanMapOnATexturedImageUnchanged) {
  const int W = 64, H = 48, K = 11;
  Image depth(W, H, 1);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) depth.at(x, y) = 2.0f + 0.02f * x + 0.5f * std::sin(0.1f * y);  // smooth
  const Image before = depth;
  Image conf(W, H, 1, 0.9f);
  CleanupOptions o;
  o.tv = o.constant = true;
  o.min_confidence = 0.5;
  const CleanupStats s = cleanup_depth(depth, textured(W, H), &conf, 255.0, K, o);
  // A smooth surface's TV varies by well under 3x its median; the AIF's local std-dev (about
  // 60 / sqrt(2) x the patch's share of a period) is far above 1% of 255.
  EXPECT_EQ(s.flagged_tv, 0u);
  EXPECT_EQ(s.flagged_constant, 0u);
  EXPECT_EQ(s.flagged_confidence, 0u);
  EXPECT_EQ(s.replaced, 0u);
  EXPECT_EQ(depth.data, before.data);
}

TEST(Cleanup, ConstantPatchesAndLowConfidenceAreFlagged) {
  const int W = 64, H = 48, K = 11;
  Image aif = textured(W, H);
  // A 12 x 12 constant square: its pixels whose 5 x 5 patch lies inside it are flagged.
  for (int c = 0; c < 3; ++c)
    for (int y = 10; y < 22; ++y)
      for (int x = 20; x < 32; ++x) aif.at(x, y, c) = 90.f;
  Image depth(W, H, 1, 4.0f);
  for (int y = 10; y < 22; ++y)
    for (int x = 20; x < 32; ++x) depth.at(x, y) = 7.0f;  // what a failed DfD puts there
  CleanupOptions o;
  o.constant = true;
  const CleanupStats s = cleanup_depth(depth, aif, nullptr, 255.0, K, o);
  EXPECT_EQ(s.flagged_constant, 8u * 8u);  // the inner 8 x 8 (12 - 2 r on each axis)
  // Flagged pixels within K/2 = 5 of an unflagged one take the unflagged mean: all 64 here
  // (the inner square's half-width is 4).
  EXPECT_EQ(s.replaced, 64u);
  // The centre's window (radius 5) holds 11 x 11 - 64 unflagged pixels: 2 rings of the
  // square (depth 7) and none outside it, so the replacement is 7 there.
  EXPECT_FLOAT_EQ(depth.at(25, 15), 7.0f);

  // Confidence rule: the pixels below the threshold.
  Image d2(W, H, 1, 4.0f), conf(W, H, 1, 0.9f);
  conf.at(5, 5) = 0.1f;
  conf.at(40, 30) = 0.2f;
  d2.at(5, 5) = 1.0f;
  d2.at(40, 30) = 1.0f;
  CleanupOptions oc;
  oc.min_confidence = 0.3;
  const CleanupStats sc = cleanup_depth(d2, aif, &conf, 255.0, K, oc);
  EXPECT_EQ(sc.flagged_confidence, 2u);
  EXPECT_EQ(sc.replaced, 2u);
  EXPECT_FLOAT_EQ(d2.at(5, 5), 4.0f);
  EXPECT_FLOAT_EQ(d2.at(40, 30), 4.0f);
}

TEST(Cleanup, IsolatedFlagsWithoutNeighboursKeepTheirDepth) {
  // Everything constant: every pixel flagged, nobody to take a mean from.
  Image depth(20, 16, 1, 5.0f);
  depth.at(3, 3) = 6.0f;
  CleanupOptions o;
  o.constant = true;
  const CleanupStats s = cleanup_depth(depth, Image(20, 16, 1, 100.f), nullptr, 255.0, 7, o);
  EXPECT_EQ(s.flagged, 20u * 16u);
  EXPECT_EQ(s.replaced, 0u);
  EXPECT_EQ(depth.at(3, 3), 6.0f);
}

TEST(Cleanup, OffByDefaultAndRulesParse) {
  CleanupOptions o;
  EXPECT_FALSE(o.any());
  Image depth(8, 8, 1, 1.f);
  EXPECT_FALSE(cleanup_depth(depth, Image(8, 8, 1), nullptr, 255.0, 7, o).ran);
  parse_cleanup_rules("all", o);
  EXPECT_TRUE(o.tv && o.constant);
  parse_cleanup_rules("constant", o);
  EXPECT_TRUE(!o.tv && o.constant);
  parse_cleanup_rules("tv,constant", o);
  EXPECT_EQ(o.rules(), "tv,constant");
  parse_cleanup_rules("none", o);
  EXPECT_EQ(o.rules(), "none");
  for (const char* bad : {"", "tv,,", "edges", "tv,all"}) {
    try {
      parse_cleanup_rules(bad, o);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Usage) << bad;
    }
  }
}

TEST(Cleanup, BadSettingsAndInputsAreRefused) {
  CleanupOptions o;
  o.tv_factor = 0;
  EXPECT_THROW(o.validate(), Error);
  o = {};
  o.constant_fraction = 1.5;
  EXPECT_THROW(o.validate(), Error);
  o = {};
  o.min_confidence = 1.0;
  EXPECT_THROW(o.validate(), Error);
  o = {};
  o.min_confidence = 0.5;
  Image depth(8, 8, 1, 1.f);
  EXPECT_THROW(cleanup_depth(depth, Image(8, 8, 1), nullptr, 255.0, 7, o), Error);  // no confidence map
  o = {};
  o.constant = true;
  EXPECT_THROW(cleanup_depth(depth, Image(9, 8, 1), nullptr, 255.0, 7, o), Error);  // AIF size
}

}  // namespace
}  // namespace dfd
