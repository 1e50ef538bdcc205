// A dense focus sweep rendered with the FocusIndex model, shared by the blur-scale tests of the
// default suite (tests/test_uncalibrated.cpp) and the slow suite (tests/slow/).
#pragma once

#include <algorithm>
#include <cmath>
#include <string>

#include "dfd/camera.h"
#include "dfd/reference_model.h"
#include "dfd/solver.h"
#include "dfd/synthetic.h"

namespace dfd::test {

// The uncalibrated camera: sigma_i(s) = max(thresh, a |s - i|).
inline Camera index_camera(double a, double thresh) {
  Camera c;
  c.model = BlurModel::FocusIndex;
  c.index_scale = a;
  c.thresh = thresh;
  return c;
}

// F frames, a px per frame step; depth a slanted plane across 0 .. F-1 with two
// fronto-parallel patches.
inline FocalStack dense_sweep(int F, double a, int W = 64, int H = 48) {
  const Image aif = synthetic_texture(W, H, 7);
  Image depth(W, H, 1);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      float s = static_cast<float>((F - 1) * (0.05 + 0.9 * x / (W - 1)));
      if (y < H / 4) s = 0.3f * (F - 1);
      if (y > 3 * H / 4 && x < W / 2) s = 0.8f * (F - 1);
      depth.at(x, y) = s;
    }
  FocalStack st;
  for (int i = 0; i < F; ++i) st.focus_distances.push_back(i);
  const int K = 2 * static_cast<int>(std::ceil(3 * std::max(0.5, a * (F - 1)))) + 1;
  st.frames = exact_forward(aif, depth, index_camera(a, 0.5), st.focus_distances, K);
  st.range = 255;
  return st;
}

// The estimate's (a, loss) trials, for failure messages.
inline std::string trials_text(const BlurScaleEstimate& e) {
  std::string t;
  for (const auto& [a, l] : e.trials) t += " (" + std::to_string(a) + ", " + std::to_string(l) + ")";
  return t;
}

}  // namespace dfd::test
