// Conversions between planar RGB dfd::Image and OpenCV's interleaved BGR cv::Mat.
#pragma once

#include <opencv2/core.hpp>
#include <string>

#include "dfd/image.h"

namespace dfd {

// CV_32FC1 or CV_32FC3 (BGR) -> planar image (RGB).
Image image_from_mat(const cv::Mat& m);
// Planar image (1 or 3 channels) -> interleaved CV_32F (BGR), values unchanged.
cv::Mat mat_from_image(const Image& im);
// A decoded image or TIFF page (8/16-bit or float, 1-4 channels) -> planar float RGB or grey,
// alpha dropped. Error(Input) naming `where` for other channel counts, NaN/inf or negative values.
Image image_from_decoded(cv::Mat m, const std::string& where);

}  // namespace dfd
