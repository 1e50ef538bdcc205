// The regularised depth step: the exhaustive per-pixel search kept, coupled to an edge-aware
// Huber-TV prior through DTAM's decoupling (Newcombe, Lovegrove, Davison 2011), over the Backend
// primitives. The per-pixel arithmetic is src/model/prior_model.h.
#include <algorithm>
#include <cmath>

#include "dfd/cancel.h"
#include "solver/steps.h"

namespace dfd {

namespace {

// Coupling schedule in candidate steps squared: theta falls geometrically from kThetaStart (the
// coupling is weak: u follows the prior) to kThetaEnd (a and u agree to a fraction of a step).
constexpr double kThetaStart = 100.0;
constexpr double kThetaEnd = 0.01;
// Planes of the candidate-loss volume box-averaged at a time (the CUDA backend's scratch).
constexpr size_t kWindowChunk = 8;

size_t window_tmp_floats(const Problem& prob) {
  return prob.window > 1 ? std::min(kWindowChunk, prob.candidates.size()) * prob.pixels() : 0;
}

}  // namespace

size_t depth_prior_work_floats(const Problem& prob) {
  return prob.candidates.size() * prob.pixels() + 6 * prob.pixels() + window_tmp_floats(prob);
}

DepthPriorWork alloc_depth_prior_work(Backend& be, const Problem& prob) {
  DepthPriorWork w;
  w.V = be.alloc(prob.candidates.size() * prob.pixels());
  w.q = be.alloc(2 * prob.pixels());
  for (DVec* v : {&w.u, &w.a, &w.g, &w.u_bar}) *v = be.alloc(prob.pixels());
  if (const size_t n = window_tmp_floats(prob)) w.window_tmp = be.alloc(n);
  return w;
}

void depth_prior_step(Backend& be, const Problem& prob, const PriorWeights& pw, DVec x, DVec Z, DVec loss,
                      const DepthPriorWork& w, bool warm) {
  const float step = static_cast<float>(pw.step), eps = static_cast<float>(pw.eps);
  be.blur_levels(x);
  be.edge_weights(x, static_cast<float>(pw.edge_scale), static_cast<float>(pw.edge_floor), w.g);
  be.candidate_losses(w.V);
  // With a window, the search's data term is the candidate losses box-averaged over it (the
  // windowed grid search of SPEC 4.2): a noise-robust proposal for a and u. The final golden
  // section below refines Z on the un-windowed loss, so the objective is unchanged.
  if (prob.window > 1) be.window_mean_planes(w.V, static_cast<int>(prob.candidates.size()), prob.window, w.window_tmp);
  // a: the plain per-pixel argmin. u (and its dual) start from the previous epoch's smooth depth
  // when there is one: the prior's information travels about a pixel per iteration, so keeping
  // it across epochs lets it cross wide textureless regions.
  be.coupled_search(w.V, w.a, 0.f, w.a, loss);
  if (!warm) {
    be.copy(w.a, w.u);
    be.fill(w.q, 0.f);
  }
  const int n = std::max(1, pw.iterations);
  const double ratio = n > 1 ? std::pow(kThetaEnd / kThetaStart, 1.0 / (n - 1)) : 1.0;
  double theta = n > 1 ? kThetaStart : kThetaEnd;
  // The a-step's coupling weight on (u - Z_j)^2 in depth units: mu / (2 theta step^2).
  auto coupling = [&](double th) { return static_cast<float>(pw.mu / (2.0 * th * pw.step * pw.step)); };
  for (int k = 0; k < n; ++k, theta *= ratio) {
    throw_if_stopped("in the depth step");
    be.rof_iterations(w.u, w.q, w.a, w.g, step, static_cast<float>(theta), eps, 1, w.u_bar);
    be.coupled_search(w.V, w.u, coupling(theta), w.a, loss);
  }
  // Sub-candidate refinement of a, still coupled to u at the final theta.
  be.copy(w.a, Z);
  be.coupled_golden_section(Z, loss, w.u, coupling(kThetaEnd));
  be.sum(loss, kLossDepth);
  be.tv_sum(Z, w.g, step, eps, kPriorAfter);
}

}  // namespace dfd
