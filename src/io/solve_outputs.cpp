// The optional result files of a solve (16-bit depth, EXR, PLY, summary) and their report sections.
#include "dfd/outputs.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "dfd/error.h"
#include "dfd/report.h"
#include "util/files.h"

namespace dfd {

using nlohmann::json;

void check_output_options(const OutputOptions& o) {
  if (o.exr && !openexr_available())
    throw_usage(
        "--exr: this OpenCV build cannot write OpenEXR (built without it, or OPENCV_IO_ENABLE_OPENEXR=0 "
        "set in the environment)");
  if (!(o.ply_options.min_confidence >= 0 && o.ply_options.min_confidence <= 1))
    throw_usage("--ply-min-confidence must lie in [0, 1]");
  if (!(o.ply_options.z_scale >= 0) || !std::isfinite(o.ply_options.z_scale))
    throw_usage("--ply-z-scale must be positive (or 0 for the default)");
}

ExtraOutputs write_extra_outputs(const std::string& dir, const FocalStack& stack, const Result& r,
                                 const OutputOptions& o) {
  check_output_options(o);
  const bool relative = r.options.blur_model == BlurModel::FocusIndex;
  if (o.ply && o.ply_options.min_confidence > 0 && r.confidence.empty())
    throw_runtime("--ply-min-confidence: this solve produced no confidence map");
  ExtraOutputs out;
  const std::string unit =
      !relative ? "the focus distances' unit"
      : o.physical.known()
          ? "focus position in " + (o.physical.unit.empty() ? std::string("z-step units") : o.physical.unit)
          : "frame index (relative depth)";
  if (o.depth16) {
    const double scale = write_depth16(join_path(dir, "depth16.png"), r.depth);
    out.files.push_back("depth16.png");
    out.sections.emplace_back(
        "depth16", json{{"file", "depth16.png"},
                        {"scale", scale},
                        {"unit", unit},
                        {"decode", relative ? "depth = value / scale (0 is a valid depth: the first frame's focus)"
                                            : "depth = value / scale; 0 = no depth"}}
                       .dump());
  }
  if (o.exr) {
    write_float_exr(join_path(dir, "depth.exr"), r.depth);
    out.files.push_back("depth.exr");
  }
  if (o.ply) {
    const PlyInfo info =
        write_ply(join_path(dir, "points.ply"), r.depth, r.aif, stack.range, r.confidence, r.options, o.ply_options);
    out.files.push_back("points.ply");
    json j = {{"file", "points.ply"},
              {"format", "binary_little_endian"},
              {"model", relative ? "focus-index" : "thin-lens"},
              {"vertices", info.vertices},
              {"skipped_invalid", info.skipped_invalid},
              {"units", info.units}};
    if (relative) j["z_scale"] = info.z_scale;
    if (o.ply_options.min_confidence > 0) {
      j["min_confidence"] = o.ply_options.min_confidence;
      j["skipped_low_confidence"] = info.skipped_confidence;
    }
    out.sections.emplace_back("ply", j.dump());
  }
  if (o.summary) {
    // The sheet's fonts are ASCII: micrometres as "um".
    std::string unit = o.physical.unit == "\xC2\xB5m" ? "um" : o.physical.unit;
    write_summary(
        join_path(dir, "summary.png"), stack, r,
        relative && o.physical.known() ? "focus position (" + (unit.empty() ? "z-step units" : unit) + ")" : "");
    out.files.push_back("summary.png");
  }
  return out;
}

}  // namespace dfd
