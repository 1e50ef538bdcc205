// Shared helpers of the GPU tests: the skip when no device is present, small random scenes
// rendered with the exact model, both backends set up on one problem, and comparisons.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "cuda/cuda_backend.h"
#include "dfd/backend.h"
#include "dfd/backends.h"
#include "dfd/blur_levels.h"
#include "dfd/camera.h"
#include "dfd/image.h"
#include "dfd/reference_model.h"

// Every GPU test starts with this: no device (or no driver) is a skip, never a failure.
#define DFD_REQUIRE_CUDA()                                                          \
  do {                                                                              \
    std::string dfd_why_;                                                           \
    if (!::dfd::cuda_available(&dfd_why_)) GTEST_SKIP() << "no CUDA: " << dfd_why_; \
  } while (0)

namespace dfd::gputest {

struct SceneSpec {
  int width = 61, height = 47;  // odd sizes: no tile or FFT size divides them
  int channels = 3, frames = 5;
  int K = 11;
  int window = 0;
  int candidates = 40;
  double zmin = 0.5, zmax = 8.0;  // the true depths
  uint64_t seed = 1;
  bool single_level = false;  // a one-level plan (the degenerate interpolation)
  bool focus_index = false;   // the uncalibrated model: depth and focus are frame indices 0..F-1
  double index_scale = 1.3;   // its a, pixels per frame step
};

// A scene with known depth: textured AIF in [20, 235], blocky random depth, the stack rendered
// by the exact model (SPEC 2) with the nyuv2 camera and focus distances.
struct Scene {
  Problem problem;
  std::vector<float> stack;  // F x C x H x W, what problem.stack points to
  Image aif, depth;
};

inline std::vector<double> nyuv2_focus(int frames) {
  std::vector<double> f = {1.0, 1.5, 2.5, 4.0, 6.0, 8.0, 10.0};
  f.resize(static_cast<size_t>(frames));
  return f;
}

inline Scene make_scene(const SceneSpec& s) {
  Scene sc;
  std::mt19937_64 rng(s.seed);
  std::uniform_real_distribution<double> U(0.0, 1.0);
  const int W = s.width, H = s.height, C = s.channels;
  sc.aif = Image(W, H, C);
  for (int c = 0; c < C; ++c) {
    double fx[6], fy[6], ph[6];
    for (int k = 0; k < 6; ++k) fx[k] = (U(rng) - 0.5) * 1.6, fy[k] = (U(rng) - 0.5) * 1.6, ph[k] = 6.28 * U(rng);
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) {
        double v = 0;
        for (int k = 0; k < 6; ++k) v += std::sin(fx[k] * x + fy[k] * y + ph[k]);
        v = 0.5 + v / 12.0 + 0.25 * (U(rng) - 0.5);
        sc.aif.at(x, y, c) = static_cast<float>(20.0 + 215.0 * std::min(1.0, std::max(0.0, v)));
      }
  }
  sc.depth = Image(W, H, 1);
  const int block = 6;
  std::vector<double> blocks(static_cast<size_t>((W / block + 1) * (H / block + 1)));
  const double zlo = s.focus_index ? 0.0 : s.zmin, zhi = s.focus_index ? s.frames - 1.0 : s.zmax;
  for (double& b : blocks) b = zlo + (zhi - zlo) * U(rng);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x)
      sc.depth.at(x, y) = static_cast<float>(blocks[(y / block) * (W / block + 1) + x / block]);

  Problem& p = sc.problem;
  p.width = W;
  p.height = H;
  p.channels = C;
  p.frames = s.frames;
  p.range = 255.0;
  p.camera = Camera{BlurModel::ThinLens, 1.0, 0.05, 0.05 / 8, 1.2e-5, 2.0};
  p.focus_distances = nyuv2_focus(s.frames);
  if (s.focus_index) {
    p.camera = Camera{BlurModel::FocusIndex, s.index_scale, 0.05, 0.05 / 8, 1.2e-5, 0.5};
    for (int i = 0; i < s.frames; ++i) p.focus_distances[i] = i;
  }
  p.K = s.K;
  p.candidates.resize(static_cast<size_t>(s.candidates));
  // The nyuv2 search range, or the frame indices of the uncalibrated model.
  const double c0 = s.focus_index ? 0.0 : 0.1, c1 = s.focus_index ? s.frames - 1.0 : 10.0;
  for (int j = 0; j < s.candidates; ++j)
    p.candidates[j] = s.candidates == 1 ? c0 : c0 + (c1 - c0) * j / (s.candidates - 1);
  double sigma_max = p.camera.thresh;
  for (double zf : p.focus_distances)
    sigma_max = std::max({sigma_max, blur_sigma(p.camera, zf, c0), blur_sigma(p.camera, zf, c1)});
  p.levels = s.single_level ? LevelPlan::with_levels(p.camera.thresh, p.camera.thresh, s.K, 1)
                            : LevelPlan::make(p.camera.thresh, sigma_max, s.K, 1e-3);
  p.window = s.window;

  const std::vector<Image> frames = exact_forward(sc.aif, sc.depth, p.camera, p.focus_distances, s.K);
  for (const Image& f : frames) sc.stack.insert(sc.stack.end(), f.data.begin(), f.data.end());
  p.stack = sc.stack.data();
  return sc;
}

