// The `dfd solve` pipeline as library calls: inputs -> stack + options; solve -> images + report.
#include <filesystem>

#include "dfd/error.h"
#include "dfd/io.h"
#include "dfd/job.h"

namespace dfd {

namespace fs = std::filesystem;

namespace {

bool is_manifest(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".json";
}

std::string join(const std::string& dir, const std::string& name) { return (fs::path(dir) / name).string(); }

}  // namespace

SolveJob prepare_solve_job(const SolveRequest& a, const std::function<void(const std::string&)>& note) {
  if (a.inputs.empty()) throw_usage("no inputs: give one STACK.json or the frames");
  // Inputs: one manifest, or at least two frames.
  StackManifest manifest;
  SolveJob job;
  FocalStack& stack = job.stack;
  std::string preset = a.preset;
  if (is_manifest(a.inputs[0])) {
    if (a.inputs.size() > 1) throw_usage("give either one STACK.json or the frames, not both");
    LoadedManifest lm = load_manifest(a.inputs[0], a.range);
    manifest = std::move(lm.manifest);
    stack = std::move(lm.stack);
    if (!a.preset_given && manifest.preset) preset = *manifest.preset;
    if (a.focus) stack.focus_distances = *a.focus;
  } else {
    for (const auto& f : a.inputs)
      if (is_manifest(f)) throw_usage("give either one STACK.json or the frames, not both");
    if (a.inputs.size() < 2) throw_usage("a focal stack needs at least 2 frames (or one STACK.json)");
    std::vector<double> focus;
    if (a.focus) {
      focus = *a.focus;
    } else {
      focus = preset_focus_distances(preset);
      if (focus.size() != a.inputs.size())
        throw_usage("no focus distances: pass --focus-distances with one value per frame (" +
                    std::to_string(a.inputs.size()) + " frames), or write a STACK.json");
      if (note) note("focus distances from the " + preset + " preset");
    }
    stack = load_stack(a.inputs, focus, a.range);
  }

  // Options: preset, then the manifest's camera, then the flags.
  Options& opt = job.options;
  opt = preset_options(preset);
  manifest.apply(opt);
  if (a.apply_flags) a.apply_flags(opt);
  opt.range = stack.range;
  opt.validate(&stack);
  return job;
}

std::vector<std::string> write_result_images(const std::string& dir, const Result& r, double range) {
  write_float_tiff(join(dir, "depth.tiff"), r.depth);
  write_png8(join(dir, "aif.png"), r.aif, range);
  write_png16(join(dir, "aif16.png"), r.aif, range);
  write_depth_color(join(dir, "depth_color.png"), r.depth);
  return {"depth.tiff", "aif.png", "aif16.png", "depth_color.png"};
}

SolveJobOutput run_solve_job(const SolveJob& job, Backend& backend, const std::string& dir,
                             const std::string& command_line, const std::string& backend_note,
                             const ProgressFn& progress) {
  SolveJobOutput out;
  out.result = solve(job.stack, job.options, backend, progress);

  RunReport report;
  report.command_line = command_line;
  report.options = job.options;
  report.stack = &job.stack;
  report.result = &out.result;
  report.backend_note = backend_note;
  report.outputs = write_result_images(dir, out.result, job.stack.range);
  report.outputs.push_back("report.json");
  write_text_file(join(dir, "report.json"), report_json(report));  // last: its presence means done
  out.files = report.outputs;
  return out;
}

}  // namespace dfd
