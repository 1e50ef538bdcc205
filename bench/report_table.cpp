// The bench's terminal table: per workload, each phase's median, min, max, floor and
// throughput per backend, the whole solve with its accuracy, and memory.
#include <cstdio>
#include <sstream>

#include "dfd/bench.h"
#include "util/number_text.h"

namespace dfd {

namespace {

// Seconds with a unit that keeps 3-4 significant digits.
std::string seconds(double s) {
  if (s <= 0) return "-";
  if (s < 1e-3) return format_printf("%.1f us", s * 1e6);
  if (s < 1.0) return format_printf("%.2f ms", s * 1e3);
  return format_printf("%.2f s", s);
}

std::string bytes(double b) {
  if (b <= 0) return "-";
  if (b < 1024.0 * 1024 * 1024) return format_printf("%.0f MiB", b / (1024.0 * 1024));
  return format_printf("%.2f GiB", b / (1024.0 * 1024 * 1024));
}

std::string ratio(double r) { return r > 0 ? format_printf("%.1fx", r) : "-"; }

std::string row(const std::string& phase, const std::string& backend, const std::string& median, const std::string& min,
                const std::string& max, const std::string& floor, const std::string& over, const std::string& mpps,
                const std::string& gpu) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "  %-16s %-5s %10s %10s %10s %10s %8s %9s %8s\n", phase.c_str(), backend.c_str(),
                median.c_str(), min.c_str(), max.c_str(), floor.c_str(), over.c_str(), mpps.c_str(), gpu.c_str());
  return buf;
}

}  // namespace

std::string bench_table(const BenchReport& r) {
  std::ostringstream o;
  o << "dfd bench " << r.dfd_version << "  " << r.date << "  commit " << r.commit << "\n";
  o << "host: " << r.host << "\n";
  for (size_t b = 0; b < r.backends.size() && b < r.ceilings.size(); ++b) {
    const DeviceCeilings& c = r.ceilings[b];
    o << r.backends[b] << ": ";
    if (c.measured)
      o << c.device << ": " << format_printf("%.1f GB/s", c.bandwidth / 1e9) << " (" << c.bandwidth_method << "), "
        << format_printf("%.0f GFLOP/s", c.flops / 1e9) << " (" << c.flops_method << ")\n";
    else
      o << "not measured: " << c.note << "\n";
  }
  o << "floor = max(bytes / bandwidth, flops / FLOP rate) of the phase's minimal work; "
       "MPP/s = megapixel-planes per second (W H F per run; x epochs for a solve)\n";

  for (const WorkloadResult& w : r.workloads) {
    const Workload& wl = w.workload;
    o << "\n"
      << wl.name << "  " << wl.config << ": F=" << wl.frames << " C=" << wl.channels << " K=" << w.K
      << " L=" << w.levels << " N=" << w.candidates << " window=" << (w.window > 1 ? std::to_string(w.window) : "none")
      << " golden=" << w.golden_iterations << " it; solve " << wl.epochs << " epochs"
      << (wl.epochs_note.empty() ? "" : " (" + wl.epochs_note + ")") << "\n";
    o << "  stack: " << w.stack_model
      << (w.scene_seconds > 0 ? format_printf(", built in %.1f s", w.scene_seconds) : "") << "\n";
    bool any_phase = false;
    for (const BackendRun& b : w.runs) any_phase = any_phase || !b.phases.empty();
    if (any_phase) o << row("phase", "", "median", "min", "max", "floor", "x floor", "MPP/s", "GPU/CPU");
    for (const std::string& ph : bench_phases()) {
      for (const BackendRun& b : w.runs) {
        const PhaseResult* p = b.phase(ph);
        if (!p) continue;
        const std::string gpu = b.backend == "cuda" ? ratio(gpu_cpu_ratio(w, ph)) : "";
        o << row(ph, b.backend, seconds(p->seconds.median), seconds(p->seconds.min), seconds(p->seconds.max),
                 seconds(p->floor_s), p->floor_s > 0 ? format_printf("%.1f", p->seconds.median / p->floor_s) : "-",
                 format_printf("%.2f", p->mpps), gpu);
      }
    }
    for (const BackendRun& b : w.runs) {
      if (b.solved) {
        const std::string gpu = b.backend == "cuda" ? ratio(gpu_cpu_ratio(w, "solve")) : "";
        o << row("solve", b.backend, seconds(b.solve_seconds.median), seconds(b.solve_seconds.min),
                 seconds(b.solve_seconds.max), "", "", format_printf("%.2f", b.solve_mpps), gpu);
        o << "  " << b.backend << " solve: " << b.solve_epochs << " epochs, "
          << seconds(b.solve_seconds.median / b.solve_epochs) << " per epoch, " << b.solve_seconds.count
          << " run(s); AbsRel " << format_printf("%.4f", b.absrel) << ", delta1 " << format_printf("%.3f", b.delta1)
          << ", AIF PSNR " << format_printf("%.1f dB", b.psnr) << "\n";
      }
      if (b.status == "measured")
        o << "  " << b.backend << " memory: peak host " << bytes(static_cast<double>(b.peak_host)) << ", backend "
          << bytes(static_cast<double>(b.peak_backend)) << " (estimate "
          << bytes(static_cast<double>(b.memory_estimate)) << ")\n";
      if (!b.reason.empty() || b.status != "measured")
        o << "  " << b.backend << ": " << (b.status == "skipped" ? "skipped: " : "") << b.reason << "\n";
    }
  }
  o << format_printf("\nbench wall time %.1f s\n", r.wall_seconds);
  return o.str();
}

}  // namespace dfd
