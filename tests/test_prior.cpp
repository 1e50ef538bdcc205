// The regularised steps' pieces on the CPU backend: the noise estimate, the host-device prior
// maths (prior_model.h), each new primitive against a slow direct reference, and the solver's
// regularised objective (logged per step, never increased, better than none on 8-bit input).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "cpu/cpu_backend.h"
#include "dfd/backends.h"
#include "dfd/error.h"
#include "dfd/metrics.h"
#include "dfd/noise.h"
#include "dfd/reference_model.h"
#include "dfd/solver.h"
#include "dfd/synthetic.h"
#include "model/prior_model.h"
#include "test_util.h"

namespace dfd {
namespace {

using test::download;
using test::upload;

// A small problem whose only use is its shape (W x H x C) and candidates.
struct Shape {
  int W = 9, H = 7, C = 2, N = 12;
  std::vector<float> stack;
  Problem p;
  Shape() {
    p.width = W;
    p.height = H;
    p.channels = C;
    p.frames = 2;
    stack = test::random_image(W, H, C * 2, 0.f, 255.f, 7).data;
    p.stack = stack.data();
    p.camera = preset_options("nyuv2").camera();
    p.focus_distances = {1.0, 4.0};
    p.K = 5;
    p.levels = LevelPlan::make(p.camera.thresh, max_blur_sigma(p.camera, p.focus_distances, 0.5, 6.0), p.K, 1e-3);
    for (int j = 0; j < N; ++j) p.candidates.push_back(0.5 + 5.5 * j / (N - 1));
  }
};

std::vector<float> random_vec(size_t n, float lo, float hi, uint32_t seed) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = u(g);
  return v;
}

// ---- noise -----------------------------------------------------------------------------------

// A smooth ramp (the high-pass cancels it exactly) plus Gaussian noise of known sigma.
FocalStack noisy_ramp(double sigma, bool round, int frames = 3) {
  FocalStack s;
  std::mt19937 g(11);
  std::normal_distribution<double> n(0.0, sigma);
  for (int i = 0; i < frames; ++i) {
    Image f(96, 80, 1);
    for (int y = 0; y < f.height; ++y)
      for (int x = 0; x < f.width; ++x) {
        double v = 60.0 + 0.8 * x + 0.3 * y + (sigma > 0 ? n(g) : 0.0);
        f.at(x, y) = static_cast<float>(round ? std::nearbyint(v) : v);
      }
    s.frames.push_back(f);
    s.focus_distances.push_back(1.0 + i);
  }
  return s;
}

TEST(Noise, MeasuresGaussianNoiseOfAKnownSigma) {
  for (double sigma : {0.5, 1.0, 2.0, 4.0}) {
    const NoiseEstimate n = estimate_noise(noisy_ramp(sigma, false));
    // 3 x 7000 samples: the median's relative standard error is ~1.25 / sqrt(n) < 2%; allow 6%.
    EXPECT_NEAR(n.measured, sigma, 0.06 * sigma) << sigma;
    EXPECT_EQ(n.step, 0.0);
    EXPECT_DOUBLE_EQ(n.sigma, n.measured);
  }
}

TEST(Noise, CleanFloatsReadZeroAndIntegersGetTheRoundingFloor) {
  const NoiseEstimate clean = estimate_noise(noisy_ramp(0.0, false));
  EXPECT_LT(clean.measured, 1e-4);
  EXPECT_FALSE(regularized(Options(), clean, 255.0));  // auto: the pure objective on clean floats

  const NoiseEstimate q = estimate_noise(noisy_ramp(0.0, true));
  EXPECT_EQ(q.step, 1.0);
  EXPECT_NEAR(q.quantisation, 1.0 / std::sqrt(12.0), 1e-12);
  EXPECT_GE(q.sigma, q.quantisation);
  EXPECT_TRUE(regularized(Options(), q, 255.0));  // auto: 8-bit input is regularised

  Options none;
  none.regularizer = Regularizer::None;
  EXPECT_FALSE(regularized(none, q, 255.0));
  Options tv;
  tv.regularizer = Regularizer::Tv;
  EXPECT_TRUE(regularized(tv, clean, 255.0));
  EXPECT_NE(describe(q).find("rounding"), std::string::npos);
}

// ---- prior maths -------------------------------------------------------------------------------

TEST(PriorModel, HuberWeightMajorisesTheHuberPenalty) {
  for (float eps : {0.1f, 1.f, 3.f})
    for (float t0 : {0.f, 0.05f, 0.5f, 1.f, 2.f, 10.f}) {
      const float w = prior::huber_weight(t0, eps);
      const float c = prior::huber(t0, eps) - 0.5f * w * t0 * t0;  // touches at t0
      for (float t = 0.f; t < 20.f; t += 0.01f)
        EXPECT_LE(prior::huber(t, eps), 0.5f * w * t * t + c + 1e-5f * (1 + t * t)) << eps << " " << t0 << " " << t;
    }
}

TEST(PriorModel, ParabolaOffsetFindsTheVertex) {
  // e(t) = (t - 0.3)^2 sampled at -1, 0, 1.
  EXPECT_NEAR(prior::parabola_offset(1.69f, 0.09f, 0.49f), 0.3f, 1e-6f);
  EXPECT_EQ(prior::parabola_offset(1.f, 2.f, 1.f), 0.f);     // concave: no step
  EXPECT_EQ(prior::parabola_offset(0.f, 0.f, 10.f), -0.5f);  // clamped to half a step
}

// ---- primitives ---------------------------------------------------------------------------------

TEST(PriorPrimitives, WeightedGradientAndItsAdjointAreTransposes) {
  Shape s;
  CpuBackend be(2);
  be.setup(s.p);
  const size_t n = s.p.image_size();
  const auto xh = random_vec(n, 0.f, 255.f, 1), wh = random_vec(n, 0.01f, 2.f, 2), ph = random_vec(2 * n, -5.f, 5.f, 3);
  DVec x = upload(be, xh), w = upload(be, wh), p = upload(be, ph), gx = be.alloc(2 * n), atp = be.alloc(n);
  be.weighted_gradient(x, w, 0.7f, gx);
  be.weighted_gradient_adjoint(p, w, 0.7f, atp);
  const double lhs = test::dot(download(be, gx), ph), rhs = test::dot(xh, download(be, atp));
  EXPECT_NEAR(lhs, rhs, 1e-5 * std::fabs(lhs) + 1e-3);
  // Direct reading of one difference: channel 1, pixel (3, 2), the x difference.
  const auto g = download(be, gx);
  const size_t at = 2 * 3 + 3, plane = s.p.pixels();
  const float expect = 0.7f * std::sqrt(wh[plane + at]) * (xh[plane + at + 1] - xh[plane + at]);
  EXPECT_NEAR(g[2 * plane + at], expect, 1e-4f * std::fabs(expect) + 1e-5f);
}

TEST(PriorPrimitives, HuberSumAndWeightsReadTheForwardDifferences) {
  Shape s;
  CpuBackend be(2);
  be.setup(s.p);
  const size_t n = s.p.image_size();
  const auto xh = random_vec(n, 0.f, 10.f, 4);
  DVec x = upload(be, xh), w = be.alloc(n);
  const float delta = 1.5f;
  double expect = 0.0;
  std::vector<float> wexp(n);
  for (int c = 0; c < s.C; ++c)
    for (int y = 0; y < s.H; ++y)
      for (int xx = 0; xx < s.W; ++xx) {
        const size_t i = (static_cast<size_t>(c) * s.H + y) * s.W + xx;
        const double dx = xx + 1 < s.W ? xh[i + 1] - xh[i] : 0.0, dy = y + 1 < s.H ? xh[i + s.W] - xh[i] : 0.0;
        const double t = std::hypot(dx, dy);
        expect += t <= delta ? 0.5 * t * t / delta : t - 0.5 * delta;
        wexp[i] = static_cast<float>(1.0 / std::max(t, static_cast<double>(delta)));
      }
  be.huber_sum(x, delta, 0);
  double got = 0;
  be.read_scalars(&got, 1);
  EXPECT_NEAR(got, expect, 1e-5 * expect);
  be.huber_weights(x, delta, w);
  EXPECT_LT(test::max_abs_diff(download(be, w), wexp), 1e-5);
}

// The Huber-ROF problem in index units, minimised by plain gradient descent (it is smooth and
// strongly convex): the slow reference of rof_iterations.
std::vector<double> rof_reference(const std::vector<float>& a, const std::vector<float>& g, int W, int H, double step,
                                  double theta, double eps) {
  const size_t n = a.size();
  std::vector<double> u(n), ah(n), grad(n), px(n), py(n);
  for (size_t i = 0; i < n; ++i) u[i] = ah[i] = a[i] / step;
  const double lr = 1.0 / (8.0 / eps + 1.0 / theta);
  for (int it = 0; it < 40000; ++it) {
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) {
        const size_t i = static_cast<size_t>(y) * W + x;
        const double dx = x + 1 < W ? u[i + 1] - u[i] : 0.0, dy = y + 1 < H ? u[i + W] - u[i] : 0.0;
        const double k = g[i] / std::max(std::hypot(dx, dy), eps);
        px[i] = k * dx;
        py[i] = k * dy;
      }
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) {
        const size_t i = static_cast<size_t>(y) * W + x;
        double dt = 0;  // D^T p
        if (x + 1 < W) dt -= px[i];
        if (x > 0) dt += px[i - 1];
        if (y + 1 < H) dt -= py[i];
        if (y > 0) dt += py[i - W];
        grad[i] = dt + (u[i] - ah[i]) / theta;
      }
    for (size_t i = 0; i < n; ++i) u[i] -= lr * grad[i];
  }
  for (double& v : u) v *= step;
  return u;
}

