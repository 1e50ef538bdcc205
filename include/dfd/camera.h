// Thin-lens camera and the circle-of-confusion blur radius of SPEC section 2.
#pragma once

#include <cmath>
#include <vector>

namespace dfd {

// How a frame's blur depends on depth.
//   ThinLens:   SPEC 2, metric depths and focus distances (calibrated camera).
//   FocusIndex: uncalibrated stacks. Depth is a continuous focus index s (frame i is sharpest
//               at s = i, its "focus distance" is i) and sigma_i(s) = max(thresh, a |s - i|),
//               a = index_scale pixels of blur per frame step. Depth is relative, in frame units.
enum class BlurModel { ThinLens, FocusIndex };

struct Camera {
  BlurModel model = BlurModel::ThinLens;
  double index_scale = 1.0;     // a of the FocusIndex model, pixels per frame step
  double focal_length = 0.05;   // f, in the stack's length unit
  double aperture = 0.00625;    // D, aperture diameter (f / N)
  double pixel_pitch = 1.2e-5;  // ps
  double thresh = 2.0;          // minimum blur sigma in pixels
};

// sigma_i(Z) = max(thresh, D f / (Zf - f) / (2 ps) * |Z - Zf| / Z), in pixels; for the
// FocusIndex model max(thresh, a |Z - Zf|) with Zf the frame index. The per-pixel model's law
// (src/model/pixel_model.h), which both backends evaluate: the same value to the bit.
double blur_sigma(const Camera& cam, double focus_distance, double depth);

// Largest sigma_i(Z) over frames and depths in [zmin, zmax]: |Z - Zf| / Z (and |Z - Zf|) is
// monotone on each side of Zf, so it lies at an end of the range (the sigma_max of a LevelPlan).
inline double max_blur_sigma(const Camera& cam, const std::vector<double>& focus, double zmin, double zmax) {
  double s = cam.thresh;
  for (double zf : focus) {
    const double a = blur_sigma(cam, zf, zmin), b = blur_sigma(cam, zf, zmax);
    s = a > s ? a : s;
    s = b > s ? b : s;
  }
  return s;
}

// Default window K = round(0.039 (H + W) / 2), at least 7, odd (SPEC 2).
inline int default_kernel_size(int height, int width) {
  int k = static_cast<int>(std::lround(0.039 * (height + width) / 2.0));
  if (k < 7) k = 7;
  if (k % 2 == 0) k += 1;
  return k;
}

// The normalised 1-D factor of the truncated Gaussian: k_sigma(u, v) = g(u) g(v) with
// sum_u g(u) = 1, u in -(K-1)/2 .. (K-1)/2. Writes K values.
void gaussian_factor(double sigma, int K, double* g);
std::vector<double> gaussian_factor(double sigma, int K);

}  // namespace dfd
