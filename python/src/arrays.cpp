// numpy arrays and dfd::Image: (H, W) / (H, W, C) float32 arrays in and out of planar images.
#include "arrays.h"

#include <cmath>

#include "dfd/error.h"
#include "util/number_text.h"

namespace dfd::py {

namespace pyb = pybind11;

Image image_from_array(const FloatArray& a, const std::string& what) {
  if (a.ndim() != 2 && a.ndim() != 3)
    throw_input(what + ": expected an (H, W) or (H, W, C) array, got " + std::to_string(a.ndim()) + " dimensions");
  const auto h = a.shape(0), w = a.shape(1), c = a.ndim() == 3 ? a.shape(2) : 1;
  if (h <= 0 || w <= 0 || c <= 0)
    throw_input(what + ": empty array (" + std::to_string(h) + "x" + std::to_string(w) + "x" + std::to_string(c) + ")");
  Image im(static_cast<int>(w), static_cast<int>(h), static_cast<int>(c));
  const float* src = a.data();
  const size_t n = im.pixels();
  for (size_t p = 0; p < n; ++p)
    for (int k = 0; k < im.channels; ++k) im.data[k * n + p] = src[p * im.channels + k];
  return im;
}

pyb::object array_from_image(const Image& im) {
  if (im.empty()) return pyb::none();
  std::vector<pyb::ssize_t> shape = {im.height, im.width};
  if (im.channels > 1) shape.push_back(im.channels);
  pyb::array_t<float> out(shape);
  float* dst = out.mutable_data();
  const size_t n = im.pixels();
  for (size_t p = 0; p < n; ++p)
    for (int k = 0; k < im.channels; ++k) dst[p * im.channels + k] = im.data[k * n + p];
  return pyb::reinterpret_steal<pyb::object>(out.release());
}

FocalStack stack_from_arrays(const std::vector<FloatArray>& frames, double range, double sample_step) {
  FocalStack s;
  s.range = range;
  s.sample_step = sample_step;
  for (size_t i = 0; i < frames.size(); ++i) {
    const std::string name = "frame " + std::to_string(i);
    s.frames.push_back(image_from_array(frames[i], name));
    s.sources.push_back(name);
    float top = 0.f;  // the largest finite value (Options::validate reports NaN and inf)
    for (float v : s.frames.back().data)
      if (std::isfinite(v) && v > top) top = v;
    if (top > range)
      throw_input(name + ": values up to " + format_number(top) + " exceed the intensity range R = " +
                  format_number(range) + "; pass range= with the frames' white level");
  }
  return s;
}

}  // namespace dfd::py
