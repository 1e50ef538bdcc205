// Anti-aliased bilinear resizing (triangle filter stretched when shrinking) and depth clipping.
#include <algorithm>
#include <cmath>

#include "dfd/datasets.h"
#include "dfd/error.h"

namespace dfd {

namespace {

// The taps of one output sample along an axis: first input index and normalised weights.
struct Taps {
  int first = 0;
  std::vector<double> w;
};

std::vector<Taps> axis_taps(int n_in, int n_out) {
  const double scale = static_cast<double>(n_in) / n_out;
  const double support = std::max(1.0, scale);  // triangle half-width, input pixels
  std::vector<Taps> taps(n_out);
  for (int j = 0; j < n_out; ++j) {
    const double centre = (j + 0.5) * scale;  // input coordinate; pixel i is centred at i + 0.5
    const int lo = std::max(0, static_cast<int>(std::floor(centre - support)));
    const int hi = std::min(n_in - 1, static_cast<int>(std::ceil(centre + support)));
    Taps& t = taps[j];
    t.first = lo;
    double sum = 0;
    for (int i = lo; i <= hi; ++i) {
      const double w = std::max(0.0, 1.0 - std::fabs(i + 0.5 - centre) / support);
      t.w.push_back(w);
      sum += w;
    }
    for (double& w : t.w) w /= sum;  // sum > 0: the nearest input pixel lies within 0.5 * scale
  }
  return taps;
}

}  // namespace

Image resize_bilinear_aa(const Image& in, int width, int height) {
  if (in.empty() || width < 1 || height < 1)
    throw_runtime("resize of a " + std::to_string(in.width) + "x" + std::to_string(in.height) + " image to " +
                  std::to_string(width) + "x" + std::to_string(height));
  const std::vector<Taps> tx = axis_taps(in.width, width), ty = axis_taps(in.height, height);
  Image out(width, height, in.channels);
  std::vector<double> rows(static_cast<size_t>(width) * in.height);
  for (int c = 0; c < in.channels; ++c) {
    const float* src = in.plane(c);
    for (int y = 0; y < in.height; ++y)  // horizontal pass: in.height x width
      for (int x = 0; x < width; ++x) {
        const Taps& t = tx[x];
        double s = 0;
        for (size_t k = 0; k < t.w.size(); ++k) s += t.w[k] * src[static_cast<size_t>(y) * in.width + t.first + k];
        rows[static_cast<size_t>(y) * width + x] = s;
      }
    float* dst = out.plane(c);
    for (int y = 0; y < height; ++y) {  // vertical pass
      const Taps& t = ty[y];
      for (int x = 0; x < width; ++x) {
        double s = 0;
        for (size_t k = 0; k < t.w.size(); ++k) s += t.w[k] * rows[(t.first + k) * static_cast<size_t>(width) + x];
        dst[static_cast<size_t>(y) * width + x] = static_cast<float>(s);
      }
    }
  }
  return out;
}

void clip_values(Image& im, double lo, double hi) {
  const float l = static_cast<float>(lo), h = static_cast<float>(hi);
  for (float& v : im.data) v = std::isnan(v) ? l : std::min(h, std::max(l, v));
}

}  // namespace dfd
