// Image helpers of the robustness scenes: loading an optional 8-bit data file with a message
// that says where it comes from, the centred crop of an aspect ratio, area resizing.
#pragma once

#include <opencv2/core.hpp>
#include <string>

#include "dfd/image.h"

namespace dfd::scene_images {

// True when `path` is a regular file.
bool exists(const std::string& path);
// Error(Input): "<path>: not found; <what> needs it (Debian package <package>: install it with
// scripts/install-deps.sh --bench-data)".
[[noreturn]] void throw_missing(const std::string& path, const std::string& what, const std::string& package);
// An 8-bit image file as planar floats in [0, 255]; grey files keep 1 channel. Error(Input)
// naming the file when it cannot be read or is not 8-bit.
Image read_8bit(const std::string& path);
// Grey (1 channel) replicated to RGB, each channel multiplied by tint[c]; RGB unchanged.
Image to_rgb(const Image& im, const double tint[3]);
// The largest rectangle of aspect width : height centred in a src_w x src_h image.
cv::Rect centred_crop(int src_w, int src_h, int width, int height);
// The region of every channel resized to width x height with cv::INTER_AREA.
Image resize_area(const Image& im, const cv::Rect& region, int width, int height);

}  // namespace dfd::scene_images
