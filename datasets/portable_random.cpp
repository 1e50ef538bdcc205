// The portable, counter-based generator: splitmix64 mixing, Box-Muller normals, exact Poisson.
#include "dfd/portable_random.h"

#include <cmath>

namespace dfd {

namespace {

// Knuth's multiplication method: the number of uniforms whose running product stays above
// exp(-lambda). About lambda + 1 uniforms a variate: for small lambda only.
double poisson_small(uint64_t key, uint64_t n, double lambda) {
  const double limit = std::exp(-lambda);
  double p = 1.0;
  for (uint64_t k = 0;; ++k) {
    p *= 1.0 - random_uniform(key, n, k);  // (0, 1]
    if (p <= limit) return static_cast<double>(k);
  }
}

// W. Hoermann, "The transformed rejection method for generating Poisson random variables",
// Insurance: Mathematics and Economics 12 (1993): algorithm PTRS, exact for lambda >= 10 (the
// paper's constants and threshold, as numpy uses them).
double poisson_ptrs(uint64_t key, uint64_t n, double lambda) {
  const double slam = std::sqrt(lambda), loglam = std::log(lambda);
  const double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
  const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2.0);
  for (uint64_t j = 0;; j += 2) {
    const double U = random_uniform(key, n, j) - 0.5, V = random_uniform(key, n, j + 1);
    const double us = 0.5 - std::fabs(U);
    const double k = std::floor((2.0 * a / us + b) * U + lambda + 0.43);
    if (us >= 0.07 && V <= vr) return k;
    if (k < 0 || (us < 0.013 && V > us)) continue;
    if (std::log(V) + std::log(inv_alpha) - std::log(a / (us * us) + b) <= -lambda + k * loglam - std::lgamma(k + 1.0))
      return k;
  }
}

}  // namespace

uint64_t splitmix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double random_uniform(uint64_t key, uint64_t n, uint64_t j) {
  const uint64_t h = splitmix64(splitmix64(key ^ splitmix64(n)) + j);
  return static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0);
}

double random_normal(uint64_t key, uint64_t n) {
  const double u1 = 1.0 - random_uniform(key, n, 0), u2 = random_uniform(key, n, 1);  // u1 in (0, 1]
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

double random_poisson(uint64_t key, uint64_t n, double lambda) {
  if (!(lambda > 0)) return 0.0;
  return lambda < 10.0 ? poisson_small(key, n, lambda) : poisson_ptrs(key, n, lambda);
}

}  // namespace dfd
