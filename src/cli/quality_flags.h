// The depth-quality flags of `dfd solve`: --no-confidence, --cleanup RULES and its thresholds,
// --min-confidence.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "dfd/options.h"

namespace dfd::cli {

struct QualityFlags {
  bool no_confidence = false;
  std::string cleanup;  // "all", "none" or a comma list of tv, constant
  double tv_factor = 0, constant_std = 0, min_confidence = 0;
  int patch = 0;
  CLI::Option *cleanup_opt = nullptr, *tv_opt = nullptr, *constant_opt = nullptr, *min_conf_opt = nullptr,
              *patch_opt = nullptr;

  void add(CLI::App& app);
  // Writes only the flags given; Error(Usage) for a bad --cleanup list.
  void apply(Options& opt) const;
};

}  // namespace dfd::cli
