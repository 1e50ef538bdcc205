// report.json sections on the quality of a depth map: the confidence map and the clean-up.
#pragma once

#include <nlohmann/json.hpp>

#include "dfd/options.h"
#include "dfd/solver.h"

namespace dfd {

// {"definition", "mean", "unimodal_fraction", "seconds", "files"}; null when not computed.
nlohmann::json confidence_json(const Result& r);
// {"enabled", "rules", thresholds, "pixels", "flagged": {...}, "replaced"}.
nlohmann::json cleanup_json(const CleanupOptions& o, const CleanupStats& s);

}  // namespace dfd
