// The two sub-problems of SPEC 4 over the Backend primitives (private to the solver).
#pragma once

#include "dfd/backend.h"
#include "dfd/options.h"

namespace dfd {

// Scalar slots used by the solver (Backend::kScalarSlots in all).
enum Slot : int {
  kOne = 0,         // constant 1
  kLossDepth = 1,   // sum of per-pixel losses after a depth step
  kLossBefore = 2,  // ||A x - b||^2 before an AIF step
  kLossAfter = 3,   // ... and after it
  kGamma = 4,       // CG: <s, s>
  kGammaNew = 5,
  kDelta = 6,  // CG: <q, q>
  kAlpha = 7,
  kBeta = 8,
  kNorm2 = 9,  // power iteration: <w, w>
  kNorm = 10,
  kInvNorm = 11,
  kStep = 12,         // FISTA step 1/L
  kPriorBefore = 13,  // AIF prior sum huber(|grad x|) before an AIF step / TV of the old depth
  kPriorAfter = 14,   // ... after it / TV of the new depth
  kLossOld = 15,      // sum of per-pixel losses of the previous depth (the depth step's guard)
};

// The noise-scaled weights of the regularised objective (Options' regularisation fields
// resolved against the stack's noise level); all zero / off for the pure objective.
struct PriorWeights {
  bool depth = false, aif = false;
  double sigma = 0.0;       // noise level used
  double mu = 0.0;          // depth prior weight: objective += mu TV_g(Z) / HW
  double step = 1.0;        // candidate step (depth units)
  double eps = 1.0;         // Huber corner, candidate steps per pixel
  double edge_scale = 1.0;  // intensity units
  double edge_floor = 0.3;
  int iterations = 0;  // annealing steps
  double rho = 0.0;    // AIF prior weight: ||A x - b||^2 + rho sum huber(|grad x|, delta)
  double delta = 1.0;  // intensity units
};

// Work vectors of the AIF step, allocated once per solve. With the AIF prior, r and q are the
// augmented vectors of CGLS on [A; c G] (G = sqrt(w) D): the stack part then the 2 C H W
// gradient part (r_data / r_grad are views of those parts); w holds the Huber weights.
struct AifWork {
  DVec r, q;                      // residual, A p (stack-sized, or augmented)
  DVec r_data, q_data;            // their stack parts
  DVec r_grad, q_grad;            // their gradient parts (size 0 without the prior)
  DVec s, p, mask, x_prev, y, g;  // image-sized
  DVec w;                         // Huber weights (image-sized; size 0 without the prior)
};

AifWork alloc_aif_work(Backend& be, const Problem& prob, bool aif_prior);
// Floats alloc_aif_work allocates.
size_t aif_work_floats(const Problem& prob, bool aif_prior);

// Work vectors of the regularised depth step: the candidate loss volume V (N H W), the smooth
// depth u and its dual q (2 H W), the auxiliary depth a, the edge weights g, u_bar scratch.
struct DepthPriorWork {
  DVec V, u, q, a, g, u_bar;
  DVec window_tmp;  // scratch of the candidate-loss box mean (prob.window > 1), else empty
};
DepthPriorWork alloc_depth_prior_work(Backend& be, const Problem& prob);
size_t depth_prior_work_floats(const Problem& prob);

// The regularised depth step (DTAM's decoupling): a = argmin of the candidate losses, then
// `iterations` annealing steps of { u <- Huber-ROF(a, theta) ; a <- argmin_j V_j + mu/(2 theta)
// (u - Z_j)^2 / step^2 }, theta falling geometrically, and a coupled golden section of a. Z and
// loss receive the result (depth, its data loss). Leaves sum(loss) in kLossDepth and TV_g(Z) in
// kPriorAfter (the edge weights w.g are those of x, computed here). Needs nothing precomputed.
void depth_prior_step(Backend& be, const Problem& prob, const PriorWeights& pw, DVec x, DVec Z, DVec loss,
                      const DepthPriorWork& w, bool warm);

// Bounded CGLS on the free set, warm-started from x, restarted every `restart` iterations
// with the active set re-estimated; returns after `iterations` CG iterations in all.
// Leaves ||A x - b||^2 before in kLossBefore and after in kLossAfter (device scalars).
// With pw.aif: CGLS on the majoriser of the AIF prior at the incoming x (Huber weights fixed for
// the step), so the prior's sum huber(|grad x|) before / after lands in kPriorBefore / kPriorAfter.
void cg_aif_step(Backend& be, const Problem& prob, DVec x, const AifWork& w, int iterations, int restart,
                 const PriorWeights& pw);

// The reference's bounded FISTA: step 1/L (power iterations), projection onto [0, R],
// restarted from x = 0. Same loss slots as cg_aif_step.
void fista_aif_step(Backend& be, const Problem& prob, DVec x, const AifWork& w, int iterations, int power_iterations);

// ||A x - b||^2 into `slot`, using w.r as scratch (w.r = A x - b afterwards).
void residual_norm2(Backend& be, DVec x, const AifWork& w, int slot);

}  // namespace dfd
