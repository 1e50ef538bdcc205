// CPU ceilings for bench floors: OpenMP copy/triad bandwidth and a register-resident FMA rate.
#include "dfd/ceilings.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "dfd/error.h"
#include "util/clock.h"

namespace dfd {

namespace {

using Clock = std::chrono::steady_clock;

// Best (shortest) time of `runs` calls of fn after one warm-up call.
template <class Fn>
double best_time(int runs, Fn&& fn) {
  fn();
  double best = 1e300;
  for (int r = 0; r < runs; ++r) {
    const auto t0 = Clock::now();
    fn();
    best = std::min(best, seconds_since(t0));
  }
  return best;
}

// Independent accumulator chains per thread: enough to cover FMA latency x FMA ports on
// current x86 cores (4 cycles x 2 ports x 16 lanes = 128 floats with AVX-512, 64 with AVX2).
constexpr int kChains = 128;

// `iters` rounds of acc = acc * a + b on kChains floats; returns a value that depends on every
// chain so the work cannot be removed. a is just below 1 and b small, so values stay finite.
__attribute__((noinline)) float fma_chains(long iters, float a, float b) {
  float acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = 1.f + 1e-3f * k;
  for (long it = 0; it < iters; ++it) {
#pragma omp simd
    for (int k = 0; k < kChains; ++k) acc[k] = std::fma(acc[k], a, b);
  }
  float s = 0.f;
  for (int k = 0; k < kChains; ++k) s += acc[k];
  return s;
}

}  // namespace

std::string cpu_model_name() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(colon + 1);
        name.erase(0, name.find_first_not_of(" \t"));
        return name;
      }
    }
  }
  return "unknown CPU";
}

DeviceCeilings measure_cpu_ceilings(int threads, size_t bytes) {
  const int nt = threads > 0 ? threads : omp_get_max_threads();
  if (bytes < (size_t(1) << 20))
    throw_input("measure_cpu_ceilings: array size " + std::to_string(bytes) +
                " bytes is too small to leave the caches");
  const size_t n = bytes / sizeof(float);
  std::unique_ptr<float[]> a(new float[n]), b(new float[n]), c(new float[n]);
  // First touch by the threads that will stream the arrays (page placement on NUMA hosts).
#pragma omp parallel for num_threads(nt) schedule(static)
  for (size_t i = 0; i < n; ++i) a[i] = 0.f, b[i] = 1.f, c[i] = 2.f;

  DeviceCeilings ce;
  ce.measured = true;
  std::ostringstream dev;
  dev << cpu_model_name() << " (" << nt << " thread" << (nt > 1 ? "s" : "") << ")";
  ce.device = dev.str();

  // Copy: n floats read and n written.
  const double t_copy = best_time(5, [&] {
#pragma omp parallel num_threads(nt)
    {
      const int t = omp_get_thread_num(), T = omp_get_num_threads();
      const size_t lo = n * t / T, hi = n * (t + 1) / T;
      std::memcpy(a.get() + lo, b.get() + lo, (hi - lo) * sizeof(float));
    }
  });
  ce.copy_bandwidth = 2.0 * n * sizeof(float) / t_copy;

  // Triad (STREAM convention: 2 arrays read, 1 written; write-allocate traffic not counted).
  const float s = 0.5f;
  const double t_triad = best_time(5, [&] {
    float* pa = a.get();
    const float* pb = b.get();
    const float* pc = c.get();
#pragma omp parallel for simd num_threads(nt) schedule(static)
    for (size_t i = 0; i < n; ++i) pa[i] = pb[i] + s * pc[i];
  });
  ce.triad_bandwidth = 3.0 * n * sizeof(float) / t_triad;

  ce.bandwidth = std::max(ce.copy_bandwidth, ce.triad_bandwidth);
  std::ostringstream bm;
  bm << (ce.bandwidth == ce.copy_bandwidth ? "memcpy" : "triad") << " of " << (bytes >> 20) << " MiB arrays on " << nt
     << " OpenMP threads, best of 5";
  ce.bandwidth_method = bm.str();

  // FMA rate: each thread runs the chains long enough (~0.1 s) to hide the fork cost.
  const long iters = 1L << 24;
  float sink = 0.f;
  const double t_fma = best_time(3, [&] {
    float local = 0.f;
#pragma omp parallel num_threads(nt) reduction(+ : local)
    local += fma_chains(iters, 0.999999f, 1e-7f);
    sink += local;
  });
  ce.flops = 2.0 * kChains * static_cast<double>(iters) * nt / t_fma;
  std::ostringstream fm;
  fm << "register-resident FMA chains (" << kChains << " floats per thread) on " << nt << " OpenMP threads, best of 3";
  ce.flops_method = fm.str();
  if (!std::isfinite(sink)) ce.note = "FMA kernel produced a non-finite value";
  return ce;
}

}  // namespace dfd
