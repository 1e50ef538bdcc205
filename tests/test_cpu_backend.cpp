// The CPU backend's operator against the exact model (both blur paths), its exact
// transposition, the blur engine itself, vector algebra, scalars, memory and misuse errors.
#include <gtest/gtest.h>

#include <cmath>

#include "cpu/blur_engine.h"
#include "cpu/cpu_backend.h"
#include "cpu/pixel_weights.h"
#include "dfd/error.h"
#include "dfd/reference_model.h"
#include "test_util.h"

namespace dfd {
namespace {

using test::kFloatEps;
constexpr double kContract = 1e-3;  // SPEC 4.3 kernel L1 bound

// A problem around given data; the stack may be a placeholder when only A / A^T are tested.
Problem make_problem(int W, int H, int C, const std::vector<float>& stack, const Camera& cam,
                     const std::vector<double>& focus, int K, double zmin, double zmax, int N, int window) {
  Problem p;
  p.width = W;
  p.height = H;
  p.channels = C;
  p.frames = static_cast<int>(focus.size());
  p.stack = stack.data();
  p.camera = cam;
  p.focus_distances = focus;
  p.K = K;
  p.levels = LevelPlan::make(cam.thresh, max_blur_sigma(cam, focus, zmin, zmax), K, kContract);
  for (int j = 0; j < N; ++j) p.candidates.push_back(zmin + (zmax - zmin) * j / (N - 1));
  p.window = window;
  return p;
}

using test::download;
using test::upload;

struct OperatorCase {
  int W, H, C, K;
  double thresh;
  BlurPath path;
};

class CpuOperator : public ::testing::TestWithParam<OperatorCase> {};

TEST_P(CpuOperator, ApplyAMatchesTheExactForwardWithinTheKernelContract) {
  const OperatorCase oc = GetParam();
  Camera cam;
  cam.thresh = oc.thresh;
  const std::vector<double> focus = {1.0, 1.5, 2.5, 4.0, 6.0};
  const Image x = test::random_image(oc.W, oc.H, oc.C, 0.f, 255.f, 21);
  const Image depth = test::random_image(oc.W, oc.H, 1, 0.3f, 10.f, 22);
  const std::vector<float> stack(focus.size() * x.size(), 0.f);
  const Problem p = make_problem(oc.W, oc.H, oc.C, stack, cam, focus, oc.K, 0.3, 10.0, 8, 0);
  CpuBackend be(2);
  be.force_blur_path(oc.path);
  be.setup(p);
  ASSERT_EQ(be.blur_path(), oc.path);
  DVec xd = upload(be, x.data), zd = upload(be, depth.data), yd = be.alloc(stack.size());
  be.set_depth(zd);
  be.apply_A(xd, yd);
  const std::vector<float> fast = download(be, yd);
  const std::vector<float> exact = test::concat(exact_forward(x, depth, cam, focus, oc.K));
  // Per pixel |(k~ - k) * x| <= ||k~ - k||_1 max|x| <= 1e-3 max|x| (the plan is verified at
  // half of that; the other half covers the float rounding of ~2K + 4 terms, ~1e-6 max|x|).
  EXPECT_LE(test::max_abs_diff(fast, exact), kContract * test::max_abs(x.data));
}

TEST_P(CpuOperator, ApplyAtIsTheExactTransposeOfApplyA) {
  const OperatorCase oc = GetParam();
  Camera cam;
  cam.thresh = oc.thresh;
  const std::vector<double> focus = {1.0, 2.5, 6.0};
  const Image x = test::random_image(oc.W, oc.H, oc.C, 0.f, 1.f, 31);
  const Image depth = test::random_image(oc.W, oc.H, 1, 0.3f, 10.f, 32);
  std::vector<float> y(focus.size() * x.size());
  {
    const Image r = test::random_image(static_cast<int>(y.size()), 1, 1, 0.f, 1.f, 33);
    y = r.data;
  }
  const Problem p = make_problem(oc.W, oc.H, oc.C, y, cam, focus, oc.K, 0.3, 10.0, 8, 0);
  CpuBackend be(2);
  be.force_blur_path(oc.path);
  be.setup(p);
  DVec xd = upload(be, x.data), yd = upload(be, y), zd = upload(be, depth.data);
  DVec ax = be.alloc(y.size()), aty = be.alloc(x.size());
  be.set_depth(zd);
  be.apply_A(xd, ax);
  be.apply_At(yd, aty);
  const double lhs = test::dot(download(be, ax), y), rhs = test::dot(x.data, download(be, aty));
  // Positive data, so no cancellation: each side is a float computation with relative
  // rounding ~(2K + 4) eps ~ 3e-6 per element (the FFT's ~eps log2(PQ) is smaller).
  EXPECT_NEAR(lhs, rhs, 1e-5 * std::fabs(lhs));
}

INSTANTIATE_TEST_SUITE_P(Paths, CpuOperator,
                         ::testing::Values(OperatorCase{37, 29, 3, 11, 2.0, BlurPath::Separable},
                                           OperatorCase{37, 29, 3, 11, 2.0, BlurPath::Fft},
                                           OperatorCase{30, 41, 1, 23, 0.5, BlurPath::Separable},
                                           OperatorCase{30, 41, 1, 23, 0.5, BlurPath::Fft},
                                           OperatorCase{6, 5, 1, 11, 2.0, BlurPath::Separable},  // image smaller than K
                                           OperatorCase{6, 5, 1, 11, 2.0, BlurPath::Fft}),
                         [](const auto& info) {
                           return std::to_string(info.param.W) + "x" + std::to_string(info.param.H) + "x" +
                                  std::to_string(info.param.C) + "K" + std::to_string(info.param.K) + "_" +
                                  to_string(info.param.path);
                         });

TEST(CpuOperator, SeparableAndFftPathsAgree) {
  Camera cam;
  const std::vector<double> focus = {1.0, 2.5, 6.0};
  const int W = 45, H = 33, C = 3, K = 11;
  const Image x = test::random_image(W, H, C, 0.f, 255.f, 41);
  const Image depth = test::random_image(W, H, 1, 0.3f, 10.f, 42);
  const Image y = test::random_image(W, H * 3, C, 0.f, 255.f, 43);
  const Problem p = make_problem(W, H, C, y.data, cam, focus, K, 0.3, 10.0, 8, 0);
  std::vector<float> ax[2], aty[2];
  for (int k = 0; k < 2; ++k) {
    CpuBackend be(2);
    be.force_blur_path(k == 0 ? BlurPath::Separable : BlurPath::Fft);
    be.setup(p);
    DVec xd = upload(be, x.data), zd = upload(be, depth.data), a = be.alloc(y.size()), t = be.alloc(x.size());
    be.set_depth(zd);
    be.apply_A(xd, a);
    be.apply_At(be.stack(), t);
    ax[k] = download(be, a);
    aty[k] = download(be, t);
  }
  // The same linear operator in float: separable sums of 2K terms round within 2K eps of
  // the maximum (2.6e-6), FFTW within ~eps log2(PQ) (~1.5e-6); 1e-5 bounds both.
  EXPECT_LE(test::max_abs_diff(ax[0], ax[1]), 1e-5 * test::max_abs(x.data));
  EXPECT_LE(test::max_abs_diff(aty[0], aty[1]), 1e-5 * test::max_abs(aty[0]));
}

TEST(BlurEngine, BothPathsAreExactBlursAndTheirSums) {
  const std::vector<double> sigmas = {0.5, 2.0, 9.0, 1e3};
  for (BlurPath path : {BlurPath::Separable, BlurPath::Fft})
    for (auto [W, H, K] : {std::tuple{37, 29, 11}, std::tuple{5, 4, 11}, std::tuple{64, 16, 23}}) {
      const int C = 2;
      BlurEngine eng;
      eng.setup(H, W, C, K, sigmas, 2, path);
      const Image x = test::random_image(W, H, C, -1.f, 1.f, 51);
      const size_t LS = x.size();
      std::vector<float> out(sigmas.size() * LS, 0.f);
      eng.blur(x.data.data(), {0, 1, 2, 3}, out.data(), LS);
      // Kernel weights sum to 1: float rounding of either path stays below 1e-5 max|x|
      // (2K eps = 5.5e-6 at K = 23 for the passes; eps log2(PQ) for the FFT).
      for (size_t l = 0; l < sigmas.size(); ++l) {
        const Image e = exact_blur(x, sigmas[l], K);
        const std::vector<float> got(out.begin() + l * LS, out.begin() + (l + 1) * LS);
        EXPECT_LE(test::max_abs_diff(got, e.data), 1e-5) << to_string(path) << " " << W << "x" << H << " level " << l;
      }
      // blur_sum over levels 1 and 3 of independent inputs.
      const Image in1 = test::random_image(W, H, C, -1.f, 1.f, 52), in3 = test::random_image(W, H, C, -1.f, 1.f, 53);
      std::copy(in1.data.begin(), in1.data.end(), out.begin() + 1 * LS);
      std::copy(in3.data.begin(), in3.data.end(), out.begin() + 3 * LS);
      std::vector<float> sum(LS);
      eng.blur_sum(out.data(), LS, {1, 3}, sum.data());
      const Image e1 = exact_blur(in1, sigmas[1], K), e3 = exact_blur(in3, sigmas[3], K);
      std::vector<float> expect(LS);
      for (size_t k = 0; k < LS; ++k) expect[k] = e1.data[k] + e3.data[k];
      EXPECT_LE(test::max_abs_diff(sum, expect), 2e-5) << to_string(path);  // two blurs' rounding
    }
}

TEST(BlurEngine, CostModelPicksSeparableForSmallKAndFftForLargeK) {
  EXPECT_EQ(BlurEngine::choose(240, 320, 11), BlurPath::Separable);
  EXPECT_EQ(BlurEngine::choose(3000, 4000, 137), BlurPath::Fft);
}

TEST(PixelWeights, PolynomialLogMatchesLibm) {
  // The atanh series is truncated after s^15 with |s| <= 0.172: remainder < 1e-14 absolute.
  for (double x = 1e-3; x < 1e7; x *= 1.0371)
    EXPECT_NEAR(model::log_poly(x), std::log(x), 2e-14 * (1 + std::fabs(std::log(x))));
}

TEST(PixelWeights, AgreeWithTheLevelPlan) {
  Camera cam;
  cam.thresh = 0.5;
  const std::vector<double> focus = {1.0, 2.5, 6.0};
  for (const LevelPlan& plan : {LevelPlan::make(cam.thresh, max_blur_sigma(cam, focus, 0.1, 10.0), 23),
                                LevelPlan::with_levels(cam.thresh, cam.thresh, 23, 1)}) {
    PixelWeights pw;
    pw.setup(plan, cam, focus);
    const Image z = test::random_image(1000, 1, 1, 0.05f, 12.f, 91);  // also outside the plan's range
    std::vector<int32_t> first(1000);
    std::vector<float> w(4000);
    for (int i = 0; i < 3; ++i) {
      pw.eval(i, z.data.data(), 1000, first.data(), &w[0], &w[1000], &w[2000], &w[3000]);
      for (int k = 0; k < 1000; ++k) {
        // One model (model/pixel_model.h) behind both: the vector loop's weights are the plan's
        // to the bit, the first level and all four weights.
        const LevelWeights ref = plan.weights(blur_sigma(cam, focus[i], z.data[k]));
        ASSERT_EQ(first[k], ref.first) << "depth " << z.data[k];
        for (int m = 0; m < 4; ++m)
          ASSERT_EQ(w[m * 1000 + k], ref.weight[m]) << "depth " << z.data[k] << " weight " << m;
      }
    }
  }
}

// ---- Vector algebra, scalars, memory -----------------------------------------------------

class CpuVectors : public ::testing::Test {
 protected:
  void SetUp() override {
    Camera cam;
    p_ = make_problem(8, 6, 1, stack_, cam, {1.0, 2.0}, 7, 0.5, 5.0, 4, 0);
    be_.setup(p_);
  }
  std::vector<float> stack_ = std::vector<float>(2 * 48, 1.f);
  Problem p_;
  CpuBackend be_{2};
};

TEST_F(CpuVectors, ElementwiseOperations) {
  const std::vector<float> a = {1, -2, 3, 0.5f, 10}, b = {2, 2, -1, 4, 0};
  DVec x = upload(be_, a), y = upload(be_, b), m = be_.alloc(5);
  be_.scalar_set(3, 0.5);
  be_.axpby(Coef::of(3, 2.f), x, Coef::constant(-1.f), y);  // y = (2 * 0.5) x - y
  EXPECT_EQ(download(be_, y), (std::vector<float>{-1, -4, 4, -3.5f, 10}));
  be_.fill(y, std::nanf(""));
  be_.axpby(Coef::constant(3.f), x, Coef::constant(0.f), y);  // b = 0 overwrites, NaN or not
  EXPECT_EQ(download(be_, y), (std::vector<float>{3, -6, 9, 1.5f, 30}));
  be_.copy(x, y);
  be_.multiply(upload(be_, b), y);
  EXPECT_EQ(download(be_, y), (std::vector<float>{2, -4, -3, 2, 0}));
  be_.clip(y, -3.f, 1.f);
  EXPECT_EQ(download(be_, y), (std::vector<float>{1, -3, -3, 1, 0}));
  // At a bound with the descent direction -g pointing outside: held (0); otherwise free (1).
  DVec xb = upload(be_, {0, 0, 255, 255, 7}), g = upload(be_, {1, -1, -1, 1, 5});
  be_.free_mask(xb, g, 0.f, 255.f, m);
  EXPECT_EQ(download(be_, m), (std::vector<float>{0, 1, 0, 1, 1}));
}

TEST_F(CpuVectors, ReductionsAccumulateInDouble) {
  // 3 million copies of 0.1f: a float accumulator drifts by percent; double is exact to
  // ~n eps_double ~ 1e-10 relative.
  const size_t n = 3'000'000;
  DVec a = be_.alloc(n), b = be_.alloc(n);
  be_.fill(a, 0.1f);
  be_.fill(b, 2.f);
  be_.sum(a, 0);
  be_.dot(a, b, 1);
  double s[2];
  be_.read_scalars(s, 2);
  EXPECT_NEAR(s[0], n * double(0.1f), 1e-9 * n);
  EXPECT_NEAR(s[1], 2 * n * double(0.1f), 2e-9 * n);
}

TEST_F(CpuVectors, Scalars) {
  be_.scalar_set(0, 6.0);
  be_.scalar_set(1, 4.0);
  be_.scalar_set(5, 0.0);
  be_.scalar_ratio(0, 1, 2);
  be_.scalar_ratio(0, 5, 3);  // division by zero gives 0
  be_.scalar_sqrt(1, 4);
  double s[5];
  be_.read_scalars(s, 5);
  EXPECT_EQ(s[2], 1.5);
  EXPECT_EQ(s[3], 0.0);
  EXPECT_EQ(s[4], 2.0);
  EXPECT_THROW(be_.scalar_set(Backend::kScalarSlots, 1.0), Error);
}

TEST_F(CpuVectors, MemoryAccountingAndDevice) {
  const size_t before = be_.peak_memory();
  EXPECT_GT(before, 0u);
  EXPECT_LE(before, be_.memory_estimate(p_));  // the estimate covers what setup holds
  be_.alloc(1000);
  EXPECT_EQ(be_.peak_memory(), before + 1000 * sizeof(float));
  EXPECT_EQ(be_.device().rfind("CPU: ", 0), 0u);
  EXPECT_STREQ(be_.name(), "cpu");
  EXPECT_EQ(download(be_, be_.stack()), stack_);  // staged as given
}

TEST_F(CpuVectors, MisuseIsAClearError) {
  DVec z = be_.alloc(48), loss = be_.alloc(48);
  EXPECT_THROW(be_.grid_search(z, loss), Error);                   // no blur_levels yet
  EXPECT_THROW(be_.apply_A(be_.alloc(48), be_.alloc(96)), Error);  // no set_depth yet
  EXPECT_THROW(be_.dot(be_.alloc(3), be_.alloc(4), 0), Error);
  be_.blur_levels(be_.alloc(48));
  be_.set_depth(z);
  be_.apply_A(be_.alloc(48), be_.alloc(96));      // reuses the level buffer ...
  EXPECT_THROW(be_.grid_search(z, loss), Error);  // ... so the levels are stale
  Problem bad = p_;
  bad.K = 9;  // plan made for K = 7
  EXPECT_THROW(be_.setup(bad), Error);
  CpuBackend fresh(1);
  EXPECT_THROW(fresh.stack(), Error);
}

// Problem::validate, which every backend's setup calls first: each bad field is an input error
// that names the backend and the problem.
TEST_F(CpuVectors, SetupNamesWhatIsWrongWithTheProblem) {
  auto expect_bad = [&](const Problem& bad, const std::string& says) {
    try {
      be_.setup(bad);
      ADD_FAILURE() << "no error for " << says;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Input) << e.what();
      EXPECT_EQ(std::string(e.what()).rfind("cpu backend: ", 0), 0u) << e.what();
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
  };
  Problem bad = p_;
  bad.width = 0;
  expect_bad(bad, "bad problem size");
  bad = p_;
  bad.stack = nullptr;
  expect_bad(bad, "no stack");
  bad = p_;
  bad.focus_distances.push_back(3.0);
  expect_bad(bad, "3 focus distances for 2 frames");
  bad = p_;
  bad.K = 8;
  expect_bad(bad, "window K must be odd");
  bad = p_;
  bad.candidates = {1.0, 0.5};
  expect_bad(bad, "strictly increasing");
  bad = p_;
  bad.range = 0;
  expect_bad(bad, "range must be positive");
  bad = p_;
  bad.gs_tol = 0;
  expect_bad(bad, "golden section needs");
  // The candidate table both backends stage: the plan's weights of sigma_i(Z_j), entry j F + i.
  const std::vector<LevelWeights> table = p_.candidate_weights();
  ASSERT_EQ(table.size(), p_.candidates.size() * 2);
  const LevelWeights ref = p_.levels.weights(blur_sigma(p_.camera, p_.focus_distances[1], p_.candidates[3]));
  EXPECT_EQ(table[3 * 2 + 1].first, ref.first);
  for (int m = 0; m < 4; ++m) EXPECT_EQ(table[3 * 2 + 1].weight[m], ref.weight[m]);
}

}  // namespace
}  // namespace dfd
