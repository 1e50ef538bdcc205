// The colourised depth map (turbo, near = warm, legend bar) as an image, for files and the summary sheet.
#pragma once

#include <opencv2/core.hpp>

#include "dfd/image.h"

namespace dfd {

// 8-bit BGR: the map in turbo colours (1st..99th percentile, non-finite pixels black) with a
// legend panel to its right. Throws Error(Runtime) for an empty or multi-channel depth.
cv::Mat depth_color_image(const Image& depth);

}  // namespace dfd
