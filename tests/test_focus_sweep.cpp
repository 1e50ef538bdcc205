// Dense focus sweeps (issue 14): the focus-measure baseline (dfd/focus_measure.h), the rendered
// sweeps with known depth and their scores (dfd/sweep_scenes.h), the focus-measure start of the
// solver (Options::depth_init), and uncalibrated dfd against the argmax on a small sweep (the
// full 400x400 x 41 bar: tests/slow/test_sweep_bar.cpp).
#include <gtest/gtest.h>

#include <cmath>

#include "dfd/backends.h"
#include "dfd/error.h"
#include "dfd/focus_measure.h"
#include "dfd/options.h"
#include "dfd/solver.h"
#include "dfd/sweep_scenes.h"
#include "dfd/synthetic.h"

namespace dfd {
namespace {

// Three frames of one texture: frame 1 sharp, frames 0 and 2 blurred by `b0` and `b2` px.
FocalStack three_frames(double b0, double b2) {
  const Image tex = synthetic_texture(48, 40, 3);
  Image g(48, 40, 1);
  std::copy(tex.plane(1), tex.plane(1) + g.pixels(), g.plane(0));
  auto blur = [&](double s) {
    Image out(g.width, g.height, 1);
    const int r = static_cast<int>(std::ceil(3 * s));
    for (int y = 0; y < g.height; ++y)
      for (int x = 0; x < g.width; ++x) {
        double acc = 0, w = 0;
        for (int v = -r; v <= r; ++v)
          for (int u = -r; u <= r; ++u) {
            const double k = std::exp(-(u * u + v * v) / (2 * s * s));
            acc += k * g.at(std::clamp(x + u, 0, g.width - 1), std::clamp(y + v, 0, g.height - 1));
            w += k;
          }
        out.at(x, y) = static_cast<float>(acc / w);
      }
    return out;
  };
  FocalStack st;
  st.frames = {blur(b0), g, blur(b2)};
  st.focus_distances = {0, 1, 2};
  return st;
}

TEST(FocusMeasure, SharpestFrameWinsAndTheParabolaLeansTowardsTheSharperNeighbour) {
  FocusMeasureOptions o;
  o.sigma = 2;
  const Image even = focus_measure_depth(three_frames(1.5, 1.5), o, 1);
  const Image lean = focus_measure_depth(three_frames(0.8, 2.5), o, 1);
  o.parabolic = false;
  const Image integer = focus_measure_depth(three_frames(0.8, 2.5), o, 1);
  for (size_t p = 0; p < even.data.size(); p += 37) {
    EXPECT_NEAR(even.data[p], 1.0, 1e-3) << p;  // symmetric neighbours: the vertex is the peak
    EXPECT_GT(lean.data[p], 0.5f) << p;         // within +-0.5 of the peak ...
    EXPECT_LT(lean.data[p], 1.0f) << p;         // ... towards the less blurred frame 0
    EXPECT_EQ(integer.data[p], 1.0f) << p;
  }
  // The modified Laplacian picks the same frame.
  o.measure = FocusMeasure::ModifiedLaplacian;
  const Image ml = focus_measure_depth(three_frames(1.5, 1.5), o, 1);
  for (size_t p = 0; p < ml.data.size(); p += 37) EXPECT_EQ(ml.data[p], 1.0f) << p;
  EXPECT_THROW(focus_measure_depth(FocalStack{}, o), Error);
}

TEST(FocusMeasure, IndicesMapThroughTheFocusDistances) {
  Image s(3, 1, 1);
  s.data = {0.f, 1.5f, 2.f};
  const Image z = index_to_focus_distance(s, {1.0, 2.0, 4.0});
  EXPECT_FLOAT_EQ(z.data[0], 1.0f);
  EXPECT_FLOAT_EQ(z.data[1], 3.0f);
  EXPECT_FLOAT_EQ(z.data[2], 4.0f);
}

TEST(SweepScores, AffineRmseIgnoresScaleAndOffsetAndSpearmanOnlyOrder) {
  Image t(20, 10, 1), p(20, 10, 1), q(20, 10, 1);
  for (size_t i = 0; i < t.data.size(); ++i) {
    t.data[i] = static_cast<float>(i % 37) * 0.5f;
    p.data[i] = 3.f - 2.f * t.data[i];    // affine, reversed
    q.data[i] = std::exp(t.data[i] / 4);  // monotone, not affine
  }
  EXPECT_NEAR(affine_rmse(p, t), 0.0, 1e-6);
  EXPECT_NEAR(spearman(p, t), -1.0, 1e-12);
  EXPECT_NEAR(spearman(q, t), 1.0, 1e-12);
  EXPECT_GT(affine_rmse(q, t), 0.01);
  // A constant prediction explains nothing: the RMSE is the truth's standard deviation / range.
  Image c(20, 10, 1, 5.f);
  double m = 0, v = 0;
  for (float x : t.data) m += x;
  m /= t.data.size();
  for (float x : t.data) v += (x - m) * (x - m);
  EXPECT_NEAR(affine_rmse(c, t), std::sqrt(v / t.data.size()) / 18.0, 1e-6);
}

TEST(SweepScenes, RenderedSweepIsSharpWhereItsDepthIsAndRefusesBadSpecs) {
  SweepSpec sp;
  sp.width = 64;
  sp.height = 48;
  sp.frames = 9;
  sp.a = 0.5;
  for (const std::string blur : {"gaussian", "disc"}) {
    sp.blur = blur;
    const SweepScene sc = make_sweep_scene(sp);
    ASSERT_EQ(sc.stack.count(), 9);
    EXPECT_EQ(sc.stack.width(), 64);
    EXPECT_EQ(sc.stack.focus_distances.back(), 8.0);
    float lo = 1e9f, hi = -1e9f;
    for (float v : sc.depth.data) lo = std::min(lo, v), hi = std::max(hi, v);
    EXPECT_GE(lo, 0.f);
    EXPECT_LE(hi, 8.f);
    EXPECT_GT(hi - lo, 5.f);                                              // the slant spans most of the sweep
    for (float v : sc.stack.frames[3].data) EXPECT_EQ(v, std::round(v));  // 8-bit
    // The frame focused at the slant's depth matches the texture there; frames far off do not.
    const int x = 20, y = 24;
    const int k = static_cast<int>(std::lround(sc.depth.at(x, y)));
    double near_err = 0, far_err = 0;
    const int far = k < 4 ? 8 : 0;
    for (int v = -3; v <= 3; ++v)
      for (int u = -3; u <= 3; ++u) {
        near_err += std::fabs(sc.stack.frames[k].at(x + u, y + v) - sc.aif.at(x + u, y + v));
        far_err += std::fabs(sc.stack.frames[far].at(x + u, y + v) - sc.aif.at(x + u, y + v));
      }
    EXPECT_LT(near_err, 0.5 * far_err) << blur;
  }
  sp.jpeg = true;
  EXPECT_NO_THROW(make_sweep_scene(sp));
  sp.surface = "cone";
  EXPECT_THROW(make_sweep_scene(sp), Error);
  sp.surface = "dome";
  sp.blur = "box";
  EXPECT_THROW(make_sweep_scene(sp), Error);
}

TEST(DepthInit, AutoStartsDenseUncalibratedSweepsFromTheFocusMeasure) {
  EXPECT_EQ(depth_init_from_string("focus"), DepthInit::Focus);
  EXPECT_EQ(depth_init_from_string("none"), DepthInit::None);
  EXPECT_EQ(std::string(to_string(DepthInit::Auto)), "auto");
  EXPECT_THROW(depth_init_from_string("argmax"), Error);
  FocalStack few, dense;
  for (int i = 0; i < kDenseSweepFrames; ++i) {
    if (i + 1 < kDenseSweepFrames) few.frames.emplace_back(8, 8, 1);  // one frame short
    dense.frames.emplace_back(8, 8, 1);
  }
  Options u = preset_options("uncalibrated");
  EXPECT_FALSE(u.focus_init(few));
  EXPECT_TRUE(u.focus_init(dense));
  u.depth_init = DepthInit::None;
  EXPECT_FALSE(u.focus_init(dense));
  Options n = preset_options("nyuv2");
  EXPECT_FALSE(n.focus_init(dense));  // calibrated: the order's own start
  n.depth_init = DepthInit::Focus;
  EXPECT_TRUE(n.focus_init(few));
  n.focus_init_sigma = -1;
  EXPECT_THROW(n.validate(), Error);
}

// The default suite's version of issue 14's bar: a small rendered sweep (96x96, 21 frames,
// Gaussian blur, 8-bit), uncalibrated dfd with no flags against the focus-measure argmax.
TEST(DenseSweep, UncalibratedDfdBeatsTheFocusMeasureArgmax) {
  SweepSpec sp;
  sp.width = 96;
  sp.height = 96;
  sp.frames = 21;
  sp.a = 0.4;
  sp.surface = "dome";
  const SweepScene sc = make_sweep_scene(sp);
  const Image fm = focus_measure_depth(sc.stack, {}, 1);
  Options o = preset_options("uncalibrated");
  o.threads = 1;
  o.confidence = false;
  auto be = make_cpu_backend(1);
  const Result r = solve(sc.stack, o, *be);
  const double dfd_rmse = affine_rmse(r.depth, sc.depth), fm_rmse = affine_rmse(fm, sc.depth);
  const double dfd_rho = spearman(r.depth, sc.depth), fm_rho = spearman(fm, sc.depth);
  RecordProperty("dfd_rmse", std::to_string(dfd_rmse));
  RecordProperty("argmax_rmse", std::to_string(fm_rmse));
  EXPECT_LT(dfd_rmse, fm_rmse) << "dfd rho " << dfd_rho << ", argmax rho " << fm_rho;
  EXPECT_GT(dfd_rho, fm_rho) << "dfd rmse " << dfd_rmse << ", argmax rmse " << fm_rmse;
}

}  // namespace
}  // namespace dfd
