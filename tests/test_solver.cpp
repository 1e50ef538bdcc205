// The alternating minimisation end to end on the CPU backend: small synthetic scenes with
// known depth, the loss log, both AIF solvers and both step orders.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "dfd/backends.h"
#include "dfd/metrics.h"
#include "dfd/reference_model.h"
#include "dfd/solver.h"

namespace dfd {
namespace {

// A textured scene: band-limited random texture in [20, 235], depth in three fronto-parallel
// layers and a slanted plane, within [0.6, 7] m.
struct Scene {
  Image aif, depth;
  FocalStack stack;
};

Scene make_scene(int W, int H, int C, const Options& opt, unsigned seed = 7) {
  Scene s;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> U(0.f, 1.f);
  s.aif = Image(W, H, C);
  for (int c = 0; c < C; ++c) {
    // Sum of random plane waves at several scales plus pixel noise: texture at every scale.
    float fx[6], fy[6], ph[6];
    for (int k = 0; k < 6; ++k) fx[k] = (U(rng) - 0.5f) * 1.6f, fy[k] = (U(rng) - 0.5f) * 1.6f, ph[k] = 6.28f * U(rng);
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) {
        float v = 0;
        for (int k = 0; k < 6; ++k) v += std::sin(fx[k] * x + fy[k] * y + ph[k]);
        v = 0.5f + v / 12.f + 0.25f * (U(rng) - 0.5f);
        s.aif.at(x, y, c) = 20.f + 215.f * std::min(1.f, std::max(0.f, v));
      }
  }
  s.depth = Image(W, H, 1);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      float z = 0.6f + 6.4f * x / (W - 1);  // slanted plane across the image
      if (y < H / 3)
        z = 1.2f;
      else if (y > 2 * H / 3 && x < W / 2)
        z = 3.0f;
      s.depth.at(x, y) = z;
    }
  s.stack.focus_distances = {1, 1.5, 2.5, 4, 6};
  s.stack.range = 255;
  s.stack.frames = exact_forward(s.aif, s.depth, opt.camera(), s.stack.focus_distances, opt.window_for(H, W));
  return s;
}

Options small_options() {
  Options o = preset_options("nyuv2");
  o.kernel_size = 11;
  o.epochs = 8;
  o.threads = 2;
  return o;
}

// Every step after the first depth step must not increase the loss (SPEC 3). The depth
// step's golden section and the AIF step's guard make this exact up to float summation order.
void expect_monotone(const std::vector<StepLog>& log) {
  double prev = std::numeric_limits<double>::infinity();
  for (const StepLog& s : log) {
    if (s.step == "init") continue;
    EXPECT_LE(s.loss, prev * (1 + 1e-5) + 1e-9) << "epoch " << s.epoch << " " << s.step;
    prev = s.loss;
  }
}

TEST(Solver, RecoversDepthOfSyntheticSceneWithCg) {
  const Options opt = small_options();
  const Scene sc = make_scene(96, 72, 3, opt);
  auto be = make_cpu_backend(2);
  const Result r = solve(sc.stack, opt, *be);
  ASSERT_EQ(r.depth.width, 96);
  ASSERT_EQ(r.aif.channels, 3);
  expect_monotone(r.log);
  const DepthMetrics m = depth_metrics(r.depth, sc.depth);
  // The bar at 320x240 with 40 epochs is AbsRel <= 0.01; this scene has 9x fewer
  // pixels (more of them within K/2 of the border, where the zero padding hides blur) and 8
  // epochs, so it is held to 0.03 and delta1 >= 0.97.
  EXPECT_LE(m.absrel, 0.03);
  EXPECT_GE(m.delta1, 0.97);
  // Every frame is blurred by at least thresh = 2 px, so fine texture is unrecoverable: with
  // the TRUE depth, 100 CG iterations of the exact operator reach 26.6 dB on this scene. The
  // solved AIF must come within 1.5 dB of that.
  EXPECT_GT(psnr(r.aif, sc.aif, 255), 25.0);
  EXPECT_GT(r.levels, 0);
  EXPECT_LE(r.level_kernel_error, 1e-3);
}

TEST(Solver, FistaReferenceModeAlsoConverges) {
  Options opt = small_options();
  opt.aif_solver = AifSolver::Fista;
  opt.fista_iters0 = 30;
  opt.fista_alpha = 1.2;
  opt.epochs = 5;
  const Scene sc = make_scene(64, 48, 1, opt, 11);
  auto be = make_cpu_backend(2);
  const Result r = solve(sc.stack, opt, *be);
  expect_monotone(r.log);
  EXPECT_LE(depth_metrics(r.depth, sc.depth).absrel, 0.06);
}

TEST(Solver, AifFirstOrderAndEdgePadding) {
  Options opt = small_options();
  opt.order = StepOrder::AifFirst;
  opt.edge_pad = 5;
  opt.epochs = 4;
  const Scene sc = make_scene(64, 48, 1, opt, 3);
  auto be = make_cpu_backend(1);
  const Result r = solve(sc.stack, opt, *be);
  EXPECT_EQ(r.depth.width, 64);
  EXPECT_EQ(r.depth.height, 48);
  EXPECT_EQ(r.log[1].step, "aif");
  for (float z : r.depth.data) {
    EXPECT_GE(z, opt.depth_min);
    EXPECT_LE(z, opt.depth_max);
  }
  for (float v : r.aif.data) {
    EXPECT_GE(v, 0.f);
    EXPECT_LE(v, 255.f);
  }
}

TEST(Solver, WindowedSearchRuns) {
  Options opt = small_options();
  opt.window = 5;
  opt.epochs = 4;
  const Scene sc = make_scene(64, 48, 3, opt, 5);
  auto be = make_cpu_backend(2);
  const Result r = solve(sc.stack, opt, *be);
  expect_monotone(r.log);
  EXPECT_LE(depth_metrics(r.depth, sc.depth).absrel, 0.06);
}

TEST(Solver, PadAndCropAreInverse) {
  Image im(5, 4, 2);
  for (size_t i = 0; i < im.data.size(); ++i) im.data[i] = static_cast<float>(i);
  const Image p = pad_edge(im, 3);
  EXPECT_EQ(p.width, 11);
  EXPECT_EQ(p.at(0, 0, 1), im.at(0, 0, 1));
  EXPECT_EQ(p.at(10, 9, 0), im.at(4, 3, 0));
  EXPECT_EQ(crop(p, 3).data, im.data);
}

}  // namespace
}  // namespace dfd
