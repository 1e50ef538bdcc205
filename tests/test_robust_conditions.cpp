// The robustness bench's input conditions and its portable generator: 8-bit output integral and
// clamped, the noise's sigma and the sensor's variance law measured on flat frames, exact Poisson
// variates, and determinism (same seed, same frames; independent of other frames and threads).
#ifdef DFD_HAVE_BENCH
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "dfd/error.h"
#include "dfd/portable_random.h"
#include "dfd/robust_bench.h"

namespace dfd {
namespace {

// 256 x 256 x 3 = 196608 samples. The sample variance of n near-normal values has a relative
// standard deviation of sqrt(2 / n) = 0.32%: the 2% tolerances below are over 6 of those, and
// a wrong sigma, a missing rounding (1/12 DN^2) or a wrong gain is off by 20% or more.
constexpr int kSide = 256;
constexpr double kVarTol = 0.02;

struct Moments {
  double mean = 0, var = 0;
};

Moments moments(const std::vector<float>& v) {
  Moments m;
  for (float x : v) m.mean += x;
  m.mean /= v.size();
  for (float x : v) m.var += (x - m.mean) * (x - m.mean);
  m.var /= v.size() - 1;
  return m;
}

Image flat(double value) { return Image(kSide, kSide, 3, static_cast<float>(value)); }

FocalStack stack_of(std::vector<Image> frames) {
  FocalStack s;
  s.frames = std::move(frames);
  s.range = 255.0;
  for (int i = 0; i < s.count(); ++i) s.focus_distances.push_back(1.0 + i);
  return s;
}

TEST(RobustConditions, TableAndNames) {
  std::vector<std::string> names;
  for (const InputCondition& c : robust_conditions()) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"float", "8bit", "8bit+n0.5", "8bit+n1", "8bit+n2", "sensor"}));
  EXPECT_DOUBLE_EQ(find_condition("8bit+n0.5").noise_sigma, 0.5);
  try {
    find_condition("8bit+n3");
    FAIL() << "an unknown condition must be refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(std::string(e.what()).find("sensor"), std::string::npos) << "lists the names: " << e.what();
  }
}

TEST(RobustConditions, EightBitOutputIsIntegralAndClamped) {
  // A ramp from below 0 to above 255, through fractional values.
  Image ramp(400, 4, 1);
  for (size_t i = 0; i < ramp.size(); ++i) ramp.data[i] = static_cast<float>(-20.0 + 0.7 * (i % 400) + 0.013 * i);
  for (const InputCondition& c : robust_conditions()) {
    const Image out = apply_condition(ramp, c, 7);
    if (!c.quantize) {
      EXPECT_EQ(out.data, ramp.data) << c.name << " leaves the stack as rendered";
      continue;
    }
    bool saw_low = false, saw_high = false;
    for (float v : out.data) {
      ASSERT_EQ(v, std::round(v)) << c.name;
      ASSERT_GE(v, 0.f) << c.name;
      ASSERT_LE(v, 255.f) << c.name;
      saw_low = saw_low || v == 0.f;
      saw_high = saw_high || v == 255.f;
    }
    EXPECT_TRUE(saw_low && saw_high) << c.name << ": the out-of-range ends are clamped, not dropped";
  }
  // Plain rounding: no noise, round half up.
  const Image one(1, 1, 1, 2.5f);
  EXPECT_EQ(apply_condition(one, find_condition("8bit"), 1).data[0], 3.f);
}

TEST(RobustConditions, PortableNormalIsStandard) {
  std::vector<float> v(200000);
  double lag = 0;
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(random_normal(42, i));
  for (size_t i = 1; i < v.size(); ++i) lag += v[i] * v[i - 1];
  const Moments m = moments(v);
  EXPECT_NEAR(m.mean, 0.0, 0.01);  // 4.5 standard errors (1 / sqrt(n) = 0.0022)
  EXPECT_NEAR(m.var, 1.0, kVarTol);
  EXPECT_NEAR(lag / v.size(), 0.0, 0.01) << "neighbouring draws are uncorrelated";
}

