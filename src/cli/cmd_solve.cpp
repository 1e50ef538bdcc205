// `dfd solve`: a focal stack (manifest or frames) -> depth map, AIF, visualisation, report.
#include <filesystem>
#include <memory>

#include "cli/cli.h"
#include "dfd/error.h"
#include "dfd/io.h"

namespace dfd::cli {

namespace {

struct SolveArgs {
  std::vector<std::string> inputs;
  std::string out;
  bool force = false;
  CameraFlags camera;
  SolverFlags solver;
};

bool is_manifest(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".json";
}

int run_solve(const SolveArgs& a) {
  check_output_dir(a.out, a.force);
  const bool quiet = a.solver.quiet;
  const double range_flag = *a.solver.range_opt ? a.solver.range : 0.0;
  const bool focus_flag = static_cast<bool>(*a.camera.focus_opt);

  // Inputs: one manifest, or at least two frames.
  StackManifest manifest;
  FocalStack stack;
  std::string preset = a.camera.preset;
  if (is_manifest(a.inputs[0])) {
    if (a.inputs.size() > 1) throw_usage("give either one STACK.json or the frames, not both");
    LoadedManifest lm = load_manifest(a.inputs[0], range_flag);
    manifest = std::move(lm.manifest);
    stack = std::move(lm.stack);
    if (!*a.camera.preset_opt && manifest.preset) preset = *manifest.preset;
    if (focus_flag) stack.focus_distances = a.camera.focus;
  } else {
    for (const auto& f : a.inputs)
      if (is_manifest(f)) throw_usage("give either one STACK.json or the frames, not both");
    if (a.inputs.size() < 2) throw_usage("a focal stack needs at least 2 frames (or one STACK.json)");
    std::vector<double> focus = a.camera.focus;
    if (!focus_flag) {
      focus = preset_focus_distances(preset);
      if (focus.size() != a.inputs.size())
        throw_usage("no focus distances: pass --focus-distances with one value per frame (" +
                    std::to_string(a.inputs.size()) + " frames), or write a STACK.json");
      note(quiet, "focus distances from the " + preset + " preset");
    }
    stack = load_stack(a.inputs, focus, range_flag);
  }

  // Options: preset, then the manifest's camera, then the flags.
  Options opt = preset_options(preset);
  manifest.apply(opt);
  a.camera.apply(opt);
  a.solver.apply(opt);
  opt.range = stack.range;
  opt.validate(&stack);

  create_output_dir(a.out);
  std::string why;
  std::unique_ptr<Backend> backend = make_backend(opt, &why);
  if (!why.empty()) note(quiet, why);
  note(quiet, "solving " + std::to_string(stack.width()) + "x" + std::to_string(stack.height()) + ", " +
                  std::to_string(stack.count()) + " frames, K = " +
                  std::to_string(opt.window_for(stack.height(), stack.width())) + ", " + std::to_string(opt.epochs) +
                  " epochs on " + backend->name() + " (" + backend->device() + ")");

  const Result r = solve(stack, opt, *backend, progress_printer(quiet));

  RunReport report;
  report.command_line = command_line();
  report.options = opt;
  report.stack = &stack;
  report.result = &r;
  report.backend_note = why;
  report.outputs = write_result_images(a.out, r, stack.range);
  report.outputs.push_back("report.json");
  write_text_file(join(a.out, "report.json"), report_json(report));  // last: its presence means done
  note(quiet, "wrote " + a.out + "/{depth.tiff, aif.png, aif16.png, depth_color.png, report.json} in " +
                  std::to_string(r.seconds) + " s");
  return 0;
}

}  // namespace

Command add_solve_command(CLI::App& root) {
  auto a = std::make_shared<SolveArgs>();
  CLI::App* app = root.add_subcommand("solve", "Solve a focal stack for a depth map and an all-in-focus image");
  app->add_option("inputs", a->inputs, "STACK.json, or the frame images (then --focus-distances)")->required();
  a->camera.add(*app);
  a->solver.add(*app);
  app->add_option("--out,-o", a->out, "Output folder (created)")->required();
  app->add_flag("--force", a->force, "Write into a non-empty output folder");
  app->footer(
      "Options come from the preset, then the manifest's camera, then these flags.\n"
      "Writes OUT/depth.tiff (32-bit float depth), aif.png (8-bit), aif16.png (16-bit),\n"
      "depth_color.png (near = warm) and report.json.\n"
      "Exit codes: 2 usage, 3 bad input, 4 runtime failure, 5 out of memory.");
  return {app, [a] { return run_solve(*a); }};
}

}  // namespace dfd::cli
