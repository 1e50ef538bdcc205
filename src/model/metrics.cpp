// Depth error metrics (RMSE, AbsRel, delta thresholds) and PSNR of SPEC 7.
#include "dfd/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "dfd/error.h"

namespace dfd {

namespace {

std::string shape(const Image& im) {
  return std::to_string(im.width) + "x" + std::to_string(im.height) + "x" + std::to_string(im.channels);
}

}  // namespace

DepthMetrics depth_metrics(const Image& pred, const Image& gt) {
  if (pred.width != gt.width || pred.height != gt.height || pred.channels != 1 || gt.channels != 1 ||
      pred.size() != gt.size())
    throw_input("depth metrics: predicted depth " + shape(pred) + " and ground truth " + shape(gt) +
                " must be single-channel maps of one size");
  if (gt.empty()) throw_input("depth metrics: empty depth maps");
  DepthMetrics m;
  m.pixels = gt.size();
  double se = 0.0, rel = 0.0;
  size_t d1 = 0, d2 = 0, d3 = 0;
  const double t1 = 1.25, t2 = t1 * t1, t3 = t2 * t1;
  for (size_t p = 0; p < gt.size(); ++p) {
    const double z = pred.data[p], g = gt.data[p];
    if (!(g > 0) || !std::isfinite(g))
      throw_input("depth metrics: ground truth must be positive and finite (pixel " + std::to_string(p) + " is " +
                  std::to_string(g) + ")");
    if (!std::isfinite(z)) throw_input("depth metrics: predicted depth is not finite at pixel " + std::to_string(p));
    se += (z - g) * (z - g);
    rel += std::fabs(z - g) / g;
    // A non-positive prediction has no finite ratio: it fails every threshold.
    const double ratio = z > 0 ? std::max(z / g, g / z) : std::numeric_limits<double>::infinity();
    d1 += ratio < t1;
    d2 += ratio < t2;
    d3 += ratio < t3;
  }
  const double n = static_cast<double>(m.pixels);
  m.rmse = std::sqrt(se / n);
  m.absrel = rel / n;
  m.delta1 = d1 / n;
  m.delta2 = d2 / n;
  m.delta3 = d3 / n;
  return m;
}

double psnr(const Image& pred, const Image& gt, double range) {
  if (pred.width != gt.width || pred.height != gt.height || pred.channels != gt.channels || pred.size() != gt.size())
    throw_input("psnr: images " + shape(pred) + " and " + shape(gt) + " differ in size");
  if (gt.empty()) throw_input("psnr: empty images");
  if (!(range > 0)) throw_input("psnr: range must be positive (got " + std::to_string(range) + ")");
  double se = 0.0;
  for (size_t k = 0; k < gt.size(); ++k) {
    const double d = double(pred.data[k]) - gt.data[k];
    se += d * d;
  }
  const double mse = se / static_cast<double>(gt.size());
  if (mse == 0.0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(range * range / mse);
}

double gradient_energy(const Image& im) {
  if (im.width < 3 || im.height < 3 || im.channels < 1) return 0.0;
  const int W = im.width, H = im.height;
  auto grey = [&](int x, int y) {
    double s = 0;
    for (int c = 0; c < im.channels; ++c) s += im.at(x, y, c);
    return s / im.channels;
  };
  double sum = 0;
#pragma omp parallel for reduction(+ : sum)
  for (int y = 1; y < H - 1; ++y)
    for (int x = 1; x < W - 1; ++x) {
      const double gx = 0.5 * (grey(x + 1, y) - grey(x - 1, y)), gy = 0.5 * (grey(x, y + 1) - grey(x, y - 1));
      sum += gx * gx + gy * gy;
    }
  return sum / (static_cast<double>(W - 2) * (H - 2));
}

}  // namespace dfd
