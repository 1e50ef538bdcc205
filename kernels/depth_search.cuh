// Launchers of the depth step (SPEC 4.2) on the device: exhaustive grid search (plain and
// windowed, in chunks of candidates), golden-section refinement, per-pixel loss, and the
// monotone guard. One thread per pixel throughout.
#pragma once

#include <cuda_runtime_api.h>

#include "cuda/model_view.h"

namespace dfd::cuda {

// Z(p) = Z_{j*}, loss(p) = loss_{j*}(p), j* the lowest index of the smallest loss.
void launch_grid_search(const ModelView& m, const CandidateTable& t, float* Z, float* loss, cudaStream_t stream);

// --- Windowed search, chunk by chunk ------------------------------------------------------
// slab[jj HW + p] = loss_{j0 + jj}(p), jj < J.
void launch_candidate_losses(const ModelView& m, const CandidateTable& t, int j0, int J, float* slab,
                             cudaStream_t stream);
// Mean over the w x w window around each pixel (offsets -w/2 .. w - 1 - w/2 on each axis),
// divided by the in-image positions, for `planes` maps of H x W; tmp holds the same size.
// The result replaces `maps`.
void launch_window_mean(float* maps, float* tmp, int planes, int H, int W, int w, cudaStream_t stream);
// Running argmin over chunks: candidates j0 .. j0 + J - 1 of slab against (best, best_j);
// the first chunk (j0 == 0) initialises them. Strict < keeps the lowest index on ties.
void launch_argmin_update(const float* slab, int j0, int J, size_t pixels, float* best, int* best_j,
                          cudaStream_t stream);
// Z(p) = Z_{best_j(p)} and the un-windowed loss there.
void launch_finish_search(const ModelView& m, const CandidateTable& t, const int* best_j, float* Z, float* loss,
                          cudaStream_t stream);

// --- Refinement and guard -------------------------------------------------------------------
// Golden section of the un-windowed loss on [Z_{j-g}, Z_{j+g}] (g at least 1), j the index of
// the grid candidate nearest Z(p), until the bracket is no longer than tol; Z and loss become
// the final bracket's midpoint and its loss, unless the loss at Z(p) is lower (then Z stays).
// With u (H W, may be null): the same on the objective loss(z) + weight (z - u(p))^2 (the
// comparisons and the final guard on it), `loss` still the data part at the result.
void launch_golden_section(const ModelView& m, const CandidateTable& t, const GoldenParams& g, const float* u,
                           float weight, float* Z, float* loss, cudaStream_t stream);
void launch_pixel_loss(const ModelView& m, const float* Z, float* loss, cudaStream_t stream);
// Where loss_old < loss: Z = Z_old, loss = loss_old.
void launch_keep_better(float* Z, float* loss, const float* Z_old, const float* loss_old, size_t n,
                        cudaStream_t stream);

}  // namespace dfd::cuda
