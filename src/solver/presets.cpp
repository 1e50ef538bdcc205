// The dataset presets of SPEC 6 (reference configurations of the paper's experiments).
#include <cmath>

#include "dfd/error.h"
#include "dfd/options.h"

namespace dfd {

std::vector<std::string> preset_names() { return {"nyuv2", "make3d", "mobiledepth", "uncalibrated"}; }

std::vector<double> preset_focus_distances(const std::string& name) {
  if (name == "nyuv2") return {1.0, 1.5, 2.5, 4.0, 6.0};
  if (name == "make3d") return {1, 2, 4, 8, 16, 32, 64};
  return {};  // mobiledepth: from calibrated.txt
}

Options preset_options(const std::string& name) {
  Options o;
  o.preset = name;
  if (name == "nyuv2") {
    o.focal_length = 0.05;
    o.f_number = 8.0;
    o.pixel_pitch = 1.2e-5;
    o.depth_min = 0.1;
    o.depth_max = 10.0;
    o.thresh = 2.0;
    o.epochs = 40;
    o.depth_candidates = 100;
    o.fista_iters0 = 200;
    o.fista_alpha = 1.05;
    o.window = 0;
  } else if (name == "make3d") {
    // f and N come from EXIF in the paper's protocol; these defaults are the Make3D camera
    // of the conformance fixtures (f = 7.09375 mm at f/3.2, 2272 px over a 5.7 mm sensor,
    // resized to 460 px wide). Override with --focal-length / --f-number / --pixel-size.
    o.focal_length = 0.00709375;
    o.f_number = 3.2;
    o.pixel_pitch = 1.2365217391304347e-06;
    o.depth_min = 0.01;
    o.depth_max = 80.0;
    o.thresh = 0.5;
    o.epochs = 5;
    o.depth_candidates = 100;
    o.fista_iters0 = 10;
    o.fista_alpha = 2.0;
    o.window = 5;
  } else if (name == "mobiledepth") {
    // f, D and Zf come from the scene's calibrated.txt, in its own unitless scale.
    o.focal_length = 0.0;
    o.f_number = 0.0;
    o.pixel_pitch = 1.5;
    o.depth_min = 1.0;
    o.depth_max = 800.0;
    o.thresh = 0.1;
    o.epochs = 5;
    o.depth_candidates = 200;
    o.fista_iters0 = 10;
    o.fista_alpha = 2.0;
    o.window = 50;
    o.edge_pad = 25;
  } else if (name == "uncalibrated") {
    // Focus distances and lens unknown: depth is a continuous focus index in 0 .. F-1 (frame i
    // is sharp at s = i) and sigma_i(s) = max(thresh, a |s - i|), a estimated from the stack.
    // The camera fields are unused. Real stacks are noisy: the windowed grid search of make3d.
    o.blur_model = BlurModel::FocusIndex;
    o.blur_scale = 0.0;
    o.depth_min = 0.0;
    o.depth_max = 0.0;  // auto: 0 .. F-1
    o.thresh = 0.5;
    o.epochs = kAutoEpochs;  // 5; 1 from the focus-measure depth of a dense sweep
    o.depth_candidates = 100;
    o.fista_iters0 = 10;
    o.fista_alpha = 2.0;
    o.window = 5;
    o.edge_pad = kAutoEdgePad;  // dense sweeps: half the window, edge-replicated
  } else {
    throw_usage("unknown preset '" + name + "' (choose nyuv2, make3d, mobiledepth or uncalibrated)");
  }
  return o;
}

}  // namespace dfd
