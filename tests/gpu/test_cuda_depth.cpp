// CUDA depth step against the CPU backend: grid search (plain, windowed, chunked), golden
// section, per-pixel loss and the monotone guard, on scenes rendered with the exact model.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "gpu_test_util.h"

namespace dfd {
namespace {

using gputest::get;
using gputest::loss_slack;
using gputest::put;
using gputest::random_vector;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Per-candidate loss maps from the CPU backend (pixel_loss at a constant depth), window-
// averaged when w > 1: the reference for deciding whether two argmins are a near-tie.
std::vector<std::vector<float>> candidate_maps(Backend& cpu, const Problem& p, int w) {
  std::vector<std::vector<float>> maps;
  DVec Z = cpu.alloc(p.pixels()), loss = cpu.alloc(p.pixels());
  for (double zj : p.candidates) {
    cpu.fill(Z, static_cast<float>(zj));
    cpu.pixel_loss(Z, loss);
    std::vector<float> m = get(cpu, loss);
    if (w > 1) window_mean(m.data(), p.height, p.width, w);
    maps.push_back(std::move(m));
  }
  return maps;
}

int candidate_index(const Problem& p, float z) {
  for (size_t j = 0; j < p.candidates.size(); ++j)
    if (static_cast<float>(p.candidates[j]) == z) return static_cast<int>(j);
  return -1;
}

struct Search {
  std::vector<float> Z, loss;
};

Search grid_search(Backend& be, const Problem& p, const std::vector<float>& aif) {
  DVec x = put(be, aif), Z = be.alloc(p.pixels()), loss = be.alloc(p.pixels());
  be.fill(Z, kNaN);
  be.fill(loss, kNaN);
  be.blur_levels(x);
  be.grid_search(Z, loss);
  return Search{get(be, Z), get(be, loss)};
}

// Same argmin as the CPU except at near-ties: where the two differ, the reference losses of
// the two candidates agree within what rounding in both backends explains (twice the slack);
// near-ties are rare on textured scenes (at most 1% of pixels). The reported un-windowed
// losses agree within the slack wherever the argmins agree.
void expect_same_search(const Problem& p, const Search& gpu, const Search& cpu,
                        const std::vector<std::vector<float>>& maps) {
  size_t differ = 0;
  for (size_t q = 0; q < p.pixels(); ++q) {
    const int jg = candidate_index(p, gpu.Z[q]), jc = candidate_index(p, cpu.Z[q]);
    ASSERT_GE(jg, 0) << "GPU depth " << gpu.Z[q] << " at pixel " << q << " is not a candidate";
    ASSERT_GE(jc, 0);
    if (jg == jc) {
      ASSERT_NEAR(gpu.loss[q], cpu.loss[q], loss_slack(cpu.loss[q], p.range)) << "pixel " << q;
      continue;
    }
    ++differ;
    const double a = maps[jg][q], b = maps[jc][q];
    EXPECT_NEAR(a, b, 2 * loss_slack(std::max(a, b), p.range))
        << "pixel " << q << ": GPU chose candidate " << jg << ", CPU " << jc;
  }
  EXPECT_LE(differ, p.pixels() / 100) << differ << " pixels with a different argmin";
}

TEST(CudaDepth, GridSearchMatchesCpu) {
  DFD_REQUIRE_CUDA();
  const gputest::Scene sc = gputest::make_scene(gputest::SceneSpec{});
  gputest::Backends be(sc.problem);
  const Search gpu = grid_search(*be.gpu, sc.problem, sc.aif.data);
  const Search cpu = grid_search(*be.cpu, sc.problem, sc.aif.data);
  expect_same_search(sc.problem, gpu, cpu, candidate_maps(*be.cpu, sc.problem, 0));
}

TEST(CudaDepth, WindowedGridSearchMatchesCpu) {
  DFD_REQUIRE_CUDA();
  for (int w : {5, 4}) {  // odd and even windows (offsets -w/2 .. w - 1 - w/2)
    SCOPED_TRACE("window " + std::to_string(w));
    gputest::SceneSpec s;
    s.window = w;
    const gputest::Scene sc = gputest::make_scene(s);
    gputest::Backends be(sc.problem);
    const Search gpu = grid_search(*be.gpu, sc.problem, sc.aif.data);
    const Search cpu = grid_search(*be.cpu, sc.problem, sc.aif.data);
    expect_same_search(sc.problem, gpu, cpu, candidate_maps(*be.cpu, sc.problem, w));
  }
}

// Chunks of candidates change only the launch sequence, not any value: bit-identical.
TEST(CudaDepth, ChunkedWindowedSearchEqualsOneChunk) {
  DFD_REQUIRE_CUDA();
  gputest::SceneSpec s;
  s.window = 5;
  const gputest::Scene sc = gputest::make_scene(s);
  cuda::CudaBackend whole,
      chunked(cuda::CudaBackendConfig{0, cuda::BlurPath::Auto, 2 * sizeof(float) * sc.problem.pixels() * 7});
  whole.setup(sc.problem);
  chunked.setup(sc.problem);
  ASSERT_EQ(whole.search_chunk(), s.candidates);
  ASSERT_EQ(chunked.search_chunk(), 7);  // 40 candidates: 5 chunks of 7 and one of 5
  const Search a = grid_search(whole, sc.problem, sc.aif.data), b = grid_search(chunked, sc.problem, sc.aif.data);
  EXPECT_EQ(a.Z, b.Z);
  EXPECT_EQ(a.loss, b.loss);
}

TEST(CudaDepth, GridSearchIsDeterministic) {
  DFD_REQUIRE_CUDA();
  const gputest::Scene sc = gputest::make_scene(gputest::SceneSpec{});
  cuda::CudaBackend gpu;
  gpu.setup(sc.problem);
  const Search a = grid_search(gpu, sc.problem, sc.aif.data), b = grid_search(gpu, sc.problem, sc.aif.data);
  EXPECT_EQ(a.Z, b.Z);
  EXPECT_EQ(a.loss, b.loss);
}

// Golden section from the same grid depths runs the same comparisons on both backends, so
// the results coincide up to rounding, within gs_tol where rounding flips a late comparison of
// two near-equal losses; an early flip (a different sub-bracket) must stay rare (<= 1%).
TEST(CudaDepth, GoldenSectionMatchesCpu) {
  DFD_REQUIRE_CUDA();
  const gputest::Scene sc = gputest::make_scene(gputest::SceneSpec{});
  const Problem& p = sc.problem;
  gputest::Backends be(p);
  const Search start = grid_search(*be.cpu, p, sc.aif.data);
  Search res[2];
  int k = 0;
  for (Backend* b : {be.cpu.get(), static_cast<Backend*>(be.gpu.get())}) {
    DVec x = put(*b, sc.aif.data), Z = put(*b, start.Z), loss = b->alloc(p.pixels());
    b->fill(loss, kNaN);
    b->blur_levels(x);
    b->golden_section(Z, loss);
    res[k++] = Search{get(*b, Z), get(*b, loss)};
  }
  size_t off = 0, refined = 0;
  for (size_t q = 0; q < p.pixels(); ++q) {
    ASSERT_TRUE(std::isfinite(res[1].Z[q]) && std::isfinite(res[1].loss[q])) << "pixel " << q;
    const double dz = std::fabs(double(res[1].Z[q]) - res[0].Z[q]);
    if (res[0].Z[q] != start.Z[q]) ++refined;
    if (dz <= 1e-4 * res[0].Z[q])  // the same path: the same point up to rounding
      EXPECT_NEAR(res[1].loss[q], res[0].loss[q], loss_slack(res[0].loss[q], p.range)) << "pixel " << q;
    else if (dz > p.gs_tol)
      ++off;
    // The refinement never raises a pixel's loss above its grid loss.
    EXPECT_LE(res[1].loss[q], start.loss[q] + loss_slack(start.loss[q], p.range)) << "pixel " << q;
  }
  EXPECT_LE(off, p.pixels() / 100) << off << " pixels further than gs_tol from the CPU's result";
  EXPECT_GT(refined, p.pixels() / 2) << "the refinement should move most pixels off the grid";
}

TEST(CudaDepth, PixelLossMatchesCpu) {
  DFD_REQUIRE_CUDA();
  const gputest::Scene sc = gputest::make_scene(gputest::SceneSpec{});
  const Problem& p = sc.problem;
  gputest::Backends be(p);
  const auto hZ = random_vector(p.pixels(), 0.1f, 10.f, 801);
  std::vector<float> out[2];
  int k = 0;
  for (Backend* b : {be.cpu.get(), static_cast<Backend*>(be.gpu.get())}) {
    DVec x = put(*b, sc.aif.data), Z = put(*b, hZ), loss = b->alloc(p.pixels());
    b->fill(loss, kNaN);
    b->blur_levels(x);
    b->pixel_loss(Z, loss);
    out[k++] = get(*b, loss);
  }
  for (size_t q = 0; q < p.pixels(); ++q)
    ASSERT_NEAR(out[1][q], out[0][q], loss_slack(out[0][q], p.range)) << "pixel " << q << ", Z " << hZ[q];
}

// A pure selection: bit-identical to the CPU.
TEST(CudaDepth, KeepBetterMatchesCpu) {
  DFD_REQUIRE_CUDA();
  const gputest::Scene sc = gputest::make_scene(gputest::SceneSpec{});
  const Problem& p = sc.problem;
  gputest::Backends be(p);
  const size_t n = p.pixels();
  const auto Z = random_vector(n, 0.1f, 10.f, 901), Zo = random_vector(n, 0.1f, 10.f, 902);
  const auto L = random_vector(n, 0.f, 5.f, 903), Lo = random_vector(n, 0.f, 5.f, 904);
  std::vector<float> z[2], l[2];
  int k = 0;
  for (Backend* b : {be.cpu.get(), static_cast<Backend*>(be.gpu.get())}) {
    DVec dZ = put(*b, Z), dL = put(*b, L), dZo = put(*b, Zo), dLo = put(*b, Lo);
    b->keep_better(dZ, dL, dZo, dLo);
    z[k] = get(*b, dZ);
    l[k++] = get(*b, dL);
  }
  EXPECT_EQ(z[1], z[0]);
  EXPECT_EQ(l[1], l[0]);
}

}  // namespace
}  // namespace dfd
