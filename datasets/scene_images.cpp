// Image helpers of the robustness scenes (loading, centred crops, area resizing).
#include "scene_images.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <filesystem>

#include "dfd/error.h"
#include "dfd/io.h"

namespace dfd::scene_images {

bool exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

void throw_missing(const std::string& path, const std::string& what, const std::string& package) {
  throw_input(path + ": not found; " + what + " needs it (Debian package " + package +
              ": install it with scripts/install-deps.sh --bench-data)");
}

Image read_8bit(const std::string& path) {
  LoadedImage li = read_image(path);
  if (li.bit_depth != 8) throw_input(path + ": expected an 8-bit image (got " + std::to_string(li.bit_depth) + "-bit)");
  return std::move(li.image);
}

Image to_rgb(const Image& im, const double tint[3]) {
  if (im.channels == 3) return im;
  Image out(im.width, im.height, 3);
  for (int c = 0; c < 3; ++c)
    for (size_t p = 0; p < im.pixels(); ++p)
      out.plane(c)[p] = static_cast<float>(std::clamp(im.data[p] * tint[c], 0.0, 255.0));
  return out;
}

cv::Rect centred_crop(int src_w, int src_h, int width, int height) {
  // Keep the full width when the source is relatively taller, else the full height.
  if (static_cast<double>(src_w) * height <= static_cast<double>(src_h) * width) {
    const int h = std::max(1, static_cast<int>(std::lround(static_cast<double>(src_w) * height / width)));
    return {0, (src_h - h) / 2, src_w, h};
  }
  const int w = std::max(1, static_cast<int>(std::lround(static_cast<double>(src_h) * width / height)));
  return {(src_w - w) / 2, 0, w, src_h};
}

Image resize_area(const Image& im, const cv::Rect& region, int width, int height) {
  Image out(width, height, im.channels);
  for (int c = 0; c < im.channels; ++c) {
    const cv::Mat src(im.height, im.width, CV_32F, const_cast<float*>(im.plane(c)));
    cv::Mat dst(height, width, CV_32F, out.plane(c));
    cv::resize(src(region), dst, dst.size(), 0, 0, cv::INTER_AREA);
  }
  return out;
}

}  // namespace dfd::scene_images
