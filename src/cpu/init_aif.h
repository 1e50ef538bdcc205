// The initial all-in-focus image of SPEC 5: per pixel, the frame with the sharpest neighbourhood.
#pragma once

namespace dfd {

// stack: F x C x H x W planar in [0, range]; aif: C x H x W. Sharpness of a frame is
// exp(|Sobel gradient of luminance / range|) smoothed by a Gaussian of sigma 1 px (borders
// reflected as OpenCV's default, gfedcb|abcdefgh|gfedcba); each pixel takes its colour from the
// frame of largest smoothed sharpness (the first such frame on ties).
void initial_aif(const float* stack, int frames, int channels, int height, int width, double range, float* aif,
                 int threads);

}  // namespace dfd
