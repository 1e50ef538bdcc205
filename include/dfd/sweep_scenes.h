// Dense focus sweeps with known depth (issue 14): a textured surface (slanted plane, dome,
// steps) in frame-index units, rendered frame by frame as a focus sweep of F frames whose blur
// grows linearly with |s - i| (Gaussian, the uncalibrated model's own, or a disc, the pillbox of
// geometric optics), 8-bit or JPEG-compressed. For the focus-measure baseline and the
// uncalibrated solver (tests, the sweep benchmark).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dfd/image.h"

namespace dfd {

struct SweepSpec {
  int width = 400, height = 400, frames = 41;
  std::string surface = "slant";  // "slant", "dome", "steps"
  std::string blur = "gaussian";  // "gaussian": sigma = max(0.5, a |s - i|); "disc": radius sqrt(2) a |s - i|
  double a = 0.25;                // blur growth, pixels (Gaussian sigma) per frame step
  bool jpeg = false;              // else 8-bit rounding only
  int jpeg_quality = 90;
  bool colour = false;  // RGB texture (synthetic), else grey (the gravel photo)
  uint64_t seed = 5;
  std::string photo_dir = "/usr/lib/python3/dist-packages/skimage/data";
};

struct SweepScene {
  SweepSpec spec;
  Image aif;                       // [0, 255], the crop that the frames show
  Image depth;                     // true relative depth, frame-index units inside [0, F - 1]
  FocalStack stack;                // focus distances 0 .. F-1, range 255, sample_step 1
  std::vector<std::string> notes;  // the texture used, fallbacks
};

// The surfaces in report order.
const std::vector<std::string>& sweep_surfaces();
// Error(Usage) for an unknown surface or blur, or a size under 16x16 or fewer than 3 frames.
// Rendering: the texture on a canvas larger than the frame by the widest kernel (a real scene
// continues past the frame edge: no zero padding), blurred once per blur level (levels 0.05 px
// apart, cv::sepFilter2D / cv::filter2D), each pixel of frame i interpolated linearly between
// the two levels that bracket its blur (gather: its own depth's blur), cropped, rounded (JPEG).
SweepScene make_sweep_scene(const SweepSpec& spec);

// RMSE of the best affine map of `pred` onto `truth` (least squares alpha pred + beta), divided
// by truth's range (max - min), over all pixels.
double affine_rmse(const Image& pred, const Image& truth);
// Spearman's rank correlation of the two maps' pixels (ties take their mean rank).
double spearman(const Image& pred, const Image& truth);

}  // namespace dfd
