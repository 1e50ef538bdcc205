// The uncalibrated (FocusIndex) model: its blur law, options, window rule, the estimate of the
// blur scale a, and a solve of a stack rendered with known a and relative depth.
#include <gtest/gtest.h>

#include <unistd.h>
#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "dense_sweep.h"
#include "dfd/backends.h"
#include "dfd/error.h"
#include "dfd/io.h"
#include "dfd/job.h"
#include "dfd/reference_model.h"
#include "dfd/report.h"
#include "dfd/resample.h"
#include "dfd/solver.h"
#include "dfd/synthetic.h"

namespace dfd {
namespace {

using test::index_camera;

TEST(Uncalibrated, BlurLawIsLinearInTheIndexDistanceAboveThresh) {
  const Camera c = index_camera(1.5, 0.5);
  EXPECT_DOUBLE_EQ(blur_sigma(c, 2.0, 2.0), 0.5);  // in focus: the floor
  EXPECT_DOUBLE_EQ(blur_sigma(c, 2.0, 2.2), 0.5);  // 0.3 px < thresh
  EXPECT_DOUBLE_EQ(blur_sigma(c, 2.0, 4.0), 3.0);  // 1.5 * 2
  EXPECT_DOUBLE_EQ(blur_sigma(c, 4.0, 1.0), 4.5);  // symmetric in s - i
  EXPECT_DOUBLE_EQ(max_blur_sigma(c, {0, 1, 2, 3, 4}, 0.0, 4.0), 6.0);
}

TEST(Uncalibrated, PresetNeedsNoCameraAndTakesTheFrameIndexRange) {
  Options o = preset_options("uncalibrated");
  EXPECT_EQ(o.blur_model, BlurModel::FocusIndex);
  EXPECT_TRUE(o.auto_index_range());
  FocalStack s;
  s.range = 255;
  for (int i = 0; i < 4; ++i) {
    s.frames.emplace_back(8, 6, 1);
    s.focus_distances.push_back(i);
  }
  o.focal_length = 0;  // unused by this model: must not be required
  EXPECT_NO_THROW(o.validate(&s));
  const Options r = o.resolved_for(s);
  EXPECT_EQ(r.depth_min, 0.0);
  EXPECT_EQ(r.depth_max, 3.0);
  o.blur_scale = -1;
  EXPECT_THROW(o.validate(&s), Error);
  // A calibrated preset still refuses a focus distance at the focal length.
  Options t = preset_options("nyuv2");
  s.focus_distances = {0.05, 1, 2, 3};
  EXPECT_THROW(t.validate(&s), Error);
}

TEST(Uncalibrated, WindowCoversThreeSigmaOfTheLargestBlurCappedAtHalfTheShorterSide) {
  FocalStack s;
  for (int i = 0; i < 5; ++i) {
    s.frames.emplace_back(400, 300, 1);
    s.focus_distances.push_back(i);
  }
  Options o = preset_options("uncalibrated");
  o.blur_scale = 0.5;  // sigma_max = 0.5 * 4 = 2 -> K = 2 * 6 + 1 = 13
  EXPECT_EQ(solve_options(s, o).kernel_size, 13);
  o.blur_scale = 10;  // 40 px: K = 241 would exceed half of 300 -> 151
  EXPECT_EQ(solve_options(s, o).kernel_size, 151);
  o.blur_scale = 0;
  EXPECT_THROW(solve_options(s, o), Error);  // unresolved a
  o.blur_scale = 0.5;
  o.kernel_size = 9;  // an explicit window wins
  EXPECT_EQ(solve_options(s, o).kernel_size, 9);
}

// A stack rendered with the FocusIndex model: 4 frames, a = 1.2 px per frame step, depth in
// index units from a slanted plane and two fronto-parallel patches.
struct IndexScene {
  Image aif, depth;
  FocalStack stack;
};

IndexScene index_scene(double a) {
  const int W = 64, H = 48;
  IndexScene sc;
  sc.aif = synthetic_texture(W, H, 3);
  sc.depth = Image(W, H, 1);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      float s = 0.2f + 2.6f * x / (W - 1);
      if (y < H / 3) s = 1.0f;
      if (y > 2 * H / 3 && x < W / 2) s = 2.7f;
      sc.depth.at(x, y) = s;
    }
  sc.stack.focus_distances = {0, 1, 2, 3};
  const Camera cam = index_camera(a, 0.5);
  // The window the solver picks for this a: +-3 sigma of the largest blur (1.2 * 3 px) -> 23.
  sc.stack.frames = exact_forward(sc.aif, sc.depth, cam, sc.stack.focus_distances, 23);
  sc.stack.range = 255;
  return sc;
}

double mean_abs_error(const Image& a, const Image& b) {
  double s = 0;
  for (size_t i = 0; i < a.data.size(); ++i) s += std::fabs(a.data[i] - b.data[i]);
  return s / a.data.size();
}

TEST(Uncalibrated, SolveRecoversRelativeDepthInFrameUnits) {
  const IndexScene sc = index_scene(1.2);
  Options o = preset_options("uncalibrated");
  o.threads = 1;
  o.blur_scale = 1.2;
  o.epochs = 6;
  auto be = make_cpu_backend(1);
  const Result r = solve(sc.stack, o, *be);
  EXPECT_EQ(r.options.depth_min, 0.0);
  EXPECT_EQ(r.options.depth_max, 3.0);
  EXPECT_EQ(r.blur_scale_estimate.scale, 0.0);  // given, not estimated
  EXPECT_EQ(r.kernel_size, 23);
  // In focus (|s - i| < thresh / a = 0.42) every frame's blur is the floor, so depth is only
  // determined up to that dead band near each frame: a mean error of a tenth of a frame step.
  EXPECT_LT(mean_abs_error(r.depth, sc.depth), 0.1);
  // Each step never raises the objective it minimises: L for the pure objective; for the
  // regularised one (auto: this texture's high-pass reads as noise above 1e-3 R) L plus the
  // priors, which may trade some L.
  for (size_t k = 2; k < r.log.size(); ++k) {
    if (r.depth_prior || r.aif_prior)
      EXPECT_LE(r.log[k].objective, r.log[k].objective_before * (1 + 1e-6)) << r.log[k].step << " " << r.log[k].epoch;
    else
      EXPECT_LE(r.log[k].loss, r.log[k - 1].loss * (1 + 1e-6));
  }
}

// solve() estimates a when it is not given; report.json names the model, a and the trials.
TEST(Uncalibrated, EstimatesTheBlurScaleOfARenderedStackAndReportsIt) {
  const double a_true = 1.2;
  const IndexScene sc = index_scene(a_true);
  Options o = preset_options("uncalibrated");
  o.threads = 1;
  o.epochs = 1;
  auto be = make_cpu_backend(1);
  size_t trials_heard = 0;
  const Result r = solve(sc.stack, o, *be, [&](const StepLog& s, int) {
    if (s.epoch != kEstimateEpoch) return;
    ++trials_heard;
    EXPECT_EQ(s.step.rfind("a=", 0), 0u);
  });
  const BlurScaleEstimate& e = r.blur_scale_estimate;
  EXPECT_EQ(trials_heard, e.trials.size());  // progress hears of every trial
  EXPECT_EQ(e.factor, 1);
  EXPECT_GE(e.trials.size(), 7u);
  std::string trials;
  for (const auto& t : e.trials) trials += " (" + std::to_string(t.first) + ", " + std::to_string(t.second) + ")";
  // The grid steps by 2x and the golden section narrows it to ~1.2x: within 15% of the truth.
  EXPECT_NEAR(e.scale, a_true, 0.15 * a_true) << "estimated a = " << e.scale << "; trials" << trials;
  EXPECT_EQ(r.options.blur_scale, e.scale);
  RunReport rep;
  rep.options = o;
  rep.stack = &sc.stack;
  rep.result = &r;
  const nlohmann::json j = nlohmann::json::parse(report_json(rep));
  EXPECT_EQ(j["model"]["blur_model"], "focus-index");
  EXPECT_DOUBLE_EQ(j["model"]["a_pixels_per_frame"].get<double>(), r.blur_scale_estimate.scale);
  EXPECT_EQ(j["model"]["a_estimate"]["trials"].size(), r.blur_scale_estimate.trials.size());
  EXPECT_EQ(j["options"]["depth"]["max"].get<double>(), 3.0);  // resolved, not the preset's 0
}

using test::dense_sweep;
using test::trials_text;

// A true a below the initial grid (0.125 .. 8 px per frame step): the best grid point is the
// lowest, so the grid grows downwards until the minimum is bracketed, and the estimate finds a.
TEST(Uncalibrated, BlurScaleBelowTheGridIsBracketedByExtendingIt) {
  const double a_true = 0.08;
  const FocalStack st = dense_sweep(16, a_true, 48, 36);
  Options o = preset_options("uncalibrated");
  o.confidence = false;
  auto be = make_cpu_backend(1);
  const BlurScaleEstimate e = estimate_blur_scale(st, o.resolved_for(st), *be);
  EXPECT_EQ(e.factor, 1);
  EXPECT_DOUBLE_EQ(e.grid_lo, 0.125);
  EXPECT_GE(e.grid_extensions, 1) << trials_text(e);
  EXPECT_LE(e.grid_extensions, e.max_grid_extensions);
  EXPECT_TRUE(e.bracketed) << trials_text(e);
  EXPECT_NEAR(e.scale, a_true, 0.15 * a_true) << "estimated a = " << e.scale << "; trials" << trials_text(e);
  bool below = false;  // a trial below the initial grid was run
  for (const auto& t : e.trials) below = below || t.first < e.grid_lo * 0.99;
  EXPECT_TRUE(below) << trials_text(e);
  // report.json states the grid, its extensions and whether the minimum was bracketed.
  Result r;
  r.options = o;
  r.options.blur_scale = e.scale;
  r.blur_scale_estimate = e;
  RunReport rep;
  rep.options = o;
  rep.result = &r;
  const nlohmann::json j = nlohmann::json::parse(report_json(rep));
  const nlohmann::json& g = j["model"]["a_estimate"]["grid"];
  EXPECT_EQ(g["extensions"].get<int>(), e.grid_extensions);
  EXPECT_EQ(g["max_extensions"].get<int>(), e.max_grid_extensions);
  EXPECT_TRUE(g["bracketed"].get<bool>());
  EXPECT_EQ(j["model"]["a_estimate"]["frames"].size(), e.frames.size());
}

// A dense sweep's trials solve 12 evenly spaced frames, first and last included, at their own
// indices (the estimate's agreement with all frames: tests/slow/test_dense_sweep_estimate.cpp).
TEST(Uncalibrated, DenseSweepTrialsSolveTwelveEvenlySpacedFrames) {
  const FocalStack st = dense_sweep(30, 0.3, 16, 12);
  Options o = preset_options("uncalibrated");
  o.confidence = false;
  auto be = make_cpu_backend(1);
  const BlurScaleEstimate e = estimate_blur_scale(st, o.resolved_for(st), *be);
  ASSERT_EQ(e.frames.size(), 12u);
  EXPECT_EQ(e.frames.front(), 0);
  EXPECT_EQ(e.frames.back(), 29);
  for (size_t k = 1; k < e.frames.size(); ++k) {
    EXPECT_GE(e.frames[k] - e.frames[k - 1], 2);
    EXPECT_LE(e.frames[k] - e.frames[k - 1], 3);
  }
  // At most 12 frames: all of them.
  const FocalStack few = dense_sweep(5, 0.3, 16, 12);
  EXPECT_EQ(estimate_blur_scale(few, o.resolved_for(few), *be).frames, (std::vector<int>{0, 1, 2, 3, 4}));
}

// --ply-min-confidence needs the confidence map: with --no-confidence the job is refused before
// the solve, leaving the output folder empty (not half written).
TEST(Uncalibrated, PlyConfidenceFilterWithoutConfidenceIsRefusedBeforeSolving) {
  SolveJob job;
  job.stack = index_scene(1.2).stack;
  job.options = preset_options("uncalibrated");
  job.options.blur_scale = 1.2;
  job.options.confidence = false;
  job.outputs.ply = true;
  job.outputs.ply_options.min_confidence = 0.5;
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("dfd-plyconf-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto be = make_cpu_backend(1);
  try {
    run_solve_job(job, *be, dir.string(), "test");
    ADD_FAILURE() << "expected a usage error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(std::string(e.what()).find("--no-confidence"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir));
  std::filesystem::remove_all(dir);
}

TEST(ResizeStack, AveragesAreasAndScalesThePixelPitchAndWindow) {
  FocalStack s;
  s.range = 255;
  for (int i = 0; i < 2; ++i) {
    Image f(20, 16, 3);
    for (size_t k = 0; k < f.data.size(); ++k) f.data[k] = static_cast<float>(k % 7) * 10.f + i;
    s.frames.push_back(f);
    s.focus_distances.push_back(1.0 + i);
  }
  const Image before = s.frames[1];
  Options o = preset_options("nyuv2");
  o.kernel_size = 11;
  resize_stack(s, 0.5, o);
  ASSERT_EQ(s.width(), 10);
  ASSERT_EQ(s.height(), 8);
  EXPECT_DOUBLE_EQ(o.pixel_pitch, 2.4e-5);  // a working pixel spans two frame pixels
  EXPECT_EQ(o.kernel_size, 7);              // round(5.5) = 6 -> odd 7
  // Exact 2x area averaging: the mean of each 2x2 block, per channel.
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 8; ++y)
      for (int x = 0; x < 10; ++x) {
        const double m = (before.at(2 * x, 2 * y, c) + before.at(2 * x + 1, 2 * y, c) + before.at(2 * x, 2 * y + 1, c) +
                          before.at(2 * x + 1, 2 * y + 1, c)) /
                         4.0;
        EXPECT_NEAR(s.frames[1].at(x, y, c), m, 1e-4) << x << "," << y << "," << c;
      }
  EXPECT_THROW(resize_stack(s, 1.5, o), Error);
  EXPECT_THROW(resize_stack(s, 0.5, o), Error);  // 10x8 -> 5x4: fewer than 8x8
}

}  // namespace
}  // namespace dfd
