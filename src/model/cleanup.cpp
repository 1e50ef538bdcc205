// Outlier clean-up of a depth map: TV, constant-patch and low-confidence rules, replacement by
// the mean of unflagged neighbours; every window sum from an integral image.
#include "dfd/cleanup.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <vector>

#include "dfd/error.h"
#include "dfd/image.h"
#include "util/number_text.h"

namespace dfd {

namespace {

// Integral image of a H x W map: I[(y + 1) (W + 1) + x + 1] = sum of v over [0..y] x [0..x].
class Integral {
 public:
  template <class F>
  Integral(int H, int W, const F& value) : H_(H), W_(W), sum_(static_cast<size_t>(H + 1) * (W + 1), 0.0) {
    for (int y = 0; y < H; ++y) {
      double row = 0.0;
      for (int x = 0; x < W; ++x) {
        row += value(static_cast<size_t>(y) * W + x);
        at(y + 1, x + 1) = at(y, x + 1) + row;
      }
    }
  }
  // Sum over the window of radius r around (x, y), clipped to the image; `count` gets its area.
  double box(int x, int y, int r, double* count) const {
    const int x0 = std::max(0, x - r), x1 = std::min(W_ - 1, x + r);
    const int y0 = std::max(0, y - r), y1 = std::min(H_ - 1, y + r);
    if (count) *count = static_cast<double>(x1 - x0 + 1) * (y1 - y0 + 1);
    return at(y1 + 1, x1 + 1) - at(y0, x1 + 1) - at(y1 + 1, x0) + at(y0, x0);
  }

