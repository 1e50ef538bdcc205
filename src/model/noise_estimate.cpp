// Noise level of a focal stack from its own pixels (robust MAD of a high-pass) and its quantisation.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include "dfd/noise.h"
#include "util/number_text.h"

namespace dfd {

namespace {

// Immerkaer's mask [1 -2 1; -2 4 -2; 1 -2 1] (the difference of two Laplacians): it cancels
// constant, linear and quadratic image content, and has gain sqrt(36) = 6 on white noise.
constexpr double kMaskNorm = 6.0;
// The median absolute value of a zero-mean Gaussian is 0.6745 sigma.
constexpr double kMadToSigma = 1.482602218505602;

double plane_sigma(const float* p, int W, int H, std::vector<float>& scratch) {
  if (W < 3 || H < 3) return 0.0;
  scratch.clear();
  for (int y = 1; y + 1 < H; ++y) {
    const float* r0 = p + static_cast<size_t>(y - 1) * W;
    const float* r1 = r0 + W;
    const float* r2 = r1 + W;
    for (int x = 1; x + 1 < W; ++x) {
      const float h = (r0[x - 1] - 2 * r0[x] + r0[x + 1]) - 2 * (r1[x - 1] - 2 * r1[x] + r1[x + 1]) +
                      (r2[x - 1] - 2 * r2[x] + r2[x + 1]);
      scratch.push_back(std::fabs(h));
    }
  }
  auto mid = scratch.begin() + scratch.size() / 2;
  std::nth_element(scratch.begin(), mid, scratch.end());
  return kMadToSigma * static_cast<double>(*mid) / kMaskNorm;
}

// |high-pass| of the channel mean at interior pixels of the block [x0, x1) x [y0, y1).
void block_highpass(const Image& im, int x0, int y0, int x1, int y1, std::vector<float>& out) {
  auto grey = [&](int x, int y) {
    float s = 0.f;
    for (int c = 0; c < im.channels; ++c) s += im.at(x, y, c);
    return s / im.channels;
  };
  for (int y = std::max(y0, 1); y < std::min(y1, im.height - 1); ++y)
    for (int x = std::max(x0, 1); x < std::min(x1, im.width - 1); ++x) {
      const float h = (grey(x - 1, y - 1) - 2 * grey(x, y - 1) + grey(x + 1, y - 1)) -
                      2 * (grey(x - 1, y) - 2 * grey(x, y) + grey(x + 1, y)) +
                      (grey(x - 1, y + 1) - 2 * grey(x, y + 1) + grey(x + 1, y + 1));
      out.push_back(std::fabs(h));
    }
}

// Mean gradient energy of the channel mean (central differences) over a block's interior pixels.
double block_energy(const Image& im, int x0, int y0, int x1, int y1) {
  auto grey = [&](int x, int y) {
    double s = 0;
    for (int c = 0; c < im.channels; ++c) s += im.at(x, y, c);
    return s / im.channels;
  };
  double sum = 0;
  long n = 0;
  for (int y = std::max(y0, 1); y < std::min(y1, im.height - 1); ++y)
    for (int x = std::max(x0, 1); x < std::min(x1, im.width - 1); ++x) {
      const double gx = 0.5 * (grey(x + 1, y) - grey(x - 1, y)), gy = 0.5 * (grey(x, y + 1) - grey(x, y - 1));
      sum += gx * gx + gy * gy;
      ++n;
    }
  return n ? sum / n : 0.0;
}

double median_sigma(std::vector<float>& v) {
  if (v.empty()) return 0.0;
  auto mid = v.begin() + v.size() / 2;
  std::nth_element(v.begin(), mid, v.end());
  return kMadToSigma * static_cast<double>(*mid) / kMaskNorm;
}

}  // namespace

AifQuality aif_quality(const Image& aif, const FocalStack& stack, int block, double fraction) {
  AifQuality q;
  q.block = block;
  q.fraction = fraction;
  const int W = aif.width, H = aif.height;
  struct Block {
    int x0, y0;
    double detail;
  };
  std::vector<Block> blocks;
  for (int y0 = 0; y0 + block <= H; y0 += block)
    for (int x0 = 0; x0 + block <= W; x0 += block) {
      double d = 0;
      for (const Image& f : stack.frames) d = std::max(d, block_energy(f, x0, y0, x0 + block, y0 + block));
      blocks.push_back({x0, y0, d});
    }
  if (blocks.empty()) return q;
  std::sort(blocks.begin(), blocks.end(), [](const Block& a, const Block& b) { return a.detail < b.detail; });
  const size_t n = std::max<size_t>(1, static_cast<size_t>(fraction * blocks.size()));
  auto flat_noise = [&](const Image& im) {
    std::vector<float> hp;
    for (size_t k = 0; k < n; ++k)
      block_highpass(im, blocks[k].x0, blocks[k].y0, blocks[k].x0 + block, blocks[k].y0 + block, hp);
    return median_sigma(hp);
  };
  auto detail = [&](const Image& im) {
    double s = 0;
    for (size_t k = blocks.size() - n; k < blocks.size(); ++k)
      s += block_energy(im, blocks[k].x0, blocks[k].y0, blocks[k].x0 + block, blocks[k].y0 + block);
    return s / n;
  };
  q.flat_noise_aif = flat_noise(aif);
  q.detail_sharpness_aif = detail(aif);
  for (const Image& f : stack.frames) {
    q.flat_noise_frames.push_back(flat_noise(f));
    q.detail_sharpness_frames.push_back(detail(f));
  }
  return q;
}

NoiseEstimate estimate_noise(const FocalStack& stack) {
  const auto t0 = std::chrono::steady_clock::now();
  NoiseEstimate n;
  std::vector<double> sigmas;
  std::vector<float> scratch;
  bool integral = !stack.frames.empty();
  for (const Image& f : stack.frames) {
    for (int c = 0; c < f.channels; ++c) sigmas.push_back(plane_sigma(f.plane(c), f.width, f.height, scratch));
    if (integral) integral = std::all_of(f.data.begin(), f.data.end(), [](float v) { return v == std::nearbyint(v); });
  }
  if (!sigmas.empty()) {
    auto mid = sigmas.begin() + sigmas.size() / 2;
    std::nth_element(sigmas.begin(), mid, sigmas.end());
    n.measured = *mid;
  }
  n.step = integral ? 1.0 : 0.0;
  n.source_step = stack.sample_step;
  n.quantisation = n.step / std::sqrt(12.0);
  n.sigma = std::max(n.measured, n.quantisation);
  n.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return n;
}

std::string describe(const NoiseEstimate& n) {
  std::string s = "noise " + format_number_short(n.sigma) + " (measured " + format_number_short(n.measured);
  if (n.step > 0)
    s += ", rounding to integers " + format_number_short(n.quantisation);
  else if (n.source_step > 0)
    s += ", resampled from integer samples";
  return s + ")";
}

}  // namespace dfd
