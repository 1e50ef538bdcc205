// Resizing a focal stack to a working resolution (`dfd solve --scale`).
#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "dfd/error.h"
#include "dfd/resample.h"

namespace dfd {

void resize_stack(FocalStack& stack, double scale, Options& opt) {
  if (!(scale > 0 && scale <= 1)) throw_usage("--scale must lie in (0, 1] (got " + std::to_string(scale) + ")");
  if (scale == 1.0 || stack.frames.empty()) return;
  const int w = static_cast<int>(std::lround(stack.width() * scale));
  const int h = static_cast<int>(std::lround(stack.height() * scale));
  if (w < 8 || h < 8)
    throw_usage("--scale " + std::to_string(scale) + " leaves " + std::to_string(w) + "x" + std::to_string(h) +
                " pixels; at least 8x8 are needed");
  for (Image& f : stack.frames) {
    Image out(w, h, f.channels);
    for (int c = 0; c < f.channels; ++c) {
      const cv::Mat src(f.height, f.width, CV_32F, f.data.data() + static_cast<size_t>(c) * f.pixels());
      cv::Mat dst(h, w, CV_32F, out.data.data() + static_cast<size_t>(c) * out.pixels());
      cv::resize(src, dst, dst.size(), 0, 0, cv::INTER_AREA);
    }
    f = std::move(out);
  }
  // One working pixel covers 1 / scale frame pixels: the blur in pixels shrinks with it.
  opt.pixel_pitch /= scale;
  if (opt.blur_scale > 0) opt.blur_scale *= scale;  // the uncalibrated a, pixels per frame step
  if (opt.kernel_size > 0) {
    int k = static_cast<int>(std::lround(opt.kernel_size * scale));
    opt.kernel_size = std::max(1, k % 2 == 0 ? k + 1 : k);
  }
}

}  // namespace dfd
