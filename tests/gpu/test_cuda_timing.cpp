// Timings of the CUDA backend's phases and whole solves at growing sizes. DISABLED_: not part
// of any test run; scripts/gpu_check.sh runs it (--gtest_also_run_disabled_tests) when the
// full build with `dfd bench` is not available on the device machine.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "dfd/metrics.h"
#include "dfd/solver.h"
#include "gpu_test_util.h"

namespace dfd {
namespace {

using Clock = std::chrono::steady_clock;

// Median seconds of `repeats` runs of fn after one warm-up; read_scalars synchronises.
template <class Fn>
double median_seconds(Backend& be, int repeats, Fn&& fn) {
  double sink[1];
  fn();
  be.read_scalars(sink, 1);
  std::vector<double> t;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = Clock::now();
    fn();
    be.read_scalars(sink, 1);
    t.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

TEST(CudaTiming, DISABLED_PhasesAndSolves) {
  DFD_REQUIRE_CUDA();
  const int sizes[][2] = {{320, 240}, {640, 480}, {1280, 960}, {1920, 1080}};
  std::printf("%-10s %4s %4s %-6s %9s %9s %9s %9s %9s %9s %9s %8s\n", "size", "K", "L", "path", "blur ms", "grid ms",
              "golden ms", "A ms", "At ms", "epoch ms", "solve s", "AbsRel");
  for (const auto& wh : sizes) {
    const int W = wh[0], H = wh[1];
    Options opt = preset_options("nyuv2");  // 40 epochs, 100 candidates
    opt.threads = 0;
    // Random texture and a blocky depth map; the stack is rendered by the backend's own
    // operator (the exact K x K model would take minutes on the host at these sizes).
    FocalStack fs;
    fs.focus_distances = preset_focus_distances("nyuv2");
    fs.range = 255.0;
    for (size_t i = 0; i < fs.focus_distances.size(); ++i) fs.frames.emplace_back(W, H, 3, 0.f);
    Problem p = make_problem(fs, opt);
    std::vector<float> stack(p.stack_size(), 0.f);
    p.stack = stack.data();
    Image truth_depth(W, H, 1);
    cuda::CudaBackend gpu;
    gpu.setup(p);
    {
      const auto aif = gputest::random_vector(p.image_size(), 20.f, 235.f, 7);
      std::vector<float> depth(p.pixels());
      for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x)
          depth[static_cast<size_t>(y) * W + x] = 0.5f + 7.5f * ((x / 16 + 3 * (y / 16)) % 13) / 12.f;
      DVec Z = gputest::put(gpu, depth), x = gputest::put(gpu, aif), y = gpu.alloc(p.stack_size());
      gpu.set_depth(Z);
      gpu.apply_A(x, y);
      stack = gputest::get(gpu, y);
      for (size_t i = 0; i < fs.frames.size(); ++i)
        std::copy(stack.begin() + i * p.image_size(), stack.begin() + (i + 1) * p.image_size(),
                  fs.frames[i].data.begin());
      truth_depth.data = depth;
    }
    const auto t0 = Clock::now();
    const Result r = solve(fs, opt, gpu);
    const double solve_s = std::chrono::duration<double>(Clock::now() - t0).count();
    const double absrel = depth_metrics(r.depth, truth_depth).absrel;
    EXPECT_TRUE(std::isfinite(r.log.back().loss));

    // Phases on the set-up backend (solve() staged this stack).
    p.stack = stack.data();
    gpu.setup(p);
    DVec x = gpu.alloc(p.image_size()), Z = gpu.alloc(p.pixels()), loss = gpu.alloc(p.pixels());
    DVec y = gpu.alloc(p.stack_size());
    gpu.init_aif(x);
    const int reps = 5;
    const double t_blur = median_seconds(gpu, reps, [&] { gpu.blur_levels(x); });
    const double t_grid = median_seconds(gpu, reps, [&] { gpu.grid_search(Z, loss); });
    const double t_gold = median_seconds(gpu, reps,
                                         [&] {
                                           gpu.grid_search(Z, loss);
                                           gpu.golden_section(Z, loss);
                                         }) -
                          t_grid;
    gpu.set_depth(Z);
    const double t_A = median_seconds(gpu, reps, [&] { gpu.apply_A(x, y); });
    const double t_At = median_seconds(gpu, reps, [&] { gpu.apply_At(y, x); });
    double epoch_ms = 0;
    int epochs = 0;
    for (const StepLog& s : r.log)
      if (s.epoch >= 0) epoch_ms += 1e3 * s.seconds, epochs += s.step == "aif";
    char name[32];
    std::snprintf(name, sizeof name, "%dx%d", W, H);
    std::printf("%-10s %4d %4d %-6s %9.3f %9.3f %9.3f %9.3f %9.3f %9.2f %9.3f %8.4f\n", name, p.K, p.levels.count(),
                cuda::to_string(gpu.blur_path()), 1e3 * t_blur, 1e3 * t_grid, 1e3 * t_gold, 1e3 * t_A, 1e3 * t_At,
                epochs ? epoch_ms / epochs : 0.0, solve_s, absrel);
    std::fflush(stdout);
  }
}

}  // namespace
}  // namespace dfd
