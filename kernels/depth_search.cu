// Depth-step kernels: per-pixel loops over the candidates (running argmin, lowest index on
// ties), the windowed variant's box mean in double, golden section through the levels (plain,
// or coupled to a smooth depth as the regularised depth step's a-step).
#include "candidate_loss.cuh"
#include "cuda/cuda_check.h"
#include "depth_search.cuh"
#include "level_weights.cuh"
#include "model/pixel_model.h"
#include "model/prior_model.h"

namespace dfd::cuda {

namespace {

constexpr int kThreads = 256;

unsigned pixel_blocks(size_t pixels) { return static_cast<unsigned>((pixels + kThreads - 1) / kThreads); }

__device__ __forceinline__ size_t pixel_index() { return static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; }

__global__ void grid_search_kernel(ModelView m, CandidateTable t, float* __restrict__ Z, float* __restrict__ loss) {
  const size_t p = pixel_index();
  if (p >= m.geo.pixels) return;
  float best = INFINITY;
  int best_j = 0;
  for (int j = 0; j < t.count; ++j) {
    const float v = candidate_loss(m, t, j, p);
    if (v < best) {  // strict: the lowest index wins ties
      best = v;
      best_j = j;
    }
  }
  Z[p] = static_cast<float>(t.depth[best_j]);
  loss[p] = best;
}

__global__ void candidate_losses_kernel(ModelView m, CandidateTable t, int j0, int J, float* __restrict__ slab) {
  const size_t p = pixel_index();
  const size_t HW = m.geo.pixels;
  if (p >= HW) return;
  for (int jj = 0; jj < J; ++jj) slab[static_cast<size_t>(jj) * HW + p] = candidate_loss(m, t, j0 + jj, p);
}

// model::window_mean_at (model/pixel_model.h) in two separable passes: horizontal window sums
// (double, stored as float), then their vertical sums divided by the positions in the image.
__global__ void box_rows_kernel(const float* __restrict__ in, float* __restrict__ out, int H, int W, int w) {
  const int x = blockIdx.x * blockDim.x + threadIdx.x;
  const int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x >= W || y >= H) return;
  const size_t row = (static_cast<size_t>(blockIdx.z) * H + y) * W;
  out[row + x] = static_cast<float>(model::window_sum(in + row, 1, model::window_span(x, W, w)));
}

__global__ void box_cols_kernel(const float* __restrict__ in, float* __restrict__ out, int H, int W, int w) {
  const int x = blockIdx.x * blockDim.x + threadIdx.x;
  const int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x >= W || y >= H) return;
  const size_t plane = static_cast<size_t>(blockIdx.z) * H * W;
  const model::WindowSpan sx = model::window_span(x, W, w), sy = model::window_span(y, H, w);
  const double s = model::window_sum(in + plane + x, static_cast<size_t>(W), sy);
  out[plane + static_cast<size_t>(y) * W + x] = static_cast<float>(s / model::window_positions(sx, sy));
}

__global__ void argmin_update_kernel(const float* __restrict__ slab, int j0, int J, size_t HW, float* __restrict__ best,
                                     int* __restrict__ best_j) {
  const size_t p = pixel_index();
  if (p >= HW) return;
  float b = j0 == 0 ? INFINITY : best[p];
  int bj = j0 == 0 ? 0 : best_j[p];
  for (int jj = 0; jj < J; ++jj) {
    const float v = slab[static_cast<size_t>(jj) * HW + p];
    if (v < b) {
      b = v;
      bj = j0 + jj;
    }
  }
  best[p] = b;
  best_j[p] = bj;
}

__global__ void finish_search_kernel(ModelView m, CandidateTable t, const int* __restrict__ best_j,
                                     float* __restrict__ Z, float* __restrict__ loss) {
  const size_t p = pixel_index();
  if (p >= m.geo.pixels) return;
  const int j = best_j[p];
  Z[p] = static_cast<float>(t.depth[j]);
  loss[p] = candidate_loss(m, t, j, p);
}

// The objective is loss(z) + weight (z - u(p))^2 where u is given (the coupled depth step's
// a-step), the loss alone where u is null; `loss` receives the data part at the result. u may
// alias Z (neither is __restrict__): it is read once, before Z is written.
__global__ void golden_section_kernel(ModelView m, CandidateTable t, GoldenParams g, const float* u, float weight,
                                      float* Z, float* __restrict__ loss) {
  const size_t p = pixel_index();
  if (p >= m.geo.pixels) return;
  const float up = u ? u[p] : 0.f;
  // The objective at depth z; its data part into *data when data is not null.
  auto objective = [&](double z, float* data) {
    const float l = device_pixel_loss(m, p, z);
    if (data) *data = l;
    return u ? prior::coupled_cost(l, up, static_cast<float>(z), weight) : l;
  };
  const double z0 = Z[p];
  // The shared model's golden-section steps (model/pixel_model.h), as the CPU backend's lanes.
  model::GoldenBracket br = model::golden_start(t.depth, t.count, z0, max(1, g.bracket));
  br.fc = objective(br.c, nullptr);
  br.fd = objective(br.d, nullptr);
  for (int it = 0; it < g.max_iters && model::golden_open(br, g.tol); ++it) {
    bool left = false;
    const double z = model::golden_narrow(br, left);
    model::golden_take(br, left, z, objective(z, nullptr));
  }
  // The midpoint (rounded to the float that is stored, so that the loss written is the loss
  // of the depth written), unless its objective is worse than where the pixel started (the
  // objective need not be unimodal on the bracket): the refinement never increases it.
  const double zm = model::golden_midpoint(br);
  float dm = 0.f, d0 = 0.f;
  const float fm = objective(zm, &dm), f0 = objective(z0, &d0);
  if (fm <= f0) {
    Z[p] = static_cast<float>(zm);
    loss[p] = dm;
  } else {
    loss[p] = d0;
  }
}

