// AIF step (SPEC 4.1): bounded CGLS (default) and the reference's bounded FISTA, written
// once over the backend primitives; scalars stay in backend memory.
#include <cmath>

#include "dfd/cancel.h"
#include "solver/steps.h"

namespace dfd {

size_t aif_work_floats(const Problem& prob, bool aif_prior) {
  const size_t grad = aif_prior ? 2 * prob.image_size() : 0;
  return 2 * (prob.stack_size() + grad) + (6 + (aif_prior ? 1 : 0)) * prob.image_size();
}

AifWork alloc_aif_work(Backend& be, const Problem& prob, bool aif_prior) {
  AifWork w;
  const size_t n = prob.stack_size(), grad = aif_prior ? 2 * prob.image_size() : 0;
  w.r = be.alloc(n + grad);
  w.q = be.alloc(n + grad);
  w.r_data = DVec{w.r.ptr, n};
  w.q_data = DVec{w.q.ptr, n};
  w.r_grad = DVec{w.r.ptr + n, grad};
  w.q_grad = DVec{w.q.ptr + n, grad};
  for (DVec* v : {&w.s, &w.p, &w.mask, &w.x_prev, &w.y, &w.g}) *v = be.alloc(prob.image_size());
  if (aif_prior) w.w = be.alloc(prob.image_size());
  return w;
}

void residual_norm2(Backend& be, DVec x, const AifWork& w, int slot) {
  be.apply_A(x, w.r_data);
  be.axpby(Coef::constant(-1.f), be.stack(), Coef::constant(1.f), w.r_data);  // r = A x - b
  be.dot(w.r_data, w.r_data, slot);
}

void cg_aif_step(Backend& be, const Problem& prob, DVec x, const AifWork& w, int iterations, int restart,
                 const PriorWeights& pw) {
  const float R = static_cast<float>(prob.range);
  // The prior enters as CGLS on the stacked operator [A; c G], G = sqrt(w) D with the Huber
  // weights w of the incoming x: ||A x - b||^2 + c^2 ||G x||^2 with c^2 = rho / 2 majorises
  // ||A x - b||^2 + rho sum huber(|D x|) and touches it at the incoming x.
  const bool prior = pw.aif && w.w.size > 0;
  const float c = prior ? static_cast<float>(std::sqrt(0.5 * pw.rho)) : 0.f;
  const float delta = static_cast<float>(pw.delta);
  be.clip(x, 0.f, R);
  if (prior) {
    be.huber_weights(x, delta, w.w);
    be.huber_sum(x, delta, kPriorBefore);
  }
  // s = A^T r (+ c G^T r_grad): minus half the gradient of the (augmented) least squares.
  auto normal_residual = [&]() {
    be.apply_At(w.r_data, w.s);
    if (prior) be.weighted_gradient_adjoint(w.r_grad, w.w, c, w.s);
  };
  bool first = true;
  int done = 0;
  while (done < iterations) {
    const int n = std::min(restart, iterations - done);
    // r = b - A x (and -c G x).
    be.apply_A(x, w.r_data);
    be.axpby(Coef::constant(1.f), be.stack(), Coef::constant(-1.f), w.r_data);
    if (prior) be.weighted_gradient(x, w.w, -c, w.r_grad);
    if (first) be.dot(w.r_data, w.r_data, kLossBefore);
    first = false;
    normal_residual();
    // Active set: pixels on a bound whose descent direction points out stay fixed.
    be.axpby(Coef::constant(-1.f), w.s, Coef::constant(0.f), w.g);  // g = -s, the gradient
    be.free_mask(x, w.g, 0.f, R, w.mask);
    be.multiply(w.mask, w.s);
    be.copy(w.s, w.p);
    be.dot(w.s, w.s, kGamma);
    for (int k = 0; k < n; ++k) {
      throw_if_stopped("in the AIF step");
      be.apply_A(w.p, w.q_data);
      if (prior) be.weighted_gradient(w.p, w.w, c, w.q_grad);
      be.dot(w.q, w.q, kDelta);
      be.scalar_ratio(kGamma, kDelta, kAlpha);
      be.axpby(Coef::of(kAlpha), w.p, Coef::constant(1.f), x);
      be.axpby(Coef::of(kAlpha, -1.f), w.q, Coef::constant(1.f), w.r);
      normal_residual();
      be.multiply(w.mask, w.s);
      be.dot(w.s, w.s, kGammaNew);
      be.scalar_ratio(kGammaNew, kGamma, kBeta);
      be.axpby(Coef::constant(1.f), w.s, Coef::of(kBeta), w.p);
      be.scalar_ratio(kGammaNew, kOne, kGamma);
    }
    be.clip(x, 0.f, R);
    done += n;
  }
  residual_norm2(be, x, w, kLossAfter);
  if (prior) be.huber_sum(x, delta, kPriorAfter);
}

void fista_aif_step(Backend& be, const Problem& prob, DVec x, const AifWork& w, int iterations, int power_iterations) {
  const float R = static_cast<float>(prob.range);
  // Loss of the incoming x, for the caller's guard.
  residual_norm2(be, x, w, kLossBefore);

  // L ~ ||A^T A|| by power iteration from the constant vector (A^T A has non-negative
  // entries, so the constant vector overlaps its leading eigenvector).
  be.fill(w.p, 1.f);
  for (int k = 0; k < power_iterations; ++k) {
    be.apply_A(w.p, w.q_data);
    be.apply_At(w.q_data, w.s);
    be.dot(w.s, w.s, kNorm2);
    be.dot(w.p, w.p, kDelta);
    be.scalar_ratio(kNorm2, kDelta, kNorm);  // ||A^T A p||^2 / ||p||^2
    be.scalar_sqrt(kNorm, kNorm);            // -> Rayleigh-like estimate of ||A^T A||
    be.scalar_sqrt(kNorm2, kNorm2);
    be.scalar_ratio(kOne, kNorm2, kInvNorm);
    be.axpby(Coef::of(kInvNorm), w.s, Coef::constant(0.f), w.p);  // p = s / ||s||
  }
  be.scalar_ratio(kOne, kNorm, kStep);  // step 1/L

  // x_k in w.x_prev (restart from 0, as the reference), momentum point in w.y.
  be.fill(w.x_prev, 0.f);
  be.fill(w.y, 0.f);
  double t = 1.0;
  for (int k = 0; k < iterations; ++k) {
    throw_if_stopped("in the AIF step");
    be.apply_A(w.y, w.r_data);
    be.axpby(Coef::constant(-1.f), be.stack(), Coef::constant(1.f), w.r_data);  // A y - b
    be.apply_At(w.r_data, w.g);                                                 // gradient of 0.5 ||A y - b||^2
    be.axpby(Coef::constant(1.f), w.y, Coef::of(kStep, -1.f), w.g);             // g = y - g / L
    be.clip(w.g, 0.f, R);                                                       // x_{k+1}
    const double t_next = (1.0 + std::sqrt(1.0 + 4.0 * t * t)) / 2.0;
    const float mu = static_cast<float>((t - 1.0) / t_next);
    be.copy(w.g, w.y);
    be.axpby(Coef::constant(-mu), w.x_prev, Coef::constant(1.f + mu), w.y);  // y = x1 + mu (x1 - x0)
    be.copy(w.g, w.x_prev);
    t = t_next;
  }
  be.copy(w.x_prev, x);
  residual_norm2(be, x, w, kLossAfter);
}

}  // namespace dfd
