// Depth and AIF error metrics of SPEC 7.
#pragma once

#include "dfd/image.h"

namespace dfd {

struct DepthMetrics {
  double rmse = 0, absrel = 0, delta1 = 0, delta2 = 0, delta3 = 0;
  size_t pixels = 0;
};

// Over all pixels, no mask. Throws Error(Input) on a size mismatch or non-positive ground truth.
DepthMetrics depth_metrics(const Image& pred, const Image& gt);
// PSNR over [0, range]; both images same size.
double psnr(const Image& pred, const Image& gt, double range);

// Sharpness: the mean gradient energy of the channel mean, mean over interior pixels of
// (I(x+1,y) - I(x-1,y))^2 / 4 + (I(x,y+1) - I(x,y-1))^2 / 4, in the image's units squared. An
// all-in-focus image should score above every frame of its stack (at the same size).
double gradient_energy(const Image& im);

}  // namespace dfd