TEST(PriorPrimitives, RofIterationsConvergeToTheHuberRofMinimiser) {
  Shape s;
  CpuBackend be(1);  // 3000 iterations of a 9 x 7 map: thread barriers would dominate
  be.setup(s.p);
  const size_t hw = s.p.pixels();
  // A noisy step edge in depth, with a weak edge weight across it.
  std::vector<float> ah(hw), gh(hw, 1.f);
  std::mt19937 rng(5);
  std::normal_distribution<float> nz(0.f, 0.3f);
  for (int y = 0; y < s.H; ++y)
    for (int x = 0; x < s.W; ++x) {
      ah[y * s.W + x] = (x < 4 ? 1.0f : 3.0f) + nz(rng);
      if (x == 3) gh[y * s.W + x] = 0.1f;
    }
  const double step = 0.25, theta = 2.0, eps = 0.5;
  DVec a = upload(be, ah), g = upload(be, gh), u = upload(be, ah), q = be.alloc(2 * hw), ub = be.alloc(hw);
  be.rof_iterations(u, q, a, g, static_cast<float>(step), static_cast<float>(theta), static_cast<float>(eps), 3000, ub);
  const auto got = download(be, u);
  const auto ref = rof_reference(ah, gh, s.W, s.H, step, theta, eps);
  double worst = 0;
  for (size_t i = 0; i < hw; ++i) worst = std::max(worst, std::fabs(got[i] - ref[i]));
  EXPECT_LT(worst, 2e-3 * step) << "primal-dual vs gradient descent, depth units";
  // The edge survives (weak weight across it) while the noise is smoothed.
  EXPECT_GT(got[3 * s.W + 6] - got[3 * s.W + 1], 1.5f);
}

