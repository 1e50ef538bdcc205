// A portable, counter-based random generator: draw n of stream `key` is a function of (key, n)
// alone, the same with every compiler and standard library (std:: distributions are not), in any
// order and on any number of threads. splitmix64 mixing, Box-Muller normals, exact Poisson.
#pragma once

#include <cstdint>

namespace dfd {

// The splitmix64 finaliser (Steele, Lea, Flood 2014): a well-mixed 64-bit hash.
uint64_t splitmix64(uint64_t z);
// Uniform j of draw n of stream key, in [0, 1) (53 bits).
double random_uniform(uint64_t key, uint64_t n, uint64_t j = 0);
// A standard normal variate: draw n of stream key (Box-Muller on its uniforms 0 and 1).
double random_normal(uint64_t key, uint64_t n);
// A Poisson variate of mean lambda (0 for lambda <= 0), draw n of stream key: multiplication of
// uniforms below lambda = 10, Hoermann's transformed rejection (PTRS) from 10 on; both exact.
double random_poisson(uint64_t key, uint64_t n, double lambda);

}  // namespace dfd
