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

}  // namespace dfd