TEST(PriorPrimitives, CoupledSearchIsTheGridSearchAtWeightZeroAndFollowsUWhenStrong) {
  Shape s;
  CpuBackend be(2);
  be.setup(s.p);
  const size_t hw = s.p.pixels(), N = s.N;
  const auto Vh = random_vec(N * hw, 0.f, 100.f, 8);
  std::vector<float> uh(hw);
  for (size_t i = 0; i < hw; ++i) uh[i] = static_cast<float>(s.p.candidates[i % N]) + 0.1f;
  DVec V = upload(be, Vh), u = upload(be, uh), a = be.alloc(hw), loss = be.alloc(hw);
  be.coupled_search(V, u, 0.f, a, loss);
  const auto ah = download(be, a), lh = download(be, loss);
  const double step = s.p.candidates[1] - s.p.candidates[0];
  for (size_t p = 0; p < hw; ++p) {
    size_t best = 0;
    for (size_t j = 1; j < N; ++j)
      if (Vh[j * hw + p] < Vh[best * hw + p]) best = j;
    EXPECT_EQ(lh[p], Vh[best * hw + p]);
    EXPECT_LE(std::fabs(ah[p] - s.p.candidates[best]), 0.5 * step + 1e-5);
  }
  // The coupling dominates: the candidate nearest u, refined to u itself between two candidates
  // (the parabola through a quadratic is exact); at the end candidates there is no refinement.
  be.coupled_search(V, u, 1e6f, a, loss);
  const auto af = download(be, a);
  for (size_t p = 0; p < hw; ++p) {
    const size_t j = p % N;
    EXPECT_NEAR(af[p], j == 0 || j == N - 1 ? s.p.candidates[j] : uh[p], 0.02 * step) << p;
  }
}

