// The robustness bench's terminal table: the scenes, then one line per (scene, size,
// condition, backend) with the accuracy of its whole solve.
#include <cmath>
#include <cstdio>
#include <sstream>

#include "dfd/robust_bench.h"
#include "util/number_text.h"

namespace dfd {

namespace {

// A value, or "-" where it does not exist (negative) or is infinite.
std::string opt_fmt(const char* f, double v) { return v < 0 || !std::isfinite(v) ? "-" : format_printf(f, v); }

std::string row_line(const std::string& scene, const std::string& size, const std::string& cond,
                     const std::string& backend, const std::string& absrel, const std::string& flat,
                     const std::string& textured, const std::string& rmse, const std::string& d1,
                     const std::string& aif, const std::string& input, const std::string& epochs,
                     const std::string& secs) {
  char buf[320];
  std::snprintf(buf, sizeof buf, "%-7s %-8s %-10s %-5s %8s %8s %8s %7s %7s %7s %8s %6s %8s\n", scene.c_str(),
                size.c_str(), cond.c_str(), backend.c_str(), absrel.c_str(), flat.c_str(), textured.c_str(),
                rmse.c_str(), d1.c_str(), aif.c_str(), input.c_str(), epochs.c_str(), secs.c_str());
  return buf;
}

}  // namespace

std::string robust_table(const RobustReport& r) {
  std::ostringstream o;
  o << "dfd bench --robustness " << r.dfd_version << "  " << r.date << "  commit " << r.commit << "\n";
  o << "host: " << r.host << "\n";
  o << "solver: nyuv2 preset"
    << (r.quick ? " (quick: " + std::to_string(kQuickEpochs) + " epochs unless overridden)" : "") << "; overrides: ";
  if (r.overrides.empty()) o << "none";
  for (size_t i = 0; i < r.overrides.size(); ++i) o << (i ? ", " : "") << r.overrides[i];
  o << "\n";
  for (const RobustSceneInfo& s : r.scenes) {
    o << "scene " << s.scene << " " << s.size << ": depth " << format_printf("%.2f", s.depth_min) << " .. "
      << format_printf("%.2f", s.depth_max) << " m, textureless " << format_printf("%.1f%%", 100.0 * s.flat_fraction)
      << "\n";
    for (const std::string& n : s.notes) o << "  " << n << "\n";
  }
  o << "AbsRel flat / textured: over the textureless pixels / the rest; input dB: PSNR of the degraded stack "
       "against the rendered one\n\n";
  o << row_line("scene", "size", "condition", "bknd", "AbsRel", "flat", "textured", "RMSE m", "delta1", "AIF dB",
                "input dB", "epochs", "solve s");
  for (const RobustRow& x : r.rows)
    o << row_line(x.scene, x.size, x.condition, x.backend, format_printf("%.4f", x.absrel),
                  opt_fmt("%.4f", x.absrel_flat), opt_fmt("%.4f", x.absrel_textured), format_printf("%.3f", x.rmse),
                  format_printf("%.3f", x.delta1), format_printf("%.1f", x.aif_psnr), opt_fmt("%.1f", x.input_psnr),
                  std::to_string(x.epochs), format_printf("%.1f", x.seconds));
  for (const std::string& n : r.notes) o << "note: " << n << "\n";
  o << format_printf("\nrobustness bench wall time %.1f s\n", r.wall_seconds);
  return o.str();
}

}  // namespace dfd
