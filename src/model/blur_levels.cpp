// The blur-level plan of SPEC 4.3: levels evenly spaced in log sigma, Catmull-Rom weights,
// and the numerical check of the implied kernel against k_sigma (the accuracy contract).
#include "dfd/blur_levels.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "dfd/camera.h"
#include "dfd/error.h"
#include "model/model_params.h"
#include "model/pixel_model.h"

namespace dfd {

namespace {

// L1 norm over the K x K window of a function of (|u|, |v|) that is symmetric in u <-> v,
// summed over the octant 0 <= v <= u <= R with multiplicities (4 on the axes and the
// diagonal, 8 elsewhere, 1 at the centre). term(u, v) must return the signed entry.
template <class Term>
double octant_l1(int R, const Term& term) {
  double s = std::fabs(term(0, 0));
  for (int u = 1; u <= R; ++u) {
    double inner = 0.0;
    for (int v = 1; v < u; ++v) inner += std::fabs(term(u, v));
    s += 8.0 * inner + 4.0 * (std::fabs(term(u, 0)) + std::fabs(term(u, u)));
  }
  return s;
}

// Half factor h(u) = g(u), u = 0..r, of the normalised truncated Gaussian.
void half_factor(double sigma, int K, std::vector<double>& full, double* half) {
  gaussian_factor(sigma, K, full.data());
  for (int u = 0; u <= K / 2; ++u) half[u] = full[K / 2 + u];
}

// Entries below this (relative to a centre value <= 1) are left out of the L1 sums: at most
// K^2 of them, so they change an L1 error by < 137^2 * 1e-13 ~ 2e-9, far below any tolerance.
constexpr double kNegligible = 1e-13;

// Evaluates the L1 distance between a plan's implied kernel and k_sigma, with the plan's
// level factors computed once.
class KernelError {
 public:
  explicit KernelError(const LevelPlan& plan)
      : plan_(plan),
        K_(plan.kernel_size()),
        r_(plan.kernel_size() / 2),
        full_(K_),
        target_(r_ + 1),
        half_(static_cast<size_t>(plan.count()) * (r_ + 1)) {
    for (int l = 0; l < plan.count(); ++l) half_factor(plan.sigmas()[l], K_, full_, &half_[l * (r_ + 1)]);
  }

  double operator()(double sigma) {
    const LevelWeights lw = plan_.weights(sigma);
    half_factor(sigma, K_, full_, target_.data());
    const double* a[4];
    double w[4];
    int terms = 0;
    for (int m = 0; m < 4; ++m)
      if (lw.weight[m] != 0.f && lw.first + m < plan_.count()) {
        a[terms] = &half_[static_cast<size_t>(lw.first + m) * (r_ + 1)];
        w[terms] = lw.weight[m];
        ++terms;
      }
    int R = r_;  // all factors decrease in |u|: stop where every one is negligible
    auto significant = [&](int u) {
      if (target_[u] > kNegligible) return true;
      for (int m = 0; m < terms; ++m)
        if (a[m][u] > kNegligible) return true;
      return false;
    };
    while (R > 0 && !significant(R)) --R;
    return octant_l1(R, [&](int u, int v) {
      double s = -target_[u] * target_[v];
      for (int m = 0; m < terms; ++m) s += w[m] * a[m][u] * a[m][v];
      return s;
    });
  }

