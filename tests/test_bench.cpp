// The bench: floor formulas on hand-computed tiny problems, the statistics helper, the
// workload table, and a tiny run's table, JSON fields and PNG plot.
#ifdef DFD_HAVE_BENCH
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "dfd/backends.h"
#include "dfd/bench.h"
#include "dfd/error.h"
#include "dfd/metrics.h"
#include "dfd/solver.h"
#include "dfd/synthetic.h"

namespace dfd {
namespace {

// W = 4, H = 2 (P = 8), C = 1, F = 2, K = 3, L = 4 levels, N = 3 candidates 1, 2, 3 m.
Problem tiny_problem(int window = 0) {
  Problem p;
  p.width = 4;
  p.height = 2;
  p.channels = 1;
  p.frames = 2;
  p.K = 3;
  p.levels = LevelPlan::with_levels(2.0, 4.0, 3, 2);
  p.candidates = {1.0, 2.0, 3.0};
  p.window = window;
  p.gs_bracket = 1;
  p.gs_tol = 0.01;
  p.gs_max_iters = 100;
  return p;
}

// The formulas are exact sums of small integers (and one log2 below), so the comparisons
// allow only double rounding.
constexpr double kRel = 1e-12;
#define EXPECT_REL(a, b) EXPECT_NEAR((a), (b), kRel* std::fabs(b))

TEST(BenchFloors, TinyProblemByHand) {
  const Problem p = tiny_problem();
  ASSERT_EQ(p.levels.count(), 4);  // 2 interior levels + 2 ghosts
  const CostModel m(p);
  // Separable: L (4K - 2) P = 4 * 10 * 8 = 320 flops per channel; the FFT path on the 6 x 4
  // padded grid costs ~1660, so the separable count is the floor.
  EXPECT_REL(m.level_blur_flops(), 320.0);
  // Bracket 2 grid steps = 2 m, tol 0.01: 2 * 0.618^11 = 0.01005 > 0.01, 2 * 0.618^12 < 0.01.
  EXPECT_EQ(m.golden_iterations(), 12);

  EXPECT_REL(m.setup().bytes, 128.0);        // 2 * 4 B * F C P
  EXPECT_REL(m.init_aif().bytes, 96.0);      // 4 B * (F C P + C P)
  EXPECT_REL(m.init_aif().flops, 752.0);     // F P * 47 (grey)
  EXPECT_REL(m.blur_levels().bytes, 160.0);  // 4 B * (C P + L C P)
  EXPECT_REL(m.blur_levels().flops, 320.0);
  EXPECT_REL(m.grid_search().bytes, 256.0);      // 4 B * (F C P + L C P + 2 P)
  EXPECT_REL(m.grid_search().flops, 528.0);      // P N (10 F C + 2)
  EXPECT_REL(m.golden_section().bytes, 320.0);   // 4 B * (F C P + L C P + 4 P)
  EXPECT_REL(m.golden_section().flops, 7944.0);  // P ((12 + 3) (F (21 + 10 C) + 1) + 12 * 4)
  EXPECT_REL(m.apply_A().bytes, 128.0);          // 4 B * (C P + P + F C P)
  EXPECT_REL(m.apply_A().flops, 768.0);          // 320 + P F (21 + 7 C)
  EXPECT_REL(m.apply_At().bytes, 128.0);
  EXPECT_REL(m.apply_At().flops, 816.0);  // 320 + P F (21 + 8 C) + L C P
  EXPECT_REL(m.dot(10).bytes, 80.0);
  EXPECT_REL(m.axpby(10).flops, 30.0);
  // A + At + dot(16) + axpby(8) + axpby(16) + mask(8) + dot(8) + axpby(8).
  EXPECT_REL(m.cg_iteration().bytes, 928.0);
  EXPECT_REL(m.cg_iteration().flops, 1736.0);
  // A + axpby(16) + At + axpby(8) + clip(8) + axpby(8).
  EXPECT_REL(m.fista_iteration().bytes, 704.0);
  EXPECT_REL(m.fista_iteration().flops, 1688.0);

  // A windowed search adds a 4-flop box mean per pixel and candidate: P N (10 F C + 6).
  EXPECT_REL(CostModel(tiny_problem(5)).grid_search().flops, 624.0);
}

TEST(BenchFloors, FftBranchForWideWindows) {
  Problem p = tiny_problem();
  p.width = p.height = 64;
  p.K = 63;
  p.levels = LevelPlan::with_levels(2.0, 4.0, 63, 2);
  // Separable 4 * 250 * 4096 = 4.1e6; FFT on 126 x 126: T + 4 (3 * 15876 + T), T = 2.5 n log2 n.
  const double n = 126.0 * 126.0, T = 2.5 * n * std::log2(n);
  EXPECT_REL(CostModel(p).level_blur_flops(), T + 4 * (3 * n + T));
  EXPECT_LT(CostModel(p).level_blur_flops(), 4.0 * 250 * 4096);
}

TEST(BenchFloors, RooflineTakesTheSlowerLimit) {
  DeviceCeilings ce;
  ce.measured = true;
  ce.bandwidth = 100.0;  // B/s
  ce.flops = 1000.0;
  EXPECT_DOUBLE_EQ(floor_seconds({928.0, 1736.0}, ce), 9.28);  // bandwidth-bound
  EXPECT_DOUBLE_EQ(floor_seconds({10.0, 5000.0}, ce), 5.0);    // compute-bound
  ce.measured = false;
  EXPECT_EQ(floor_seconds({928.0, 1736.0}, ce), 0.0);  // never a floor from unmeasured ceilings
}

TEST(BenchStats, MedianMinMax) {
  const Stats odd = summarize({3.0, 1.0, 2.0});
  EXPECT_EQ(odd.median, 2.0);
  EXPECT_EQ(odd.min, 1.0);
  EXPECT_EQ(odd.max, 3.0);
  EXPECT_EQ(odd.count, 3);
  EXPECT_EQ(summarize({4.0, 1.0, 3.0, 2.0}).median, 2.5);
  EXPECT_EQ(summarize({7.0}).median, 7.0);
  EXPECT_THROW(summarize({}), Error);
}

TEST(BenchWorkloads, TableMatchesTheIssue) {
  const Workload& a = find_workload("320x240");
  EXPECT_EQ(a.config, "nyuv2");
  EXPECT_EQ(a.frames, 5);
  EXPECT_TRUE(a.quick);
  EXPECT_EQ(find_workload("640x480").config, "nyuv2");
  for (const char* big : {"1920x1080", "4000x3000"}) {
    const Workload& w = find_workload(big);
    EXPECT_EQ(w.frames, 10) << big;
    EXPECT_EQ(w.config, "make3d-like") << big;
    const std::vector<double> f = workload_focus_distances(w);
    ASSERT_EQ(f.size(), 10u);
    EXPECT_DOUBLE_EQ(f.front(), 1.0);
    EXPECT_NEAR(f.back(), 64.0, 1e-12);
  }
  // SPEC 2's default window at 12 MP, and the make3d camera's sensor kept across widths.
  const Options big = workload_options(find_workload("4000x3000"));
  EXPECT_EQ(big.window_for(3000, 4000), 137);
  EXPECT_NEAR(big.pixel_pitch * 4000, preset_options("make3d").pixel_pitch * 460, 1e-15);
  EXPECT_EQ(big.window, 5);
  try {
    find_workload("9x9");
    FAIL() << "an unknown size must be refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(std::string(e.what()).find("320x240"), std::string::npos) << "lists the valid sizes";
  }
}

TEST(BenchWorkloads, GoldenIterationsOfTheNyuv2Problem) {
  // Grid step 9.9 / 99 = 0.1 m, bracket 0.2 m, tol 0.01: 0.2 * 0.618^6 = 0.011, ^7 = 0.0069.
  const Workload& w = find_workload("320x240");
  FocalStack shape;
  shape.focus_distances = workload_focus_distances(w);
  shape.frames.assign(w.frames, Image(w.width, w.height, w.channels));
  EXPECT_EQ(CostModel(make_problem(shape, workload_options(w))).golden_iterations(), 7);
}

TEST(BenchScene, StripRenderingMatchesTheWholeImageAndTheExactModel) {
  const Options opt = workload_options(find_workload("320x240"));
  const int W = 48, H = 40;  // K = 7
  const Image aif = synthetic_texture(W, H, 3);
  const Image depth = synthetic_depth(W, H, 0.5, 8.0, 3);
  const std::vector<double> focus = preset_focus_distances("nyuv2");
  const FocalStack whole = render_stack_fast(aif, depth, opt, focus, 255.0, 1e9);
  const FocalStack strips = render_stack_fast(aif, depth, opt, focus, 255.0, 8.0 * W);  // 5 strips of 8 rows
  const FocalStack exact = render_stack(aif, depth, opt.camera(), focus, opt.window_for(H, W), 255.0);
  ASSERT_EQ(strips.count(), 5);
  double strip_err = 0, model_err = 0;
  for (int i = 0; i < 5; ++i)
    for (size_t k = 0; k < whole.frames[i].size(); ++k) {
      strip_err = std::max(strip_err, double(std::fabs(strips.frames[i].data[k] - whole.frames[i].data[k])));
      model_err = std::max(model_err, double(std::fabs(whole.frames[i].data[k] - exact.frames[i].data[k])));
    }
  // Strips and whole image differ only in float rounding of the level blurs (a few ulps of
  // values up to 255, ~1e-5), not in any pixel's window: a missing margin row would cost
  // a kernel tap of ~1e-2 * 255.
  EXPECT_LT(strip_err, 1e-3);
  // SPEC 4.3: implied kernel within 1e-3 (L1) of the exact one, on values <= 255.
  EXPECT_LT(model_err, 1e-3 * 255);
}

TEST(BenchCeilings, CpuCeilingsAreMeasured) {
  const DeviceCeilings ce = measure_cpu_ceilings(1, size_t(8) << 20);
  EXPECT_TRUE(ce.measured);
  // Any machine that runs this streams well over 100 MB/s and does well over 100 MFLOP/s on
  // one thread; a broken timer or a loop optimised away gives 0, inf or NaN instead.
  EXPECT_GT(ce.bandwidth, 1e8);
  EXPECT_GT(ce.flops, 1e8);
  EXPECT_TRUE(std::isfinite(ce.bandwidth) && std::isfinite(ce.flops));
  EXPECT_FALSE(ce.device.empty());
  if (!cuda_available()) {
    const DeviceCeilings g = measure_cuda_ceilings(0);
    EXPECT_FALSE(g.measured);
    EXPECT_FALSE(g.note.empty());
    EXPECT_EQ(floor_seconds({1.0, 1.0}, g), 0.0);
  }
}

// A tiny workload run end to end: every output the issue asks for exists and is consistent.
TEST(BenchRun, TinyRunWritesTableJsonAndPlot) {
  BenchConfig cfg;
  Workload w = find_workload("320x240");
  w.name = "64x48";
  w.width = 64;
  w.height = 48;
  w.epochs = 3;
  cfg.workloads = {w};
  cfg.backends = {"cpu", "cuda"};
  cfg.repeats = 2;
  cfg.solve_repeats = 1;
  cfg.inner = 2;
  cfg.threads = 2;
  cfg.ceiling_bytes = size_t(16) << 20;
  const BenchReport rep = run_bench(cfg);

  ASSERT_EQ(rep.workloads.size(), 1u);
  const WorkloadResult& wr = rep.workloads[0];
  EXPECT_EQ(wr.K, 7);  // SPEC 2: round(0.039 * 56) = 2, at least 7
  EXPECT_LE(wr.level_kernel_error, 1e-3);
  const BackendRun* cpu = wr.run("cpu");
  ASSERT_NE(cpu, nullptr);
  ASSERT_EQ(cpu->status, "measured") << cpu->reason;
  ASSERT_EQ(cpu->phases.size(), bench_phases().size());
  for (const PhaseResult& p : cpu->phases) {
    EXPECT_GT(p.seconds.median, 0.0) << p.name;
    EXPECT_LE(p.seconds.min, p.seconds.median) << p.name;
    EXPECT_LE(p.seconds.median, p.seconds.max) << p.name;
    EXPECT_GT(p.floor_s, 0.0) << p.name;
    EXPECT_EQ(p.seconds.count, p.name == "setup" ? 1 : 2) << p.name;
  }
  ASSERT_TRUE(cpu->solved);
  EXPECT_EQ(cpu->solve_epochs, 3);
  // The accuracy is the solve's against the scene's ground truth: a short solve on a tiny
  // scene is rough, but it must beat the best-informed constant guess (the median true depth)
  // by a wide margin; a metric wired to the wrong map, or an unsolved depth, would not.
  const BenchScene sc = make_bench_scene(w, workload_options(w));
  std::vector<float> z = sc.depth.data;
  std::nth_element(z.begin(), z.begin() + z.size() / 2, z.end());
  Image constant(sc.depth.width, sc.depth.height, 1, z[z.size() / 2]);
  const double baseline = depth_metrics(constant, sc.depth).absrel;
  EXPECT_LT(cpu->absrel, 0.5 * baseline) << "constant-depth AbsRel " << baseline;
  // ... and its AIF must be closer to the true one than any single (blurred) input frame.
  for (const Image& f : sc.stack.frames) EXPECT_GT(cpu->psnr, psnr(f, sc.aif, 255.0));
  EXPECT_GT(cpu->peak_host, 0u);
  EXPECT_GT(cpu->peak_backend, 0u);

  const BackendRun* gpu = wr.run("cuda");
  ASSERT_NE(gpu, nullptr);
  if (!cuda_available()) {
    EXPECT_EQ(gpu->status, "not measured");
    EXPECT_EQ(gpu->reason.rfind("not yet measured", 0), 0u) << gpu->reason;
    EXPECT_TRUE(gpu->phases.empty()) << "no figures for an absent device";
    EXPECT_EQ(gpu_cpu_ratio(wr, "solve"), 0.0);
  }

  const std::string table = bench_table(rep);
  for (const char* s : {"grid_search", "fista_iteration", "AbsRel", "floor", "64x48"})
    EXPECT_NE(table.find(s), std::string::npos) << s;

  const auto j = nlohmann::json::parse(bench_json(rep));
  EXPECT_EQ(j.at("schema"), "dfd-bench-1");
  for (const char* k : {"date", "commit", "host", "devices", "workloads", "definitions"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_GT(j["devices"][0]["bandwidth_Bps"].get<double>(), 0.0);
  const auto& jw = j["workloads"][0];
  EXPECT_EQ(jw["width"], 64);
  const auto& jr = jw["results"][0];
  EXPECT_EQ(jr["backend"], "cpu");
  EXPECT_EQ(jr["phases"].size(), bench_phases().size());
  for (const auto& ph : jr["phases"])
    for (const char* k : {"name", "median_s", "min_s", "max_s", "repeats", "floor_s", "floor_bytes", "floor_flops",
                          "time_over_floor", "mpps"})
      EXPECT_TRUE(ph.contains(k)) << k;
  EXPECT_NEAR(jr["solve"]["absrel"].get<double>(), cpu->absrel, 1e-12);
  EXPECT_TRUE(jw["gpu_cpu_ratio"].contains("solve"));
  if (!cuda_available()) EXPECT_TRUE(jw["gpu_cpu_ratio"]["solve"].is_null());

  const std::string dir = testing::TempDir() + "dfd_bench_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  const std::string png = dir + "/bench.png";
  write_bench_plot(rep, png);
  const cv::Mat img = cv::imread(png, cv::IMREAD_COLOR);
  ASSERT_FALSE(img.empty());
  EXPECT_EQ(img.cols, 1400);
  EXPECT_EQ(img.rows, 620);
  // Something was drawn in the backend's colour (the CPU series: a point at least).
  cv::Mat mask;
  cv::inRange(img, cv::Scalar(170, 90, 20), cv::Scalar(190, 110, 40), mask);
  EXPECT_GT(cv::countNonZero(mask), 20);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dfd
#endif  // DFD_HAVE_BENCH
