// The noise level of a focal stack, estimated from the data: what the regularised steps scale with.
#pragma once

#include <string>

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
  // The level used: max(measured, quantisation). A flat region of an 8-bit image has a
  // high-pass of exactly zero, so rounding error is the floor wherever the signal varies.
  double sigma = 0.0;
  double seconds = 0.0;
};

// Estimates the noise of a stack (all frames, every channel). Pixels within 1 px of the border
// are not used. Frames smaller than 3 x 3 give measured = 0.
NoiseEstimate estimate_noise(const FocalStack& stack);

// A sentence for logs and reports, e.g. "noise 1.02 (measured 1.02, 8-bit rounding 0.289)".
std::string describe(const NoiseEstimate& n);

}  // namespace dfd
