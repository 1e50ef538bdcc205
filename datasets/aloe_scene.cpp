// The aloe scene: Middlebury 2006's aloe (left view) as the AIF, its ground-truth disparity with
// the holes filled, turned into metric depth and mapped into the nyuv2 range.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "dfd/error.h"
#include "dfd/robust_scenes.h"
#include "scene_images.h"

namespace dfd {

namespace {

// Fills the runs of zeros of one line (n values `stride` apart) with the smaller of the valid
// values bounding each run. Returns the pixels filled (0 when the line has no valid value).
size_t fill_line(float* v, int n, size_t stride) {
  size_t filled = 0;
  int i = 0;
  while (i < n) {
    if (v[i * stride] > 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < n && !(v[j * stride] > 0)) ++j;  // [i, j) is a run of holes
    const float left = i > 0 ? v[(i - 1) * stride] : 0.f, right = j < n ? v[j * stride] : 0.f;
    const float fill = left > 0 && right > 0 ? std::min(left, right) : std::max(left, right);
    if (fill > 0) {
      for (int k = i; k < j; ++k) v[k * stride] = fill;
      filled += static_cast<size_t>(j - i);
    }
    i = j;
  }
  return filled;
}

std::string fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

void require_aloe_data(const std::string& data_dir) {
  for (const char* name : {"aloeL.jpg", "aloeGT.png"}) {
    const std::string f = data_dir + "/" + name;
    if (!scene_images::exists(f)) scene_images::throw_missing(f, "the aloe scene", "opencv-doc");
  }
}

size_t fill_disparity_holes(Image& d) {
  if (d.channels != 1) throw_input("fill_disparity_holes: the disparity must have 1 channel");
  size_t holes = 0;
  for (float v : d.data) holes += !(v > 0);
  if (holes == d.data.size()) throw_input("fill_disparity_holes: the disparity map has no valid (non-zero) pixel");
  for (int y = 0; y < d.height; ++y) fill_line(&d.at(0, y), d.width, 1);
  for (int x = 0; x < d.width; ++x) fill_line(&d.at(x, 0), d.height, static_cast<size_t>(d.width));
  return holes;
}

Image disparity_to_depth(const Image& d, double focal_pixels, double baseline) {
  Image z(d.width, d.height, 1);
  for (size_t p = 0; p < d.pixels(); ++p) {
    if (!(d.data[p] > 0)) throw_input("disparity_to_depth: disparity must be positive (fill the holes first)");
    z.data[p] = static_cast<float>(focal_pixels * baseline / d.data[p]);
  }
  return z;
}

Image remap_inverse_depth(const Image& depth, double near, double far) {
  if (!(near > 0) || !(far > near)) throw_input("remap_inverse_depth: need 0 < near < far");
  const auto [lo, hi] = std::minmax_element(depth.data.begin(), depth.data.end());
  if (!(*lo > 0)) throw_input("remap_inverse_depth: depth must be positive");
  const double inv_far_in = 1.0 / *hi, inv_near_in = 1.0 / *lo;
  Image out(depth.width, depth.height, 1);
  for (size_t p = 0; p < depth.pixels(); ++p) {
    const double t = inv_near_in > inv_far_in ? (1.0 / depth.data[p] - inv_far_in) / (inv_near_in - inv_far_in) : 0.0;
    out.data[p] = static_cast<float>(1.0 / (1.0 / far + t * (1.0 / near - 1.0 / far)));
  }
  return out;
}

RobustScene make_aloe_scene(int width, int height, const std::string& data_dir) {
  const std::string left = data_dir + "/aloeL.jpg", gt = data_dir + "/aloeGT.png";
  require_aloe_data(data_dir);
  const Image rgb = scene_images::read_8bit(left);
  Image disparity = scene_images::read_8bit(gt);
  if (rgb.channels != 3 || disparity.channels != 1 || rgb.width != disparity.width || rgb.height != disparity.height)
    throw_input(gt + ": expected a grey disparity map of " + left + "'s size (" + std::to_string(rgb.width) + "x" +
                std::to_string(rgb.height) + ")");
  const size_t holes = fill_disparity_holes(disparity);

  const cv::Rect crop = scene_images::centred_crop(rgb.width, rgb.height, width, height);
  RobustScene sc;
  sc.name = "aloe";
  sc.aif = scene_images::resize_area(rgb, crop, width, height);
  // Area-averaged disparity keeps full-size pixels as its unit, so f B / d stays metric.
  const Image z =
      disparity_to_depth(scene_images::resize_area(disparity, crop, width, height), kAloeFocalPixels, kAloeBaseline);
  sc.depth = remap_inverse_depth(z, kAloeNear, kAloeFar);
  const auto [zlo, zhi] = std::minmax_element(z.data.begin(), z.data.end());
  sc.notes = {left + " and " + gt + " (" + std::to_string(rgb.width) + "x" + std::to_string(rgb.height) +
                  "), centre crop " + std::to_string(crop.width) + "x" + std::to_string(crop.height) + " resized to " +
                  std::to_string(width) + "x" + std::to_string(height) + " (INTER_AREA)",
              std::to_string(holes) + " disparity holes (" + fixed(100.0 * holes / disparity.pixels(), 1) +
                  "%) filled by scanline background fill",
              "Z = f B / d with f = " + fixed(kAloeFocalPixels, 0) + " px, B = " + fixed(kAloeBaseline, 3) +
                  " m: " + fixed(*zlo, 2) + " .. " + fixed(*zhi, 2) + " m, remapped affinely in 1/Z to " +
                  fixed(kAloeNear, 1) + " .. " + fixed(kAloeFar, 1) + " m"};
  return sc;
}

}  // namespace dfd
