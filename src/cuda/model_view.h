// Plain, trivially copyable views of the model that kernels take by value: geometry,
// camera, blur-level parameters, the device arrays of one problem and the depth search's
// tables. No device code here: host files (and the tests) include it too.
#pragma once

#include <cstddef>
#include <type_traits>

#include "model/pixel_model.h"

namespace dfd::cuda {

// Sizes of one problem; layouts are planar (SPEC: stack F x C x H x W, AIF C x H x W).
struct Geometry {
  int width = 0, height = 0, channels = 0, frames = 0;
  int levels = 0;     // L, planes per channel of the level buffer (L x C x H x W)
  size_t pixels = 0;  // H W
};

// The camera of SPEC 2 (mirrors dfd::Camera; the law itself is model::blur_sigma_law).
struct CameraParams {
  double focal_length = 0, aperture = 0, pixel_pitch = 0, thresh = 0;
  int focus_index = 0;     // 1: the uncalibrated FocusIndex model, sigma = max(thresh, a |Z - Zf|)
  double index_scale = 1;  // a of that model
};

// Everything the per-pixel loss reads.
struct ModelView {
  Geometry geo;
  CameraParams cam;
  model::LevelGrid plan;          // the plan's interpolation grid (model::level_grid)
  const double* focus = nullptr;  // F focus distances
  const float* stack = nullptr;   // b: F x C x H x W
  const float* levels = nullptr;  // level blurs: L x C x H x W
};

// Per-frame, per-pixel interpolation of the operator A(Z): entry i * HW + p.
struct PixelWeightsView {
  int* first = nullptr;
  float* weight = nullptr;  // 4 per entry: weight[4 (i HW + p) + m]
};

// Level weights of every (candidate, frame) pair, the same for all pixels: entry j F + i.
struct CandidateTable {
  const int* first = nullptr;
  const float* weight = nullptr;  // 4 per entry
  const double* depth = nullptr;  // Z_j, ascending
  int count = 0;                  // N
};

// Golden-section refinement of the depth step.
struct GoldenParams {
  int bracket = 1;  // g
  double tol = 1e-2;
  int max_iters = 100;
};

static_assert(std::is_trivially_copyable<ModelView>::value, "kernel argument");
static_assert(std::is_trivially_copyable<CandidateTable>::value, "kernel argument");
static_assert(std::is_trivially_copyable<PixelWeightsView>::value, "kernel argument");

}  // namespace dfd::cuda
