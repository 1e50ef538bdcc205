// The two sub-problems of SPEC 4 over the Backend primitives (private to the solver).
#pragma once

#include "dfd/backend.h"
#include "dfd/options.h"

namespace dfd {

// Scalar slots used by the solver (Backend::kScalarSlots in all).
enum Slot : int {
  kOne = 0,        // constant 1
  kLossDepth = 1,  // sum of per-pixel losses after a depth step
  kLossBefore = 2, // ||A x - b||^2 before an AIF step
  kLossAfter = 3,  // ... and after it
  kGamma = 4,      // CG: <s, s>
  kGammaNew = 5,
  kDelta = 6,      // CG: <q, q>
  kAlpha = 7,
  kBeta = 8,
  kNorm2 = 9,      // power iteration: <w, w>
  kNorm = 10,
  kInvNorm = 11,
  kStep = 12,      // FISTA step 1/L
};

// Work vectors of the AIF step, allocated once per solve.
struct AifWork {
  DVec r, q;                      // stack-sized: residual, A p
  DVec s, p, mask, x_prev, y, g;  // image-sized
};

AifWork alloc_aif_work(Backend& be, const Problem& prob);

// Bounded CGLS on the free set, warm-started from x, restarted every `restart` iterations
// with the active set re-estimated; returns after `iterations` CG iterations in all.
// Leaves ||A x - b||^2 before in kLossBefore and after in kLossAfter (device scalars).
void cg_aif_step(Backend& be, const Problem& prob, DVec x, const AifWork& w, int iterations, int restart);

// The reference's bounded FISTA: step 1/L (power iterations), projection onto [0, R],
// restarted from x = 0. Same loss slots as cg_aif_step.
void fista_aif_step(Backend& be, const Problem& prob, DVec x, const AifWork& w, int iterations,
                    int power_iterations);

// ||A x - b||^2 into `slot`, using w.r as scratch (w.r = A x - b afterwards).
void residual_norm2(Backend& be, DVec x, const AifWork& w, int slot);

}  // namespace dfd
