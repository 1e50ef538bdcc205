// The robustness bench's input conditions: 8-bit rounding, Gaussian noise in DN and a
// Poisson-Gaussian sensor, applied to a rendered float focal stack.
#include <omp.h>

#include <algorithm>
#include <cmath>

#include "dfd/error.h"
#include "dfd/portable_random.h"
#include "dfd/robust_bench.h"

namespace dfd {

namespace {

constexpr double kRange = 255.0;
// The sensor's read noise draws from its own stream, so that it is independent of the Poisson
// draws of the same pixel.
constexpr uint64_t kReadNoiseStream = 0x7ead4015e5ULL;

const std::vector<InputCondition> kConditions = {
    {"float", false, 0.0, false, "the rendered float stack as it is"},
    {"8bit", true, 0.0, false, "rounded to integers, clamped to 0..255"},
    {"8bit+n0.5", true, 0.5, false, "Gaussian noise of sigma 0.5 DN, then rounded and clamped"},
    {"8bit+n1", true, 1.0, false, "Gaussian noise of sigma 1 DN, then rounded and clamped"},
    {"8bit+n2", true, 2.0, false, "Gaussian noise of sigma 2 DN, then rounded and clamped"},
    {"sensor", true, 0.0, true,
     "Poisson shot noise (full well 4000 e- at 255 DN) + Gaussian read noise 2 e-, then rounded and clamped"},
};

float to_8bit(double v) { return static_cast<float>(std::clamp(std::floor(v + 0.5), 0.0, kRange)); }

}  // namespace

const std::vector<InputCondition>& robust_conditions() { return kConditions; }

const InputCondition& find_condition(const std::string& name) {
  std::string names;
  for (const InputCondition& c : kConditions) {
    if (c.name == name) return c;
    names += (names.empty() ? "" : ", ") + c.name;
  }
  throw_usage("unknown input condition '" + name + "' (choose from " + names + ")");
}

Image apply_condition(const Image& frame, const InputCondition& c, uint64_t key, int threads) {
  Image out = frame;
  if (!c.quantize) return out;
  const int64_t n = static_cast<int64_t>(frame.size());
  const double gain = kSensorFullWell / kRange;  // electrons per DN
  const uint64_t read_key = splitmix64(key ^ kReadNoiseStream);
  const int nt = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for num_threads(nt) schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    const double x = frame.data[i];
    double v = x;
    if (c.sensor) {
      const double electrons =
          random_poisson(key, i, std::max(0.0, x) * gain) + kSensorReadNoise * random_normal(read_key, i);
      v = electrons / gain;
    } else if (c.noise_sigma > 0) {
      v = x + c.noise_sigma * random_normal(key, i);
    }
    out.data[i] = to_8bit(v);
  }
  return out;
}

FocalStack apply_condition(const FocalStack& clean, const InputCondition& c, uint64_t seed, int threads) {
  if (clean.range != kRange)
    throw_input("input condition " + c.name + ": the stack's range must be 255 (got " + std::to_string(clean.range) +
                ")");
  FocalStack s = clean;
  for (int i = 0; i < clean.count(); ++i) {
    s.frames[i] = apply_condition(clean.frames[i], c, splitmix64(seed + static_cast<uint64_t>(i)), threads);
    if (i < static_cast<int>(s.sources.size())) s.sources[i] += " (" + c.name + ")";
  }
  return s;
}

}  // namespace dfd
