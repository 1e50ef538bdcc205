// Floors of the bench phases: the bytes each must move and the flops each must do, from the
// problem's dimensions (formulas documented in bench/README.md), over measured ceilings.
#include <algorithm>
#include <cmath>

#include "dfd/bench.h"

namespace dfd {

namespace {

constexpr double kFloat = 4.0;  // bytes per value: every array is float32

// Flops of a real-to-complex (or back) FFT of n points: half of the 5 n log2 n of a complex one.
double real_fft_flops(double n) { return 2.5 * n * std::log2(std::max(n, 2.0)); }

// Per pixel and frame: sigma_i(Z) (|Z - Zf| / Z times a constant, max with thresh: 5 flops),
// the log of sigma that places it between levels (1), and the four Catmull-Rom weights (15).
constexpr double kWeightFlops = 21.0;
// Per pixel, frame and channel: a 4-level interpolation (4 multiplies, 3 adds).
constexpr double kInterpFlops = 7.0;
// ... and the residual and its square accumulated (subtract, multiply, add).
constexpr double kResidualFlops = 3.0;
// Per pixel and frame, SPEC 5: luminance (3 multiplies, 2 adds, only for colour) and / R (1),
// two 3x3 Sobel components (2 multiplies, 5 adds each), magnitude (2 multiplies, 1 add, 1 sqrt),
// exp (1), a separable 7-tap Gaussian with sigma 1 (2 x (7 multiplies + 6 adds)), the argmax (1).
constexpr double kInitFlopsGrey = 1 + 14 + 4 + 1 + 26 + 1;
constexpr double kLuminanceFlops = 5.0;
// Per golden-section iteration and pixel: compare the two losses and move the bracket ends.
constexpr double kGoldenStepFlops = 4.0;

}  // namespace

CostModel::CostModel(const Problem& p)
    : P_(static_cast<double>(p.pixels())),
      C_(p.channels),
      F_(p.frames),
      N_(static_cast<double>(p.candidates.size())),
      L_(p.levels.count()),
      K_(p.K),
      W_(p.width),
      H_(p.height),
      windowed_(p.window > 1) {
  // Interior bracket [Z_{j-g}, Z_{j+g}]: 2 g grid steps; each iteration keeps 1/phi of it.
  const double step = p.candidates.size() > 1 ? p.candidates[1] - p.candidates[0] : 0.0;
  const double l0 = 2.0 * p.gs_bracket * step;
  const double inv_phi = (std::sqrt(5.0) - 1.0) / 2.0;
  int it = 0;
  if (l0 > p.gs_tol && p.gs_tol > 0)
    it = static_cast<int>(std::ceil(std::log(p.gs_tol / l0) / std::log(inv_phi) - 1e-12));
  golden_iterations_ = std::min(it, p.gs_max_iters);
}

double CostModel::level_blur_flops() const {
  const double separable = L_ * (4.0 * K_ - 2.0) * P_;  // 2 passes of K multiplies + K-1 adds
  const double padded = (W_ + K_ - 1.0) * (H_ + K_ - 1.0);
  // One forward transform, then per level a complex product over the n/2 + 1 ~ n/2 bins
  // (6 flops each) and an inverse transform.
  const double fft = real_fft_flops(padded) + L_ * (3.0 * padded + real_fft_flops(padded));
  return std::min(separable, fft);
}

int CostModel::golden_iterations() const { return golden_iterations_; }

PhaseCost CostModel::setup() const {
  return {2.0 * kFloat * F_ * C_ * P_, 0.0};  // the stack read from the host and written to the backend
}

PhaseCost CostModel::init_aif() const {
  const double per = kInitFlopsGrey + (C_ == 3 ? kLuminanceFlops : 0.0);
  return {kFloat * (F_ * C_ * P_ + C_ * P_), F_ * P_ * per};
}

PhaseCost CostModel::blur_levels() const { return {kFloat * (C_ * P_ + L_ * C_ * P_), C_ * level_blur_flops()}; }

PhaseCost CostModel::grid_search() const {
  // Per pixel and candidate: F C interpolated residuals, the 1/(F C) scale, the argmin,
  // and for a windowed loss a running-sum box mean (2 passes of an add and a subtract).
  const double per = F_ * C_ * (kInterpFlops + kResidualFlops) + 2.0 + (windowed_ ? 4.0 : 0.0);
  return {kFloat * (F_ * C_ * P_ + L_ * C_ * P_ + 2.0 * P_), P_ * N_ * per};
}

PhaseCost CostModel::golden_section() const {
  // Two interior points, one new point per iteration, and the final midpoint's loss.
  const double evals = golden_iterations_ > 0 ? golden_iterations_ + 3.0 : 1.0;
  const double per_eval = F_ * (kWeightFlops + C_ * (kInterpFlops + kResidualFlops)) + 1.0;
  return {kFloat * (F_ * C_ * P_ + L_ * C_ * P_ + 4.0 * P_),
          P_ * (evals * per_eval + golden_iterations_ * kGoldenStepFlops)};
}

PhaseCost CostModel::apply_A() const {
  // Level blurs of x, then per pixel and frame the weights and per channel the interpolation.
  return {kFloat * (C_ * P_ + P_ + F_ * C_ * P_),
          C_ * level_blur_flops() + P_ * F_ * (kWeightFlops + C_ * kInterpFlops)};
}

PhaseCost CostModel::apply_At() const {
  // Each frame's y weighted onto its 4 levels (4 multiply-adds per channel), one blur per
  // level, and the L level images summed.
  return {kFloat * (F_ * C_ * P_ + P_ + C_ * P_),
          C_ * level_blur_flops() + P_ * F_ * (kWeightFlops + 8.0 * C_) + L_ * C_ * P_};
}

PhaseCost CostModel::dot(size_t n) const { return {2.0 * kFloat * n, 2.0 * n}; }
PhaseCost CostModel::axpby(size_t n) const { return {3.0 * kFloat * n, 3.0 * n}; }
PhaseCost CostModel::unary(size_t n) const { return {2.0 * kFloat * n, 1.0 * n}; }

PhaseCost CostModel::cg_iteration() const {
  const auto img = static_cast<size_t>(C_ * P_), stk = static_cast<size_t>(F_ * C_ * P_);
  // q = A p; <q, q>; x += a p; r -= a q; s = A^T r; s *= mask (reads 2, writes 1, 1 flop);
  // <s, s>; p = s + b p.
  const PhaseCost mask = {3.0 * kFloat * img, 1.0 * img};
  return apply_A() + dot(stk) + axpby(img) + axpby(stk) + apply_At() + mask + dot(img) + axpby(img);
}

PhaseCost CostModel::fista_iteration() const {
  const auto img = static_cast<size_t>(C_ * P_), stk = static_cast<size_t>(F_ * C_ * P_);
  // r = A y - b; g = A^T r; g = y - g / L; clip; y = (1 + mu) g - mu x_prev. The solver's two
  // copies are not counted: swapping pointers would remove them.
  return apply_A() + axpby(stk) + apply_At() + axpby(img) + unary(img) + axpby(img);
}

double floor_seconds(const PhaseCost& cost, const DeviceCeilings& ce) {
  if (!ce.measured || ce.bandwidth <= 0 || ce.flops <= 0) return 0.0;
  return std::max(cost.bytes / ce.bandwidth, cost.flops / ce.flops);
}

}  // namespace dfd
