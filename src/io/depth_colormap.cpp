// Colourised depth maps: turbo colormap (near = warm) with a legend bar labelled with its depth range.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "dfd/error.h"
#include "dfd/io.h"
#include "io/depth_colormap.h"
#include "util/atomic_file.h"

namespace dfd {

namespace {

std::string label(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

// The value at quantile q of the finite values (v is reordered).
double quantile(std::vector<float>& v, double q) {
  const size_t k = static_cast<size_t>(q * (v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

}  // namespace

cv::Mat depth_color_image(const Image& depth) {
  if (depth.channels != 1 || depth.empty())
    throw_runtime("a colourised depth map needs a non-empty 1-channel depth image");
  // The colour scale spans the 1st..99th percentile, so a few outliers at the ends of the
  // search range do not flatten the rest; values beyond take the end colours, and the legend
  // says so with "<" / ">".
  std::vector<float> finite;
  finite.reserve(depth.data.size());
  for (float z : depth.data)
    if (std::isfinite(z)) finite.push_back(z);
  double zmin = 0, zmax = 0;
  bool below = false, above = false;
  if (!finite.empty()) {
    const auto [lo, hi] = std::minmax_element(finite.begin(), finite.end());
    const double true_min = *lo, true_max = *hi;
    zmin = quantile(finite, 0.01);
    zmax = quantile(finite, 0.99);
    below = true_min < zmin;
    above = true_max > zmax;
  }
  const double span = zmax > zmin ? zmax - zmin : 1.0;

  // Index 255 = nearest (turbo's red end), 0 = farthest (blue); non-finite pixels stay black.
  const int W = depth.width, H = depth.height;
  cv::Mat idx(H, W, CV_8U), valid(H, W, CV_8U);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      const float z = depth.at(x, y);
      const bool ok = std::isfinite(z);
      valid.at<uchar>(y, x) = ok ? 255 : 0;
      idx.at<uchar>(y, x) = ok ? cv::saturate_cast<uchar>(255.0 * (zmax - z) / span) : 0;
    }
  cv::Mat coloured;
  cv::applyColorMap(idx, coloured, cv::COLORMAP_TURBO);
  coloured.setTo(cv::Scalar::all(0), valid == 0);

  // Legend panel to the right: a gradient bar, min (near) at the top, max (far) at the bottom.
  const std::string top = (below ? "<" : "") + label(zmin), bottom = (above ? ">" : "") + label(zmax);
  const int font = cv::FONT_HERSHEY_SIMPLEX;
  const double scale = H >= 200 ? 0.45 : 0.35;
  int base = 0;
  const cv::Size t1 = cv::getTextSize(top, font, scale, 1, &base);
  const cv::Size t2 = cv::getTextSize(bottom, font, scale, 1, &base);
  const int margin = 4, bar_w = 12;
  const int panel_w = margin + bar_w + margin + std::max(t1.width, t2.width) + margin;
  const int canvas_h = std::max(H, 3 * (t1.height + base) + 2 * margin);
  cv::Mat canvas(canvas_h, W + panel_w, CV_8UC3, cv::Scalar::all(255));
  coloured.copyTo(canvas(cv::Rect(0, 0, W, H)));

  const int bar_x = W + margin, bar_y0 = margin, bar_y1 = canvas_h - margin;  // [y0, y1)
  cv::Mat bar_idx(bar_y1 - bar_y0, bar_w, CV_8U);
  for (int r = 0; r < bar_idx.rows; ++r)
    bar_idx.row(r).setTo(cv::saturate_cast<uchar>(255.0 * (bar_idx.rows - 1 - r) / std::max(1, bar_idx.rows - 1)));
  cv::Mat bar;
  cv::applyColorMap(bar_idx, bar, cv::COLORMAP_TURBO);
  bar.copyTo(canvas(cv::Rect(bar_x, bar_y0, bar_w, bar.rows)));

  const int text_x = bar_x + bar_w + margin;
  cv::putText(canvas, top, {text_x, bar_y0 + t1.height}, font, scale, cv::Scalar::all(0), 1, cv::LINE_AA);
  cv::putText(canvas, bottom, {text_x, bar_y1 - base}, font, scale, cv::Scalar::all(0), 1, cv::LINE_AA);
  return canvas;
}

void write_depth_color(const std::string& path, const Image& depth) {
  if (depth.channels != 1 || depth.empty())
    throw_runtime(path + ": a colourised depth map needs a non-empty 1-channel depth image");
  const cv::Mat canvas = depth_color_image(depth);
  std::vector<uchar> buf;
  if (!cv::imencode(".png", canvas, buf)) throw_runtime(path + ": cannot encode the colourised depth map");
  write_file_atomic(path, buf.data(), buf.size());
}

}  // namespace dfd
