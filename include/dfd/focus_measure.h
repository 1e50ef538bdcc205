// The focus-measure depth of focus stacking ("shape from focus"): per frame a sharpness map, the
// per-pixel argmax over the frames and a 3-point parabolic fit of the peak. The heuristic that
// focus stackers use, here as the baseline of dense focus sweeps and as the solver's initial
// depth for them (Options::depth_init).
#pragma once

#include <vector>

#include "dfd/image.h"

namespace dfd {

enum class FocusMeasure {
  SquaredLaplacian,   // (d2I/dx2 + d2I/dy2)^2, the 4-neighbour Laplacian
  ModifiedLaplacian,  // Nayar's |d2I/dx2| + |d2I/dy2|, squared
};

struct FocusMeasureOptions {
  FocusMeasure measure = FocusMeasure::SquaredLaplacian;
  // Standard deviation of the Gaussian the per-frame measure is smoothed with, pixels (taps to
  // +-3 sigma, replicated border); 0: no smoothing.
  double sigma = 4.0;
  bool parabolic = true;  // 3-point parabolic fit of the peak (else the integer argmax)
};

// Relative depth in frame-index units (frame i sharpest at s = i, frames in focus order): the
// argmax over the frames of the smoothed measure of the luminance (channel mean), refined by the
// vertex of the parabola through the peak and its two neighbours (inside +-0.5 of the peak; the
// first and last frames are not refined). 1 channel, stack size. Error(Input) for an empty stack.
Image focus_measure_depth(const FocalStack& stack, const FocusMeasureOptions& opt = {}, int threads = 0);

// The same map in the stack's focus-distance units: index s mapped piecewise linearly through
// focus_distances (identity for the uncalibrated model's indices 0 .. F-1).
Image index_to_focus_distance(const Image& index_depth, const std::vector<double>& focus_distances);

}  // namespace dfd
