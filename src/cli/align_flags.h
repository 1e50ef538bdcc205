// The registration flags of `dfd solve` (and of `dfd batch` items): --align[=MOTION], --align-reference, --align-crop.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "dfd/align.h"

namespace dfd::cli {

struct AlignFlags {
  std::string motion;  // "translation" | "similarity" | "homography"; bare --align = similarity
  int reference = -1;  // --align-reference (0-based); -1 = the middle frame
  bool crop = false;   // --align-crop
  CLI::Option *align_opt = nullptr, *reference_opt = nullptr;

  void add(CLI::App& app);
  // The registration settings when --align was given, else nothing.
  std::optional<AlignOptions> options() const;
};

}  // namespace dfd::cli