TEST(RobustConditions, GaussianNoiseSigmaOfAFlatFrame) {
  // Rounding adds 1/12 DN^2 to the noise's sigma^2 (Sheppard; exact to 0.2% of the total from
  // sigma 0.5 on): without the noise, or with twice the sigma, this fails.
  for (const double sigma : {0.5, 1.0, 2.0}) {
    const std::string name = sigma == 0.5 ? "8bit+n0.5" : sigma == 1.0 ? "8bit+n1" : "8bit+n2";
    const Moments m = moments(apply_condition(flat(100.3), find_condition(name), 11).data);
    const double want = sigma * sigma + 1.0 / 12.0;
    EXPECT_NEAR(m.var, want, kVarTol * want) << name;
    EXPECT_NEAR(m.mean, 100.3, 0.02) << name;
  }
}

TEST(RobustConditions, SensorVarianceGrowsWithIntensityAsTheModelSays) {
  // Var in DN = s / g + (read / g)^2 + 1/12 (rounding), g = full well / 255 electrons per DN.
  const double g = kSensorFullWell / 255.0;
  double previous = 0;
  for (const double s : {10.0, 60.0, 200.0}) {
    const Moments m = moments(apply_condition(flat(s), find_condition("sensor"), 5).data);
    const double want = s / g + (kSensorReadNoise / g) * (kSensorReadNoise / g) + 1.0 / 12.0;
    EXPECT_NEAR(m.var, want, kVarTol * want) << "at " << s << " DN";
    EXPECT_NEAR(m.mean, s, 0.02) << "shot noise is unbiased";
    EXPECT_GT(m.var, previous);
    previous = m.var;
  }
}

TEST(RobustConditions, PoissonVariatesAreExact) {
  // Both branches (multiplication below lambda = 10, PTRS above): mean and variance within 4
  // standard errors, and for small lambda the probability of 0.
  const size_t n = 100000;
  for (const double lambda : {3.0, 9.5, 10.0, 40.0, 2500.0}) {
    std::vector<float> v(n);
    size_t zeros = 0;
    for (size_t i = 0; i < n; ++i) {
      v[i] = static_cast<float>(random_poisson(99, i, lambda));
      zeros += v[i] == 0.f;
      ASSERT_EQ(v[i], std::floor(v[i]));
      ASSERT_GE(v[i], 0.f);
    }
    const Moments m = moments(v);
    EXPECT_NEAR(m.mean, lambda, 4 * std::sqrt(lambda / n)) << lambda;
    EXPECT_NEAR(m.var, lambda, 4 * std::sqrt((2 * lambda * lambda + lambda) / n)) << lambda;
    if (lambda < 5) EXPECT_NEAR(static_cast<double>(zeros) / n, std::exp(-lambda), 0.003) << lambda;
  }
  EXPECT_EQ(random_poisson(1, 2, 0.0), 0.0);
}

TEST(RobustConditions, SameSeedSameFramesIndependentOfOtherFramesAndThreads) {
  Image a = flat(80.0), b = flat(150.0), c = flat(30.0);
  a.data[17] = 3.0f;  // frames need not be flat
  for (const char* name : {"8bit+n1", "sensor"}) {
    const InputCondition& cond = find_condition(name);
    const FocalStack ab = apply_condition(stack_of({a, b}), cond, 2024, 1);
    EXPECT_EQ(apply_condition(stack_of({a, b}), cond, 2024, 2).frames[1].data, ab.frames[1].data)
        << name << ": same seed, same frames, whatever the thread count";
    EXPECT_EQ(apply_condition(stack_of({a, c}), cond, 2024).frames[0].data, ab.frames[0].data)
        << name << ": frame 0 does not depend on frame 1";
    EXPECT_NE(apply_condition(stack_of({a, b}), cond, 2025).frames[0].data, ab.frames[0].data)
        << name << ": another seed, other noise";
    EXPECT_NE(apply_condition(stack_of({a, a}), cond, 2024).frames[1].data,
              apply_condition(stack_of({a, a}), cond, 2024).frames[0].data)
        << name << ": every frame has its own noise";
  }
}

TEST(RobustConditions, RefusesAStackNotIn8BitRange) {
  FocalStack s = stack_of({flat(0.5)});
  s.range = 1.0;
  EXPECT_THROW(apply_condition(s, find_condition("8bit"), 1), Error);
}

}  // namespace
}  // namespace dfd
#endif  // DFD_HAVE_BENCH
