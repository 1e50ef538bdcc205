// --align[=translation|similarity|homography], --align-reference N, --align-crop.
#include "cli/align_flags.h"

namespace dfd::cli {

void AlignFlags::add(CLI::App& app) {
  // A flag with an optional "=value" (not a separate word), so `--align frames/` keeps the
  // folder as an input instead of reading it as the motion.
  // Bare, CLI11 hands a flag the value "true": read it as the default motion.
  const CLI::Validator bare_is_similarity(
      [](std::string& v) {
        if (v == "true") v = "similarity";
        return std::string();
      },
      "");
  align_opt = app.add_flag("--align", motion,
                           "Register the frames onto a reference frame before solving (ECC, coarse to fine): "
                           "--align=translation|similarity|homography; bare --align = similarity (focus breathing)")
                  ->transform(bare_is_similarity)
                  ->check(CLI::IsMember({"translation", "similarity", "homography"}));
  reference_opt = app.add_option("--align-reference", reference,
                                 "Frame the others are warped onto, 0-based (default: the middle one, count/2)")
                      ->check(CLI::NonNegativeNumber)
                      ->needs(align_opt);
  app.add_flag("--align-crop", crop, "Crop the aligned frames to the region where all of them have data")
      ->needs(align_opt);
}

std::optional<AlignOptions> AlignFlags::options() const {
  if (!align_opt || !*align_opt) return std::nullopt;
  AlignOptions o;
  o.motion = parse_align_motion(motion.empty() ? "similarity" : motion);
  if (*reference_opt) o.reference = reference;
  o.crop = crop;
  return o;
}

}  // namespace dfd::cli
