// The regularisation flags of `dfd solve` (and batch overrides): --regularizer and the weights
// of the noise-aware depth and AIF priors (Options' regularisation fields).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "dfd/options.h"

namespace dfd::cli {

struct RegularizerFlags {
  std::string regularizer, prior_scaling;
  double noise_sigma = 0, depth_smoothness = 0, depth_huber = 0, edge_scale = 0, edge_floor = 0, aif_smoothness = 0,
         aif_huber = 0;
  int prior_iterations = 0;
  CLI::Option *regularizer_opt = nullptr, *noise_opt = nullptr, *depth_opt = nullptr, *depth_huber_opt = nullptr,
              *edge_scale_opt = nullptr, *edge_floor_opt = nullptr, *iterations_opt = nullptr, *aif_opt = nullptr,
              *aif_huber_opt = nullptr, *scaling_opt = nullptr;

  void add(CLI::App& app);
  void apply(Options& opt) const;  // only the flags given
};

// The flag of an Options field named in a library message (e.g. "depth_smoothness" ->
// "--depth-smoothness"), so that CLI users read the flag they can change.
std::string flags_for_fields(std::string message);

}  // namespace dfd::cli
