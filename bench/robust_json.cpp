// The robustness bench's report as JSON (schema "dfd-bench-robustness-1"; fields in
// bench/README.md).
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "dfd/robust_bench.h"

namespace dfd {

namespace {

using json = nlohmann::json;

// A finite value that exists (>= 0 where negative means "none"), else null.
json value_or_null(double v) { return std::isfinite(v) && v >= 0 ? json(v) : json(nullptr); }

json conditions_json() {
  json out = json::array();
  for (const InputCondition& c : robust_conditions()) {
    json j = {{"name", c.name},
              {"description", c.description},
              {"quantize_8bit", c.quantize},
              {"noise_sigma_dn", c.noise_sigma}};
    j["sensor"] = c.sensor ? json{{"full_well_e", kSensorFullWell}, {"read_noise_e", kSensorReadNoise}} : json(nullptr);
    out.push_back(j);
  }
  return out;
}

json scene_json(const RobustSceneInfo& s) {
  return {{"scene", s.scene},
          {"size", s.size},
          {"depth_min_m", s.depth_min},
          {"depth_max_m", s.depth_max},
          {"flat_fraction", s.flat_fraction},
          {"notes", s.notes},
          {"stack_model", s.stack_model},
          {"seconds", s.seconds}};
}

json row_json(const RobustRow& r) {
  json j = {{"scene", r.scene},
            {"condition", r.condition},
            {"size", r.size},
            {"backend", r.backend},
            {"device", r.device},
            {"width", r.width},
            {"height", r.height},
            {"absrel", r.absrel},
            {"rmse", r.rmse},
            {"delta1", r.delta1},
            {"delta2", r.delta2},
            {"delta3", r.delta3},
            {"absrel_flat", value_or_null(r.absrel_flat)},
            {"absrel_textured", value_or_null(r.absrel_textured)},
            {"aif_psnr_db", r.aif_psnr},
            {"input_psnr_db", value_or_null(r.input_psnr)},
            {"solve_seconds", r.seconds},
            {"epochs", r.epochs},
            {"kernel_size", r.kernel_size},
            {"levels", r.levels},
            {"reverted_steps", r.reverted_steps},
            {"initial_loss", value_or_null(r.initial_loss)},
            {"final_loss", value_or_null(r.final_loss)},
            {"confidence_mean", value_or_null(r.confidence_mean)}};
  j["solve_report"] = r.report_json.empty() ? json(nullptr) : json::parse(r.report_json);
  return j;
}

}  // namespace

std::string robust_json(const RobustReport& r) {
  json j;
  j["schema"] = "dfd-bench-robustness-1";
  j["dfd_version"] = r.dfd_version;
  j["date"] = r.date;
  j["commit"] = r.commit;
  j["command"] = r.command;
  j["host"] = r.host;
  j["wall_seconds"] = r.wall_seconds;
  j["quick"] = r.quick;
  j["seed"] = r.seed;
  j["overrides"] = r.overrides;
  j["notes"] = r.notes;
  j["definitions"] = {
      {"absrel", "mean |Z - Zgt| / Zgt over all pixels (SPEC 7)"},
      {"absrel_flat",
       "AbsRel over the textureless pixels: local std-dev of the ground-truth AIF's channel mean "
       "over 9 x 9 below 1 DN; null when there are none"},
      {"absrel_textured", "AbsRel over the other pixels"},
      {"aif_psnr_db", "PSNR of the solved AIF against the ground-truth AIF over [0, 255]"},
      {"input_psnr_db", "PSNR of the degraded stack against the rendered float stack; null when equal (float)"},
      {"solve_seconds", "dfd::solve wall time (Result::seconds)"},
      {"initial_loss", "L(x, Z) after the solve's first step (SPEC 2); final_loss after its last"},
      {"solve_report", "the row's solve as report.json records it: options as solved, levels, log, ..."}};
  j["conditions"] = conditions_json();
  json scenes = json::array();
  for (const RobustSceneInfo& s : r.scenes) scenes.push_back(scene_json(s));
  j["scenes"] = scenes;
  // The solver options per size (K follows the image size), from each size's first row.
  json options = json::object();
  json rows = json::array();
  for (const RobustRow& row : r.rows) {
    rows.push_back(row_json(row));
    const json& rep = rows.back()["solve_report"];
    if (!options.contains(row.size) && rep.is_object() && rep.contains("options")) options[row.size] = rep["options"];
  }
  j["options"] = options;
  j["rows"] = rows;
  return j.dump(2) + "\n";
}

}  // namespace dfd
