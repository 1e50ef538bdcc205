// report.json sections on the quality of a depth map: the confidence map and the clean-up.
#include "io/quality_report.h"

namespace dfd {

using nlohmann::json;

namespace {

const char* const kDefinition =
    "per pixel, from the un-windowed loss l_j over the N grid candidates with the final AIF: "
    "confidence = contrast * separation * sharpness, with S = max l - l*, "
    "contrast = S / (S + l* + eps), eps = (1e-3 R)^2; separation = (l2 - l*) / S, l2 the lowest local "
    "minimum at least 2 candidates from the best whose barrier towards it exceeds 2% of S (l2 = max l "
    "when none: unimodal); sharpness = 1 - min(1, 2 delta / N), delta = sqrt(2 (l* + eps) / kappa), "
    "kappa the second difference at the best candidate (one-sided at the ends); 0 when S <= eps";

}  // namespace

json confidence_json(const Result& r) {
  if (r.confidence.empty()) return json();
  double sum = 0.0, uni = 0.0;
  for (float c : r.confidence.data) sum += c;
  for (float u : r.unimodal.data) uni += u;
  const double n = static_cast<double>(r.confidence.pixels());
  return {{"definition", kDefinition},
          {"mean", n > 0 ? sum / n : 0.0},
          {"unimodal_fraction", n > 0 ? uni / n : 0.0},
          {"seconds", r.confidence_seconds},
          {"files", {"confidence.tiff", "confidence.png"}}};
}

json cleanup_json(const CleanupOptions& o, const CleanupStats& s) {
  json j = {{"enabled", o.any()}, {"rules", o.rules()}};
  if (!o.any()) return j;
  j["tv_factor"] = o.tv_factor;
  j["constant_fraction"] = o.constant_fraction;
  j["min_confidence"] = o.min_confidence;
  j["patch_radius"] = s.patch_radius;
  j["replace_radius"] = s.radius;
  j["tv_threshold"] = s.tv_threshold;
  j["constant_threshold"] = s.constant_threshold;
  j["pixels"] = s.pixels;
  j["flagged"] = {
      {"tv", s.flagged_tv}, {"constant", s.flagged_constant}, {"confidence", s.flagged_confidence}, {"any", s.flagged}};
  j["replaced"] = s.replaced;
  j["kept"] = s.flagged - s.replaced;
  return j;
}

}  // namespace dfd