TEST(PriorPrimitives, CandidateLossesAreTheExactGridLosses) {
  test::Fixture f = test::load_fixture("case1");
  std::vector<float> stack = test::concat(f.stack);
  Problem p;
  p.width = f.W;
  p.height = f.H;
  p.channels = f.C;
  p.frames = f.frames();
  p.stack = stack.data();
  p.camera = f.camera;
  p.focus_distances = f.focus;
  p.K = f.K;
  p.levels = LevelPlan::make(f.camera.thresh, max_blur_sigma(f.camera, f.focus, 0.1, 10.0), f.K, 1e-3);
  for (int j = 0; j < 100; ++j) p.candidates.push_back(0.1 + 9.9 * j / 99);
  CpuBackend be(2);
  be.setup(p);
  DVec x = upload(be, f.aif.data), V = be.alloc(100 * p.pixels());
  be.blur_levels(x);
  be.candidate_losses(V);
  const auto got = download(be, V);
  const auto exact = exact_grid_losses(f.stack, f.aif, f.camera, f.focus, p.candidates, f.K, 0);
  ASSERT_EQ(got.size(), exact.size());
  // The level operator's kernel contract (1e-3 L1) bounds each residual's error by 1e-3 max|x|.
  // exact is pixel-major (p N + j), V candidate-major (j H W + p).
  const size_t hw = p.pixels(), N = p.candidates.size();
  double worst = 0, scale = 0;
  for (size_t px = 0; px < hw; ++px)
    for (size_t j = 0; j < N; ++j) {
      worst = std::max(worst, std::fabs(static_cast<double>(got[j * hw + px]) - exact[px * N + j]));
      scale = std::max(scale, static_cast<double>(exact[px * N + j]));
    }
  const double e = 1e-3 * test::max_abs(f.aif.data);
  EXPECT_LT(worst, e * (2 * std::sqrt(scale) + e) + 1e-5 * scale);
}

TEST(PriorPrimitives, WindowMeanPlanesIsTheReferenceWindowMeanOfEachPlane) {
  Shape s;
  CpuBackend be(2);
  be.setup(s.p);
  const size_t hw = s.p.pixels();
  const int planes = 5;
  const auto maps = random_vec(planes * hw, 0.f, 3.f, 21);
  for (int w : {1, 2, 3, 5, 20}) {
    DVec V = upload(be, maps), tmp = be.alloc(hw);
    be.window_mean_planes(V, planes, w, tmp);
    const auto got = download(be, V);
    for (int j = 0; j < planes; ++j) {
      std::vector<float> want(maps.begin() + j * hw, maps.begin() + (j + 1) * hw);
      if (w > 1) window_mean(want.data(), s.H, s.W, w);
      for (size_t px = 0; px < hw; ++px) ASSERT_NEAR(got[j * hw + px], want[px], 1e-5f) << "w " << w << " plane " << j;
    }
  }
  DVec V = be.alloc(planes * hw), small = be.alloc(hw - 1);
  EXPECT_THROW(be.window_mean_planes(V, planes, 3, small), Error);
  EXPECT_THROW(be.window_mean_planes(V, planes + 1, 3, be.alloc(hw)), Error);
}