 private:
  const LevelPlan& plan_;
  int K_, r_;
  std::vector<double> full_, target_, half_;
};

// Worst implied-kernel error over a dense sample of [sigma_lo, sigma_max]: `per_interval`
// points inside each interval between interior levels (the levels themselves are exact),
// then log-spaced points from sigma_hi up to sigma_max (where sigma is mapped to sigma_hi).
// Returns as soon as the error exceeds `stop` (the planner only needs pass / fail); the
// sweep starts at small sigma, where the interpolation error concentrates.
double worst_error(const LevelPlan& plan, double sigma_max, int per_interval, double stop) {
  KernelError err(plan);
  const double lo = plan.sigma_lo(), hi = plan.sigma_hi();
  double worst = 0.0;
  auto visit = [&](double s) {
    worst = std::max(worst, err(s));
    return worst > stop;
  };
  const int interior = plan.count() == 1 ? 1 : plan.count() - 2;
  if (interior > 1) {
    const double step = std::log(hi / lo) / (interior - 1);
    for (int k = 0; k + 1 < interior; ++k)
      for (int s = 0; s < per_interval; ++s) {
        const double sigma = lo * std::exp((k + (s + 0.5) / per_interval) * step);
        if (sigma > sigma_max) return worst;
        if (visit(sigma)) return worst;
      }
  }
  if (sigma_max > hi) {
    const int n = 4 * per_interval;
    for (int s = 1; s <= n; ++s)
      if (visit(hi * std::pow(sigma_max / hi, double(s) / n))) return worst;
  }
  return worst;
}

// L1 distance of k_sigma from the K x K box (its sigma -> infinity limit).
double box_distance(double sigma, int K) {
  const int r = K / 2;
  std::vector<double> full(K), h(r + 1);
  half_factor(sigma, K, full, h.data());
  const double box = 1.0 / (double(K) * K);
  return octant_l1(r, [&](int u, int v) { return h[u] * h[v] - box; });
}

// The smallest sigma >= lo whose kernel lies within eps (L1) of the box: beyond it k_sigma
// keeps approaching the box monotonically, so mapping larger sigmas to it errs by < eps.
double box_sigma(int K, double eps, double lo) {
  if (box_distance(lo, K) <= eps) return lo;
  double a = lo, b = 2.0 * lo;
  while (box_distance(b, K) > eps) {
    a = b;
    b *= 2.0;
    if (b > 1e15) throw_runtime("blur levels: the K=" + std::to_string(K) + " kernel never reaches the box");
  }
  for (int it = 0; it < 40 && b > a * (1 + 1e-9); ++it) {  // bisection in log sigma
    const double m = std::sqrt(a * b);
    (box_distance(m, K) > eps ? a : b) = m;
  }
  return b;
}

void check_plan_args(double lo, double hi, int K, const char* who) {
  if (!(lo > 0) || !std::isfinite(lo))
    throw_input(std::string(who) + ": lowest blur sigma must be positive and finite (got " + std::to_string(lo) + ")");
  if (!(hi >= lo) || !std::isfinite(hi))
    throw_input(std::string(who) + ": highest blur sigma " + std::to_string(hi) + " must be finite and >= the lowest " +
                std::to_string(lo));
  if (K < 1 || K % 2 == 0)
    throw_input(std::string(who) + ": window K must be odd and positive (got " + std::to_string(K) + ")");
}

}  // namespace

LevelPlan LevelPlan::with_levels(double sigma_lo, double sigma_hi, int K, int interior) {
  check_plan_args(sigma_lo, sigma_hi, K, "LevelPlan::with_levels");
  if (interior < 1 || (interior == 1 && sigma_hi > sigma_lo))
    throw_input("LevelPlan::with_levels: " + std::to_string(interior) + " interior levels cannot span [" +
                std::to_string(sigma_lo) + ", " + std::to_string(sigma_hi) + "] (need >= 2, or lo == hi)");
  LevelPlan p;
  p.K_ = K;
  p.lo_ = sigma_lo;
  p.hi_ = sigma_hi;
  p.log_lo_ = std::log(sigma_lo);
  p.interior_ = interior;
  if (interior == 1) {  // a single level: every sigma uses it (no ghosts needed)
    p.step_ = 1.0;
    p.sigmas_ = {sigma_lo};
    return p;
  }
  p.step_ = (std::log(sigma_hi) - p.log_lo_) / (interior - 1);
  p.inv_step_ = (interior - 1) / (std::log(sigma_hi) - p.log_lo_);
  p.sigmas_.resize(interior + 2);
  for (int k = -1; k <= interior; ++k) p.sigmas_[k + 1] = std::exp(p.log_lo_ + k * p.step_);
  p.sigmas_[1] = sigma_lo;  // the ends exactly as given
  p.sigmas_[interior] = sigma_hi;
  return p;
}

LevelWeights LevelPlan::weights(double sigma) const {
  // The shared model's weights (model/pixel_model.h), as both backends compute them per pixel.
  LevelWeights lw;
  lw.first = model::level_weights(model::level_grid(*this), sigma, lw.weight);
  return lw;
}

double LevelPlan::kernel_error(double sigma) const {
  if (count() == 0) throw_runtime("LevelPlan::kernel_error: empty plan");
  KernelError err(*this);
  return err(sigma);
}

double LevelPlan::max_kernel_error(double sigma_max, int samples_per_interval) const {
  if (count() == 0) throw_runtime("LevelPlan::max_kernel_error: empty plan");
  if (samples_per_interval < 1)
    throw_input("LevelPlan::max_kernel_error: samples per interval must be >= 1 (got " +
                std::to_string(samples_per_interval) + ")");
  return worst_error(*this, sigma_max, samples_per_interval, std::numeric_limits<double>::infinity());
}

LevelPlan LevelPlan::make(double sigma_lo, double sigma_max, int K, double tolerance) {
  check_plan_args(sigma_lo, sigma_max, K, "LevelPlan::make");
  if (!(tolerance > 0) || !std::isfinite(tolerance))
    throw_input("LevelPlan::make: kernel tolerance must be positive (got " + std::to_string(tolerance) + ")");
  // The interpolation gets half the tolerance; the rest is margin for what a finite sample
  // of sigmas cannot see. Above sigma_hi the kernel is within tolerance / 10 of the box.
  const double target = 0.5 * tolerance;
  const double hi = std::min(sigma_max, box_sigma(K, tolerance / 10, sigma_lo));
  if (hi <= sigma_lo) return with_levels(sigma_lo, sigma_lo, K, 1);

  constexpr int kCoarse = 4, kDense = 16, kMaxLevels = 4096;
  auto fails = [&](int n, int per_interval) {
    return worst_error(with_levels(sigma_lo, hi, K, n), sigma_max, per_interval, target) > target;
  };
  int bad = 1, good = 2;  // exponential search, then bisection, on a coarse sample
  while (fails(good, kCoarse)) {
    bad = good;
    good *= 2;
    if (good > kMaxLevels)
      throw_runtime("LevelPlan::make: more than " + std::to_string(kMaxLevels) + " levels needed for tolerance " +
                    std::to_string(tolerance) + " at K=" + std::to_string(K));
  }
  while (good - bad > 1) {
    const int mid = (good + bad) / 2;
    (fails(mid, kCoarse) ? bad : good) = mid;
  }
  while (fails(good, kDense)) {  // the dense sample decides
    if (++good > kMaxLevels)
      throw_runtime("LevelPlan::make: no plan verified within " + std::to_string(kMaxLevels) + " levels");
  }
  return with_levels(sigma_lo, hi, K, good);
}

}  // namespace dfd
