// Blur-level weights of many depths at once: LevelPlan::weights(sigma_i(Z)) for the per-pixel
// loops, one vector loop per blur law over the shared model (model/pixel_model.h).
#pragma once

#include <cstdint>
#include <vector>

#include "dfd/blur_levels.h"
#include "dfd/camera.h"
#include "model/model_params.h"
#include "model/pixel_model.h"

namespace dfd {

// The per-frame constants of sigma_i(Z) and the plan's log-sigma grid.
class PixelWeights {
 public:
  void setup(const LevelPlan& plan, const Camera& cam, const std::vector<double>& focus) {
    grid_ = model::level_grid(plan);
    thresh_ = cam.thresh;
    focus_ = focus;
    scale_.clear();
    index_model_ = cam.model == BlurModel::FocusIndex;
    for (double zf : focus) scale_.push_back(model::sigma_scale(cam, zf));
  }

  // Weights of frame i at n depths: first[k] and w[m][k] (m = 0..3), as LevelPlan::weights
  // (same clamping, same snapping of sigmas at a level, same Catmull-Rom formulas).
  template <class Depth>
  void eval(int i, const Depth* __restrict z, int n, int32_t* __restrict first, float* __restrict w0,
            float* __restrict w1, float* __restrict w2, float* __restrict w3) const {
    if (grid_.interior <= 1) {  // a single-level plan
      for (int k = 0; k < n; ++k) {
        first[k] = 0;
        w0[k] = 1.f;
        w1[k] = w2[k] = w3[k] = 0.f;
      }
      return;
    }
    // One loop per blur law: a branch inside the vector loop would cost the golden section,
    // which evaluates weights for every pixel at every iteration.
    if (index_model_)
      eval_law<true>(i, z, n, first, w0, w1, w2, w3);
    else
      eval_law<false>(i, z, n, first, w0, w1, w2, w3);
  }

 private:
  template <bool kIndexModel, class Depth>
  void eval_law(int i, const Depth* __restrict z, int n, int32_t* __restrict first, float* __restrict w0,
                float* __restrict w1, float* __restrict w2, float* __restrict w3) const {
    const double zf = focus_[i], scale = scale_[i], thresh = thresh_;
    const model::LevelGrid g = grid_;
#pragma omp simd
    for (int k = 0; k < n; ++k) {
      float wk[4];
      first[k] = model::interior_level_weights(g, model::blur_sigma_law<kIndexModel>(scale, zf, z[k], thresh), wk);
      w0[k] = wk[0];
      w1[k] = wk[1];
      w2[k] = wk[2];
      w3[k] = wk[3];
    }
  }

  bool index_model_ = false;
  model::LevelGrid grid_;
  double thresh_ = 0;
  std::vector<double> focus_, scale_;
};

}  // namespace dfd
