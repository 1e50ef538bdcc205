// The thin-lens blur law of camera.h through the shared per-pixel model.
#include "dfd/camera.h"

#include "model/model_params.h"
#include "model/pixel_model.h"

namespace dfd {

double blur_sigma(const Camera& cam, double focus_distance, double depth) {
  return model::blur_sigma_law(cam.model == BlurModel::FocusIndex, model::sigma_scale(cam, focus_distance),
                               focus_distance, depth, cam.thresh);
}

}  // namespace dfd
