// The blur-scale estimate on a dense focus sweep of issue 14's size (41 frames, 400x400): a true
// a below the initial grid (0.25 px per frame step at full resolution, the trials' factor 2)
// is bracketed by extending the grid, and the trials on 12 evenly spaced frames agree with the
// trials on all 41 within a few percent, in less time. Prints the figures (RESULTS-style).
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include "dense_sweep.h"
#include "dfd/backends.h"
#include "dfd/reference_model.h"
#include "dfd/solver.h"
#include "dfd/synthetic.h"

namespace dfd {
namespace {

using test::index_camera;

using test::dense_sweep;
using test::trials_text;

FocalStack dense_sweep_400(double a) {
  const int W = 400, H = 400, F = 41;
  const Image rgb = synthetic_texture(W, H, 11);
  Image aif(W, H, 1);
  std::copy(rgb.plane(1), rgb.plane(1) + static_cast<size_t>(W) * H, aif.plane(0));
  // A slanted plane over most of the sweep, a curved (paraboloid) cap and a step.
  Image depth(W, H, 1);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      double s = 2.0 + 36.0 * x / (W - 1);
      const double dx = (x - 280.0) / 90.0, dy = (y - 120.0) / 90.0;
      if (dx * dx + dy * dy < 1) s = 8.0 + 10.0 * (1 - dx * dx - dy * dy);
      if (y > 300 && x < 160) s = 30.0;
      depth.at(x, y) = static_cast<float>(s);
    }
  Camera cam;
  cam.model = BlurModel::FocusIndex;
  cam.index_scale = a;
  cam.thresh = 0.5;
  FocalStack st;
  for (int i = 0; i < F; ++i) st.focus_distances.push_back(i);
  const int K = 2 * static_cast<int>(std::ceil(3 * a * 38)) + 1;  // the largest |s - i| is 38
  st.frames = exact_forward(aif, depth, cam, st.focus_distances, K);
  st.range = 255;
  return st;
}

TEST(DenseSweepEstimate, BracketedAndAFrameSubsetAgreesWithAllFramesInLessTime) {
  const double a_true = 0.15;
  const FocalStack st = dense_sweep_400(a_true);
  Options o = preset_options("uncalibrated");
  o.confidence = false;
  auto be = make_cpu_backend(0);
  const Options r = o.resolved_for(st);
  const BlurScaleEstimate sub = estimate_blur_scale(st, r, *be);
  const BlurScaleEstimate all = estimate_blur_scale(st, r, *be, nullptr, 0);
  std::printf("dense sweep 400x400, 41 frames, a = %.3f: factor %d\n", a_true, sub.factor);
  for (const auto* e : {&sub, &all})
    std::printf("  %2zu frames: a = %.4f (%+.1f%%), %zu trials, %d grid extensions, bracketed %d, %.1f s\n",
                e->frames.size(), e->scale, 100 * (e->scale / a_true - 1), e->trials.size(), e->grid_extensions,
                e->bracketed ? 1 : 0, e->seconds);
  EXPECT_EQ(sub.frames.size(), 12u);
  EXPECT_EQ(all.frames.size(), 41u);
  EXPECT_GE(sub.grid_extensions, 1);
  EXPECT_TRUE(sub.bracketed);
  EXPECT_TRUE(all.bracketed);
  EXPECT_NEAR(sub.scale, all.scale, 0.05 * all.scale);
  EXPECT_NEAR(sub.scale, a_true, 0.15 * a_true);
  EXPECT_LT(sub.seconds, 0.6 * all.seconds);
}

// Above the grid: extended upwards the same way.
TEST(DenseSweepEstimate, BlurScaleAboveTheGridIsBracketedByExtendingIt) {
  const double a_true = 12.0;
  const FocalStack st = dense_sweep(3, a_true, 96, 72);
  Options o = preset_options("uncalibrated");
  o.confidence = false;
  auto be = make_cpu_backend(1);
  const BlurScaleEstimate e = estimate_blur_scale(st, o.resolved_for(st), *be);
  EXPECT_GE(e.grid_extensions, 1) << trials_text(e);
  EXPECT_TRUE(e.bracketed) << trials_text(e);
  EXPECT_NEAR(e.scale, a_true, 0.2 * a_true) << "estimated a = " << e.scale << "; trials" << trials_text(e);
}

// A dense sweep's trials solve 12 evenly spaced frames (first and last included) at their own
// indices: the estimate matches that of all frames within a few percent.
TEST(DenseSweepEstimate, DenseSweepTrialsUseAFrameSubsetAndAgreeWithAllFrames) {
  const double a_true = 0.3;
  const FocalStack st = dense_sweep(30, a_true, 64, 48);
  Options o = preset_options("uncalibrated");
  o.confidence = false;
  auto be = make_cpu_backend(1);
  const BlurScaleEstimate sub = estimate_blur_scale(st, o.resolved_for(st), *be);
  ASSERT_EQ(sub.frames.size(), 12u);
  EXPECT_EQ(sub.frames.front(), 0);
  EXPECT_EQ(sub.frames.back(), 29);
  for (size_t k = 1; k < sub.frames.size(); ++k) {
    EXPECT_GE(sub.frames[k] - sub.frames[k - 1], 2);
    EXPECT_LE(sub.frames[k] - sub.frames[k - 1], 3);
  }
  const BlurScaleEstimate all = estimate_blur_scale(st, o.resolved_for(st), *be, nullptr, 0);
  EXPECT_EQ(all.frames.size(), 30u);
  EXPECT_NEAR(sub.scale, all.scale, 0.05 * all.scale) << "subset" << trials_text(sub) << "\nall" << trials_text(all);
  EXPECT_NEAR(sub.scale, a_true, 0.15 * a_true) << trials_text(sub);
  EXPECT_LT(sub.seconds, all.seconds);
}

}  // namespace
}  // namespace dfd