TEST(PriorPrimitives, CoupledGoldenSectionAtWeightZeroIsGoldenSection) {
  test::Fixture f = test::load_fixture("case1");
  std::vector<float> stack = test::concat(f.stack);
  Problem p;
  p.width = f.W;
  p.height = f.H;
  p.channels = f.C;
  p.frames = f.frames();
  p.stack = stack.data();
  p.camera = f.camera;
  p.focus_distances = f.focus;
  p.K = f.K;
  p.levels = LevelPlan::make(f.camera.thresh, max_blur_sigma(f.camera, f.focus, 0.1, 10.0), f.K, 1e-3);
  for (int j = 0; j < 100; ++j) p.candidates.push_back(0.1 + 9.9 * j / 99);
  CpuBackend be(2);
  be.setup(p);
  DVec x = upload(be, f.aif.data), Z = be.alloc(p.pixels()), L = be.alloc(p.pixels()), Z2 = be.alloc(p.pixels()),
       L2 = be.alloc(p.pixels()), u = be.alloc(p.pixels());
  be.blur_levels(x);
  be.grid_search(Z, L);
  be.copy(Z, Z2);
  be.copy(L, L2);
  be.golden_section(Z, L);
  be.coupled_golden_section(Z2, L2, u, 0.f);
  EXPECT_EQ(download(be, Z), download(be, Z2));
  EXPECT_EQ(download(be, L), download(be, L2));
  // A strong coupling to u = the grid depth + 0.3 steps pulls the refined depth there.
  const auto zg = download(be, Z);
  std::vector<float> uh(p.pixels());
  be.grid_search(Z2, L2);
  const auto zgrid = download(be, Z2);
  const double step = p.candidates[1] - p.candidates[0];
  for (size_t i = 0; i < uh.size(); ++i) uh[i] = zgrid[i] + static_cast<float>(0.3 * step);
  be.upload(uh.data(), u);
  be.coupled_golden_section(Z2, L2, u, 1e7f);
  const auto zc = download(be, Z2);
  for (size_t i = 0; i < uh.size(); i += 37) EXPECT_NEAR(zc[i], uh[i], 0.02 * step) << i;
  (void)zg;
}

TEST(PriorPrimitives, TvSumAndEdgeWeights) {
  Shape s;
  CpuBackend be(2);
  be.setup(s.p);
  const size_t hw = s.p.pixels();
  const auto Zh = random_vec(hw, 1.f, 3.f, 9), gh = random_vec(hw, 0.1f, 1.f, 10);
  DVec Z = upload(be, Zh), g = upload(be, gh);
  const double step = 0.2, eps = 0.5;
  double expect = 0;
  for (int y = 0; y < s.H; ++y)
    for (int x = 0; x < s.W; ++x) {
      const size_t i = static_cast<size_t>(y) * s.W + x;
      const double dx = x + 1 < s.W ? Zh[i + 1] - Zh[i] : 0.0, dy = y + 1 < s.H ? Zh[i + s.W] - Zh[i] : 0.0;
      const double t = std::hypot(dx, dy) / step;
      expect += gh[i] * (t <= eps ? 0.5 * t * t / eps : t - 0.5 * eps);
    }
  be.tv_sum(Z, g, static_cast<float>(step), static_cast<float>(eps), 2);
  double got[3];
  be.read_scalars(got, 3);
  EXPECT_NEAR(got[2], expect, 1e-5 * expect);

  // Edge weights of a flat image are 1; across a vertical edge of height 100 with scale 10 they
  // are exp(-100 / 2 / 10) (the channel mean of a one-channel step of 100 over C = 2 channels).
  std::vector<float> img(s.p.image_size(), 50.f);
  for (int y = 0; y < s.H; ++y)
    for (int x = 5; x < s.W; ++x) img[y * s.W + x] = 150.f;  // channel 0 only
  DVec xi = upload(be, img), ew = be.alloc(hw);
  be.edge_weights(xi, 10.f, 0.001f, ew);
  const auto e = download(be, ew);
  EXPECT_FLOAT_EQ(e[0], 1.f);
  EXPECT_NEAR(e[4], std::exp(-5.0), 1e-6);
  be.edge_weights(xi, 10.f, 0.05f, ew);
  EXPECT_FLOAT_EQ(download(be, ew)[4], 0.05f);
}

