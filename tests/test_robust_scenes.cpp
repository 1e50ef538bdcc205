// The robustness scenes: aloe's disparity conversion (hole fill, Z = f B / d, the inverse-depth
// remap) on tiny hand-made maps, the aloe and indoor scenes themselves (aloe skipped without
// Debian's opencv-doc), the indoor scene's photo fallback, and the textureless mask.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "dfd/error.h"
#include "dfd/robust_scenes.h"

namespace dfd {
namespace {

// A 6 x 4 disparity map, rows top to bottom (0 = hole).
Image disparity(const std::vector<std::vector<float>>& rows) {
  Image d(static_cast<int>(rows[0].size()), static_cast<int>(rows.size()), 1);
  for (int y = 0; y < d.height; ++y)
    for (int x = 0; x < d.width; ++x) d.at(x, y) = rows[y][x];
  return d;
}

TEST(RobustScenes, HolesTakeTheFartherBoundingDisparity) {
  Image d = disparity({{10, 0, 0, 20, 20, 20},    // between 10 and 20: the background (10)
                       {0, 0, 30, 30, 0, 0},      // at the borders: the one neighbour
                       {0, 0, 0, 0, 0, 0},        // no valid pixel: filled along the columns
                       {40, 40, 40, 5, 0, 40}});  // between 5 and 40: 5
  EXPECT_EQ(fill_disparity_holes(d), 13u);
  const Image want =
      disparity({{10, 10, 10, 20, 20, 20}, {30, 30, 30, 30, 30, 30}, {30, 30, 30, 5, 5, 30}, {40, 40, 40, 5, 5, 40}});
  EXPECT_EQ(d.data, want.data);
}

TEST(RobustScenes, AnEmptyDisparityMapIsRefused) {
  Image d(4, 3, 1, 0.f);
  EXPECT_THROW(fill_disparity_holes(d), Error);
}

TEST(RobustScenes, DepthIsFocalTimesBaselineOverDisparityAndMonotone) {
  Image d = disparity({{10, 20, 40, 80, 160, 200}});
  const Image z = disparity_to_depth(d, kAloeFocalPixels, kAloeBaseline);
  for (int x = 0; x < d.width; ++x) EXPECT_FLOAT_EQ(z.at(x, 0), kAloeFocalPixels * kAloeBaseline / d.at(x, 0));
  for (int x = 1; x < d.width; ++x) EXPECT_LT(z.at(x, 0), z.at(x - 1, 0)) << "larger disparity, nearer";
  d.at(2, 0) = 0;
  EXPECT_THROW(disparity_to_depth(d, kAloeFocalPixels, kAloeBaseline), Error) << "holes must be filled first";
}

TEST(RobustScenes, InverseDepthRemapHitsTheRangeAffinely) {
  const Image z = disparity({{2.0f, 4.0f, 8.0f, 16.0f}});  // inverse depths 0.5 .. 0.0625
  const Image r = remap_inverse_depth(z, kAloeNear, kAloeFar);
  EXPECT_NEAR(r.at(0, 0), kAloeNear, 1e-5);
  EXPECT_NEAR(r.at(3, 0), kAloeFar, 1e-5);
  for (int x = 1; x < 4; ++x) EXPECT_GT(r.at(x, 0), r.at(x - 1, 0)) << "order kept";
  // 1/Z = 0.25 lies 3/7 of the way from 1/16 to 1/2, so 1/Z' lies 3/7 of the way from 1/4 to 1/0.7.
  const double t = (0.25 - 0.0625) / (0.5 - 0.0625);
  EXPECT_NEAR(1.0 / r.at(1, 0), 1.0 / kAloeFar + t * (1.0 / kAloeNear - 1.0 / kAloeFar), 1e-5);
}

TEST(RobustScenes, AloeSceneFromTheMiddleburyFiles) {
  for (const char* f : {"aloeL.jpg", "aloeGT.png"}) {
    const std::string path = std::string(kOpencvDataDir) + "/" + f;
    if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is missing (scripts/install-deps.sh --bench-data)";
  }
  const RobustScene sc = make_aloe_scene(64, 48);
  ASSERT_EQ(sc.aif.width, 64);
  ASSERT_EQ(sc.aif.channels, 3);
  ASSERT_EQ(sc.depth.height, 48);
  const auto [lo, hi] = std::minmax_element(sc.depth.data.begin(), sc.depth.data.end());
  EXPECT_NEAR(*lo, kAloeNear, 1e-4);
  EXPECT_NEAR(*hi, kAloeFar, 1e-3);
  for (float v : sc.aif.data) ASSERT_TRUE(v >= 0 && v <= 255);
  EXPECT_GE(sc.notes.size(), 3u);
}

TEST(RobustScenes, MissingAloeFilesAreNamed) {
  try {
    make_aloe_scene(64, 48, "/nonexistent-bench-data");
    FAIL() << "missing files must be refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Input);
    const std::string m = e.what();
    EXPECT_NE(m.find("/nonexistent-bench-data/aloeL.jpg"), std::string::npos) << m;
    EXPECT_NE(m.find("--bench-data"), std::string::npos) << "says how to install: " << m;
  }
}

TEST(RobustScenes, IndoorSceneIsDeterministicWithLargeTexturelessRegions) {
  const RobustScene a = make_indoor_scene(96, 72, 7), b = make_indoor_scene(96, 72, 7),
                    c = make_indoor_scene(96, 72, 8);
  EXPECT_EQ(a.aif.data, b.aif.data);
  EXPECT_EQ(a.depth.data, b.depth.data);
  EXPECT_NE(a.aif.data, c.aif.data) << "the seed moves objects and crops";
  const auto [lo, hi] = std::minmax_element(a.depth.data.begin(), a.depth.data.end());
  EXPECT_GE(*lo, 0.75f);
  EXPECT_LE(*hi, kIndoorFar + 1e-4);
  EXPECT_LT(*lo, 1.0f) << "the nearest object and the floor's front";
  const Image flat = textureless_mask(a.aif, 4, 1.0);
  double n = 0;
  for (float v : flat.data) n += v;
  EXPECT_GT(n / flat.pixels(), 0.3) << "wall and floor are textureless";
  EXPECT_LT(n / flat.pixels(), 0.8) << "the objects are not";
}

TEST(RobustScenes, IndoorSceneFallsBackToSyntheticTexture) {
  const RobustScene sc = make_indoor_scene(64, 48, 1, "/nonexistent-photos");
  bool noted = false;
  for (const std::string& n : sc.notes)
    noted = noted || (n.find("/nonexistent-photos/brick.png") != std::string::npos &&
                      n.find("synthetic_texture") != std::string::npos);
  EXPECT_TRUE(noted) << "the fallback is said";
  const Image flat = textureless_mask(sc.aif, 4, 1.0);
  EXPECT_LT(std::count(flat.data.begin(), flat.data.end(), 1.f), static_cast<long>(flat.pixels()));
}

TEST(RobustScenes, TexturelessMask) {
  Image im(20, 20, 3, 100.f);
  // A gradient of 0.2 DN a pixel (std 0.4 DN over 7 columns, below 1) ...
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 20; ++y)
      for (int x = 0; x < 20; ++x) im.at(x, y, c) = 100.f + 0.2f * x;
  for (int y = 10; y < 20; ++y)
    for (int x = 10; x < 20; ++x) im.at(x, y, 0) = (x + y) % 2 ? 0.f : 255.f;  // ... and a checkerboard corner
  const Image m = textureless_mask(im, 4, 1.0);
  EXPECT_EQ(m.at(2, 2), 1.f);
  EXPECT_EQ(m.at(15, 15), 0.f);
  EXPECT_EQ(m.at(7, 7), 0.f) << "within 4 px of the checkerboard";
}

TEST(RobustScenes, UnknownSceneIsAUsageError) {
  try {
    make_robust_scene("kitchen", 64, 48, 1);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(std::string(e.what()).find("indoor"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace dfd
