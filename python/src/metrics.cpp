// dfd.metrics' C++ half: the metrics of `dfd eval` (depth_metrics, psnr; metrics_json's keys).
#include <optional>

#include <pybind11/stl.h>

#include "arrays.h"
#include "bindings.h"
#include "dfd/error.h"
#include "dfd/metrics.h"
#include "dfd/report.h"

namespace dfd::py {

namespace pyb = pybind11;

namespace {

// depth and truth: (H, W) float32 in one unit; aif and aif_truth already in one range (the
// Python side scales them as `dfd eval` does). Returns metrics_json's text.
std::string metrics(const FloatArray& depth, const FloatArray& truth, const std::optional<FloatArray>& aif,
                    const std::optional<FloatArray>& aif_truth, double range) {
  // depth_metrics and psnr check the sizes (Error(Input), their messages).
  const Image pred = image_from_array(depth, "depth"), gt = image_from_array(truth, "truth");
  const DepthMetrics m = depth_metrics(pred, gt);
  std::optional<double> p;
  if (aif.has_value() != aif_truth.has_value()) throw_usage("give both aif and aif_truth for the PSNR, or neither");
  if (aif) {
    const Image a = image_from_array(*aif, "aif"), b = image_from_array(*aif_truth, "aif_truth");
    p = psnr(a, b, range);
  }
  return metrics_json(m, p);
}

}  // namespace

void register_metrics(pyb::module_& m) {
  m.def("_metrics", &metrics, pyb::arg("depth"), pyb::arg("truth"), pyb::arg("aif"), pyb::arg("aif_truth"),
        pyb::arg("range"), "The metrics of `dfd eval` as its JSON text.");
}

}  // namespace dfd::py
