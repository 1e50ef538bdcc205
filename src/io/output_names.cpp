// The names of the files `dfd solve` may write: alone in a file, so that code that only checks a
// folder's contents (the CLI, the fuzz targets) needs none of the writers.
#include "dfd/outputs.h"

namespace dfd {

const std::vector<std::string>& solve_output_names() {
  static const std::vector<std::string> names = {"depth.tiff",  "depth16.png",     "depth.exr",       "aif.png",
                                                 "aif16.png",   "depth_color.png", "confidence.tiff", "confidence.png",
                                                 "summary.png", "points.ply",      "report.json"};
  return names;
}

}  // namespace dfd
