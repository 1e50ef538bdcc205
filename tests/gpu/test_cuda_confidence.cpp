// CUDA loss-profile statistics (the confidence map) against the CPU backend on a scene rendered
// with the exact model.
#include <gtest/gtest.h>

#include <cmath>

#include "dfd/error.h"
#include "gpu_test_util.h"

namespace dfd {
namespace {

using gputest::get;
using gputest::put;

TEST(CudaConfidence, MatchesCpu) {
  DFD_REQUIRE_CUDA();
  for (const int candidates : {40, 3}) {
    gputest::SceneSpec spec;
    spec.candidates = candidates;
    const gputest::Scene sc = gputest::make_scene(spec);
    const Problem& p = sc.problem;
    gputest::Backends be(p);
    std::vector<std::vector<float>> conf, uni;
    for (Backend* b : {static_cast<Backend*>(be.cpu.get()), static_cast<Backend*>(be.gpu.get())}) {
      DVec x = put(*b, sc.aif.data), c = b->alloc(p.pixels()), u = b->alloc(p.pixels());
      b->blur_levels(x);
      b->loss_profile_stats(c, u);
      conf.push_back(get(*b, c));
      uni.push_back(get(*b, u));
    }
    // Both evaluate the same profile_stats on losses that agree to float rounding (the level
    // blurs: 1e-5 relative, see loss_slack); the statistics are continuous in the losses except
    // at the prominence threshold and exact ties, which a rounding-level change can cross at a
    // handful of pixels.
    size_t same = 0, close = 0;
    for (size_t q = 0; q < p.pixels(); ++q) {
      ASSERT_TRUE(conf[1][q] >= 0.f && conf[1][q] <= 1.f) << q;
      same += uni[0][q] == uni[1][q];
      close += std::fabs(conf[0][q] - conf[1][q]) <= 1e-3f;
    }
    EXPECT_GE(same, p.pixels() * 99 / 100) << candidates << " candidates";
    EXPECT_GE(close, p.pixels() * 99 / 100) << candidates << " candidates";
  }
}

TEST(CudaConfidence, NeedsBlurLevels) {
  DFD_REQUIRE_CUDA();
  const gputest::Scene sc = gputest::make_scene({});
  cuda::CudaBackend gpu;
  gpu.setup(sc.problem);
  DVec c = gpu.alloc(sc.problem.pixels()), u = gpu.alloc(sc.problem.pixels());
  EXPECT_THROW(gpu.loss_profile_stats(c, u), Error);
}

}  // namespace
}  // namespace dfd
