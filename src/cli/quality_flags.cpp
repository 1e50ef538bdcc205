// The depth-quality flags of `dfd solve`: confidence map on/off, outlier clean-up rules.
#include "cli/quality_flags.h"
#include "util/number_text.h"

#include <cstdio>

namespace dfd::cli {

void QualityFlags::add(CLI::App& app) {
  const CleanupOptions d;
  app.add_flag("--no-confidence", no_confidence,
               "Skip the confidence map (confidence.tiff/.png: how sharply each pixel's loss over the depth "
               "candidates is minimised; one more grid-search pass)");
  cleanup_opt = app.add_option("--cleanup", cleanup,
                               "Outlier clean-up of the depth: all, none, or a comma list of tv (high total "
                               "variation of the depth), constant (texture-less AIF patches); flagged pixels "
                               "take the mean depth of unflagged ones within K/2 (default: none)");
  tv_opt = app.add_option("--cleanup-tv-factor", tv_factor,
                          "tv rule: flag where the patch's mean |depth gradient| exceeds this times its median "
                          "(default " +
                              format_number_short(d.tv_factor) + ")")
               ->check(CLI::PositiveNumber);
  constant_opt = app.add_option("--cleanup-constant-std", constant_std,
                                "constant rule: flag where the AIF's local std-dev is below this fraction of the "
                                "range R (default " +
                                    format_number_short(d.constant_fraction) + ")")
                     ->check(CLI::Range(0.0, 1.0));
  patch_opt = app.add_option("--cleanup-patch", patch, "Detection patch radius in pixels (default: K/4, at least 1)")
                  ->check(CLI::PositiveNumber);
  min_conf_opt = app.add_option("--min-confidence", min_confidence,
                                "Clean-up rule: also flag pixels whose confidence is below C (0..1)")
                     ->check(CLI::Range(0.0, 1.0));
}

void QualityFlags::apply(Options& opt) const {
  if (no_confidence) opt.confidence = false;
  if (cleanup_opt && *cleanup_opt) parse_cleanup_rules(cleanup, opt.cleanup);
  if (tv_opt && *tv_opt) opt.cleanup.tv_factor = tv_factor;
  if (constant_opt && *constant_opt) opt.cleanup.constant_fraction = constant_std;
  if (patch_opt && *patch_opt) opt.cleanup.patch_radius = patch;
  if (min_conf_opt && *min_conf_opt) opt.cleanup.min_confidence = min_confidence;
}

}  // namespace dfd::cli