// ---- solver ------------------------------------------------------------------------------------

// A small scene rendered by the exact model, with Gaussian noise of `sigma` (DN), rounded to 8 bits.
struct Quantised {
  SyntheticScene scene;
  FocalStack stack;
  Quantised(int W, int H, double sigma = 0.0) {
    SceneSpec spec;
    spec.width = W;
    spec.height = H;
    spec.depth_min = 0.8;
    spec.depth_max = 6.0;
    scene = make_synthetic_scene(spec);
    stack = scene.stack;
    std::mt19937 g(17);
    std::normal_distribution<float> n(0.f, static_cast<float>(sigma));
    for (Image& f : stack.frames)
      for (float& v : f.data) v = std::min(255.f, std::max(0.f, std::nearbyint(v + (sigma > 0 ? n(g) : 0.f))));
  }
};

TEST(RegularisedSolve, LogsAndNeverIncreasesItsObjectiveAndBeatsThePureObjectiveOn8Bit) {
  Quantised q(64, 48);
  Options opt = q.scene.options;
  opt.epochs = 4;
  opt.confidence = false;
  auto be = make_cpu_backend(2);
  opt.regularizer = Regularizer::Auto;
  const Result reg = solve(q.stack, opt, *be);
  EXPECT_TRUE(reg.depth_prior);
  EXPECT_TRUE(reg.aif_prior);
  EXPECT_EQ(reg.noise.step, 1.0);
  EXPECT_GT(reg.depth_prior_weight, 0.0);
  int steps = 0;
  for (const StepLog& s : reg.log) {
    if (s.epoch < 0) continue;
    ASSERT_TRUE(std::isfinite(s.objective)) << s.step << " " << s.epoch;
    if (std::isfinite(s.objective_before)) {
      EXPECT_LE(s.objective, s.objective_before * (1 + 1e-6)) << s.step << " epoch " << s.epoch;
      ++steps;
    }
    EXPECT_GE(s.objective, s.loss * (1 - 1e-6));  // the priors' terms are non-negative
  }
  EXPECT_GE(steps, 2 * opt.epochs - 1);
  // Residual scaling: a step's weights are at sigma until the data loss settles (a step lowered
  // it by less than 10%), then at sqrt(max(sigma^2, the previous step's L)). Replayed from the
  // log; with a given sigma below the rounding noise, L settles above sigma^2 and scales.
  auto replay = [](const Result& r) {
    const double s2 = r.noise.sigma * r.noise.sigma;
    double want = s2, last = std::nan("");
    bool settled = false;
    int scaled = 0;
    for (const StepLog& s : r.log) {
      if (s.epoch < 0) continue;
      EXPECT_NEAR(s.prior_sigma, std::sqrt(want), 1e-9 * std::sqrt(want)) << s.step << " epoch " << s.epoch;
      scaled += want > s2;
      settled = settled || (std::isfinite(last) && s.loss >= 0.9 * last);
      if (settled) want = std::max(s2, s.loss);
      last = s.loss;
    }
    return scaled;
  };
  replay(reg);
  Options low = opt;
  low.noise_sigma = 0.05;
  low.epochs = 6;
  EXPECT_GT(replay(solve(q.stack, low, *be)), 0);
  Options fixed = opt;
  fixed.prior_residual_scaling = false;
  fixed.epochs = 1;
  for (const StepLog& s : solve(q.stack, fixed, *be).log)
    if (s.epoch >= 0) EXPECT_DOUBLE_EQ(s.prior_sigma, reg.noise.sigma) << s.step;

  opt.regularizer = Regularizer::None;
  const Result pure = solve(q.stack, opt, *be);
  EXPECT_FALSE(pure.depth_prior);
  const double a_reg = depth_metrics(reg.depth, q.scene.depth).absrel;
  const double a_pure = depth_metrics(pure.depth, q.scene.depth).absrel;
  EXPECT_LT(a_reg, 0.8 * a_pure) << "regularised " << a_reg << " vs pure " << a_pure;
}

