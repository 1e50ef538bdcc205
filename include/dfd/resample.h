// Resizing a focal stack to a working resolution before solving (`dfd solve --scale`; dfd_preprocess).
#pragma once

#include "dfd/image.h"
#include "dfd/options.h"

namespace dfd {

// Resizes every frame by `scale` (0 < scale <= 1; area averaging, cv::INTER_AREA) for a solve at a
// working resolution; the pixel pitch of `opt` grows by 1 / scale so the calibrated model's blur in
// pixels stays right (an explicit kernel size and uncalibrated blur scale are scaled too). Error(Usage) for a bad scale
// or a result smaller than 8 px.
void resize_stack(FocalStack& stack, double scale, Options& opt);

}  // namespace dfd
