// The CPU backend's depth step against the reference: grid search (plain and windowed, both
// blur paths) vs the fixture's grid losses, golden section, pixel loss, the monotone guard,
// and the initial AIF against an OpenCV rendition of SPEC 5.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include <cmath>

#include "cpu/cpu_backend.h"
#include "dfd/reference_model.h"
#include "test_util.h"

namespace dfd {
namespace {

using test::kFloatEps;
constexpr double kContract = 1e-3;

using test::download;
using test::upload;

// case1 of tests/data as a Problem: the stack is the reference's forward of the true depth.
struct Case1 {
  test::Fixture f = test::load_fixture("case1");
  std::vector<float> stack = test::concat(f.stack);
  Problem p;
  static constexpr int N = 100;

  explicit Case1(int window) {
    p.width = f.W;
    p.height = f.H;
    p.channels = f.C;
    p.frames = f.frames();
    p.stack = stack.data();
    p.camera = f.camera;
    p.focus_distances = f.focus;
    p.K = f.K;
    p.levels = LevelPlan::make(f.camera.thresh, max_blur_sigma(f.camera, f.focus, 0.1, 10.0), f.K, kContract);
    for (int j = 0; j < N; ++j) p.candidates.push_back(0.1 + (10.0 - 0.1) * j / (N - 1));
    p.window = window;
  }
  int index_of(float z) const {
    int best = 0;
    for (int j = 1; j < N; ++j)
      if (std::fabs(p.candidates[j] - z) < std::fabs(p.candidates[best] - z)) best = j;
    return best;
  }
};

// How far a fast loss may stray from the exact one. The fast blur differs from the exact by
// delta <= 1e-3 max|x| (kernel contract), the reference's own blur carries float rounding
// t <= K^2 eps max|x|; so each residual d moves by e = delta + t, d^2 by e (2|d| + e), and
// the mean over planes by e (2 sqrt(L) + e) (Cauchy-Schwarz; Jensen keeps it under a window
// mean). Plus float rounding of the loss itself, a few eps relative.
double loss_slack(double L, double e) { return e * (2 * std::sqrt(std::max(L, 0.0)) + e) + 8 * kFloatEps * L; }

class CpuDepth : public ::testing::TestWithParam<BlurPath> {};

void expect_grid_search_matches(int window, const std::string& file, BlurPath path) {
  Case1 c(window);
  CpuBackend be(2);
  be.force_blur_path(path);
  be.setup(c.p);
  DVec x = upload(be, c.f.aif.data), Z = be.alloc(c.p.pixels()), loss = be.alloc(c.p.pixels());
  be.blur_levels(x);
  be.grid_search(Z, loss);
  const std::vector<float> z = download(be, Z), l = download(be, loss);
  const std::vector<float> ref = test::read_f32(file, c.p.pixels() * Case1::N);
  const std::vector<float> plain = test::read_f32("case1_grid_losses.f32", c.p.pixels() * Case1::N);
  const double mx = test::max_abs(c.f.aif.data), e = kContract * mx + c.f.K * c.f.K * kFloatEps * mx;
  int bad_choice = 0, bad_loss = 0;
  for (size_t p = 0; p < c.p.pixels(); ++p) {
    const float* row = &ref[p * Case1::N];
    const int jf = c.index_of(z[p]);
    const int je = static_cast<int>(std::min_element(row, row + Case1::N) - row);
    // The fast argmin may differ from the exact one only where their losses tie within the
    // operator's accuracy: each of the two losses can be off by its slack.
    bad_choice += row[jf] > row[je] + loss_slack(row[jf], e) + loss_slack(row[je], e);
    // The reported loss is the un-windowed loss of the chosen candidate.
    const double lref = plain[p * Case1::N + jf];
    bad_loss += std::fabs(l[p] - lref) > loss_slack(lref, e);
  }
  EXPECT_EQ(bad_choice, 0) << file;
  EXPECT_EQ(bad_loss, 0) << file;
}

TEST_P(CpuDepth, GridSearchMatchesTheReferenceLosses) {
  expect_grid_search_matches(0, "case1_grid_losses.f32", GetParam());
}

TEST_P(CpuDepth, WindowedGridSearchMatchesTheReferenceLosses) {
  expect_grid_search_matches(5, "case1_grid_losses_window5.f32", GetParam());
}

TEST_P(CpuDepth, GoldenSectionNeverWorsensAndRefinesTowardsTheTruth) {
  Case1 c(0);
  c.p.gs_tol = 1e-3;
  CpuBackend be(2);
  be.force_blur_path(GetParam());
  be.setup(c.p);
  const size_t P = c.p.pixels();
  DVec x = upload(be, c.f.aif.data), Z = be.alloc(P), loss = be.alloc(P), start = be.alloc(P);
  be.blur_levels(x);
  be.grid_search(Z, loss);
  const std::vector<float> z_grid = download(be, Z);
  be.pixel_loss(Z, start);  // the loss golden_section starts from, by the same evaluation
  be.golden_section(Z, loss);
  const std::vector<float> z_gs = download(be, Z), l_gs = download(be, loss), l0 = download(be, start);
  double err_grid = 0, err_gs = 0;
  for (size_t p = 0; p < P; ++p) {
    EXPECT_LE(l_gs[p], l0[p]) << "pixel " << p;  // exact: the step keeps its start when worse
    // It stays in the bracket [Z_{j-1}, Z_{j+1}] of its grid candidate (step 0.1).
    EXPECT_LE(std::fabs(z_gs[p] - z_grid[p]), 0.1 + 1e-5);
    err_grid += std::fabs(z_grid[p] - c.f.depth.data[p]);
    err_gs += std::fabs(z_gs[p] - c.f.depth.data[p]);
  }
  // With the true AIF the loss is ~0 at the true depth, so refining within the grid step
  // must bring the mean error well below the grid's (~step / 4 = 0.025 for uniform depths).
  EXPECT_LT(err_gs, 0.5 * err_grid) << "grid " << err_grid / P << " golden " << err_gs / P;
  // And the per-pixel loss written is the loss at the written depth.
  DVec check = be.alloc(P);
  be.pixel_loss(Z, check);
  EXPECT_EQ(download(be, check), l_gs);
}

INSTANTIATE_TEST_SUITE_P(Paths, CpuDepth, ::testing::Values(BlurPath::Separable, BlurPath::Fft),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(CpuDepth, PixelLossMatchesTheExactLoss) {
  Case1 c(0);
  CpuBackend be(2);
  be.setup(c.p);
  const size_t P = c.p.pixels();
  const Image depth = test::random_image(c.f.W, c.f.H, 1, 0.2f, 9.f, 61);
  DVec x = upload(be, c.f.aif.data), Z = upload(be, depth.data), loss = be.alloc(P), truth = upload(be, c.f.depth.data);
  be.blur_levels(x);
  be.pixel_loss(Z, loss);
  const std::vector<float> fast = download(be, loss);
  // Exact per-pixel loss at that depth: mean over (i, c) of (b - A_i(Z) x)^2.
  const std::vector<Image> y = exact_forward(c.f.aif, depth, c.f.camera, c.f.focus, c.f.K);
  const double mx = test::max_abs(c.f.aif.data), e = kContract * mx + c.f.K * c.f.K * kFloatEps * mx;
  for (size_t p = 0; p < P; ++p) {
    double L = 0;
    for (int i = 0; i < c.f.frames(); ++i)
      for (int ch = 0; ch < c.f.C; ++ch) {
        const double d = double(c.f.stack[i].plane(ch)[p]) - y[i].plane(ch)[p];
        L += d * d;
      }
    L /= c.f.frames() * c.f.C;
    EXPECT_LE(std::fabs(fast[p] - L), loss_slack(L, e)) << "pixel " << p;
  }
  // At the true depth the loss is that of the operator error alone: at most e^2.
  be.pixel_loss(truth, loss);
  for (float v : download(be, loss)) EXPECT_LE(v, e * e);
}

TEST(CpuDepth, KeepBetterIsTheMonotoneGuard) {
  Case1 c(0);
  CpuBackend be(1);
  be.setup(c.p);
  DVec Z = upload(be, {1, 2, 3}), L = upload(be, {5, 1, 2}), Zo = upload(be, {7, 8, 9}), Lo = upload(be, {4, 1, 3});
  be.keep_better(Z, L, Zo, Lo);
  EXPECT_EQ(download(be, Z), (std::vector<float>{7, 2, 3}));  // ties keep the new depth
  EXPECT_EQ(download(be, L), (std::vector<float>{4, 1, 2}));
}

// ---- Initial AIF ----------------------------------------------------------------------------

// SPEC 5 with OpenCV: the reference implementation's own building blocks.
std::vector<cv::Mat> opencv_sharpness(const std::vector<float>& stack, int F, int C, int H, int W, double R) {
  std::vector<cv::Mat> out;
  const size_t HW = static_cast<size_t>(H) * W;
  for (int i = 0; i < F; ++i) {
    cv::Mat grey(H, W, CV_32F);
    const float* f = &stack[i * C * HW];
    for (size_t p = 0; p < HW; ++p)
      grey.at<float>(static_cast<int>(p)) =
          static_cast<float>((C == 3 ? 0.299f * f[p] + 0.587f * f[HW + p] + 0.114f * f[2 * HW + p] : f[p]) * (1.0 / R));
    cv::Mat gx, gy, mag, s;
    cv::Sobel(grey, gx, CV_32F, 1, 0, 3);
    cv::Sobel(grey, gy, CV_32F, 0, 1, 3);
    cv::magnitude(gx, gy, mag);
    cv::exp(mag, s);
    cv::GaussianBlur(s, s, cv::Size(0, 0), 1.0);
    out.push_back(s);
  }
  return out;
}

TEST(CpuInitAif, PicksTheFrameOpenCvJudgesSharpest) {
  for (int C : {1, 3}) {
    const int W = 40, H = 30, F = 4;
    // Frames of random texture blurred by different amounts in different regions.
    std::vector<float> stack;
    for (int i = 0; i < F; ++i) {
      Image fr = test::random_image(W, H, C, 0.f, 255.f, 70 + i);
      const Image blurred = exact_blur(fr, 1.5, 7);
      for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x)
          if ((x / 10 + y / 10) % F != i)
            for (int ch = 0; ch < C; ++ch) fr.at(x, y, ch) = blurred.at(x, y, ch);
      stack.insert(stack.end(), fr.data.begin(), fr.data.end());
    }
    Problem p;
    p.width = W;
    p.height = H;
    p.channels = C;
    p.frames = F;
    p.stack = stack.data();
    p.range = 255.0;
    p.focus_distances = {1, 2, 3, 4};
    p.K = 7;
    p.levels = LevelPlan::make(2.0, 10.0, 7);
    p.candidates = {1.0, 2.0};
    CpuBackend be(2);
    be.setup(p);
    DVec x = be.alloc(static_cast<size_t>(W) * H * C);
    be.init_aif(x);
    const std::vector<float> aif = download(be, x);
    const std::vector<cv::Mat> s = opencv_sharpness(stack, F, C, H, W, p.range);
    const size_t HW = static_cast<size_t>(W) * H;
    int checked = 0;
    for (size_t q = 0; q < HW; ++q) {
      float best = -1, second = -1;
      int arg = 0;
      for (int i = 0; i < F; ++i) {
        const float v = s[i].at<float>(static_cast<int>(q));
        if (v > best) {
          second = best;
          best = v;
          arg = i;
        } else if (v > second) {
          second = v;
        }
      }
      // Float sums in a different order can swap a near-tie: skip pixels whose two best
      // frames are within 1e-5 relative (~100 float eps of exp(|grad|) values ~1..50).
      if (best - second < 1e-5f * best) continue;
      ++checked;
      for (int ch = 0; ch < C; ++ch)
        ASSERT_EQ(aif[ch * HW + q], stack[(arg * C + ch) * HW + q]) << "C=" << C << " pixel " << q;
    }
    EXPECT_GT(checked, static_cast<int>(0.99 * HW));
  }
}

}  // namespace
}  // namespace dfd
