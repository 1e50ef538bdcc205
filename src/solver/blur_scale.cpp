// The uncalibrated (FocusIndex) model: its blur scale a estimated from the stack, and the depth
// range and window a solve of such a stack runs with.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

#include "dfd/error.h"
#include "dfd/solver.h"

namespace dfd {

namespace {

// Longest side of the downscaled stack the trials solve.
constexpr int kTrialSide = 256;
// Trial solves: few epochs; the first epochs already separate good and bad scales.
constexpr int kTrialEpochs = 3;
// Doubling grid of a at the trial resolution (pixels per frame step), then golden-section steps.
constexpr double kGridLo = 0.125, kGridHi = 8.0;  // 7 points
constexpr int kGoldenSteps = 4;
// When the best grid point is an end of the grid, the grid grows by one doubling step in that
// direction, at most this many times, until the minimum is interior (bracketed).
constexpr int kMaxGridExtensions = 4;


// Box average over factor x factor blocks (the last partial blocks are dropped).
Image box_downscale(const Image& im, int factor) {
  if (factor <= 1) return im;
  const int w = im.width / factor, h = im.height / factor;
  Image out(w, h, im.channels);
  const double inv = 1.0 / (static_cast<double>(factor) * factor);
  for (int c = 0; c < im.channels; ++c)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        double s = 0;
        for (int v = 0; v < factor; ++v)
          for (int u = 0; u < factor; ++u) s += im.at(x * factor + u, y * factor + v, c);
        out.at(x, y, c) = static_cast<float>(s * inv);
      }
  return out;
}

int odd_at_least_7(int k) {
  k = std::max(k, 7);
  return k % 2 == 0 ? k + 1 : k;
}

}  // namespace

Options solve_options(const FocalStack& stack, const Options& opt) {
  Options o = opt.resolved_for(stack);
  if (o.blur_model != BlurModel::FocusIndex || o.kernel_size > 0) return o;
  if (!(o.blur_scale > 0)) throw_runtime("internal: the uncalibrated model's blur scale is not resolved");
  // Window: +-3 sigma of the largest blur the depth range can produce (the calibrated presets'
  // size heuristic would truncate the blur of small images), at most half the shorter side.
  const double smax = max_blur_sigma(o.camera(), stack.focus_distances, o.depth_min, o.depth_max);
  const int pad = 2 * o.edge_pad;
  const int k_cap = odd_at_least_7(std::min(stack.height(), stack.width()) / 2 - pad);
  o.kernel_size = std::min(k_cap, odd_at_least_7(2 * static_cast<int>(std::ceil(3.0 * smax)) + 1));
  return o;
}

