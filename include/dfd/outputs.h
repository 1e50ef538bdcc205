// The optional result files of a solve beyond depth.tiff and the AIF: depth16.png, depth.exr,
// points.ply and summary.png, and what report.json records about them.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dfd/image.h"
#include "dfd/io.h"
#include "dfd/solver.h"

namespace dfd {

// Physical units of an uncalibrated (focus-index) depth: the focus travel per frame step of a
// microscope or focus rail. With it, the depth outputs hold the focus position s * z_step (0 at
// the first frame) in `unit`: the height map that extended-depth-of-field tools write.
struct PhysicalScale {
  double z_step = 0;   // focus travel per frame; 0 = unknown (depth stays in frame steps)
  double xy_step = 0;  // object-side pixel size in the same unit; 0 = unknown
  std::string unit;    // "µm", "mm", ... ("" = not named)
  std::string source;  // "--z-step", "ImageJ metadata of F", "OME-XML of F"
  bool known() const { return z_step > 0; }
};

// The z step (and pixel size) an ImageJ or OME-TIFF file's metadata records: ImageJ's
// ImageDescription "spacing=" and "unit=" with XResolution, or OME-XML's PhysicalSizeZ and
// PhysicalSizeX with their units (micrometres when unnamed). nullopt without a z step.
std::optional<PhysicalScale> read_tiff_physical_scale(const std::string& path);

struct OutputOptions {
  bool depth16 = true;     // depth16.png (16-bit, scale in report.json "depth16")
  bool summary = true;     // summary.png
  bool exr = false;        // depth.exr (--exr)
  bool ply = false;        // points.ply (--ply)
  PlyOptions ply_options;  // --ply-min-confidence, --ply-z-scale
  PhysicalScale physical;  // --z-step, --xy-step, --z-unit (what the flags give; metadata fills the rest)
};

struct ExtraOutputs {
  std::vector<std::string> files;                             // names written into the folder
  std::vector<std::pair<std::string, std::string>> sections;  // report.json keys -> JSON text
};

// Writes the files `o` asks for into `dir` (atomically) from a solved result; r.options are the
// options as solved (blur model, camera). Checks first what would fail late (EXR support, a
// confidence filter without a confidence map), so nothing is half done.
ExtraOutputs write_extra_outputs(const std::string& dir, const FocalStack& stack, const Result& r,
                                 const OutputOptions& o);

// Every file name `dfd solve` may write into its output folder (report.json included).
const std::vector<std::string>& solve_output_names();

// Error(Usage) for a request that cannot be met (EXR unavailable in this OpenCV build, bad
// PLY values); call before solving.
void check_output_options(const OutputOptions& o);

}  // namespace dfd
