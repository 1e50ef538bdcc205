// Where an image has no texture: the local standard deviation of its channel mean (box windows
// by integral images, clipped at the borders) below a threshold.
#include <algorithm>
#include <cmath>
#include <vector>

#include "dfd/robust_scenes.h"

namespace dfd {

Image textureless_mask(const Image& im, int radius, double max_std) {
  const int W = im.width, H = im.height;
  // Integral images of the channel mean and its square, (W + 1) x (H + 1).
  std::vector<double> s1(static_cast<size_t>(W + 1) * (H + 1), 0.0), s2(s1.size(), 0.0);
  auto at = [W](int x, int y) { return static_cast<size_t>(y) * (W + 1) + x; };
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      double v = 0;
      for (int c = 0; c < im.channels; ++c) v += im.at(x, y, c);
      v /= im.channels;
      s1[at(x + 1, y + 1)] = v + s1[at(x, y + 1)] + s1[at(x + 1, y)] - s1[at(x, y)];
      s2[at(x + 1, y + 1)] = v * v + s2[at(x, y + 1)] + s2[at(x + 1, y)] - s2[at(x, y)];
    }
  Image mask(W, H, 1);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      const int xa = std::max(0, x - radius), xb = std::min(W, x + radius + 1);
      const int ya = std::max(0, y - radius), yb = std::min(H, y + radius + 1);
      const double n = static_cast<double>(xb - xa) * (yb - ya);
      const double m1 = (s1[at(xb, yb)] - s1[at(xa, yb)] - s1[at(xb, ya)] + s1[at(xa, ya)]) / n;
      const double m2 = (s2[at(xb, yb)] - s2[at(xa, yb)] - s2[at(xb, ya)] + s2[at(xa, ya)]) / n;
      mask.at(x, y) = std::sqrt(std::max(0.0, m2 - m1 * m1)) < max_std ? 1.f : 0.f;
    }
  return mask;
}

}  // namespace dfd
