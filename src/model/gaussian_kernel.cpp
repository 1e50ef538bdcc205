// The truncated, normalised Gaussian of SPEC 2 as its 1-D factor: k_sigma(u, v) = g(u) g(v).
#include <cmath>
#include <string>

#include "dfd/camera.h"
#include "dfd/error.h"

namespace dfd {

void gaussian_factor(double sigma, int K, double* g) {
  // NaN fails `sigma > 0` too. +inf is allowed: it is the box limit 1/K.
  if (!(sigma > 0)) throw_input("gaussian_factor: sigma must be positive (got " + std::to_string(sigma) + ")");
  if (K < 1 || K % 2 == 0)
    throw_input("gaussian_factor: window K must be odd and positive (got " + std::to_string(K) + ")");
  const int r = K / 2;
  const double inv = 1.0 / (2.0 * sigma * sigma);
  // The window normaliser of the 2-D kernel is the square of the 1-D one, so normalising
  // g to sum 1 normalises g(u) g(v) over the K x K window exactly.
  double sum = 0.0;
  for (int u = -r; u <= r; ++u) {
    const double e = std::exp(-double(u) * u * inv);
    g[u + r] = e;
    sum += e;
  }
  for (int k = 0; k < K; ++k) g[k] /= sum;
}

std::vector<double> gaussian_factor(double sigma, int K) {
  if (K < 1 || K % 2 == 0)
    throw_input("gaussian_factor: window K must be odd and positive (got " + std::to_string(K) + ")");
  std::vector<double> g(K);
  gaussian_factor(sigma, K, g.data());
  return g;
}

}  // namespace dfd