BlurScaleEstimate estimate_blur_scale(const FocalStack& stack, const Options& opt, Backend& be,
                                      const ProgressFn& progress, int max_frames) {
  const auto t0 = std::chrono::steady_clock::now();
  BlurScaleEstimate est;
  const int side = std::max(stack.width(), stack.height());
  est.factor = std::max(1, (side + kTrialSide - 1) / kTrialSide);

  // The frames the trials solve: all of them, or max_frames evenly spaced (first and last
  // included) at their own frame indices, so that a stays in pixels per frame step.
  const int F = stack.count();
  const int n = max_frames > 0 ? std::min(F, std::max(2, max_frames)) : F;
  for (int j = 0; j < n; ++j)
    est.frames.push_back(n == F ? j : static_cast<int>(std::lround(static_cast<double>(j) * (F - 1) / (n - 1))));
  FocalStack small;
  small.range = stack.range;
  for (int i : est.frames) {
    if (i < static_cast<int>(stack.sources.size())) small.sources.push_back(stack.sources[i]);
    small.focus_distances.push_back(stack.focus_distances[i]);
    small.frames.push_back(box_downscale(stack.frames[i], est.factor));
  }

  Options trial = opt.resolved_for(stack);  // the depth range of all F frames, not the subset's
  trial.blur_model = BlurModel::FocusIndex;
  trial.epochs = kTrialEpochs;
  trial.kernel_size = 0;
  trial.edge_pad = opt.edge_pad / est.factor;
  // The floor blur in trial pixels: thresh shrinks with the image, and the box average adds the
  // blur of a factor-wide box (variance (1 - 1/factor^2) / 12 trial px^2), in quadrature.
  const double f = est.factor;
  trial.thresh = std::sqrt(opt.thresh * opt.thresh / (f * f) + (1.0 - 1.0 / (f * f)) / 12.0);
  trial.aif_solver = AifSolver::CG;
  trial.order = StepOrder::DepthFirst;
  trial.confidence = false;  // only the final loss of a trial is read: no confidence pass, no clean-up
  trial.cleanup = CleanupOptions();

  // loss(a) at the trial resolution, memoised by a.
  std::vector<std::pair<double, double>> seen;
  auto loss_at = [&](double a) {
    for (const auto& s : seen)
      if (std::fabs(s.first - a) <= 1e-9 * a) return s.second;
    trial.blur_scale = a;
    const Result r = solve(small, solve_options(small, trial), be);
    const double l = r.log.empty() ? std::numeric_limits<double>::infinity() : r.log.back().loss;
    seen.emplace_back(a, l);
    est.trials.emplace_back(a * est.factor, l);
    if (progress) {
      char step[32];
      std::snprintf(step, sizeof step, "a=%.3g", a * est.factor);
      progress(StepLog{kEstimateEpoch, step, l, r.seconds, 0, false, l, std::numeric_limits<double>::quiet_NaN()}, opt.epochs);
    }
    return l;
  };

  // Doubling grid, extended at an end while the best point is there (the minimum not yet
  // bracketed), then golden section on log a inside the best grid point's neighbours.
  std::vector<double> grid, losses;
  for (double a = kGridLo; a <= kGridHi * 1.0001; a *= 2) grid.push_back(a);
  for (double a : grid) losses.push_back(loss_at(a));
  est.grid_lo = grid.front() * est.factor;
  est.grid_hi = grid.back() * est.factor;
  est.max_grid_extensions = kMaxGridExtensions;
  auto best_of = [&] {  // the first of equal losses: an end ties with its neighbour only when flat
    return static_cast<size_t>(std::min_element(losses.begin(), losses.end()) - losses.begin());
  };
  size_t best = best_of();
  while (est.grid_extensions < kMaxGridExtensions && (best == 0 || best + 1 == grid.size())) {
    ++est.grid_extensions;
    if (best == 0) {
      grid.insert(grid.begin(), grid.front() / 2);
      losses.insert(losses.begin(), loss_at(grid.front()));
      // A tie with the old end (the blur under the floor: flat) leaves that end interior.
      if (!(losses[0] < losses[1])) losses[0] = std::max(losses[0], std::nextafter(losses[1], HUGE_VAL));
    } else {
      grid.push_back(grid.back() * 2);
      losses.push_back(loss_at(grid.back()));
    }
    best = best_of();
  }
  est.bracketed = best > 0 && best + 1 < grid.size();
  double best_loss = losses[best];
  double lo = std::log(grid[best > 0 ? best - 1 : 0]), hi = std::log(grid[std::min(best + 1, grid.size() - 1)]);
  const double invphi = (std::sqrt(5.0) - 1.0) / 2.0;
  double c = hi - invphi * (hi - lo), d = lo + invphi * (hi - lo);
  double fc = loss_at(std::exp(c)), fd = loss_at(std::exp(d));
  for (int it = 0; it < kGoldenSteps; ++it) {
    if (fc <= fd) {
      hi = d, d = c, fd = fc;
      c = hi - invphi * (hi - lo);
      fc = loss_at(std::exp(c));
    } else {
      lo = c, c = d, fc = fd;
      d = lo + invphi * (hi - lo);
      fd = loss_at(std::exp(d));
    }
  }
  // The best a seen (the grid point itself may still be best at an end of the grid).
  double a_best = grid[best];
  for (const auto& s : seen)
    if (s.second < best_loss) best_loss = s.second, a_best = s.first;
  est.scale = a_best * est.factor;
  est.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return est;
}

}  // namespace dfd
