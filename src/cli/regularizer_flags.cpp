// --regularizer and the prior weights (see Options' regularisation fields for their meaning).
#include "cli/regularizer_flags.h"

#include "util/number_text.h"

namespace dfd::cli {

void RegularizerFlags::add(CLI::App& app) {
  const Options d;
  regularizer_opt =
      app.add_option("--regularizer", regularizer,
                     "Objective: auto (regularised for 8/16-bit or noisy frames, pure least squares for clean "
                     "floats), none (the paper's pure objective), tv (edge-aware depth prior and AIF prior, "
                     "scaled by the noise level)")
          ->check(CLI::IsMember({"auto", "none", "tv"}));
  noise_opt = app.add_option("--noise-sigma", noise_sigma,
                             "Noise standard deviation of the frames in intensity units (default: estimated "
                             "from the stack; see report.json \"noise\")")
                  ->check(CLI::PositiveNumber);
  depth_opt = app.add_option("--depth-smoothness", depth_smoothness,
                             "Depth prior strength beta: nats per candidate step of depth gradient (0 = off; "
                             "default " +
                                 format_number_short(d.depth_smoothness) + ")")
                  ->check(CLI::NonNegativeNumber);
  depth_huber_opt = app.add_option("--depth-huber", depth_huber,
                                   "Depth prior: quadratic below this gradient (candidate steps per pixel), total "
                                   "variation above (default " +
                                       format_number_short(d.depth_huber) + ")")
                        ->check(CLI::PositiveNumber);
  edge_scale_opt = app.add_option("--edge-scale", edge_scale,
                                  "Depth prior edge weight exp(-|AIF gradient| / (S R)): smaller S keeps more depth "
                                  "edges at image edges (default " +
                                      format_number_short(d.edge_scale) + ")")
                       ->check(CLI::PositiveNumber);
  edge_floor_opt = app.add_option("--edge-floor", edge_floor,
                                  "Smallest edge weight (default " + format_number_short(d.edge_floor) + ")")
                       ->check(CLI::Range(0.0, 1.0));
  iterations_opt = app.add_option("--prior-iterations", prior_iterations,
                                  "Annealing steps of the coupled depth search per depth step (default " +
                                      std::to_string(d.prior_iterations) + ")")
                       ->check(CLI::PositiveNumber);
  aif_opt = app.add_option("--aif-smoothness", aif_smoothness,
                           "AIF prior strength (Huber total variation; 0 = off; default " +
                               format_number_short(d.aif_smoothness) + ")")
                ->check(CLI::NonNegativeNumber);
  aif_huber_opt = app.add_option("--aif-huber", aif_huber,
                                 "AIF prior: quadratic below this gradient, in noise sigmas (default " +
                                     format_number_short(d.aif_huber) + ")")
                      ->check(CLI::PositiveNumber);
  scaling_opt = app.add_option("--prior-scaling", prior_scaling,
                               "What the prior weights scale with: residual (the larger of the noise variance and "
                               "the data loss the model is fitted to, step by step; default) or noise (the noise "
                               "variance only)")
                    ->check(CLI::IsMember({"residual", "noise"}));
}

void RegularizerFlags::apply(Options& opt) const {
  if (regularizer_opt && *regularizer_opt) opt.regularizer = regularizer_from_string(regularizer);
  if (noise_opt && *noise_opt) opt.noise_sigma = noise_sigma;
  if (depth_opt && *depth_opt) opt.depth_smoothness = depth_smoothness;
  if (depth_huber_opt && *depth_huber_opt) opt.depth_huber = depth_huber;
  if (edge_scale_opt && *edge_scale_opt) opt.edge_scale = edge_scale;
  if (edge_floor_opt && *edge_floor_opt) opt.edge_floor = edge_floor;
  if (iterations_opt && *iterations_opt) opt.prior_iterations = prior_iterations;
  if (aif_opt && *aif_opt) opt.aif_smoothness = aif_smoothness;
  if (aif_huber_opt && *aif_huber_opt) opt.aif_huber = aif_huber;
  if (scaling_opt && *scaling_opt) opt.prior_residual_scaling = prior_scaling == "residual";
}

std::string flags_for_fields(std::string message) {
  static const char* const kFields[] = {"noise_sigma", "depth_smoothness", "depth_huber",    "edge_scale",
                                        "edge_floor",  "prior_iterations", "aif_smoothness", "aif_huber"};
  for (const char* f : kFields) {
    const std::string field = f;
    std::string flag = "--" + field;
    for (char& c : flag)
      if (c == '_') c = '-';
    for (size_t at = message.find(field); at != std::string::npos; at = message.find(field, at + flag.size()))
      message.replace(at, field.size(), flag);
  }
  return message;
}

}  // namespace dfd::cli
