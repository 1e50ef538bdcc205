// `dfd demo`: the built-in synthetic scene, rendered, solved and scored; no files needed.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "dfd/backends.h"
#include "dfd/error.h"
#include "dfd/io.h"
#include "dfd/metrics.h"
#include "dfd/report.h"
#include "dfd/synthetic.h"

namespace dfd::cli {

namespace {

struct DemoArgs {
  std::string out = "dfd-demo";
  std::vector<int> size = {320, 240};
  uint64_t seed = 1;
  bool force = false;
  SolverFlags solver;
};

namespace fs = std::filesystem;

// The marker a demo folder carries: a demo run recognises its own earlier results by it and
// replaces them; any other non-empty folder needs --force.
constexpr const char* kDemoMarker = "dfd-demo.json";

// The files an earlier demo listed in its marker (names inside the folder only); nullopt when
// the folder has no readable demo marker.
std::optional<std::vector<std::string>> earlier_demo_files(const std::string& dir) {
  std::ifstream in(join_path(dir, kDemoMarker));
  if (!in) return std::nullopt;
  try {
    const nlohmann::json j = nlohmann::json::parse(in);
    if (!j.is_object() || j.value("written_by", "") != "dfd demo" || !j.contains("files") || !j["files"].is_array())
      return std::nullopt;
    std::vector<std::string> files;
    for (const auto& f : j["files"])
      if (f.is_string()) files.push_back(f.get<std::string>());
    return files;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

// Removes the files an earlier demo wrote (as its marker lists them): relative names without
// "..", so nothing outside the folder; the then empty stack/ folder too. Other files stay.
void remove_earlier_demo(const std::string& dir, const std::vector<std::string>& files) {
  std::error_code ec;
  for (const std::string& f : files) {
    const fs::path p(f);
    bool inside = !f.empty() && p.is_relative();
    for (const auto& part : p) inside = inside && part != "..";
    if (inside && fs::is_regular_file(fs::path(dir) / p, ec)) fs::remove(fs::path(dir) / p, ec);
  }
  const fs::path stack = fs::path(dir) / "stack";
  if (fs::is_directory(stack, ec) && fs::is_empty(stack, ec)) fs::remove(stack, ec);
}

void write_demo_marker(const std::string& dir, const std::vector<std::string>& files, bool complete) {
  nlohmann::json j;
  j["written_by"] = "dfd demo";
  j["dfd_version"] = DFD_VERSION;
  j["complete"] = complete;
  j["about"] =
      "dfd demo replaces the files listed here when it is run again with this --out; "
      "other files in the folder are left alone";
  j["files"] = files;
  write_text_file(join_path(dir, kDemoMarker), j.dump(2) + "\n");
}

int run_demo(const DemoArgs& a) {
  const bool quiet = a.solver.quiet;
  a.solver.apply_memory_limit();
  const std::optional<std::vector<std::string>> earlier = earlier_demo_files(a.out);
  if (!earlier) check_output_dir(a.out, a.force);
  SceneSpec spec;
  spec.width = a.size[0];
  spec.height = a.size[1];
  spec.seed = a.seed;
  const SyntheticScene scene = make_synthetic_scene(spec);
  Options opt = scene.options;
  a.solver.apply(opt);
  opt.range = scene.stack.range;
  opt.validate(&scene.stack);

  create_output_dir(a.out);
  if (earlier) {
    note(quiet, "replacing the results of an earlier dfd demo in " + a.out + " (" + kDemoMarker + ")");
    remove_earlier_demo(a.out, *earlier);
  }
  // The marker first, so that even an interrupted demo's folder is recognised as its own.
  std::vector<std::string> written;
  for (int i = 0; i < scene.stack.count(); ++i) {
    char name[40];
    std::snprintf(name, sizeof name, "stack/frame_%02d.tiff", i);
    written.push_back(name);
  }
  written.insert(written.end(), {"stack/stack.json", "gt_depth.tiff", "gt_aif.png", "gt_depth_color.png"});
  write_demo_marker(a.out, written, false);
  const std::string stack_dir = join_path(a.out, "stack");
  create_output_dir(stack_dir);
  const int K = opt.window_for(spec.height, spec.width);
  const std::string manifest = write_stack(stack_dir, scene.stack, opt, K, FrameFormat::Tiff);
  write_float_tiff(join_path(a.out, "gt_depth.tiff"), scene.depth);
  write_png8(join_path(a.out, "gt_aif.png"), scene.aif, 255.0);
  write_depth_color(join_path(a.out, "gt_depth_color.png"), scene.depth);

  std::string why;
  std::unique_ptr<Backend> backend = make_backend(opt, &why);
  if (!why.empty()) note(quiet, why);
  char what[160];
  std::snprintf(what, sizeof what,
                "synthetic scene %dx%d, depth %g..%g m, %s camera, %d frames; solving %d epochs on %s", spec.width,
                spec.height, spec.depth_min, spec.depth_max, opt.preset.c_str(), scene.stack.count(), opt.epochs,
                backend->name());
  note(quiet, what);
  const Result r = solve(scene.stack, opt, *backend, progress_printer(quiet, &opt));

  const DepthMetrics m = depth_metrics(r.depth, scene.depth);
  const double aif_psnr = psnr(r.aif, scene.aif, scene.stack.range);
  RunReport report;
  report.command_line = command_line();
  report.options = opt;
  report.stack = &scene.stack;
  report.result = &r;
  report.backend_note = why;
  report.outputs = write_result_images(a.out, r, scene.stack.range);
  report.outputs.insert(report.outputs.end(), {"metrics.json", "gt_depth.tiff", "gt_aif.png", "gt_depth_color.png",
                                               "stack/stack.json", "report.json"});
  write_text_file(join_path(a.out, "metrics.json"), metrics_json(m, aif_psnr));
  write_text_file(join_path(a.out, "report.json"), report_json(report));
  for (const std::string& f : report.outputs)
    if (std::find(written.begin(), written.end(), f) == written.end()) written.push_back(f);
  write_demo_marker(a.out, written, true);

  std::printf("depth   RMSE %.4f m   AbsRel %.4f   delta1 %.4f   delta2 %.4f   delta3 %.4f\n", m.rmse, m.absrel,
              m.delta1, m.delta2, m.delta3);
  std::printf("AIF     PSNR %.2f dB\n", aif_psnr);
  std::printf("solved in %.1f s on %s (%s)\n", r.seconds, r.backend.c_str(), r.device.c_str());
  std::printf("outputs %s/: depth.tiff, depth_color.png, aif.png, aif16.png, report.json, metrics.json\n",
              a.out.c_str());
  std::printf("truth   %s/: gt_depth.tiff, gt_depth_color.png, gt_aif.png; the stack: %s\n", a.out.c_str(),
              manifest.c_str());
  return 0;
}

}  // namespace

Command add_demo_command(CLI::App& root) {
  auto a = std::make_shared<DemoArgs>();
  CLI::App* app = root.add_subcommand("demo", "Render the built-in synthetic scene, solve it and score the result");
  app->add_option("--out,-o", a->out, "Output folder")->capture_default_str();
  app->add_option("--size", a->size, "Scene size W,H")
      ->delimiter(',')
      ->expected(2)
      ->check(CLI::Range(16, 8192))
      ->capture_default_str();
  app->add_option("--seed", a->seed, "Scene seed")->capture_default_str();
  a->solver.add(*app, /*full=*/false);
  app->add_flag("--force", a->force, "Write into a non-empty output folder that an earlier demo did not write");
  app->footer(
      "The scene: textured planes at depths in [0.5, 8] m, nyuv2 camera (f = 50 mm, f/8,\n"
      "focus at 1, 1.5, 2.5, 4, 6 m). Prints RMSE, AbsRel, delta1..3 and the AIF PSNR.\n"
      "Run it again with the same --out: it replaces its own earlier results (it recognises\n"
      "them by OUT/dfd-demo.json); any other non-empty folder needs --force.");
  return {app, [a] { return run_demo(*a); }};
}

}  // namespace dfd::cli