// The scene's stack as the solver takes it (frames of C x H x W).
inline FocalStack focal_stack(const Scene& sc) {
  FocalStack fs;
  const Problem& p = sc.problem;
  const size_t frame = p.image_size();
  for (int i = 0; i < p.frames; ++i) {
    Image im(p.width, p.height, p.channels);
    std::copy(sc.stack.begin() + i * frame, sc.stack.begin() + (i + 1) * frame, im.data.begin());
    fs.frames.push_back(std::move(im));
  }
  fs.focus_distances = p.focus_distances;
  fs.range = p.range;
  return fs;
}

// The CPU reference and the CUDA backend under test, set up on the same problem.
struct Backends {
  std::unique_ptr<Backend> cpu;
  std::unique_ptr<cuda::CudaBackend> gpu;

  explicit Backends(const Problem& p, cuda::BlurPath path = cuda::BlurPath::Auto) {
    cpu = make_cpu_backend(2);
    cuda::CudaBackendConfig cfg;
    cfg.blur = path;
    gpu = std::make_unique<cuda::CudaBackend>(cfg);
    cpu->setup(p);
    gpu->setup(p);
  }
};

inline DVec put(Backend& be, const std::vector<float>& host) {
  DVec v = be.alloc(host.size());
  be.upload(host.data(), v);
  return v;
}

inline std::vector<float> get(Backend& be, DVec v) {
  std::vector<float> host(v.size);
  be.download(v, host.data());
  return host;
}

inline std::vector<float> random_vector(size_t n, float lo, float hi, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> U(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = U(rng);
  return v;
}

// ||a - ref|| / ||ref|| in double; NaN anywhere gives NaN (which fails every EXPECT_LE).
inline double rel_l2(const std::vector<float>& a, const std::vector<float>& ref) {
  if (a.size() != ref.size()) return std::nan("");
  double num = 0, den = 0;
  for (size_t k = 0; k < a.size(); ++k) {
    const double d = double(a[k]) - ref[k];
    num += d * d;
    den += double(ref[k]) * ref[k];
  }
  return den > 0 ? std::sqrt(num / den) : std::sqrt(num);
}

inline size_t count_non_finite(const std::vector<float>& v) {
  return static_cast<size_t>(std::count_if(v.begin(), v.end(), [](float x) { return !std::isfinite(x); }));
}

// Largest difference of two per-pixel losses that float rounding explains: a residual
// b - sum_m w X carries an absolute error of at most eps = 1e-5 R (the 1e-5 relative bound
// of the blurs, on values up to R), so (r + e)^2 - r^2 <= 2 |r| eps + eps^2 per term, and
// the loss averages such terms: 2 sqrt(loss) eps + eps^2, plus 1e-6 relative for the sums.
inline double loss_slack(double loss, double range) {
  const double eps = 1e-5 * range;
  return 2.0 * std::sqrt(std::max(loss, 0.0)) * eps + eps * eps + 1e-6 * std::fabs(loss);
}

}  // namespace dfd::gputest
