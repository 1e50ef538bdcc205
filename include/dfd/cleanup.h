// Outlier clean-up of a solved depth map (off by default): pixels where depth from defocus is
// unreliable are flagged by data-relative rules and replaced by the mean of their unflagged
// neighbours.
#pragma once

#include <cstddef>
#include <string>

namespace dfd {

struct Image;

// The rules (any combination). Detection looks at a patch of radius `patch_radius` around each
// pixel; a flagged pixel takes the mean depth of the unflagged pixels within radius K/2 (K the
// model window), and keeps its depth when there are none.
//   tv:         total variation of the DEPTH map, TV(p) = mean over the patch of
//               |Z(x+1,y) - Z(x,y)| + |Z(x,y+1) - Z(x,y)|; flagged where TV(p) > tv_factor x the
//               median TV of the map (and above 1e-6 of the map's depth span): depth edges and
//               noisy areas.
//   constant:   standard deviation of the AIF (mean of its channels) over the patch below
//               constant_fraction x R: texture-less patches carry no defocus signal.
//   confidence: Result::confidence below min_confidence (0 = off).
struct CleanupOptions {
  bool tv = false;                  // rule 'tv'
  bool constant = false;            // rule 'constant'
  double tv_factor = 3.0;           // TV threshold, a multiple of the median TV
  double constant_fraction = 0.01;  // local std-dev threshold, a fraction of the range R
  double min_confidence = 0.0;      // confidence rule threshold in [0, 1); 0 = off
  int patch_radius = 0;             // detection patch radius; 0 = max(1, K / 4)

  bool any() const { return tv || constant || min_confidence > 0; }
  // Throws Error(Usage) naming the bad value.
  void validate() const;
  // "tv,constant,confidence" style list of the enabled rules ("none" when off).
  std::string rules() const;
};

// Parses --cleanup's value: "none", "all" (tv and constant) or a comma list of "tv",
// "constant"; sets tv and constant. Throws Error(Usage) on anything else.
void parse_cleanup_rules(const std::string& value, CleanupOptions& o);

// What a clean-up did.
struct CleanupStats {
  bool ran = false;
  size_t pixels = 0;
  size_t flagged_tv = 0, flagged_constant = 0, flagged_confidence = 0;
  size_t flagged = 0;   // pixels flagged by at least one rule
  size_t replaced = 0;  // flagged pixels that had unflagged neighbours (the rest kept their depth)
  double tv_threshold = 0.0, constant_threshold = 0.0;
  int patch_radius = 0, radius = 0;
};

// Cleans `depth` (1 channel) in place using the AIF (same size, any channels, range R) and,
// for the confidence rule, `confidence` (same size; required when min_confidence > 0).
// O(pixels): box sums over integral images. Throws Error(Input) on mismatched sizes.
CleanupStats cleanup_depth(Image& depth, const Image& aif, const Image* confidence, double range, int K,
                           const CleanupOptions& o);

}  // namespace dfd
