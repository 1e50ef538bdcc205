// AIF step (SPEC 4.1): bounded CGLS (default) and the reference's bounded FISTA, written
// once over the backend primitives; scalars stay in backend memory.
#include <cmath>

#include "solver/steps.h"

namespace dfd {

AifWork alloc_aif_work(Backend& be, const Problem& prob) {
  AifWork w;
  w.r = be.alloc(prob.stack_size());
  w.q = be.alloc(prob.stack_size());
  for (DVec* v : {&w.s, &w.p, &w.mask, &w.x_prev, &w.y, &w.g}) *v = be.alloc(prob.image_size());
  return w;
}

void residual_norm2(Backend& be, DVec x, const AifWork& w, int slot) {
  be.apply_A(x, w.r);
  be.axpby(Coef::constant(-1.f), be.stack(), Coef::constant(1.f), w.r);  // r = A x - b
  be.dot(w.r, w.r, slot);
}

void cg_aif_step(Backend& be, const Problem& prob, DVec x, const AifWork& w, int iterations, int restart) {
  const float R = static_cast<float>(prob.range);
  be.clip(x, 0.f, R);
  bool first = true;
  int done = 0;
  while (done < iterations) {
    const int n = std::min(restart, iterations - done);
    // r = b - A x; s = A^T r is minus half the gradient of ||A x - b||^2.
    be.apply_A(x, w.r);
    be.axpby(Coef::constant(1.f), be.stack(), Coef::constant(-1.f), w.r);
    if (first) be.dot(w.r, w.r, kLossBefore);
    first = false;
    be.apply_At(w.r, w.s);
    // Active set: pixels on a bound whose descent direction points out stay fixed.
    be.axpby(Coef::constant(-1.f), w.s, Coef::constant(0.f), w.g);  // g = -s, the gradient
    be.free_mask(x, w.g, 0.f, R, w.mask);
    be.multiply(w.mask, w.s);
    be.copy(w.s, w.p);
    be.dot(w.s, w.s, kGamma);
    for (int k = 0; k < n; ++k) {
      be.apply_A(w.p, w.q);
      be.dot(w.q, w.q, kDelta);
      be.scalar_ratio(kGamma, kDelta, kAlpha);
      be.axpby(Coef::of(kAlpha), w.p, Coef::constant(1.f), x);
      be.axpby(Coef::of(kAlpha, -1.f), w.q, Coef::constant(1.f), w.r);
      be.apply_At(w.r, w.s);
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
}

void fista_aif_step(Backend& be, const Problem& prob, DVec x, const AifWork& w, int iterations,
                    int power_iterations) {
  const float R = static_cast<float>(prob.range);
  // Loss of the incoming x, for the caller's guard.
  residual_norm2(be, x, w, kLossBefore);

  // L ~ ||A^T A|| by power iteration from the constant vector (A^T A has non-negative
  // entries, so the constant vector overlaps its leading eigenvector).
  be.fill(w.p, 1.f);
  for (int k = 0; k < power_iterations; ++k) {
    be.apply_A(w.p, w.q);
    be.apply_At(w.q, w.s);
    be.dot(w.s, w.s, kNorm2);
    be.dot(w.p, w.p, kDelta);
    be.scalar_ratio(kNorm2, kDelta, kNorm);    // ||A^T A p||^2 / ||p||^2
    be.scalar_sqrt(kNorm, kNorm);              // -> Rayleigh-like estimate of ||A^T A||
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
    be.apply_A(w.y, w.r);
    be.axpby(Coef::constant(-1.f), be.stack(), Coef::constant(1.f), w.r);  // A y - b
    be.apply_At(w.r, w.g);                                                // gradient of 0.5 ||A y - b||^2
    be.axpby(Coef::constant(1.f), w.y, Coef::of(kStep, -1.f), w.g);       // g = y - g / L
    be.clip(w.g, 0.f, R);                                                 // x_{k+1}
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
