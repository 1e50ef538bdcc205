// `dfd solve`: a focal stack (manifest or frames) -> depth map, AIF, visualisation, report.
#include <cstdio>
#include <memory>

#include "cli/cli.h"
#include "dfd/backends.h"
#include "dfd/cancel.h"
#include "dfd/error.h"
#include "dfd/io.h"
#include "dfd/job.h"
#include "util/staged_folder.h"

namespace dfd::cli {

namespace {

struct SolveArgs {
  std::vector<std::string> inputs;
  std::string out;
  bool force = false;
  CameraFlags camera;
  SolverFlags solver;
  SolveFileFlags files;  // --exr, --ply, --ply-min-confidence, --ply-z-scale, --focus-csv
};

int run_solve(const SolveArgs& a) {
  a.solver.apply_memory_limit();
  check_result_folder(a.out, a.force);
  check_output_options(a.files.outputs);
  const bool quiet = a.solver.quiet;
  SolveRequest request = solve_request(a.inputs, a.camera, a.solver);
  a.files.apply(request);
  SolveJob job = prepare_solve_job(request, [quiet](const std::string& line) { note(quiet, line); });
  job.outputs = a.files.outputs;
  const FocalStack& stack = job.stack;
  const Options& opt = job.options;

  // Written in full beside a.out, then moved into place: a failure, a kill or a full disk
  // leaves the previous results (or none), never a folder that looks finished.
  StagedFolder staged(a.out);
  std::string why;
  std::unique_ptr<Backend> backend = make_backend(opt, &why);
  if (!why.empty()) note(quiet, why);
  note(quiet, "solving " + std::to_string(stack.width()) + "x" + std::to_string(stack.height()) + ", " +
                  std::to_string(stack.count()) + " frames, K = " +
                  (opt.blur_model == BlurModel::FocusIndex && opt.kernel_size == 0
                       ? std::string("3 sigma of the largest blur")
                       : std::to_string(opt.window_for(stack.height(), stack.width()))) +
                  ", " + (opt.epochs == kAutoEpochs ? std::string("auto") : std::to_string(opt.epochs)) +
                  " epochs on " + backend->name() + " (" + backend->device() + ")");

  if (opt.blur_model == BlurModel::FocusIndex && !(opt.blur_scale > 0))
    note(quiet, "estimating the blur scale a (short solves of a downscaled copy of the stack)");
  SolveJobOutput r;
  try {
    r = run_solve_job(job, *backend, staged.path(), command_line(), why, progress_printer(quiet, &opt));
  } catch (const FileError& e) {
    // Name the file where the user will look for it, not its staging copy.
    std::string what = e.what();
    for (size_t at = what.find(staged.path()); at != std::string::npos; at = what.find(staged.path(), at))
      what.replace(at, staged.path().size(), staged.target());
    throw FileError(what + " (nothing written to " + a.out + ")", e.error_number());
  }
  throw_if_stopped("before moving the results into place");
  staged.commit();
  char took[32];
  std::snprintf(took, sizeof took, "%.1f s", r.result.seconds);
  std::string files;
  for (const std::string& f : r.files) files += (files.empty() ? "" : ", ") + f;
  note(quiet, "wrote " + a.out + "/{" + files + "}; solved in " + took);
  return 0;
}

}  // namespace

SolveRequest solve_request(const std::vector<std::string>& inputs, const CameraFlags& camera,
                           const SolverFlags& solver) {
  SolveRequest r;
  r.inputs = inputs;
  r.preset = camera.preset_name();
  r.preset_given = static_cast<bool>(*camera.preset_opt) || camera.uncalibrated;
  if (*camera.focus_opt) r.focus = camera.focus;
  r.range = solver.range_opt && *solver.range_opt ? solver.range : 0.0;
  r.scale = solver.scale_opt && *solver.scale_opt ? solver.scale : 1.0;
  r.align = solver.align.options();
  r.apply_flags = [&camera, &solver](Options& opt) {
    camera.apply(opt);
    solver.apply(opt);
  };
  return r;
}

Command add_solve_command(CLI::App& root) {
  auto a = std::make_shared<SolveArgs>();
  CLI::App* app = root.add_subcommand("solve", "Solve a focal stack for a depth map and an all-in-focus image");
  app->add_option("inputs", a->inputs,
                  "STACK.json, a folder of frames (natural order; MobileDepth a*.jpg + calibrated.txt), "
                  "a multi-page TIFF z-stack, or the frame images")
      ->required();
  a->camera.add(*app);
  a->solver.add(*app);
  app->add_option("--out,-o", a->out, "Output folder (created)")->required();
  app->add_flag("--force", a->force, "Write into a non-empty output folder");
  a->files.add(*app);
  app->footer(
      "Examples:\n"
      "  dfd solve stack.json --out result\n"
      "  dfd solve a.png b.png c.png --focus-distances 0.3,0.5,1 --focal-length 0.05 \\\n"
      "            --f-number 2.8 --pixel-size 4e-6 --out result\n"
      "  dfd solve frames/ --focus-csv focus.csv --out result      (a folder, natural order)\n"
      "  dfd solve scene/ --preset mobiledepth --out result        (a*.jpg + calibrated.txt)\n"
      "  dfd solve zstack.tif --uncalibrated --out result          (multi-page TIFF)\n"
      "Focus distances: --focus-distances, else --focus-csv, else the manifest, else\n"
      "calibrated.txt, else EXIF SubjectDistance (all frames), else the preset asked for;\n"
      "none of these and no --preset: solved uncalibrated (as --uncalibrated), and said so.\n"
      "Options come from the preset, then the manifest's camera, then these flags.\n"
      "Writes OUT/depth.tiff (32-bit float depth), depth16.png (16-bit, depth = value / scale,\n"
      "the scale in report.json \"depth16\"), aif.png (8-bit), aif16.png (16-bit), depth_color.png\n"
      "(near = warm), summary.png (one-page overview), with --exr depth.exr, with --ply points.ply,\n"
      "and report.json last.\n"
      "Exit codes: 2 usage, 3 bad input, 4 runtime failure, 5 out of memory.");
  return {app, [a] { return run_solve(*a); }};
}

}  // namespace dfd::cli
