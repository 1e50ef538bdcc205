// Solver-option overrides given as `dfd solve` flags without their dashes ("window-size=5",
// "depth-range=0.5,8", "no-confidence"), as `dfd batch` manifests give them: parsed by the same
// flag definitions as `dfd solve` (CameraFlags, SolverFlags), so that every solver flag, including
// ones added later, works without changes here.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dfd/options.h"

namespace dfd::cli {

class OptionOverrides {
 public:
  // Parses the items ("name=value" or "name"); Error(Usage) naming the item for a bad flag or
  // value, or for a flag in `refused` (each a flag name without dashes, with the reason).
  OptionOverrides(const std::vector<std::string>& items,
                  const std::vector<std::pair<std::string, std::string>>& refused, const std::string& where);
  // Writes the overridden options (only those) over `opt`.
  void apply(Options& opt) const;

 private:
  struct Parsed;
  std::shared_ptr<const Parsed> parsed_;
};

}  // namespace dfd::cli