 private:
  double& at(int y, int x) { return sum_[static_cast<size_t>(y) * (W_ + 1) + x]; }
  double at(int y, int x) const { return sum_[static_cast<size_t>(y) * (W_ + 1) + x]; }
  int H_, W_;
  std::vector<double> sum_;
};

}  // namespace

void CleanupOptions::validate() const {
  if (!(std::isfinite(tv_factor) && tv_factor > 0))
    throw_usage("--cleanup-tv-factor must be positive (got " + format_number_short(tv_factor) + ")");
  if (!(std::isfinite(constant_fraction) && constant_fraction >= 0 && constant_fraction < 1))
    throw_usage("--cleanup-constant-std must lie in [0, 1) (got " + format_number_short(constant_fraction) + ")");
  if (!(std::isfinite(min_confidence) && min_confidence >= 0 && min_confidence < 1))
    throw_usage("--min-confidence must lie in [0, 1) (got " + format_number_short(min_confidence) + ")");
  if (patch_radius < 0) throw_usage("--cleanup-patch must be >= 0 (got " + std::to_string(patch_radius) + ")");
}

std::string CleanupOptions::rules() const {
  std::string r;
  auto add = [&](const char* s) { r += (r.empty() ? "" : ",") + std::string(s); };
  if (tv) add("tv");
  if (constant) add("constant");
  if (min_confidence > 0) add("confidence");
  return r.empty() ? "none" : r;
}

void parse_cleanup_rules(const std::string& value, CleanupOptions& o) {
  o.tv = o.constant = false;
  if (value == "none") return;
  if (value == "all") {
    o.tv = o.constant = true;
    return;
  }
  std::stringstream in(value);
  std::string item;
  bool any = false;
  while (std::getline(in, item, ',')) {
    if (item == "tv")
      o.tv = true;
    else if (item == "constant")
      o.constant = true;
    else
      throw_usage("--cleanup: unknown rule '" + item + "' in '" + value +
                  "' (expected all, none, or a comma list of tv, constant)");
    any = true;
  }
  if (!any) throw_usage("--cleanup: empty rule list (expected all, none, or a comma list of tv, constant)");
}

CleanupStats cleanup_depth(Image& depth, const Image& aif, const Image* confidence, double range, int K,
                           const CleanupOptions& o) {
  CleanupStats st;
  const int H = depth.height, W = depth.width;
  const size_t HW = depth.pixels();
  st.pixels = HW;
  st.patch_radius = o.patch_radius > 0 ? o.patch_radius : std::max(1, K / 4);
  st.radius = std::max(1, K / 2);
  if (!o.any() || HW == 0) return st;
  if (depth.channels != 1) throw_input("cleanup: the depth map must have 1 channel");
  if (o.constant && (aif.width != W || aif.height != H || aif.channels < 1))
    throw_input("cleanup: the AIF image (" + std::to_string(aif.width) + "x" + std::to_string(aif.height) +
                ") does not match the depth map (" + std::to_string(W) + "x" + std::to_string(H) + ")");
  if (o.min_confidence > 0 && (!confidence || confidence->width != W || confidence->height != H))
    throw_input("cleanup: --min-confidence needs the confidence map (not computed, or of another size)");
  st.ran = true;
  const int rd = st.patch_radius;
  const float* Z = depth.data.data();
  std::vector<uint8_t> flag(HW, 0);

  if (o.tv) {
    std::vector<float> g(HW);
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) {
        const size_t p = static_cast<size_t>(y) * W + x;
        float v = 0.f;
        if (x + 1 < W) v += std::fabs(Z[p + 1] - Z[p]);
        if (y + 1 < H) v += std::fabs(Z[p + W] - Z[p]);
        g[p] = v;
      }
    const Integral I(H, W, [&](size_t p) { return static_cast<double>(g[p]); });
    std::vector<float> tv(HW);
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) {
        double n;
        const double s = I.box(x, y, rd, &n);
        tv[static_cast<size_t>(y) * W + x] = static_cast<float>(s / n);
      }
    std::vector<float> sorted(tv);
    std::nth_element(sorted.begin(), sorted.begin() + HW / 2, sorted.end());
    const double median = sorted[HW / 2];
    const auto [lo, hi] = std::minmax_element(depth.data.begin(), depth.data.end());
    st.tv_threshold = std::max(o.tv_factor * median, 1e-6 * (static_cast<double>(*hi) - *lo));
    for (size_t p = 0; p < HW; ++p)
      if (tv[p] > st.tv_threshold) {
        flag[p] |= 1;
        ++st.flagged_tv;
      }
  }

  if (o.constant) {
    // Grey = mean of the channels, centred on its image mean (keeps the variance sums exact).
    std::vector<double> grey(HW, 0.0);
    for (int c = 0; c < aif.channels; ++c) {
      const float* a = aif.plane(c);
      for (size_t p = 0; p < HW; ++p) grey[p] += a[p];
    }
    double mean = 0.0;
    for (double& v : grey) mean += (v /= aif.channels);
    mean /= static_cast<double>(HW);
    for (double& v : grey) v -= mean;
    const Integral S(H, W, [&](size_t p) { return grey[p]; });
    const Integral S2(H, W, [&](size_t p) { return grey[p] * grey[p]; });
    st.constant_threshold = o.constant_fraction * range;
    const double t2 = st.constant_threshold * st.constant_threshold;
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) {
        double n;
        const double m = S.box(x, y, rd, &n) / n;
        const double var = S2.box(x, y, rd, nullptr) / n - m * m;
        if (var < t2) {
          flag[static_cast<size_t>(y) * W + x] |= 2;
          ++st.flagged_constant;
        }
      }
  }

  if (o.min_confidence > 0) {
    const float* c = confidence->data.data();
    for (size_t p = 0; p < HW; ++p)
      if (c[p] < o.min_confidence) {
        flag[p] |= 4;
        ++st.flagged_confidence;
      }
  }

  // Replacement: mean of the unflagged depths within radius K/2 (from the map before clean-up).
  const Integral V(H, W, [&](size_t p) { return flag[p] ? 0.0 : 1.0; });
  const Integral VZ(H, W, [&](size_t p) { return flag[p] ? 0.0 : static_cast<double>(Z[p]); });
  std::vector<float> out(depth.data);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      const size_t p = static_cast<size_t>(y) * W + x;
      if (!flag[p]) continue;
      ++st.flagged;
      const double n = V.box(x, y, st.radius, nullptr);
      if (n < 0.5) continue;  // no unflagged neighbour: keep the depth
      out[p] = static_cast<float>(VZ.box(x, y, st.radius, nullptr) / n);
      ++st.replaced;
    }
  depth.data.swap(out);
  return st;
}

}  // namespace dfd
