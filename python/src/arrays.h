// numpy arrays and dfd::Image: (H, W) / (H, W, C) float32 arrays in and out of planar images.
#pragma once

#include <string>
#include <vector>

#include <pybind11/numpy.h>

#include "dfd/image.h"

namespace dfd::py {

// C-contiguous float32 (numpy converts other dtypes on the way in; python/dfd/_convert.py has
// already picked the dtype rules and the intensity range).
using FloatArray = pybind11::array_t<float, pybind11::array::c_style | pybind11::array::forcecast>;

// (H, W) -> 1 channel, (H, W, C) -> C channels (interleaved to planar). Error(Input) naming
// `what` for another number of dimensions or an empty array.
Image image_from_array(const FloatArray& a, const std::string& what);
// (H, W) for 1 channel, (H, W, C) otherwise; an empty image gives None.
pybind11::object array_from_image(const Image& im);

// The frames as a stack in their own units: range R and the samples' quantisation step
// (1 for integer dtypes, 0 for floats); sources "frame 0", "frame 1", ... (the library's
// messages name them). Error(Input) when a value exceeds R.
FocalStack stack_from_arrays(const std::vector<FloatArray>& frames, double range, double sample_step);

}  // namespace dfd::py
