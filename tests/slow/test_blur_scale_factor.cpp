// The uncalibrated model's blur-scale estimate on a stack large enough to be downscaled for the
// trials (768x576 -> factor 3): the trials' floor blur accounts for the box average, so the
// estimate stays within 10% of the rendering's a (the golden section resolves ~5%).
#include <gtest/gtest.h>

#include <cmath>

#include "dfd/backends.h"
#include "dfd/reference_model.h"
#include "dfd/solver.h"
#include "dfd/synthetic.h"

namespace dfd {
namespace {

double estimate_for(double a_true) {
  const int W = 768, H = 576;
  const Image aif = synthetic_texture(W, H, 3);
  Image depth(W, H, 1);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      float s = 0.2f + 3.6f * x / (W - 1);
      if (y < H / 3) s = 1.0f;
      if (y > 2 * H / 3 && x < W / 2) s = 3.5f;
      depth.at(x, y) = s;
    }
  Camera cam;
  cam.model = BlurModel::FocusIndex;
  cam.index_scale = a_true;
  cam.thresh = 0.5;
  FocalStack st;
  st.focus_distances = {0, 1, 2, 3, 4};
  st.range = 255;
  const int K = 2 * static_cast<int>(std::ceil(3 * a_true * 4)) + 1;  // the solver's own window rule
  st.frames = exact_forward(aif, depth, cam, st.focus_distances, K);
  Options o = preset_options("uncalibrated");
  o.confidence = false;
  auto be = make_cpu_backend(0);
  const BlurScaleEstimate e = estimate_blur_scale(st, o.resolved_for(st), *be);
  EXPECT_EQ(e.factor, 3);
  return e.scale;
}

TEST(BlurScaleEstimate, HoldsWhenTheTrialsRunOnADownscaledCopy) {
  for (double a : {1.2, 2.0}) EXPECT_NEAR(estimate_for(a), a, 0.1 * a) << "a = " << a;
}

}  // namespace
}  // namespace dfd
