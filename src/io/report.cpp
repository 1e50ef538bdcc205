// report.json of a solve and the metrics JSON of `dfd eval` (nlohmann-json).
#include <sys/resource.h>
#include <cmath>

#include <nlohmann/json.hpp>

#include "dfd/align.h"
#include "dfd/io.h"
#include "dfd/noise.h"
#include "dfd/report.h"
#include "dfd/solver.h"
#include "io/quality_report.h"
#include "preprocess/align_json.h"

namespace dfd {

using nlohmann::json;

namespace {

json options_json(const Options& o, const FocalStack* stack) {
  const Camera cam = o.camera();
  json j;
  j["preset"] = o.preset;
  j["camera"] = {{"focal_length", cam.focal_length},
                 {"aperture", cam.aperture},
                 {"f_number", cam.focal_length / cam.aperture},
                 {"pixel_pitch", cam.pixel_pitch},
                 {"thresh", cam.thresh}};
  j["kernel_size"] = stack ? o.window_for(stack->height(), stack->width()) : o.kernel_size;
  j["kernel_size_option"] = o.kernel_size > 0 ? json(o.kernel_size) : json("auto");
  j["depth"] = {{"min", o.depth_min},
                {"max", o.depth_max},
                {"candidates", o.depth_candidates},
                {"window", o.window},
                {"edge_pad", o.edge_pad},
                {"golden_section", {{"bracket", o.gs_bracket}, {"tol", o.gs_tol}, {"max_iters", o.gs_max_iters}}}};
  j["aif"] = {{"solver", to_string(o.aif_solver)}, {"cg_iters", {o.cg_iters_first, o.cg_iters_max}},
              {"cg_growth", o.cg_growth},          {"fista_iters0", o.fista_iters0},
              {"fista_alpha", o.fista_alpha},      {"power_iters", o.power_iters}};
  j["epochs"] = o.epochs;
  j["order"] = to_string(o.order);
  j["depth_init"] =
      stack ? (o.focus_init(*stack) ? "focus" : "none") : to_string(o.depth_init);  // resolved with the stack
  j["kernel_tolerance"] = o.kernel_tolerance;
  j["backend"] = to_string(o.backend);
  j["threads"] = o.threads;
  j["range"] = o.range;
  return j;
}

json inputs_json(const FocalStack& s) {
  json frames = json::array();
  for (int i = 0; i < s.count(); ++i) {
    json f;
    f["file"] = i < static_cast<int>(s.sources.size()) ? s.sources[i] : "";
    f["focus_distance"] = i < static_cast<int>(s.focus_distances.size()) ? json(s.focus_distances[i]) : json();
    frames.push_back(f);
  }
  return {
      {"width", s.width()}, {"height", s.height()}, {"channels", s.channels()}, {"range", s.range}, {"frames", frames}};
}

// The blur model: thin lens (SPEC 2) or the uncalibrated focus-index law with its scale a and,
// when a was estimated, the trials (a, final loss of a short solve of the downscaled stack).
json model_json(const Result& res) {
  const Options& o = res.options;
  if (o.blur_model != BlurModel::FocusIndex)
    return {{"blur_model", "thin-lens"}, {"depth_unit", "the focus distances' unit (metres for the presets)"}};
  json j = {{"blur_model", "focus-index"},
            {"sigma", "max(thresh, a |s - i|), s the depth in frame-index units, i the frame"},
            {"depth_unit", "frame index (relative depth: 0 = first frame's focus, F-1 = last)"},
            {"a_pixels_per_frame", o.blur_scale},
            {"thresh", o.thresh}};
  const BlurScaleEstimate& e = res.blur_scale_estimate;
  if (e.scale > 0) {
    json trials = json::array();
    for (const auto& [a, loss] : e.trials) trials.push_back({{"a", a}, {"loss", loss}});
    j["a_estimate"] = {{"downscale_factor", e.factor},
                       {"seconds", e.seconds},
                       {"frames", e.frames},
                       {"grid",
                        {{"initial", {e.grid_lo, e.grid_hi}},
                         {"step", "x2"},
                         {"extensions", e.grid_extensions},
                         {"max_extensions", e.max_grid_extensions},
                         {"bracketed", e.bracketed}}},
                       {"trials", trials}};
  } else {
    j["a_source"] = "given";
  }
  return j;
}

// Peak resident set size of this process, bytes (Linux reports ru_maxrss in KiB).
long long peak_rss_bytes() {
  rusage ru{};
  if (getrusage(RUSAGE_SELF, &ru) != 0) return -1;
  return static_cast<long long>(ru.ru_maxrss) * 1024;
}

}  // namespace

std::string report_json(const RunReport& r) {
  json j;
  j["dfd_version"] = DFD_VERSION;
  j["command_line"] = r.command_line;
  // The options as solved when there is a result (uncalibrated range, blur scale and K resolved).
  j["options"] = options_json(r.result ? r.result->options : r.options, r.stack);
  if (r.stack) {
    j["input"] = inputs_json(*r.stack);
    if (!r.input_kind.empty()) j["input"]["kind"] = r.input_kind;
    if (!r.focus_source.empty()) j["input"]["focus_source"] = r.focus_source;
    j["input"]["notes"] = r.input_notes;
    j["input"]["scale"] = r.scale;
  }
  if (r.result) {
    const Result& res = *r.result;
    j["kernel_size"] = res.kernel_size;
    j["model"] = model_json(res);
    if (!r.depth_unit.empty()) j["model"]["depth_unit"] = r.depth_unit;
    // Whether the model was chosen without being asked for (zero-config: no focus distances).
    j["model"]["auto_selected"] = !r.auto_uncalibrated.empty();
    if (!r.auto_uncalibrated.empty()) j["model"]["auto_reason"] = r.auto_uncalibrated;
    if (r.stack && res.aif.width == r.stack->width() && res.aif.height == r.stack->height()) {
      // The all-in-focus check: the AIF's gradient energy against every (aligned, resized) frame's.
      json frames = json::array();
      for (const Image& f : r.stack->frames) frames.push_back(gradient_energy(f));
      j["sharpness"] = {{"measure", "mean gradient energy of the channel mean (central differences)"},
                        {"aif", gradient_energy(res.aif)},
                        {"frames", frames}};
      const AifQuality q = aif_quality(res.aif, *r.stack);
      j["aif_quality"] = {
          {"measure", "blocks of " + std::to_string(q.block) +
                          " px ranked by the most detail any frame shows; in the " + "flattest and the most detailed " +
                          std::to_string(static_cast<int>(100 * q.fraction)) +
                          "%: robust high-pass noise sigma and mean gradient energy"},
          {"flat_noise", {{"aif", q.flat_noise_aif}, {"frames", q.flat_noise_frames}}},
          {"detail_sharpness", {{"aif", q.detail_sharpness_aif}, {"frames", q.detail_sharpness_frames}}}};
    }
    j["levels"] = {{"count", res.levels}, {"max_kernel_l1_error", res.level_kernel_error}};
    j["noise"] = {{"sigma", res.noise.sigma},
                  {"source", res.noise_given ? "given (noise_sigma)" : "estimated"},
                  {"measured", res.noise.measured},
                  {"method", "1.4826 x median |Immerkaer high-pass| / 6, median over frames and channels"},
                  {"quantisation_step", res.noise.step},
                  {"quantisation_sigma", res.noise.quantisation},
                  {"source_quantisation_step", res.noise.source_step}};
    const Options& so = res.options;
    j["regularizer"] = {
        {"option", to_string(so.regularizer)},
        {"depth_prior", res.depth_prior},
        {"aif_prior", res.aif_prior},
        {"objective", res.depth_prior || res.aif_prior
                          ? "L + mu TV_g(Z) / HW (depth steps), L + rho sum huber(|grad x|) / (F C H W) (AIF steps)"
                          : "L (SPEC 2)"}};
    if (res.depth_prior || res.aif_prior)
      j["regularizer"]["scaling"] =
          so.prior_residual_scaling ? "residual: mu and rho at max(sigma^2, the previous step's L) (log: prior_sigma)"
                                    : "noise: mu and rho at sigma^2";
    if (res.depth_prior)
      j["regularizer"]["depth"] = {{"mu", res.depth_prior_weight},
                                   {"smoothness", so.depth_smoothness},
                                   {"huber_steps", so.depth_huber},
                                   {"edge_scale", so.edge_scale},
                                   {"edge_floor", so.edge_floor},
                                   {"iterations", so.prior_iterations},
                                   {"window", so.window > 1 ? so.window : 0}};
    if (res.aif_prior)
      j["regularizer"]["aif"] = {
          {"rho", res.aif_prior_weight}, {"smoothness", so.aif_smoothness}, {"huber_sigmas", so.aif_huber}};
    j["confidence"] = confidence_json(res);
    j["cleanup"] = cleanup_json(r.options.cleanup, res.cleanup);
    j["backend"] = {{"name", res.backend}, {"device", res.device}};
    if (!r.backend_note.empty()) j["backend"]["note"] = r.backend_note;
    json log = json::array();
    for (const StepLog& s : res.log) {
      json e = {
          {"epoch", s.epoch}, {"step", s.step}, {"loss", s.loss}, {"seconds", s.seconds}, {"iterations", s.iterations}};
      if (s.reverted) e["reverted"] = true;
      if (std::isfinite(s.objective)) e["objective"] = s.objective;
      if (std::isfinite(s.objective_before)) e["objective_before"] = s.objective_before;
      if (std::isfinite(s.prior_sigma)) e["prior_sigma"] = s.prior_sigma;
      log.push_back(e);
    }
    j["log"] = log;
    j["final_loss"] = res.log.empty() ? json() : json(res.log.back().loss);
    j["seconds"] = res.seconds;
    j["peak_memory_bytes"] = {{"backend", res.peak_memory}, {"process_rss", peak_rss_bytes()}};
  }
  for (const auto& [key, text] : r.sections) j[key] = json::parse(text);
  if (r.alignment) j["alignment"] = alignment_json(*r.alignment);
  if (!r.outputs.empty()) j["outputs"] = r.outputs;
  return j.dump(2) + "\n";
}

std::string metrics_json(const DepthMetrics& m, std::optional<double> psnr) {
  json j = {{"rmse", m.rmse},     {"absrel", m.absrel}, {"delta1", m.delta1},
            {"delta2", m.delta2}, {"delta3", m.delta3}, {"pixels", m.pixels}};
  if (psnr) j["psnr"] = *psnr;
  return j.dump(2) + "\n";
}

}  // namespace dfd
