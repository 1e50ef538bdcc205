// Conversions between planar RGB dfd::Image and OpenCV's interleaved BGR cv::Mat.
#pragma once

#include <opencv2/core.hpp>

#include "dfd/image.h"

namespace dfd {

// CV_32FC1 or CV_32FC3 (BGR) -> planar image (RGB).
Image image_from_mat(const cv::Mat& m);
// Planar image (1 or 3 channels) -> interleaved CV_32F (BGR), values unchanged.
cv::Mat mat_from_image(const Image& im);

}  // namespace dfd
