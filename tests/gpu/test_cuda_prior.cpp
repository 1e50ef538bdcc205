// CUDA primitives of the regularised steps against the CPU backend: the candidate loss volume,
// edge weights, Huber-ROF iterations, coupled search and golden section and the weighted TV of
// the depth prior; the Huber weights, weighted differences (and their adjointness on the
// device) and Huber sum of the AIF prior. Both backends call the same per-pixel functions
// (src/model/prior_model.h), so results differ by float rounding only (contractions into fused
// multiply-adds, the device's expf): tolerances are counted in float ulps below.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>

#include "gpu_test_util.h"

namespace dfd {
namespace {

using gputest::get;
using gputest::loss_slack;
using gputest::put;
using gputest::random_vector;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr double kUlp = FLT_EPSILON;  // one float ulp at 1 (2^-23)

std::vector<Backend*> both(gputest::Backends& be) { return {be.cpu.get(), static_cast<Backend*>(be.gpu.get())}; }

double max_abs(const std::vector<float>& v) {
  double m = 0;
  for (float x : v) m = std::max(m, std::fabs(static_cast<double>(x)));
  return m;
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return std::nan("");
  double m = 0;
  for (size_t k = 0; k < a.size(); ++k) {
    const double d = std::fabs(static_cast<double>(a[k]) - b[k]);
    if (!(d <= m)) m = d;  // NaN propagates
  }
  return m;
}

int candidate_index(const Problem& p, float z) {
  for (size_t j = 0; j < p.candidates.size(); ++j)
    if (static_cast<float>(p.candidates[j]) == z) return static_cast<int>(j);
  return -1;
}

double candidate_step(const Problem& p) {
  return (p.candidates.back() - p.candidates.front()) / (p.candidates.size() - 1);
}

// ---- Depth prior -----------------------------------------------------------------------------

// The box mean of a plane stack, in chunks of the scratch's planes on the device: the CPU's
// double-precision integral images against the device's float row and column sums, so within a
// few ulps of the maps' magnitude times the window's count of terms.
TEST(CudaPrior, WindowMeanPlanesMatchesCpuInAnyChunking) {
  DFD_REQUIRE_CUDA();
  const gputest::Scene sc = gputest::make_scene(gputest::SceneSpec{});
  const Problem& p = sc.problem;
  gputest::Backends be(p);
  const size_t HW = p.pixels();
  const int planes = 7;
  const std::vector<float> maps = random_vector(planes * HW, 0.f, 50.f, 5);
  for (int w : {1, 3, 6}) {
    for (size_t chunk : {size_t{1}, size_t{3}, size_t{7}}) {
      std::vector<float> out[2];
      int k = 0;
      for (Backend* b : both(be)) {
        DVec v = put(*b, maps), tmp = b->alloc(chunk * HW);
        b->window_mean_planes(v, planes, w, tmp);
        out[k++] = get(*b, v);
      }
      ASSERT_EQ(gputest::count_non_finite(out[1]), 0u);
      EXPECT_LE(max_abs_diff(out[1], out[0]), 4.0 * w * w * kUlp * 50.0) << "w " << w << ", chunk " << chunk;
    }
  }
}

// Every candidate's loss through the same level blurs: within the per-pixel loss slack of the
// existing depth tests (the blurs' 1e-5 R rounding bound through the squared residual).
TEST(CudaPrior, CandidateLossesMatchCpu) {
  DFD_REQUIRE_CUDA();
  const gputest::Scene sc = gputest::make_scene(gputest::SceneSpec{});
  const Problem& p = sc.problem;
  gputest::Backends be(p);
  const size_t HW = p.pixels(), N = p.candidates.size();
  std::vector<float> V[2];
  int k = 0;
  for (Backend* b : both(be)) {
    DVec x = put(*b, sc.aif.data), v = b->alloc(N * HW);
    b->fill(v, kNaN);  // an unwritten element shows
    b->blur_levels(x);
    b->candidate_losses(v);
    V[k++] = get(*b, v);
  }
  ASSERT_EQ(gputest::count_non_finite(V[1]), 0u);
  for (size_t j = 0; j < N; ++j)
    for (size_t q = 0; q < HW; ++q)
      ASSERT_NEAR(V[1][j * HW + q], V[0][j * HW + q], loss_slack(V[0][j * HW + q], p.range))
          << "candidate " << j << ", pixel " << q;
  // The volume is the grid search's loss by the same device function on the same levels: its
  // per-pixel minimum (lowest index on ties) is the GPU grid search's result, bit for bit.
  DVec Z = be.gpu->alloc(HW), loss = be.gpu->alloc(HW);
  be.gpu->grid_search(Z, loss);  // the levels of the last blur_levels are still valid
  const std::vector<float> hZ = get(*be.gpu, Z), hl = get(*be.gpu, loss);
  for (size_t q = 0; q < HW; ++q) {
    size_t best = 0;
    for (size_t j = 1; j < N; ++j)
      if (V[1][j * HW + q] < V[1][best * HW + q]) best = j;
    ASSERT_EQ(hZ[q], static_cast<float>(p.candidates[best])) << "pixel " << q;
    ASSERT_EQ(hl[q], V[1][best * HW + q]) << "pixel " << q;
  }
}

// g = max(floor, exp(-t / scale)): t (a channel mean of exact differences, then a square root
// of a sum of squares) within 2 ulps; exp's argument then errs by 2 (t / scale) ulps, and expf
// by up to 2 ulps on the device and 1 on the host; where g > floor, t / scale < ln(1 / floor) = 3:
// at most 9 ulps of g, 16 allowed. The floor itself is exact.
TEST(CudaPrior, EdgeWeightsMatchCpu) {
  DFD_REQUIRE_CUDA();
  const gputest::Scene sc = gputest::make_scene(gputest::SceneSpec{});
  const Problem& p = sc.problem;
  gputest::Backends be(p);
  const float floor = 0.05f;
  size_t at_floor = 0, above = 0;
  for (float scale : {5.1f, 40.f}) {  // the default edge_scale R, and a gentle one
    SCOPED_TRACE("scale " + std::to_string(scale));
    std::vector<float> g[2];
    int k = 0;
    for (Backend* b : both(be)) {
      DVec x = put(*b, sc.aif.data), gd = b->alloc(p.pixels());
      b->fill(gd, kNaN);
      b->edge_weights(x, scale, floor, gd);
      g[k++] = get(*b, gd);
    }
    for (size_t q = 0; q < p.pixels(); ++q) {
      ASSERT_NEAR(g[1][q], g[0][q], 16 * kUlp * g[0][q]) << "pixel " << q;
      ASSERT_GE(g[1][q], floor);
      at_floor += g[0][q] == floor;
      above += g[0][q] > 2 * floor;
    }
  }
  EXPECT_GT(at_floor, 0u);  // both branches of the floor were compared
  EXPECT_GT(above, 0u);
}

// Chambolle-Pock iterations in index units (values up to s = max |u / step| = 40 here). One
// iteration's float operations (shrink, projection, D^T q, the prox) round within ~4 ulps of s
// differently on the two backends (8 allowed); the iteration is non-expansive in the primal-dual
// metric, which with tau sigma ||D||^2 = 0.98 bounds Euclidean growth by 1 / sqrt(1 - 0.99) = 10:
// after n iterations, |difference| <= n 10 8 ulp(s) in index units (u: times step).
TEST(CudaPrior, RofIterationsMatchCpu) {
  DFD_REQUIRE_CUDA();
  const gputest::Scene sc = gputest::make_scene(gputest::SceneSpec{});
  const Problem& p = sc.problem;
  gputest::Backends be(p);
  const size_t HW = p.pixels();
  const float step = 0.25f, theta = 2.f, eps = 0.5f;
  const int iterations = 12;
  const auto hu = random_vector(HW, 0.1f, 10.f, 1101), ha = random_vector(HW, 0.1f, 10.f, 1102);
  const auto hq = random_vector(2 * HW, -0.5f, 0.5f, 1103), hg = random_vector(HW, 0.05f, 1.f, 1104);
  std::vector<float> u[2], q[2], ub[2];
  int k = 0;
  for (Backend* b : both(be)) {
    DVec du = put(*b, hu), dq = put(*b, hq), da = put(*b, ha), dg = put(*b, hg), dub = b->alloc(HW);
    b->fill(dub, kNaN);  // scratch: set from u before it is read
    b->rof_iterations(du, dq, da, dg, step, theta, eps, iterations, dub);
    u[k] = get(*b, du);
    q[k] = get(*b, dq);
    ub[k++] = get(*b, dub);
  }
  ASSERT_EQ(gputest::count_non_finite(u[1]) + gputest::count_non_finite(q[1]) + gputest::count_non_finite(ub[1]), 0u);
  const double s = max_abs(hu) / step;
  const double tol = iterations * 10 * 8 * kUlp * s;  // index units
  EXPECT_LE(max_abs_diff(u[1], u[0]), tol * step);
  EXPECT_LE(max_abs_diff(q[1], q[0]), tol);
  EXPECT_LE(max_abs_diff(ub[1], ub[0]), 3 * tol);  // 2 u_new - u_old
  // Not vacuous: the iterations moved u by far more than the tolerance.
  EXPECT_GT(max_abs_diff(u[0], hu), 100 * tol * step);
}

// The candidate whose refined depth and data loss a pixel reports: the loss is V_j exactly and
// the depth within half a candidate step of Z_j (the parabola's vertex); -1 if none is.
int reported_candidate(const Problem& p, const std::vector<float>& V, size_t q, float a, float loss) {
  const size_t HW = p.pixels();
  const double half = 0.5 * candidate_step(p) * (1 + 1e-4);
  for (size_t j = 0; j < p.candidates.size(); ++j)
    if (V[j * HW + q] == loss && std::fabs(a - static_cast<float>(p.candidates[j])) <= half) return static_cast<int>(j);
  return -1;
}

// Selection over the candidates, then the parabola's vertex. The costs e_j = V_j + w (u - Z_j)^2
// round within 2 ulps differently on the two backends (a fused multiply-add; exactly alike at
// w = 0, where 0 d^2 adds an exact 0). So: where the argmins differ, the two candidates' exact
// costs agree within 8 ulps, which must stay rare (<= 1% of pixels; never at w = 0); where they
// agree, the loss is bit-identical (the V of it), and the vertex offset 0.5 (e_l - e_r) / curv
// differs by at most ~8 ulp max(e) / curv candidate steps (16 allowed, and never more than a
// step), plus 2 ulps of the final z + offset step. Exact ties go to the lowest index; on a pure
// quadratic (V constant) the vertex is u itself.
TEST(CudaPrior, CoupledSearchMatchesCpu) {
  DFD_REQUIRE_CUDA();
  const gputest::Scene sc = gputest::make_scene(gputest::SceneSpec{});
  const Problem& p = sc.problem;
  gputest::Backends be(p);
  const size_t HW = p.pixels(), N = p.candidates.size();
  const double step = candidate_step(p);
  auto hV = random_vector(N * HW, 0.f, 50.f, 1201);
  for (size_t q = 0; q < HW; q += 7)
    for (size_t j = 0; j < N; ++j) hV[j * HW + q] = 3.f;  // exact ties across all candidates
  const auto hu = random_vector(HW, 0.1f, 10.f, 1202);
  for (float weight : {0.f, 0.5f, 20.f}) {
    SCOPED_TRACE("weight " + std::to_string(weight));
    std::vector<float> a[2], l[2];
    int k = 0;
    for (Backend* b : both(be)) {
      DVec V = put(*b, hV), u = put(*b, hu), da = b->alloc(HW), dl = b->alloc(HW);
      b->fill(da, kNaN);
      b->fill(dl, kNaN);
      b->coupled_search(V, u, weight, da, dl);
      a[k] = get(*b, da);
      l[k++] = get(*b, dl);
    }
    size_t differ = 0;
    for (size_t q = 0; q < HW; ++q) {
      const int jg = reported_candidate(p, hV, q, a[1][q], l[1][q]);
      const int jc = reported_candidate(p, hV, q, a[0][q], l[0][q]);
      ASSERT_GE(jg, 0) << "pixel " << q << ": GPU depth " << a[1][q] << " and loss " << l[1][q]
                       << " are not a candidate's";
      ASSERT_GE(jc, 0) << "pixel " << q;
      auto cost = [&](int j) {
        const double d = static_cast<double>(hu[q]) - static_cast<float>(p.candidates[j]);
        return static_cast<double>(hV[j * HW + q]) + weight * d * d;
      };
      if (q % 7 == 0 && weight == 0.f) {
        ASSERT_EQ(jg, 0) << "pixel " << q << ": ties go to the lowest index";
        ASSERT_EQ(a[1][q], static_cast<float>(p.candidates[0])) << "pixel " << q << ": no vertex at an end";
      }
      if (jg != jc) {
        ++differ;
        ASSERT_NE(weight, 0.f) << "pixel " << q;
        const double eg = cost(jg), ec = cost(jc);
        EXPECT_NEAR(eg, ec, 8 * kUlp * std::max(eg, ec)) << "pixel " << q << ": GPU chose " << jg << ", CPU " << jc;
        continue;
      }
      ASSERT_EQ(l[1][q], l[0][q]) << "pixel " << q;
      double tol = 2 * kUlp * (std::fabs(a[0][q]) + step);
      if (jg > 0 && jg + 1 < static_cast<int>(N)) {
        const double el = cost(jg - 1), em = cost(jg), er = cost(jg + 1);
        const double curv = el - 2 * em + er, emax = std::max({el, em, er});
        tol += step * (curv > 0 ? std::min(1.0, 16 * kUlp * emax / curv) : 1.0);
        // A pure quadratic's vertex: u (V constant over the candidates).
        if (q % 7 == 0 && weight > 0.f) EXPECT_NEAR(a[1][q], hu[q], tol) << "pixel " << q;
      }
      ASSERT_NEAR(a[1][q], a[0][q], tol) << "pixel " << q << ", candidate " << jg;
    }
    EXPECT_LE(differ, HW / 100) << differ << " pixels with a different argmin";
  }
  // The solver's first call: u aliasing a, weight 0 (u's values do not matter then).
  DVec V = put(*be.gpu, hV), a = put(*be.gpu, hu), l = be.gpu->alloc(HW), ref_a = be.gpu->alloc(HW),
       ref_l = be.gpu->alloc(HW), u = put(*be.gpu, hu);
  be.gpu->coupled_search(V, u, 0.f, ref_a, ref_l);
  be.gpu->coupled_search(V, a, 0.f, a, l);
  EXPECT_EQ(get(*be.gpu, a), get(*be.gpu, ref_a));
  EXPECT_EQ(get(*be.gpu, l), get(*be.gpu, ref_l));
}

// Golden section on loss(z) + w (z - u)^2 from the same grid depths: as the plain golden-section
// parity test, the same path gives the same point up to rounding (data loss within the slack),
// a rounding-flipped comparison a point within gs_tol, an early flip (another sub-bracket) at
// most 1% of pixels. The coupling weight equals the median curvature of the data loss over one
// candidate step, so that the coupling moves most minima (checked against the plain result).
TEST(CudaPrior, CoupledGoldenSectionMatchesCpu) {
  DFD_REQUIRE_CUDA();
  const gputest::Scene sc = gputest::make_scene(gputest::SceneSpec{});
  const Problem& p = sc.problem;
  gputest::Backends be(p);
  const size_t HW = p.pixels(), N = p.candidates.size();
  const double step = candidate_step(p);
  // Grid depths and the data loss's curvature from the CPU's candidate volume.
  DVec x = put(*be.cpu, sc.aif.data), V = be.cpu->alloc(N * HW), Z0 = be.cpu->alloc(HW), L0 = be.cpu->alloc(HW);
  be.cpu->blur_levels(x);
  be.cpu->candidate_losses(V);
  be.cpu->grid_search(Z0, L0);
  const std::vector<float> hV = get(*be.cpu, V), start = get(*be.cpu, Z0), start_loss = get(*be.cpu, L0);
  std::vector<double> rise;
  for (size_t q = 0; q < HW; ++q) {
    const int j = candidate_index(p, start[q]);
    ASSERT_GE(j, 0);
    const int jn = j + 1 < static_cast<int>(N) ? j + 1 : j - 1;
    rise.push_back(hV[jn * HW + q] - hV[j * HW + q]);
  }
  std::nth_element(rise.begin(), rise.begin() + rise.size() / 2, rise.end());
  const float weight = static_cast<float>(std::max(rise[rise.size() / 2], 1e-3) / (step * step));
  const auto offset = random_vector(HW, -1.5f, 1.5f, 1301);
  std::vector<float> hu(HW);
  for (size_t q = 0; q < HW; ++q) hu[q] = start[q] + static_cast<float>(offset[q] * step);

  std::vector<float> z[2], l[2];
  int k = 0;
  for (Backend* b : both(be)) {
    DVec dx = put(*b, sc.aif.data), dZ = put(*b, start), dl = b->alloc(HW), du = put(*b, hu);
    b->fill(dl, kNaN);
    b->blur_levels(dx);
    b->coupled_golden_section(dZ, dl, du, weight);
    z[k] = get(*b, dZ);
    l[k++] = get(*b, dl);
  }
  // The plain refinement on the GPU: weight 0 is golden_section, bit for bit.
  std::vector<float> plain_z, plain_l;
  {
    DVec dZ = put(*be.gpu, start), dl = be.gpu->alloc(HW), du = put(*be.gpu, hu);
    be.gpu->coupled_golden_section(dZ, dl, du, 0.f);
    plain_z = get(*be.gpu, dZ);
    plain_l = get(*be.gpu, dl);
    DVec gZ = put(*be.gpu, start), gl = be.gpu->alloc(HW);
    be.gpu->golden_section(gZ, gl);
    EXPECT_EQ(get(*be.gpu, gZ), plain_z);
    EXPECT_EQ(get(*be.gpu, gl), plain_l);
  }
  auto objective = [&](float zz, float loss, size_t q) {
    const double d = static_cast<double>(zz) - hu[q];
    return static_cast<double>(loss) + weight * d * d;
  };
  size_t off = 0, moved = 0;
  for (size_t q = 0; q < HW; ++q) {
    ASSERT_TRUE(std::isfinite(z[1][q]) && std::isfinite(l[1][q])) << "pixel " << q;
    const double dz = std::fabs(static_cast<double>(z[1][q]) - z[0][q]);
    if (dz <= 1e-4 * z[0][q])
      EXPECT_NEAR(l[1][q], l[0][q], loss_slack(l[0][q], p.range)) << "pixel " << q;
    else if (dz > p.gs_tol)
      ++off;
    // The refinement never raises the objective above the grid depth's (the data loss's slack,
    // plus 4 ulps of the coupling term).
    const double o0 = objective(start[q], start_loss[q], q), o1 = objective(z[1][q], l[1][q], q);
    EXPECT_LE(o1, o0 + loss_slack(start_loss[q], p.range) + 4 * kUlp * o0) << "pixel " << q;
    moved += std::fabs(static_cast<double>(z[1][q]) - plain_z[q]) > p.gs_tol;
  }
  EXPECT_LE(off, HW / 100) << off << " pixels further than gs_tol from the CPU's result";
  EXPECT_GT(moved, HW / 4) << "the coupling should move most refined depths";
}

// Positive terms g huber(|D Z| / step, eps), each rounding within ~6 ulps differently (a fused
// multiply-add under the square root, the scaling, huber's two operations): the sums agree to
// 16 ulps relative (their double accumulation adds ~1e-16). A smooth half hits huber's quadratic
// branch, a random half its linear one. Repeated on the device: bit-identical.
TEST(CudaPrior, TvSumMatchesCpu) {
  DFD_REQUIRE_CUDA();
  const gputest::Scene sc = gputest::make_scene(gputest::SceneSpec{});
  const Problem& p = sc.problem;
  gputest::Backends be(p);
  const int W = p.width, H = p.height;
  auto hZ = random_vector(p.pixels(), 0.1f, 10.f, 1401);
  for (int y = 0; y < H / 2; ++y)
    for (int x = 0; x < W; ++x) hZ[static_cast<size_t>(y) * W + x] = 5.f + 0.01f * x + 0.003f * y;
  const auto hg = random_vector(p.pixels(), 0.05f, 1.f, 1402);
  double s[2];
  int k = 0;
  for (Backend* b : both(be)) {
    DVec Z = put(*b, hZ), g = put(*b, hg);
    b->scalar_set(9, -1.0);
    b->tv_sum(Z, g, 0.25f, 0.5f, 9);
    double all[10];
    b->read_scalars(all, 10);
    s[k++] = all[9];
  }
  EXPECT_NEAR(s[1], s[0], 16 * kUlp * s[0]);
  EXPECT_GT(s[0], 0.0);
  double again[10];
  DVec Z = put(*be.gpu, hZ), g = put(*be.gpu, hg);
  be.gpu->tv_sum(Z, g, 0.25f, 0.5f, 9);
  be.gpu->read_scalars(again, 10);
  EXPECT_EQ(again[9], s[1]);
}

// ---- AIF prior -------------------------------------------------------------------------------

// A textured image with a flat block (|D x| = 0 there: the weight 1 / delta).
std::vector<float> image_with_flat_block(const gputest::Scene& sc) {
  std::vector<float> x = sc.aif.data;
  const int W = sc.problem.width, C = sc.problem.channels;
  const size_t HW = sc.problem.pixels();
  for (int c = 0; c < C; ++c)
    for (int y = 5; y < 20; ++y)
      for (int xx = 5; xx < 25; ++xx) x[c * HW + static_cast<size_t>(y) * W + xx] = 100.f;
  return x;
}

// 1 / max(t, delta): t within 2 ulps (a fused multiply-add under the square root), the division
// exact-rounded: 4 ulps of w allowed. Exact at the flat block.
TEST(CudaPrior, HuberWeightsMatchCpu) {
  DFD_REQUIRE_CUDA();
  const gputest::Scene sc = gputest::make_scene(gputest::SceneSpec{});
  const Problem& p = sc.problem;
  gputest::Backends be(p);
  const auto hx = image_with_flat_block(sc);
  const float delta = 5.f;
  std::vector<float> w[2];
  int k = 0;
  for (Backend* b : both(be)) {
    DVec x = put(*b, hx), dw = b->alloc(p.image_size());
    b->fill(dw, kNaN);
    b->huber_weights(x, delta, dw);
    w[k++] = get(*b, dw);
  }
  size_t flat = 0;
  for (size_t e = 0; e < w[0].size(); ++e) {
    ASSERT_NEAR(w[1][e], w[0][e], 4 * kUlp * w[0][e]) << "element " << e;
    flat += w[0][e] == 1.f / delta;
  }
  EXPECT_GT(flat, 0u);
}

// out = scale sqrt(w) .* D x: an exact difference, a correctly rounded square root and two
// products, the same on both backends (4 ulps allowed for safety). Written into a view at an
// offset of a larger allocation, as the solver's augmented CGLS vectors are; the elements before
// the view stay untouched.
TEST(CudaPrior, WeightedGradientMatchesCpuIntoAView) {
  DFD_REQUIRE_CUDA();
  const gputest::Scene sc = gputest::make_scene(gputest::SceneSpec{});
  const Problem& p = sc.problem;
  gputest::Backends be(p);
  const size_t n = p.image_size(), head = 1001;
  const auto hx = image_with_flat_block(sc);
  const auto hw = random_vector(n, 0.01f, 2.f, 1501);
  const float scale = -0.7f, sentinel = 12345.f;
  std::vector<float> out[2];
  int k = 0;
  for (Backend* b : both(be)) {
    DVec x = put(*b, hx), w = put(*b, hw), all = b->alloc(head + 2 * n);
    b->fill(all, sentinel);
    b->weighted_gradient(x, w, scale, DVec{all.ptr + head, 2 * n});
    out[k++] = get(*b, all);
  }
  for (size_t e = 0; e < head; ++e) ASSERT_EQ(out[1][e], sentinel) << "element " << e << " before the view";
  for (size_t e = head; e < head + 2 * n; ++e)
    ASSERT_NEAR(out[1][e], out[0][e], 4 * kUlp * std::fabs(out[0][e])) << "element " << e - head;
}

// x += scale D^T (sqrt(w) .* p) from a view: each element adds at most 4 products s p (each
// exact-rounded alike) to x0; the sum rounds within ~3 ulps of its terms' magnitudes on either
// backend (8 allowed): |difference| <= 8 ulp (|x0| + 4 |scale| max |sqrt(w) p|).
TEST(CudaPrior, WeightedGradientAdjointMatchesCpuFromAView) {
  DFD_REQUIRE_CUDA();
  const gputest::Scene sc = gputest::make_scene(gputest::SceneSpec{});
  const Problem& p = sc.problem;
  gputest::Backends be(p);
  const size_t n = p.image_size(), head = 333;
  const auto hx0 = random_vector(n, -50.f, 50.f, 1601), hw = random_vector(n, 0.01f, 2.f, 1602);
  const auto hp = random_vector(head + 2 * n, -3.f, 3.f, 1603);
  const float scale = 1.3f;
  std::vector<float> x[2];
  int k = 0;
  for (Backend* b : both(be)) {
    DVec dx = put(*b, hx0), w = put(*b, hw), all = put(*b, hp);
    b->weighted_gradient_adjoint(DVec{all.ptr + head, 2 * n}, w, scale, dx);
    x[k++] = get(*b, dx);
  }
  double field = 0;
  for (size_t c = 0; c < static_cast<size_t>(p.channels); ++c)
    for (size_t e = 0; e < p.pixels(); ++e)
      for (size_t comp = 0; comp < 2; ++comp)
        field = std::max(field, std::sqrt(static_cast<double>(hw[c * p.pixels() + e])) *
                                    std::fabs(hp[head + (2 * c + comp) * p.pixels() + e]));
  const double tol = 8 * kUlp * (max_abs(hx0) + 4 * scale * field);
  EXPECT_EQ(gputest::count_non_finite(x[1]), 0u);
  EXPECT_LE(max_abs_diff(x[1], x[0]), tol);
  EXPECT_GT(max_abs_diff(x[1], hx0), 1000 * tol);  // it did accumulate
}

// <G x, p> = <x, G^T p> on the device, G = scale sqrt(w) D (dot products in double). Each side's
// float elements carry a few ulps of their terms (8 allowed), so by Cauchy-Schwarz the two
// inner products differ by at most ~1e-6 (||G x|| ||p|| + ||x|| ||G^T p||): 1e-5 of it allowed.
TEST(CudaPrior, WeightedGradientIsAdjointOnDevice) {
  DFD_REQUIRE_CUDA();
  const gputest::Scene sc = gputest::make_scene(gputest::SceneSpec{});
  const Problem& p = sc.problem;
  cuda::CudaBackend gpu;
  gpu.setup(p);
  const size_t n = p.image_size();
  const auto hx = random_vector(n, 0.f, 255.f, 1701), hp = random_vector(2 * n, -1.f, 1.f, 1702);
  DVec x = put(gpu, hx), pp = put(gpu, hp), w = gpu.alloc(n), Gx = gpu.alloc(2 * n), Gtp = gpu.alloc(n);
  gpu.huber_weights(x, 5.f, w);
  const float scale = 0.8f;
  gpu.weighted_gradient(x, w, scale, Gx);
  gpu.fill(Gtp, 0.f);
  gpu.weighted_gradient_adjoint(pp, w, scale, Gtp);
  gpu.dot(Gx, pp, 0);
  gpu.dot(x, Gtp, 1);
  gpu.dot(Gx, Gx, 2);
  gpu.dot(pp, pp, 3);
  gpu.dot(x, x, 4);
  gpu.dot(Gtp, Gtp, 5);
  double s[6];
  gpu.read_scalars(s, 6);
  const double scale_of = std::sqrt(s[2] * s[3]) + std::sqrt(s[4] * s[5]);
  ASSERT_GT(scale_of, 0.0);
  EXPECT_NEAR(s[0], s[1], 1e-5 * scale_of);
}

// Sum of huber(|D x_c|, delta) over a textured image with a flat block (both branches): terms
// within ~4 ulps, all non-negative: 16 ulps relative for the sum. Repeated: bit-identical.
TEST(CudaPrior, HuberSumMatchesCpu) {
  DFD_REQUIRE_CUDA();
  const gputest::Scene sc = gputest::make_scene(gputest::SceneSpec{});
  const Problem& p = sc.problem;
  gputest::Backends be(p);
  const auto hx = image_with_flat_block(sc);
  double s[2];
  int k = 0;
  for (Backend* b : both(be)) {
    DVec x = put(*b, hx);
    b->scalar_set(13, -1.0);
    b->huber_sum(x, 5.f, 13);
    double all[14];
    b->read_scalars(all, 14);
    s[k++] = all[13];
  }
  EXPECT_NEAR(s[1], s[0], 16 * kUlp * s[0]);
  EXPECT_GT(s[0], 0.0);
  DVec x = put(*be.gpu, hx);
  be.gpu->huber_sum(x, 5.f, 13);
  double again[14];
  be.gpu->read_scalars(again, 14);
  EXPECT_EQ(again[13], s[1]);
}

}  // namespace
}  // namespace dfd
