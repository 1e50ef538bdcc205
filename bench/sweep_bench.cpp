// The dense focus-sweep benchmark (dfd/sweep_bench.h).
#include "dfd/sweep_bench.h"

#include <chrono>
#include <cstdio>

#include "dfd/backends.h"
#include "dfd/focus_measure.h"
#include "dfd/solver.h"

namespace dfd {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
}  // namespace

SweepRow run_sweep_row(const SweepScene& sc, const SweepBenchConfig& cfg) {
  SweepRow row;
  row.surface = sc.spec.surface;
  row.blur = sc.spec.blur;
  row.coding = sc.spec.jpeg ? "jpeg" + std::to_string(sc.spec.jpeg_quality) : "8bit";
  row.width = sc.spec.width;
  row.height = sc.spec.height;
  row.frames = sc.spec.frames;
  row.a_true = sc.spec.a;
  row.texture = sc.notes.empty() ? "" : sc.notes.back();

  auto t = std::chrono::steady_clock::now();
  const Image fm = focus_measure_depth(sc.stack, {}, cfg.threads);
  row.fm_seconds = seconds_since(t);
  row.fm_rmse = affine_rmse(fm, sc.depth);
  row.fm_spearman = spearman(fm, sc.depth);

  Options o = preset_options("uncalibrated");
  o.threads = cfg.threads;
  if (cfg.apply_overrides) cfg.apply_overrides(o);
  auto be = make_cpu_backend(cfg.threads);
  t = std::chrono::steady_clock::now();
  const Result r = solve(sc.stack, o, *be);
  row.dfd_seconds = seconds_since(t);
  row.estimate_seconds = r.blur_scale_estimate.seconds;
  row.a_estimate = r.blur_scale_estimate.scale;
  row.kernel_size = r.kernel_size;
  row.dfd_rmse = affine_rmse(r.depth, sc.depth);
  row.dfd_spearman = spearman(r.depth, sc.depth);
  return row;
}

std::vector<SweepRow> run_sweep_bench(const SweepBenchConfig& cfg) {
  std::vector<SweepRow> rows;
  for (const auto& surface : cfg.surfaces)
    for (const auto& blur : cfg.blurs)
      for (bool jpeg : cfg.jpeg) {
        SweepSpec spec;
        spec.width = cfg.width;
        spec.height = cfg.height;
        spec.frames = cfg.frames;
        spec.a = cfg.a;
        spec.surface = surface;
        spec.blur = blur;
        spec.jpeg = jpeg;
        const SweepScene sc = make_sweep_scene(spec);
        rows.push_back(run_sweep_row(sc, cfg));
        if (cfg.log) cfg.log(sweep_table({rows.back()}));
      }
  return rows;
}

std::string sweep_table(const std::vector<SweepRow>& rows) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%-6s %-8s %-6s %9s | %9s %9s %7s %7s | %9s %9s\n", "surface", "blur", "coding",
                "size", "dfd rmse", "dfd rho", "dfd s", "a est", "fm rmse", "fm rho");
  out += line;
  for (const auto& r : rows) {
    char size[32];
    std::snprintf(size, sizeof size, "%dx%dx%d", r.width, r.height, r.frames);
    std::snprintf(line, sizeof line, "%-7s %-8s %-6s %9s | %8.3f%% %9.6f %7.1f %7.4f | %8.3f%% %9.6f\n",
                  r.surface.c_str(), r.blur.c_str(), r.coding.c_str(), size, 100 * r.dfd_rmse, r.dfd_spearman,
                  r.dfd_seconds, r.a_estimate, 100 * r.fm_rmse, r.fm_spearman);
    out += line;
  }
  return out;
}

}  // namespace dfd
