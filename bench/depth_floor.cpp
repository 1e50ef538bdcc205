// dfd_depth_floor: the depth step alone, given the TRUE all-in-focus image, on the robustness
// scenes under each input condition. It separates what the depth step can reach from what the
// alternation (the estimated AIF) costs: if a condition misses a bar here, no AIF step can
// rescue it. Per row: the pure per-pixel search (grid + golden section, SPEC 4.2) and the
// regularised depth step (solver/depth_prior.cpp) repeated `reps` times with a warm start, as
// `reps` epochs would run it with a perfect AIF. Method and figures: bench/RESULTS.md
// "Where the error of 8-bit input comes from".
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "dfd/backends.h"
#include "dfd/error.h"
#include "dfd/metrics.h"
#include "dfd/noise.h"
#include "dfd/options.h"
#include "dfd/robust_bench.h"
#include "dfd/robust_scenes.h"
#include "dfd/solver.h"
#include "dfd/synthetic.h"
#include "solver/steps.h"

namespace {

using namespace dfd;

struct Scores {
  double absrel = 0, p50 = 0, p90 = 0, delta1 = 0;
};

Scores score(const Image& pred, const Image& gt) {
  std::vector<double> e(pred.data.size());
  for (size_t i = 0; i < e.size(); ++i) e[i] = std::fabs(pred.data[i] - gt.data[i]) / gt.data[i];
  const DepthMetrics m = depth_metrics(pred, gt);
  Scores s;
  s.absrel = m.absrel;
  s.delta1 = m.delta1;
  std::sort(e.begin(), e.end());
  s.p50 = e[e.size() / 2];
  s.p90 = e[e.size() * 9 / 10];
  return s;
}

void print_row(const std::string& scene, const std::string& cond, const std::string& step, double beta, double floor,
               int reps, const Scores& s) {
  std::printf("| %s | %s | %s | %s | %s | %d | %.4f | %.4f | %.4f | %.4f |\n", scene.c_str(), cond.c_str(),
              step.c_str(), beta > 0 ? std::to_string(beta).substr(0, 4).c_str() : "-",
              beta > 0 ? std::to_string(floor).substr(0, 4).c_str() : "-", reps, s.absrel, s.p50, s.p90, s.delta1);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The depth step alone given the true AIF, per input condition (bench/RESULTS.md)"};
  std::string scene = "aloe";
  std::vector<std::string> conditions = {"float", "8bit", "8bit+n1", "8bit+n2"};
  int width = 320, height = 240, reps = 12, threads = 0;
  std::vector<double> betas = {1.0}, floors = {0.05};
  uint64_t seed = 2024;
  app.add_option("--scene", scene, "aloe or indoor");
  app.add_option("--conditions", conditions, "Input conditions (dfd bench --robustness names)");
  app.add_option("--width", width)->check(CLI::PositiveNumber);
  app.add_option("--height", height)->check(CLI::PositiveNumber);
  app.add_option("--beta", betas, "Depth prior strengths (--depth-smoothness)")->check(CLI::PositiveNumber);
  app.add_option("--edge-floor", floors, "Smallest edge weights (--edge-floor)")->check(CLI::Range(0.0, 1.0));
  app.add_option("--reps", reps, "Regularised depth steps, warm-started (epochs with a perfect AIF)")
      ->check(CLI::PositiveNumber);
  app.add_option("--threads", threads, "CPU threads (0: all)")->check(CLI::NonNegativeNumber);
  app.add_option("--seed", seed, "Seed of the scenes and the noise (dfd bench --robustness --seed)");
  CLI11_PARSE(app, argc, argv);
  try {
    const RobustScene sc = make_robust_scene(scene, width, height, seed);
    const Options render = preset_options("nyuv2");
    const int K = render.window_for(height, width);
    const FocalStack clean = render_stack(sc.aif, sc.depth, render.camera(), preset_focus_distances("nyuv2"), K, 255.0);
    std::printf("%s %dx%d, nyuv2 preset, K = %d, the true AIF given; %d warm-started regularised steps\n\n",
                scene.c_str(), width, height, K, reps);
    std::printf("| scene | input | depth step | beta | edge floor | steps | AbsRel | p50 | p90 | delta1 |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
    for (const std::string& cname : conditions) {
      const FocalStack st = apply_condition(clean, find_condition(cname), seed, threads);
      Options o = preset_options("nyuv2");
      o.threads = threads;
      const Options opt = solve_options(st, o);
      Problem prob = make_problem(st, opt);
      std::vector<float> host;
      host.reserve(prob.stack_size());
      for (const Image& f : st.frames) host.insert(host.end(), f.data.begin(), f.data.end());
      prob.stack = host.data();
      auto be = make_cpu_backend(threads);
      be->setup(prob);
      const size_t HW = prob.pixels();
      const DVec x = be->alloc(prob.image_size()), Z = be->alloc(HW), loss = be->alloc(HW);
      be->upload(sc.aif.data.data(), x);
      be->scalar_set(kOne, 1.0);
      Image depth(width, height, 1);
      be->blur_levels(x);
      be->grid_search(Z, loss);
      be->golden_section(Z, loss);
      be->download(Z, depth.data.data());
      print_row(scene, cname, "pure", 0, 0, 1, score(depth, sc.depth));
      const double sigma = std::max(estimate_noise(st).sigma, 1e-6 * prob.range);
      const DepthPriorWork work = alloc_depth_prior_work(*be, prob);
      for (double beta : betas)
        for (double floor : floors) {
          // The weights of solver/alternating.cpp's prior_weights at the noise level (no residual
          // scaling: with the true AIF the residual is the noise).
          PriorWeights pw;
          pw.sigma = sigma;
          pw.depth = true;
          pw.mu = 2.0 * sigma * sigma * beta / (static_cast<double>(prob.frames) * prob.channels);
          pw.step = (prob.candidates.back() - prob.candidates.front()) / (prob.candidates.size() - 1);
          pw.eps = opt.depth_huber;
          pw.edge_scale = opt.edge_scale * prob.range;
          pw.edge_floor = floor;
          pw.iterations = opt.prior_iterations;
          for (int r = 0; r < reps; ++r) depth_prior_step(*be, prob, pw, x, Z, loss, work, r > 0);
          be->download(Z, depth.data.data());
          print_row(scene, cname, "tv", beta, floor, reps, score(depth, sc.depth));
        }
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "dfd_depth_floor: %s\n", e.what());
    return 1;
  }
  return 0;
}
