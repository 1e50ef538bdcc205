// The "alignment" section of report.json: what registration estimated per frame.
#pragma once

#include <nlohmann/json.hpp>

#include "dfd/align.h"

namespace dfd {

// {"motion", "reference", "levels", "work_scale", "seconds", "cropped",
//  "valid_region": {"x", "y", "width", "height", "fraction"},
//  "frames": [{"index", "neighbour", "matrix" (3x3, reference -> frame pixels), "ecc", "iterations",
//              "scale", "rotation_deg", "shift_px": [dx, dy]}]}
nlohmann::json alignment_json(const AlignmentReport& report);

}  // namespace dfd
