// The optional result files of a solve beyond depth.tiff and the AIF: depth16.png, depth.exr,
// points.ply and summary.png, and what report.json records about them.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "dfd/image.h"
#include "dfd/io.h"
#include "dfd/solver.h"

namespace dfd {

struct OutputOptions {
  bool depth16 = true;   // depth16.png (16-bit, scale in report.json "depth16")
  bool summary = true;   // summary.png
  bool exr = false;      // depth.exr (--exr)
  bool ply = false;      // points.ply (--ply)
  PlyOptions ply_options;  // --ply-min-confidence, --ply-z-scale
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