__global__ void pixel_loss_kernel(ModelView m, const float* __restrict__ Z, float* __restrict__ loss) {
  const size_t p = pixel_index();
  if (p >= m.geo.pixels) return;
  loss[p] = device_pixel_loss(m, p, static_cast<double>(Z[p]));
}

__global__ void keep_better_kernel(float* __restrict__ Z, float* __restrict__ loss, const float* __restrict__ Z_old,
                                   const float* __restrict__ loss_old, size_t n) {
  const size_t p = pixel_index();
  if (p >= n) return;
  const float lo = loss_old[p];
  if (lo < loss[p]) {
    Z[p] = Z_old[p];
    loss[p] = lo;
  }
}

}  // namespace

void launch_grid_search(const ModelView& m, const CandidateTable& t, float* Z, float* loss, cudaStream_t stream) {
  if (m.geo.pixels == 0) return;
  grid_search_kernel<<<pixel_blocks(m.geo.pixels), kThreads, 0, stream>>>(m, t, Z, loss);
  DFD_CUDA_CHECK_LAUNCH("grid_search_kernel");
}

void launch_candidate_losses(const ModelView& m, const CandidateTable& t, int j0, int J, float* slab,
                             cudaStream_t stream) {
  if (m.geo.pixels == 0 || J <= 0) return;
  candidate_losses_kernel<<<pixel_blocks(m.geo.pixels), kThreads, 0, stream>>>(m, t, j0, J, slab);
  DFD_CUDA_CHECK_LAUNCH("candidate_losses_kernel");
}

void launch_window_mean(float* maps, float* tmp, int planes, int H, int W, int w, cudaStream_t stream) {
  if (planes <= 0 || H <= 0 || W <= 0 || w <= 1) return;
  const dim3 block(32, 8);
  const dim3 grid(static_cast<unsigned>((W + 31) / 32), static_cast<unsigned>((H + 7) / 8),
                  static_cast<unsigned>(planes));
  box_rows_kernel<<<grid, block, 0, stream>>>(maps, tmp, H, W, w);
  DFD_CUDA_CHECK_LAUNCH("box_rows_kernel");
  box_cols_kernel<<<grid, block, 0, stream>>>(tmp, maps, H, W, w);
  DFD_CUDA_CHECK_LAUNCH("box_cols_kernel");
}

void launch_argmin_update(const float* slab, int j0, int J, size_t pixels, float* best, int* best_j,
                          cudaStream_t stream) {
  if (pixels == 0 || J <= 0) return;
  argmin_update_kernel<<<pixel_blocks(pixels), kThreads, 0, stream>>>(slab, j0, J, pixels, best, best_j);
  DFD_CUDA_CHECK_LAUNCH("argmin_update_kernel");
}

void launch_finish_search(const ModelView& m, const CandidateTable& t, const int* best_j, float* Z, float* loss,
                          cudaStream_t stream) {
  if (m.geo.pixels == 0) return;
  finish_search_kernel<<<pixel_blocks(m.geo.pixels), kThreads, 0, stream>>>(m, t, best_j, Z, loss);
  DFD_CUDA_CHECK_LAUNCH("finish_search_kernel");
}

void launch_golden_section(const ModelView& m, const CandidateTable& t, const GoldenParams& g, const float* u,
                           float weight, float* Z, float* loss, cudaStream_t stream) {
  if (m.geo.pixels == 0) return;
  golden_section_kernel<<<pixel_blocks(m.geo.pixels), kThreads, 0, stream>>>(m, t, g, u, weight, Z, loss);
  DFD_CUDA_CHECK_LAUNCH("golden_section_kernel");
}

void launch_pixel_loss(const ModelView& m, const float* Z, float* loss, cudaStream_t stream) {
  if (m.geo.pixels == 0) return;
  pixel_loss_kernel<<<pixel_blocks(m.geo.pixels), kThreads, 0, stream>>>(m, Z, loss);
  DFD_CUDA_CHECK_LAUNCH("pixel_loss_kernel");
}

void launch_keep_better(float* Z, float* loss, const float* Z_old, const float* loss_old, size_t n,
                        cudaStream_t stream) {
  if (n == 0) return;
  keep_better_kernel<<<pixel_blocks(n), kThreads, 0, stream>>>(Z, loss, Z_old, loss_old, n);
  DFD_CUDA_CHECK_LAUNCH("keep_better_kernel");
}

}  // namespace dfd::cuda
