// dfd.synth's C++ half: a focal stack rendered with the exact forward model (render_stack, as
// `dfd synth`), from a given AIF and depth map or from the demo's procedural scene.
#include <optional>

#include <pybind11/stl.h>

#include "arrays.h"
#include "bindings.h"
#include "dfd/error.h"
#include "dfd/synthetic.h"
#include "flags.h"
#include "util/number_text.h"

namespace dfd::py {

namespace pyb = pybind11;

namespace {

struct SceneArgs {
  int width = 64, height = 48;
  double depth_min = 0.5, depth_max = 8.0;
  uint64_t seed = 1;
};

// aif / depth: (H, W[, C]) and (H, W) float32 or None (both None: the procedural scene of
// `dfd demo` at width x height, depth in [depth_min, depth_max]); aif_range: the AIF's white
// level. Frames and AIF come back divided by it, in [0, 1].
pyb::dict synth(const std::optional<FloatArray>& aif_in, const std::optional<FloatArray>& depth_in, double aif_range,
                const SceneArgs& scene, const std::vector<std::string>& words) {
  const auto flags = parse_flags(FlagSet::Synth, words);
  const Options opt = options_from_flags(*flags, FlagSet::Synth);
  Image aif, depth;
  if (aif_in.has_value() != depth_in.has_value())
    throw_usage("give both aif and depth, or neither (the procedural scene)");
  if (aif_in) {
    aif = image_from_array(*aif_in, "aif");
    depth = image_from_array(*depth_in, "depth");
    if (depth.channels != 1)
      throw_input("depth: expected an (H, W) array, got " + std::to_string(depth.channels) + " channels");
    if (depth.width != aif.width || depth.height != aif.height)
      throw_input("depth (" + std::to_string(depth.width) + "x" + std::to_string(depth.height) +
                  ") does not match the size of aif (" + std::to_string(aif.width) + "x" + std::to_string(aif.height) +
                  ")");
    if (aif.channels != 1 && aif.channels != 3)
      throw_input("aif: " + std::to_string(aif.channels) + " channels; expected 1 (grey) or 3 (colour)");
  } else {
    if (scene.width < 8 || scene.height < 8)
      throw_usage("width and height must be at least 8 (got " + std::to_string(scene.width) + "x" +
                  std::to_string(scene.height) + ")");
    if (!(scene.depth_min > 0 && scene.depth_max > scene.depth_min))
      throw_usage("depth_range must be MIN,MAX with 0 < MIN < MAX (got " + format_number(scene.depth_min) + "," +
                  format_number(scene.depth_max) + ")");
    aif = synthetic_texture(scene.width, scene.height, scene.seed);
    depth = synthetic_depth(scene.width, scene.height, scene.depth_min, scene.depth_max, scene.seed);
    aif_range = 255.0;
  }
  // The checks of `dfd synth`, in its words.
  const bool index_model = opt.blur_model == BlurModel::FocusIndex;
  for (float z : depth.data)
    if (!(index_model ? z >= 0 : z > 0))
      throw_input(std::string("depth: values must be ") + (index_model ? "non-negative" : "positive") + " (found " +
                  format_number(z) + ")");
  for (float v : aif.data)
    if (!(v >= 0 && v <= aif_range))
      throw_input("aif: values must lie in [0, " + format_number(aif_range) + "] (found " + format_number(v) +
                  "); pass range= with its white level");
  if (index_model && !*flags->camera.blur_scale_opt)
    throw_usage("rendering an uncalibrated stack needs --blur-scale (pixels of blur per frame step)");
  const std::vector<double> focus = *flags->camera.focus_opt ? flags->camera.focus : preset_focus_distances(opt.preset);
  if (focus.empty()) throw_usage("the " + opt.preset + " preset has no focus distances: pass --focus-distances");
  for (double zf : focus)
    if (!index_model && !(zf > opt.focal_length))
      throw_input("focus distance " + format_number(zf) + " must be greater than the focal length " +
                  format_number(opt.focal_length));
  const int K = opt.window_for(aif.height, aif.width);

  FocalStack stack;
  {
    pyb::gil_scoped_release released;
    stack = render_stack(aif, depth, opt.camera(), focus, K, aif_range);
    for (Image& f : stack.frames)
      for (float& v : f.data) v = static_cast<float>(v / aif_range);
    for (float& v : aif.data) v = static_cast<float>(v / aif_range);
  }
  pyb::list frames;
  for (const Image& f : stack.frames) frames.append(array_from_image(f));
  pyb::dict out;
  out["frames"] = frames;
  out["focus_distances"] = focus;
  out["depth"] = array_from_image(depth);
  out["aif"] = array_from_image(aif);
  out["kernel_size"] = K;
  out["preset"] = opt.preset;
  return out;
}

}  // namespace

void register_synth(pyb::module_& m) {
  pyb::class_<SceneArgs>(m, "_SceneArgs")
      .def(pyb::init<>())
      .def_readwrite("width", &SceneArgs::width)
      .def_readwrite("height", &SceneArgs::height)
      .def_readwrite("depth_min", &SceneArgs::depth_min)
      .def_readwrite("depth_max", &SceneArgs::depth_max)
      .def_readwrite("seed", &SceneArgs::seed);
  m.def("_synth", &synth, pyb::arg("aif"), pyb::arg("depth"), pyb::arg("aif_range"), pyb::arg("scene"),
        pyb::arg("words"),
        "Renders a focal stack; returns frames, focus_distances, depth, aif (in [0, 1]), kernel_size.");
}

}  // namespace dfd::py
