// The noise level of a focal stack, estimated from the data: what the regularised steps scale with.
#pragma once

#include <string>
#include <vector>

#include "dfd/image.h"

namespace dfd {

struct NoiseEstimate {
  // Robust standard deviation of the sensor noise, intensity units: 1.4826 x the median absolute
  // response of Immerkaer's Laplacian-difference high-pass (unit gain on white noise), the median
  // over frames and channels. Edges and texture occupy a minority of a defocused frame's pixels,
  // so the median reads the noise.
  double measured = 0.0;
  // Quantisation: the step between representable values when every sample is an integer
  // (8/16-bit input; 0 for continuous floats) and the standard deviation of rounding, step / sqrt(12).
  double step = 0.0;
  double quantisation = 0.0;
  // The source files' quantisation step (FocalStack::sample_step): still 1 for 8/16-bit frames
  // that --align or --scale resampled, where `step` reads 0 (and rounding is averaged down, so
  // the measured level is the floor). The auto objective treats such a stack as quantised.
  double source_step = 0.0;
  // The level used: max(measured, quantisation). A flat region of an 8-bit image has a
  // high-pass of exactly zero, so rounding error is the floor wherever the signal varies.
  double sigma = 0.0;
  double seconds = 0.0;
};

// Estimates the noise of a stack (all frames, every channel). Pixels within 1 px of the border
// are not used. Frames smaller than 3 x 3 give measured = 0.
NoiseEstimate estimate_noise(const FocalStack& stack);

// No-reference quality of an AIF against its frames (all at one size): the image is cut into
// blocks of `block` px; a block's detail is the largest gradient energy any frame shows there.
// Flat blocks: the lowest `fraction` by detail; detailed blocks: the highest. In flat blocks the
// noise is the robust high-pass sigma (as estimate_noise) of the AIF and of each frame; in
// detailed blocks the sharpness is the mean gradient energy (dfd::gradient_energy's measure).
// A good AIF is no noisier than the noisiest frame where nothing is to be seen, and sharper
// than every frame where something is.
struct AifQuality {
  int block = 16;
  double fraction = 0.2;
  double flat_noise_aif = 0.0;
  std::vector<double> flat_noise_frames;
  double detail_sharpness_aif = 0.0;
  std::vector<double> detail_sharpness_frames;
};
AifQuality aif_quality(const Image& aif, const FocalStack& stack, int block = 16, double fraction = 0.2);

// A sentence for logs and reports, e.g. "noise 1.02 (measured 1.02, 8-bit rounding 0.289)".
std::string describe(const NoiseEstimate& n);

}  // namespace dfd