TEST(RegularisedSolve, GivenNoiseSigmaIsUsedAndCleanFloatsStayPure) {
  Quantised q(48, 36);
  Options opt = q.scene.options;
  opt.epochs = 1;
  opt.confidence = false;
  auto be = make_cpu_backend(2);
  const Result clean = solve(q.scene.stack, opt, *be);  // float render: auto keeps the pure objective
  EXPECT_FALSE(clean.depth_prior);
  EXPECT_FALSE(clean.aif_prior);
  opt.noise_sigma = 3.0;
  const Result given = solve(q.scene.stack, opt, *be);  // 3 > 1e-3 R: noisy, so regularised
  EXPECT_TRUE(given.noise_given);
  EXPECT_DOUBLE_EQ(given.noise.sigma, 3.0);
  EXPECT_TRUE(given.depth_prior);
  EXPECT_NEAR(given.depth_prior_weight, 2 * 9.0 * opt.depth_smoothness / (5 * 3), 1e-12);
  // The same float samples from files that were 8-bit (resampled by --align / --scale, so no
  // longer integers): still a quantised stack, so regularised, with no rounding floor.
  opt.noise_sigma = 0.0;
  FocalStack resampled = q.scene.stack;
  resampled.sample_step = 1.0;
  const Result from_8bit = solve(resampled, opt, *be);
  EXPECT_EQ(from_8bit.noise.step, 0.0);
  EXPECT_EQ(from_8bit.noise.source_step, 1.0);
  EXPECT_EQ(from_8bit.noise.sigma, from_8bit.noise.measured);
  EXPECT_TRUE(from_8bit.depth_prior);
  EXPECT_TRUE(from_8bit.aif_prior);
}

}  // namespace
}  // namespace dfd

namespace dfd {
namespace {

TEST(AifQualityCheck, FlatNoiseAndDetailSharpnessRankBlocksByTheFramesDetail) {
  // Left half textured (a sharp checker in frame 0, blurred in frame 1), right half flat with
  // noise sigma 1 in both frames; an "AIF" with the sharp checker and noise sigma 3 on the flat.
  FocalStack s;
  std::mt19937 g(3);
  std::normal_distribution<float> n1(0.f, 1.f), n3(0.f, 3.f);
  Image f0(64, 32, 1), f1(64, 32, 1), aif(64, 32, 1);
  for (int y = 0; y < 32; ++y)
    for (int x = 0; x < 64; ++x) {
      const float checker = ((x / 2 + y / 2) % 2) ? 200.f : 50.f;
      if (x < 32) {
        f0.at(x, y) = aif.at(x, y) = checker;
        f1.at(x, y) = 125.f + 0.2f * (checker - 125.f);
      } else {
        f0.at(x, y) = 100.f + n1(g);
        f1.at(x, y) = 100.f + n1(g);
        aif.at(x, y) = 100.f + n3(g);
      }
    }
  s.frames = {f0, f1};
  const AifQuality q = aif_quality(aif, s, 16, 0.5);
  ASSERT_EQ(q.flat_noise_frames.size(), 2u);
  EXPECT_NEAR(q.flat_noise_frames[0], 1.0, 0.25);
  EXPECT_NEAR(q.flat_noise_aif, 3.0, 0.6);
  EXPECT_GT(q.detail_sharpness_aif, 10 * q.detail_sharpness_frames[1]);
  // The same checker (the block next to the flat half reads one noisy column): equal to 1e-4.
  EXPECT_NEAR(q.detail_sharpness_aif, q.detail_sharpness_frames[0], 1e-4 * q.detail_sharpness_aif);
}

}  // namespace
}  // namespace dfd
