// The "alignment" section of report.json (nlohmann-json).
#include "preprocess/align_json.h"

namespace dfd {

nlohmann::json alignment_json(const AlignmentReport& r) {
  using nlohmann::json;
  json frames = json::array();
  for (size_t i = 0; i < r.frames.size(); ++i) {
    const FrameAlignment& f = r.frames[i];
    const auto& m = f.matrix;
    frames.push_back({{"index", i},
                      {"neighbour", f.neighbour < 0 ? json() : json(f.neighbour)},
                      {"matrix", {{m[0], m[1], m[2]}, {m[3], m[4], m[5]}, {m[6], m[7], m[8]}}},
                      {"ecc", f.ecc},
                      {"iterations", f.iterations},
                      {"scale", f.scale},
                      {"rotation_deg", f.rotation_deg},
                      {"shift_px", {f.shift_px[0], f.shift_px[1]}}});
  }
  return {{"motion", to_string(r.motion)},
          {"reference", r.reference},
          {"levels", r.levels},
          {"work_scale", r.work_scale},
          {"seconds", r.seconds},
          {"cropped", r.cropped},
          {"valid_region",
           {{"x", r.valid.x},
            {"y", r.valid.y},
            {"width", r.valid.width},
            {"height", r.valid.height},
            {"fraction", r.valid_fraction}}},
          {"frames", frames}};
}

}  // namespace dfd
