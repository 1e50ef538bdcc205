// Windowed box mean of SPEC 4.2 with caller-provided scratch (no allocation on hot paths).
#pragma once

#include <cstddef>

namespace dfd {

// Doubles of scratch window_mean_into needs for a height x width map.
inline size_t window_mean_scratch(int height, int width) {
  return static_cast<size_t>(height) * width + 2 * static_cast<size_t>(width) + 1;
}

// Same as dfd::window_mean (reference_model.h): mean over the w x w window around each pixel
// divided by the window positions inside the image; `scratch` holds window_mean_scratch()
// doubles. For even w the window spans offsets -w/2 .. w/2 - 1.
void window_mean_into(float* map, int height, int width, int w, double* scratch);

}  // namespace dfd
