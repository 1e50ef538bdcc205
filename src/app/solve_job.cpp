// The `dfd solve` pipeline as library calls: inputs -> stack + options; solve -> images + report.

#include <cmath>
#include <nlohmann/json.hpp>

#include "app/solve_inputs.h"
#include "dfd/error.h"
#include "dfd/io.h"
#include "dfd/job.h"
#include "dfd/report.h"
#include "dfd/resample.h"
#include "dfd/stack_inputs.h"
#include "util/files.h"
#include "util/number_text.h"

namespace dfd {

SolveJob prepare_solve_job(const SolveRequest& a, const std::function<void(const std::string&)>& note) {
  std::vector<std::string> notes;
  const NoteFn say = [&notes, &note](const std::string& line) {
    notes.push_back(line);
    if (note) note(line);
  };
  // Inputs (frames, folder, z-stack, manifest, MobileDepth), then the options: preset, the
  // inputs' camera (EXIF, calibrated.txt), the manifest's camera, the flags; then the focus
  // distances, which depend on the final blur model.
  StackInputs in = load_stack_inputs(a, say);
  // Zero configuration: no focus distances from any source and no preset asked for (flag,
  // manifest, calibrated.txt) -> the uncalibrated model, which needs neither.
  const bool preset_asked = a.preset_given || (in.manifest && in.manifest->preset) || in.calibration;
  if (!preset_asked && !has_focus_distances(in, a)) {
    in.preset = "uncalibrated";
    in.job.auto_uncalibrated =
        "no focus distances (no --focus-distances, --focus-csv, STACK.json, calibrated.txt or EXIF SubjectDistance "
        "on every frame) and no --preset";
    say("solving uncalibrated (relative depth in frame-index units, as --uncalibrated): " + in.job.auto_uncalibrated);
  }
  Options& opt = in.job.options;
  opt = preset_options(in.preset);
  apply_input_camera(in, opt, say);
  if (in.manifest) in.manifest->apply(opt);
  if (a.apply_flags) a.apply_flags(opt);
  resolve_focus_distances(in, a, opt, say);
  opt.range = in.job.stack.range;
  opt.validate(&in.job.stack);
  if (a.align) {  // after the cheap checks; a crop changes the frame size, so validate again
    in.job.alignment = align_stack(in.job.stack, *a.align, say);
    if (in.job.alignment->cropped) opt.validate(&in.job.stack);
  }
  if (a.scale != 1.0) {  // after the alignment, which is more accurate at full resolution
    resize_stack(in.job.stack, a.scale, opt);
    in.job.scale = a.scale;
    opt.validate(&in.job.stack);
  }
  // A microscope's z step, from the z-stack's TIFF metadata (ImageJ, OME).
  const std::string& first = in.job.input_kind == "tiff-stack" ? a.inputs[0]
                             : in.job.stack.sources.empty()    ? std::string()
                                                               : in.job.stack.sources[0];
  if (!first.empty() && is_tiff_file_name(first)) {
    in.job.metadata_scale = read_tiff_physical_scale(first);
    if (in.job.metadata_scale && opt.blur_model == BlurModel::FocusIndex)
      say("z step " + format_number_short(in.job.metadata_scale->z_step) + " " + in.job.metadata_scale->unit +
          " per frame from the " + in.job.metadata_scale->source + ": depth as focus position in " +
          (in.job.metadata_scale->unit.empty() ? std::string("its unit") : in.job.metadata_scale->unit));
  }
  in.job.input_notes = std::move(notes);
  return std::move(in.job);
}

std::vector<std::string> write_result_images(const std::string& dir, const Result& r, double range) {
  write_float_tiff(join_path(dir, "depth.tiff"), r.depth);
  write_png8(join_path(dir, "aif.png"), r.aif, range);
  write_png16(join_path(dir, "aif16.png"), r.aif, range);
  write_depth_color(join_path(dir, "depth_color.png"), r.depth);
  std::vector<std::string> files = {"depth.tiff", "aif.png", "aif16.png", "depth_color.png"};
  if (!r.confidence.empty()) {  // [0, 1]: as float, and as 8-bit grey (255 = 1)
    write_float_tiff(join_path(dir, "confidence.tiff"), r.confidence);
    write_png8(join_path(dir, "confidence.png"), r.confidence, 1.0);
    files.insert(files.end(), {"confidence.tiff", "confidence.png"});
  }
  return files;
}

PhysicalScale physical_scale(const SolveJob& job) {
  const PhysicalScale& flags = job.outputs.physical;
  if (job.options.blur_model != BlurModel::FocusIndex) {
    if (flags.z_step > 0 || flags.xy_step > 0)
      throw_usage(
          "--z-step / --xy-step give the uncalibrated model's depth physical units; this solve is "
          "calibrated (its depth is in the focus distances' unit already): drop them or pass --uncalibrated");
    return {};
  }
  PhysicalScale s = flags;
  if (job.metadata_scale) {
    const PhysicalScale& m = *job.metadata_scale;
    if (!(s.z_step > 0)) s.z_step = m.z_step;
    if (!(s.xy_step > 0)) s.xy_step = m.xy_step;
    if (s.unit.empty()) s.unit = m.unit;
    s.source = flags.z_step > 0 || flags.xy_step > 0 || !flags.unit.empty() ? "flags over the " + m.source : m.source;
  } else if (s.z_step > 0) {
    s.source = "--z-step";
  }
  if (!(s.z_step > 0)) return {};  // a pixel size or unit alone changes nothing
  return s;
}

RunReport job_report(const SolveJob& job, const Result& result, const std::string& command_line,
                     const std::string& backend_note) {
  RunReport r;
  r.command_line = command_line;
  r.options = job.options;
  r.stack = &job.stack;
  r.input_kind = job.input_kind;
  r.focus_source = job.focus_source;
  r.auto_uncalibrated = job.auto_uncalibrated;
  r.input_notes = job.input_notes;
  r.result = &result;
  r.alignment = job.alignment ? &*job.alignment : nullptr;
  r.scale = job.scale;
  r.backend_note = backend_note;
  return r;
}

SolveJobOutput run_solve_job(const SolveJob& job, Backend& backend, const std::string& dir,
                             const std::string& command_line, const std::string& backend_note,
                             const ProgressFn& progress) {
  SolveJobOutput out;
  check_output_options(job.outputs);
  if (job.outputs.ply && job.outputs.ply_options.min_confidence > 0 && !job.options.confidence)
    throw_usage(
        "--ply-min-confidence needs the confidence map: drop --no-confidence");  // before the solve: an impossible
                                                                                 // request fails fast
  const PhysicalScale physical = physical_scale(job);  // before the solve: a contradiction fails fast
  out.result = solve(job.stack, job.options, backend, progress);
  OutputOptions outputs = job.outputs;
  outputs.physical = physical;
  if (physical.known()) {
    // Focus position = relative depth (frame steps from the first frame) x z step.
    for (float& z : out.result.depth.data)
      if (std::isfinite(z)) z = static_cast<float>(z * physical.z_step);
    outputs.ply_options.xy_step = physical.xy_step;
    outputs.ply_options.unit = physical.unit.empty() ? "z-step units" : physical.unit;
  }

  RunReport report = job_report(job, out.result, command_line, backend_note);
  report.outputs = write_result_images(dir, out.result, job.stack.range);
  ExtraOutputs extra = write_extra_outputs(dir, job.stack, out.result, outputs);
  if (physical.known()) {
    const std::string unit = physical.unit.empty() ? "z-step units" : physical.unit;
    report.depth_unit = "focus position in " + unit + " (relative depth x z_step; 0 = the first frame's focus)";
    nlohmann::json p = {{"z_step", physical.z_step},
                        {"unit", unit},
                        {"source", physical.source},
                        {"depth", "focus position = relative depth (frame index) x z_step"}};
    if (physical.xy_step > 0) p["xy_step"] = physical.xy_step;
    extra.sections.emplace_back("physical", p.dump());
  }
  report.outputs.insert(report.outputs.end(), extra.files.begin(), extra.files.end());
  report.sections = std::move(extra.sections);
  report.outputs.push_back("report.json");
  write_text_file(join_path(dir, "report.json"), report_json(report));  // last: its presence means done
  out.files = report.outputs;
  return out;
}

}  // namespace dfd
