// The bench report as JSON for machines (schema "dfd-bench-1"; fields listed in bench/README.md).
#include <nlohmann/json.hpp>

#include "dfd/bench.h"

namespace dfd {

namespace {

using json = nlohmann::json;

// A positive number, or null where it was not measured.
json measured(double v) { return v > 0 ? json(v) : json(nullptr); }

json stats_json(const Stats& s) {
  return {{"median_s", s.median}, {"min_s", s.min}, {"max_s", s.max}, {"repeats", s.count}};
}

json ceilings_json(const std::string& backend, const DeviceCeilings& c) {
  return {{"backend", backend},
          {"measured", c.measured},
          {"device", c.device},
          {"bandwidth_Bps", measured(c.bandwidth)},
          {"flops_per_s", measured(c.flops)},
          {"copy_bandwidth_Bps", measured(c.copy_bandwidth)},
          {"triad_bandwidth_Bps", measured(c.triad_bandwidth)},
          {"bandwidth_method", c.bandwidth_method},
          {"flops_method", c.flops_method},
          {"note", c.note}};
}

json run_json(const BackendRun& b) {
  json j = {{"backend", b.backend},
            {"device", b.device},
            {"status", b.status},
            {"reason", b.reason},
            {"memory_estimate_bytes", measured(static_cast<double>(b.memory_estimate))},
            {"peak_host_bytes", measured(static_cast<double>(b.peak_host))},
            {"peak_backend_bytes", measured(static_cast<double>(b.peak_backend))}};
  json phases = json::array();
  for (const PhaseResult& p : b.phases) {
    json ph = stats_json(p.seconds);
    ph["name"] = p.name;
    ph["floor_s"] = measured(p.floor_s);
    ph["floor_bytes"] = p.cost.bytes;
    ph["floor_flops"] = p.cost.flops;
    ph["time_over_floor"] = p.floor_s > 0 ? json(p.seconds.median / p.floor_s) : json(nullptr);
    ph["mpps"] = p.mpps;
    phases.push_back(ph);
  }
  j["phases"] = phases;
  if (b.solved) {
    json s = stats_json(b.solve_seconds);
    s["epochs"] = b.solve_epochs;
    s["seconds_per_epoch"] = b.solve_seconds.median / b.solve_epochs;
    s["mpps"] = b.solve_mpps;
    s["absrel"] = b.absrel;
    s["delta1"] = b.delta1;
    s["aif_psnr_db"] = b.psnr;
    j["solve"] = s;
  } else {
    j["solve"] = nullptr;
  }
  return j;
}

}  // namespace

std::string bench_json(const BenchReport& r) {
  json j;
  j["schema"] = "dfd-bench-1";
  j["dfd_version"] = r.dfd_version;
  j["date"] = r.date;
  j["commit"] = r.commit;
  j["command"] = r.command;
  j["host"] = r.host;
  j["wall_seconds"] = r.wall_seconds;
  j["definitions"] = {
      {"floor_s", "max(floor_bytes / bandwidth, floor_flops / flop rate) of the device's measured ceilings"},
      {"mpps", "megapixel-planes per second: width * height * frames / 1e6 per run (times epochs for a solve)"},
      {"peak_host_bytes", "process peak RSS while the backend ran (the scene held in memory included)"},
      {"gpu_cpu_ratio", "cpu median / cuda median in this run; null unless both were measured"}};
  json devices = json::array();
  for (size_t b = 0; b < r.backends.size() && b < r.ceilings.size(); ++b)
    devices.push_back(ceilings_json(r.backends[b], r.ceilings[b]));
  j["devices"] = devices;

  json workloads = json::array();
  for (const WorkloadResult& w : r.workloads) {
    const Workload& wl = w.workload;
    json jw = {{"name", wl.name},
               {"width", wl.width},
               {"height", wl.height},
               {"megapixels", wl.width * static_cast<double>(wl.height) / 1e6},
               {"channels", wl.channels},
               {"frames", wl.frames},
               {"config", wl.config},
               {"K", w.K},
               {"levels", w.levels},
               {"level_kernel_error", w.level_kernel_error},
               {"candidates", w.candidates},
               {"window", w.window},
               {"golden_iterations", w.golden_iterations},
               {"epochs", wl.epochs},
               {"epochs_note", wl.epochs_note},
               {"stack_model", w.stack_model},
               {"scene_seconds", w.scene_seconds}};
    json runs = json::array();
    for (const BackendRun& b : w.runs) runs.push_back(run_json(b));
    jw["results"] = runs;
    json ratio = json::object();
    for (const std::string& ph : bench_phases()) ratio[ph] = measured(gpu_cpu_ratio(w, ph));
    ratio["solve"] = measured(gpu_cpu_ratio(w, "solve"));
    jw["gpu_cpu_ratio"] = ratio;
    workloads.push_back(jw);
  }
  j["workloads"] = workloads;
  return j.dump(2) + "\n";
}

}  // namespace dfd
