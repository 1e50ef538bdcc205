// Noise level of a focal stack from its own pixels (robust MAD of a high-pass) and its quantisation.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include "core/number_text.h"
#include "dfd/noise.h"

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

}  // namespace

NoiseEstimate estimate_noise(const FocalStack& stack) {
  const auto t0 = std::chrono::steady_clock::now();
  NoiseEstimate n;
  std::vector<double> sigmas;
  std::vector<float> scratch;
  bool integral = !stack.frames.empty();
  for (const Image& f : stack.frames) {
    for (int c = 0; c < f.channels; ++c) sigmas.push_back(plane_sigma(f.plane(c), f.width, f.height, scratch));
    if (integral)
      integral = std::all_of(f.data.begin(), f.data.end(), [](float v) { return v == std::nearbyint(v); });
  }
  if (!sigmas.empty()) {
    auto mid = sigmas.begin() + sigmas.size() / 2;
    std::nth_element(sigmas.begin(), mid, sigmas.end());
    n.measured = *mid;
  }
  n.step = integral ? 1.0 : 0.0;
  n.quantisation = n.step / std::sqrt(12.0);
  n.sigma = std::max(n.measured, n.quantisation);
  n.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return n;
}

std::string describe(const NoiseEstimate& n) {
  std::string s = "noise " + format_number_short(n.sigma) + " (measured " + format_number_short(n.measured);
  if (n.step > 0) s += ", rounding to integers " + format_number_short(n.quantisation);
  return s + ")";
}

}  // namespace dfd
