// The exact forward model of SPEC 2 and the exact grid-search losses of SPEC 4.2: slow,
// direct K x K sums, the reference every fast path is tested against.
#pragma once

#include <vector>

#include "dfd/camera.h"
#include "dfd/image.h"

namespace dfd {

// Per-frame blur sigma maps of a depth map: sigma[i][p] = sigma_i(Z(p)).
std::vector<std::vector<double>> sigma_maps(const Camera& cam, const std::vector<double>& focus, const Image& depth);

// y_i = A_i(Z) x for every frame (gather model, zero padding, window K).
std::vector<Image> exact_forward(const Image& aif, const Image& depth, const Camera& cam,
                                 const std::vector<double>& focus, int K);
// x = sum_i A_i(Z)^T y_i.
Image exact_adjoint(const std::vector<Image>& y, const Image& depth, const Camera& cam,
                    const std::vector<double>& focus, int K);

// Spatially invariant blur of x with k_sigma (zero padding), the exact reference.
Image exact_blur(const Image& x, double sigma, int K);

// loss[p * N + j] = 1/(F C) sum_{i,c} (b_i(p,c) - [k_{sigma_i(Z_j)} * x](p,c))^2, optionally
// averaged over the w x w window around p (divided by the in-image positions) when w > 1.
std::vector<float> exact_grid_losses(const std::vector<Image>& stack, const Image& aif, const Camera& cam,
                                     const std::vector<double>& focus, const std::vector<double>& candidates, int K,
                                     int window);

// L(x, Z) = 1/(F H W C) sum_i ||A_i(Z) x - b_i||^2.
double exact_loss(const std::vector<Image>& stack, const Image& aif, const Image& depth, const Camera& cam,
                  const std::vector<double>& focus, int K);

// Box mean over the w x w window around each pixel, divided by the number of window
// positions inside the image (SPEC 4.2 windowed loss). In-place on a H x W map.
void window_mean(float* map, int height, int width, int w);

}  // namespace dfd
