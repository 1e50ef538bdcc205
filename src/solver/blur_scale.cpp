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
// Dense sweeps' refinement (their depth is sensitive to a: measured on a 41-frame sweep, a 20%
// error raised the depth's affine RMSE from 0.38% to 0.7-1.1% of the range).
constexpr int kDenseRefineSteps = 6;
constexpr double kDenseLogTol = 0.04;
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

// The mean of a loss map over the pixels at least `margin` from its edge (all of them when
// that leaves none). A dense sweep's trial loss: the edge-padded border fits replicated pixels,
// whose loss has nothing to say about a (measured: it biased a 41-frame sweep's a by -13%).
double interior_mean(const Image& m, int margin) {
  if (2 * margin >= m.width || 2 * margin >= m.height) margin = 0;
  double s = 0;
  for (int y = margin; y < m.height - margin; ++y)
    for (int x = margin; x < m.width - margin; ++x) s += m.at(x, y);
  return s / (static_cast<double>(m.width - 2 * margin) * (m.height - 2 * margin));
}

int odd_at_least_7(int k) {
  k = std::max(k, 7);
  return k % 2 == 0 ? k + 1 : k;
}

}  // namespace

Options solve_options(const FocalStack& stack, const Options& opt) {
  Options o = opt.resolved_for(stack);
  if (o.blur_model != BlurModel::FocusIndex || o.kernel_size > 0) {
    // Auto edge padding: half the window in the dense-sweep mode (a real scene continues past
    // the frame edge; the model's zero padding would darken a K/2 wide border), else none.
    const bool sweep = o.blur_model == BlurModel::FocusIndex && o.focus_init(stack);
    if (o.edge_pad == kAutoEdgePad) o.edge_pad = sweep ? (o.kernel_size - 1) / 2 : 0;
    if (o.epochs == kAutoEpochs) o.epochs = sweep ? kDenseSweepEpochs : kUncalibratedEpochs;
    return o;
  }
  if (!(o.blur_scale > 0)) throw_runtime("internal: the uncalibrated model's blur scale is not resolved");
  // Window: +-3 sigma of the largest blur the depth range can produce (the calibrated presets'
  // size heuristic would truncate the blur of small images), at most half the shorter side.
  const double smax = max_blur_sigma(o.camera(), stack.focus_distances, o.depth_min, o.depth_max);
  const int pad = 2 * std::max(0, o.edge_pad);
  const int k_cap = odd_at_least_7(std::min(stack.height(), stack.width()) / 2 - pad);
  o.kernel_size = std::min(k_cap, odd_at_least_7(2 * static_cast<int>(std::ceil(3.0 * smax)) + 1));
  if (o.edge_pad == kAutoEdgePad) o.edge_pad = o.focus_init(stack) ? (o.kernel_size - 1) / 2 : 0;
  if (o.epochs == kAutoEpochs) o.epochs = o.focus_init(stack) ? kDenseSweepEpochs : kUncalibratedEpochs;
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
  // Edge padding scales with the trial pixels; auto stays auto, resolved by the trial's window.
  trial.edge_pad = opt.edge_pad == kAutoEdgePad ? kAutoEdgePad : opt.edge_pad / est.factor;
  // A dense sweep's trials start as its solve does, from the focus-measure depth (resolved on
  // the full stack: the subset has fewer frames than the dense-sweep rule counts).
  const bool dense = trial.focus_init(stack);
  if (dense) {
    trial.depth_init = DepthInit::Focus;
    trial.epochs = 1;  // from the focus-measure depth one epoch ranks the scales (measured: docs in README)
  }
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
    double l = r.log.empty() ? std::numeric_limits<double>::infinity() : r.log.back().loss;
    if (dense && !r.loss.empty()) l = interior_mean(r.loss, r.options.edge_pad);
    seen.emplace_back(a, l);
    est.trials.emplace_back(a * est.factor, l);
    if (progress) {
      char step[32];
      std::snprintf(step, sizeof step, "a=%.3g", a * est.factor);
      progress(StepLog{kEstimateEpoch, step, l, r.seconds, 0, false, l, std::numeric_limits<double>::quiet_NaN()},
               opt.epochs);
    }
    return l;
  };

  // Doubling grid, extended at an end while the best point is there (the minimum not yet
  // bracketed), then golden section on log a inside the best grid point's neighbours.
  std::vector<double> grid, losses;
  // A dense sweep's grid stops at the first a whose blur over the whole sweep, a (F - 1), reaches
  // a twelfth of the trial's shorter side (3 sigma past half the image: the window's cap); the
  // extensions still grow it when the best point is there. Large a are the slowest trials.
  double grid_hi = kGridHi;
  if (dense) {
    const double cap = std::min(small.width(), small.height()) / (12.0 * std::max(1, F - 1));
    grid_hi = kGridLo * 2;
    while (grid_hi < cap && grid_hi < kGridHi) grid_hi *= 2;
  }
  for (double a = kGridLo; a <= grid_hi * 1.0001; a *= 2) grid.push_back(a);
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
  if (dense && est.bracketed) {
    // Successive parabolic interpolation in log a on the bracketing triple (l, m, r), f(m) the
    // lowest; a golden step into the larger side when the vertex is unusable; until the
    // bracket is within kDenseLogTol (about +-2% in a) or kDenseRefineSteps trials.
    double l = lo, m = std::log(grid[best]), r = hi;
    double fl = losses[best - 1], fm = losses[best], fr = losses[best + 1];
    for (int it = 0; it < kDenseRefineSteps && r - l > kDenseLogTol; ++it) {
      const double p = (m - l) * (fm - fr), q = (m - r) * (fm - fl);
      const double den = p - q;
      double v = den != 0 ? m - 0.5 * ((m - l) * p - (m - r) * q) / den : m;
      const double min_gap = 0.1 * kDenseLogTol;
      if (!(v > l + min_gap && v < r - min_gap) || std::fabs(v - m) < min_gap)
        v = (r - m > m - l) ? m + (1 - invphi) * (r - m) : m - (1 - invphi) * (m - l);
      const double fv = loss_at(std::exp(v));
      if (fv <= fm) {
        if (v < m)
          r = m, fr = fm;
        else
          l = m, fl = fm;
        m = v, fm = fv;
      } else {
        if (v < m)
          l = v, fl = fv;
        else
          r = v, fr = fv;
      }
    }
    lo = hi = m;
  }
  double c = hi - invphi * (hi - lo), d = lo + invphi * (hi - lo);
  double fc = loss_at(std::exp(c)), fd = loss_at(std::exp(d));
  const int golden_steps = dense && est.bracketed ? 0 : kGoldenSteps;
  for (int it = 0; it < golden_steps; ++it) {
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
