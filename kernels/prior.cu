// Kernels of the regularised steps: one thread per pixel (and channel plane), each calling the
// per-pixel functions of src/model/prior_model.h exactly as the CPU loops do; the two sums are
// deterministic double reductions of the same float terms.
#include "cuda/cuda_check.h"
#include "model/prior_model.h"
#include "prior.cuh"
#include "reduce.cuh"

namespace dfd::cuda {

namespace {

// 2-D launches: 32 x 8 pixels per block (rows coalesced), grid.z the channel planes.
constexpr int kTileX = 32, kTileY = 8;
constexpr int kThreads = 256;  // 1-D launches

dim3 plane_grid(int W, int H, int planes) {
  return dim3(static_cast<unsigned>((W + kTileX - 1) / kTileX), static_cast<unsigned>((H + kTileY - 1) / kTileY),
              static_cast<unsigned>(planes));
}

unsigned pixel_blocks(size_t pixels) { return static_cast<unsigned>((pixels + kThreads - 1) / kThreads); }

// ---- Depth prior ---------------------------------------------------------------------------

__global__ void edge_weights_kernel(const float* __restrict__ x, int W, int H, int C, float scale, float lowest,
                                    float* __restrict__ g) {
  const int xx = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y * blockDim.y + threadIdx.y;
  if (xx >= W || y >= H) return;
  g[static_cast<size_t>(y) * W + xx] = prior::edge_weight(prior::image_gradient(x, W, H, C, xx, y), scale, lowest);
}

__global__ void scale_kernel(const float* __restrict__ in, float s, float* __restrict__ out, size_t n) {
  const size_t p = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (p < n) out[p] = in[p] * s;
}

// Dual pass: reads u_bar at p, p + 1, p + W (not written in this pass), updates q at p only.
__global__ void rof_dual_kernel(const float* __restrict__ u_bar, const float* __restrict__ g, int W, int H, float eps,
                                float* __restrict__ qx, float* __restrict__ qy) {
  const int xx = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y * blockDim.y + threadIdx.y;
  if (xx >= W || y >= H) return;
  const size_t p = static_cast<size_t>(y) * W + xx;
  float px = qx[p], py = qy[p];
  prior::rof_dual(px, py, prior::forward_diff(u_bar, W, H, xx, y), g[p], prior::kRofSigma, eps);
  qx[p] = px;
  qy[p] = py;
}

// Primal pass: reads q at p, p - 1, p - W (not written in this pass), u and a at p; writes u
// and u_bar at p only. u and a are not __restrict__: nothing forbids a caller to alias them.
__global__ void rof_primal_kernel(const float* __restrict__ qx, const float* __restrict__ qy, const float* a, int W,
                                  int H, float step, float inv_s, float theta, float* u, float* u_bar) {
  const int xx = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y * blockDim.y + threadIdx.y;
  if (xx >= W || y >= H) return;
  const size_t p = static_cast<size_t>(y) * W + xx;
  const float old = u[p] * inv_s;
  const float nu =
      prior::rof_primal(old, prior::diff_adjoint(qx, qy, W, H, xx, y), a[p] * inv_s, prior::kRofTau, theta);
  u[p] = nu * step;
  u_bar[p] = 2.f * nu - old;
}

// u may alias a: u(p) is read before a(p) is written, by the same thread.
__global__ void coupled_search_kernel(const float* __restrict__ V, const float* u, float weight, CandidateTable t,
                                      size_t HW, float* a, float* __restrict__ loss) {
  const size_t p = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (p >= HW) return;
  const int N = t.count;
  const float up = u[p];
  float best = INFINITY, data = 0.f;
  int arg = 0;
  for (int j = 0; j < N; ++j) {
    const float v = V[static_cast<size_t>(j) * HW + p];
    const float e = prior::coupled_cost(v, up, static_cast<float>(t.depth[j]), weight);
    if (e < best) {  // strict: the lowest index wins ties
      best = e;
      arg = j;
      data = v;
    }
  }
  // The vertex of the parabola through the winner and its neighbours (interior winners).
  float z = static_cast<float>(t.depth[arg]);
  if (arg > 0 && arg + 1 < N) {
    const float el =
        prior::coupled_cost(V[static_cast<size_t>(arg - 1) * HW + p], up, static_cast<float>(t.depth[arg - 1]), weight);
    const float er =
        prior::coupled_cost(V[static_cast<size_t>(arg + 1) * HW + p], up, static_cast<float>(t.depth[arg + 1]), weight);
    z += prior::parabola_offset(el, best, er) * static_cast<float>(t.depth[arg + 1] - t.depth[arg]);
  }
  a[p] = z;
  loss[p] = data;
}

// The weighted TV term of pixel i (row-major H x W).
struct TvTerm {
  const float* Z;
  const float* g;
  int W, H;
  float inv_s, eps;
  __device__ float operator()(size_t i) const {
    const int y = static_cast<int>(i / static_cast<size_t>(W));
    const int x = static_cast<int>(i - static_cast<size_t>(y) * W);
    const prior::Grad d = prior::forward_diff(Z, W, H, x, y);
    return g[i] * prior::huber(prior::magnitude(d) * inv_s, eps);
  }
};

// ---- AIF prior -----------------------------------------------------------------------------

__global__ void huber_weights_kernel(const float* __restrict__ x, int W, int H, float delta, float* __restrict__ w) {
  const int xx = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y * blockDim.y + threadIdx.y;
  if (xx >= W || y >= H) return;
  const size_t HW = static_cast<size_t>(W) * H, plane = blockIdx.z * HW;
  w[plane + static_cast<size_t>(y) * W + xx] =
      prior::huber_weight(prior::magnitude(prior::forward_diff(x + plane, W, H, xx, y)), delta);
}

__global__ void weighted_gradient_kernel(const float* __restrict__ x, const float* __restrict__ w, int W, int H,
                                         float scale, float* __restrict__ out) {
  const int xx = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y * blockDim.y + threadIdx.y;
  if (xx >= W || y >= H) return;
  const size_t HW = static_cast<size_t>(W) * H, plane = blockIdx.z * HW, p = static_cast<size_t>(y) * W + xx;
  const prior::Grad d = prior::forward_diff(x + plane, W, H, xx, y);
  const float s = scale * sqrtf(w[plane + p]);
  float* ox = out + 2 * plane;
  ox[p] = s * d.dx;
  ox[HW + p] = s * d.dy;  // the channel's y differences
}

// field = sqrt(w) .* p, both components of channel blockIdx.z.
__global__ void weighted_field_kernel(const float* __restrict__ p, const float* __restrict__ w, int W, int H,
                                      float* __restrict__ field) {
  const int xx = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y * blockDim.y + threadIdx.y;
  if (xx >= W || y >= H) return;
  const size_t HW = static_cast<size_t>(W) * H, plane = blockIdx.z * HW, k = static_cast<size_t>(y) * W + xx;
  const float s = sqrtf(w[plane + k]);
  field[2 * plane + k] = s * p[2 * plane + k];
  field[2 * plane + HW + k] = s * p[2 * plane + HW + k];
}

// x += scale D^T field, channel blockIdx.z; reads field at k, k - 1, k - W (written by the
// previous launch only).
__global__ void gradient_adjoint_kernel(const float* __restrict__ field, int W, int H, float scale,
                                        float* __restrict__ x) {
  const int xx = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y * blockDim.y + threadIdx.y;
  if (xx >= W || y >= H) return;
  const size_t HW = static_cast<size_t>(W) * H, plane = blockIdx.z * HW;
  const float* fx = field + 2 * plane;
  x[plane + static_cast<size_t>(y) * W + xx] += scale * prior::diff_adjoint(fx, fx + HW, W, H, xx, y);
}

// The Huber term of element i of a C x H x W image.
struct HuberTerm {
  const float* x;
  int W, H;
  size_t HW;
  float delta;
  __device__ float operator()(size_t i) const {
    const size_t c = i / HW, k = i - c * HW;
    const int y = static_cast<int>(k / static_cast<size_t>(W));
    const int xx = static_cast<int>(k - static_cast<size_t>(y) * W);
    return prior::huber(prior::magnitude(prior::forward_diff(x + c * HW, W, H, xx, y)), delta);
  }
};

}  // namespace

void launch_edge_weights(const Geometry& geo, const float* x, float scale, float floor, float* g, cudaStream_t stream) {
  if (geo.pixels == 0) return;
  edge_weights_kernel<<<plane_grid(geo.width, geo.height, 1), dim3(kTileX, kTileY), 0, stream>>>(
      x, geo.width, geo.height, geo.channels, scale, floor, g);
  DFD_CUDA_CHECK_LAUNCH("edge_weights_kernel");
}

void launch_rof_iterations(const Geometry& geo, float* u, float* q, const float* a, const float* g, float step,
                           float theta, float eps, int iterations, float* u_bar, cudaStream_t stream) {
  const size_t HW = geo.pixels;
  if (HW == 0) return;
  const float inv_s = 1.f / step;
  scale_kernel<<<pixel_blocks(HW), kThreads, 0, stream>>>(u, inv_s, u_bar, HW);  // u_bar = u / step
  DFD_CUDA_CHECK_LAUNCH("scale_kernel");
  const dim3 grid = plane_grid(geo.width, geo.height, 1), block(kTileX, kTileY);
  float* qx = q;
  float* qy = q + HW;
  for (int it = 0; it < iterations; ++it) {
    rof_dual_kernel<<<grid, block, 0, stream>>>(u_bar, g, geo.width, geo.height, eps, qx, qy);
    DFD_CUDA_CHECK_LAUNCH("rof_dual_kernel");
    rof_primal_kernel<<<grid, block, 0, stream>>>(qx, qy, a, geo.width, geo.height, step, inv_s, theta, u, u_bar);
    DFD_CUDA_CHECK_LAUNCH("rof_primal_kernel");
  }
}

void launch_coupled_search(const float* V, const float* u, float weight, const CandidateTable& t, size_t pixels,
                           float* a, float* loss, cudaStream_t stream) {
  if (pixels == 0) return;
  coupled_search_kernel<<<pixel_blocks(pixels), kThreads, 0, stream>>>(V, u, weight, t, pixels, a, loss);
  DFD_CUDA_CHECK_LAUNCH("coupled_search_kernel");
}

void launch_tv_sum(const Geometry& geo, const float* Z, const float* g, float step, float eps, double* partials,
                   double* out, cudaStream_t stream) {
  launch_reduce_terms(TvTerm{Z, g, geo.width, geo.height, 1.f / step, eps}, geo.pixels, partials, out, stream);
}

void launch_huber_weights(const Geometry& geo, const float* x, float delta, float* w, cudaStream_t stream) {
  if (geo.pixels == 0 || geo.channels == 0) return;
  huber_weights_kernel<<<plane_grid(geo.width, geo.height, geo.channels), dim3(kTileX, kTileY), 0, stream>>>(
      x, geo.width, geo.height, delta, w);
  DFD_CUDA_CHECK_LAUNCH("huber_weights_kernel");
}

void launch_weighted_gradient(const Geometry& geo, const float* x, const float* w, float scale, float* out,
                              cudaStream_t stream) {
  if (geo.pixels == 0 || geo.channels == 0) return;
  weighted_gradient_kernel<<<plane_grid(geo.width, geo.height, geo.channels), dim3(kTileX, kTileY), 0, stream>>>(
      x, w, geo.width, geo.height, scale, out);
  DFD_CUDA_CHECK_LAUNCH("weighted_gradient_kernel");
}

void launch_weighted_gradient_adjoint(const Geometry& geo, const float* p, const float* w, float scale, float* field,
                                      float* x, cudaStream_t stream) {
  if (geo.pixels == 0 || geo.channels == 0) return;
  const dim3 grid = plane_grid(geo.width, geo.height, geo.channels), block(kTileX, kTileY);
  weighted_field_kernel<<<grid, block, 0, stream>>>(p, w, geo.width, geo.height, field);
  DFD_CUDA_CHECK_LAUNCH("weighted_field_kernel");
  gradient_adjoint_kernel<<<grid, block, 0, stream>>>(field, geo.width, geo.height, scale, x);
  DFD_CUDA_CHECK_LAUNCH("gradient_adjoint_kernel");
}

void launch_huber_sum(const Geometry& geo, const float* x, float delta, double* partials, double* out,
                      cudaStream_t stream) {
  launch_reduce_terms(HuberTerm{x, geo.width, geo.height, geo.pixels, delta},
                      geo.pixels * static_cast<size_t>(geo.channels), partials, out, stream);
}

}  // namespace dfd::cuda
