// The shared per-pixel model's parameters (model/pixel_model.h) from the library's types: the
// blur law's per-frame constant of a Camera and the interpolation grid of a LevelPlan. Host
// code only; both backends (and LevelPlan::weights) take the model's numbers from here.
#pragma once

#include "dfd/blur_levels.h"
#include "dfd/camera.h"
#include "model/pixel_model.h"

namespace dfd::model {

inline double sigma_scale(const Camera& cam, double focus_distance) {
  return sigma_scale(cam.model == BlurModel::FocusIndex, cam.index_scale, cam.aperture, cam.focal_length,
                     cam.pixel_pitch, focus_distance);
}

inline LevelGrid level_grid(const LevelPlan& plan) {
  LevelGrid g;
  g.lo = plan.sigma_lo();
  g.hi = plan.sigma_hi();
  g.log_lo = plan.log_sigma_lo();
  g.inv_step = plan.inv_log_step();
  g.interior = plan.interior();
  return g;
}

}  // namespace dfd::model
