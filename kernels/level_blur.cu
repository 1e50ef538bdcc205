// Level blur kernels: separable row / column passes over shared-memory tiles (zero padding),
// and the pad / crop / spectrum kernels around the batched cuFFT transforms.
#include "cuda/cuda_check.h"
#include "level_blur.cuh"

namespace dfd::cuda {

namespace {

// Row pass: a block of kRowTile x kRowRows threads computes kRowOut outputs per thread in
// each of kRowRows rows (outputs kRowTile apart, so shared loads stay conflict-free and each
// tap is loaded once for kRowOut multiply-adds).
constexpr int kRowTile = 128;
constexpr int kRowOut = 4;
constexpr int kRowSpan = kRowTile * kRowOut;
constexpr int kRowRows = 4;
// Column pass: a block of kColTileW x kColThreadsY threads computes a kColTileW x kColTileH
// tile, kColOut rows per thread.
constexpr int kColTileW = 32;
constexpr int kColThreadsY = 8;
constexpr int kColTileH = 64;
constexpr int kColOut = kColTileH / kColThreadsY;
static_assert(kColTileH % kColThreadsY == 0, "each column thread owns whole rows of the tile");

unsigned ceil_div(long long a, long long b) { return static_cast<unsigned>((a + b - 1) / b); }

__global__ void blur_rows_kernel(const float* __restrict__ in, float* __restrict__ out, int H, int W,
                                 const float* __restrict__ g, int K, const int* __restrict__ used, int level) {
  if (used && !used[level]) return;  // the same for the whole grid: before any barrier
  extern __shared__ float smem[];
  const int r = K / 2;
  const int span = kRowSpan + 2 * r;
  float* taps = smem;
  float* row = smem + K + threadIdx.y * span;
  const int tid = threadIdx.y * kRowTile + threadIdx.x;
  for (int i = tid; i < K; i += kRowTile * kRowRows) taps[i] = g[i];

  const int x0 = blockIdx.x * kRowSpan;
  const int y = blockIdx.y * kRowRows + threadIdx.y;
  const size_t plane = static_cast<size_t>(blockIdx.z) * H * W;
  if (y < H) {
    const float* src = in + plane + static_cast<size_t>(y) * W;
    // row[i] holds in(y, x0 - r + i), zero outside the image.
    for (int i = threadIdx.x; i < span; i += kRowTile) {
      const int x = x0 - r + i;
      row[i] = (x >= 0 && x < W) ? src[x] : 0.f;
    }
  }
  __syncthreads();
  if (y >= H) return;
  float acc[kRowOut];
#pragma unroll
  for (int q = 0; q < kRowOut; ++q) acc[q] = 0.f;
  // Output x0 + tx + q kRowTile reads row[tx + q kRowTile + u], u = 0..K-1.
  for (int u = 0; u < K; ++u) {
    const float t = taps[u];
#pragma unroll
    for (int q = 0; q < kRowOut; ++q) acc[q] += t * row[threadIdx.x + q * kRowTile + u];
  }
  float* dst = out + plane + static_cast<size_t>(y) * W;
#pragma unroll
  for (int q = 0; q < kRowOut; ++q) {
    const int x = x0 + threadIdx.x + q * kRowTile;
    if (x < W) dst[x] = acc[q];
  }
}

__global__ void blur_cols_kernel(const float* __restrict__ in, float* __restrict__ out, int H, int W,
                                 const float* __restrict__ g, int K, bool accumulate, const int* __restrict__ used,
                                 int level) {
  if (used && !used[level]) return;  // the same for the whole grid: before any barrier
  extern __shared__ float smem[];
  const int r = K / 2;
  float* taps = smem;
  float* tile = smem + K;  // (kColTileH + 2 r) rows of kColTileW
  const int tid = threadIdx.y * kColTileW + threadIdx.x;
  for (int i = tid; i < K; i += kColTileW * kColThreadsY) taps[i] = g[i];

  const int x = blockIdx.x * kColTileW + threadIdx.x;
  const int y0 = blockIdx.y * kColTileH;
  const size_t plane = static_cast<size_t>(blockIdx.z) * H * W;
  // tile[i][tx] holds in(y0 - r + i, x), zero outside the image.
  const int rows = kColTileH + 2 * r;
  for (int i = threadIdx.y; i < rows; i += kColThreadsY) {
    const int y = y0 - r + i;
    tile[i * kColTileW + threadIdx.x] = (x < W && y >= 0 && y < H) ? in[plane + static_cast<size_t>(y) * W + x] : 0.f;
  }
  __syncthreads();
  if (x >= W) return;
  float acc[kColOut];
#pragma unroll
  for (int k = 0; k < kColOut; ++k) acc[k] = 0.f;
  // Output row y0 + ty + k kColThreadsY reads tile rows ty + k kColThreadsY + u.
  for (int u = 0; u < K; ++u) {
    const float t = taps[u];
#pragma unroll
    for (int k = 0; k < kColOut; ++k)
      acc[k] += t * tile[(threadIdx.y + k * kColThreadsY + u) * kColTileW + threadIdx.x];
  }
#pragma unroll
  for (int k = 0; k < kColOut; ++k) {
    const int y = y0 + threadIdx.y + k * kColThreadsY;
    if (y < H) {
      float* o = out + plane + static_cast<size_t>(y) * W + x;
      *o = accumulate ? *o + acc[k] : acc[k];
    }
  }
}

__global__ void pad_planes_kernel(const float* __restrict__ in, int H, int W, float* __restrict__ out, int Hp, int Wp) {
  const int x = blockIdx.x * blockDim.x + threadIdx.x;
  const int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x >= Wp || y >= Hp) return;
  const size_t z = blockIdx.z;
  out[(z * Hp + y) * Wp + x] = (x < W && y < H) ? in[(z * H + y) * W + x] : 0.f;
}

__global__ void crop_planes_kernel(const float* __restrict__ in, int Hp, int Wp, float* __restrict__ out, int H,
                                   int W) {
  const int x = blockIdx.x * blockDim.x + threadIdx.x;
  const int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x >= W || y >= H) return;
  const size_t z = blockIdx.z;
  out[(z * H + y) * W + x] = in[(z * Hp + y) * Wp + x];
}

__global__ void factor_spectra_kernel(const double* __restrict__ half, int levels, int r, int n, int m, double scale,
                                      float* __restrict__ out) {
  const size_t idx = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= static_cast<size_t>(levels) * m) return;
  const int l = static_cast<int>(idx / m);
  const long long k = static_cast<long long>(idx % m);
  const double* g = half + static_cast<size_t>(l) * (r + 1);
  double acc = g[0];
  for (int u = 1; u <= r; ++u) {
    // cos(2 pi k u / n) with the phase reduced exactly in integers first.
    const long long phase = (k * u) % n;
    acc += 2.0 * g[u] * cospi(2.0 * static_cast<double>(phase) / n);
  }
  out[idx] = static_cast<float>(scale * acc);
}

__global__ void spectrum_product_kernel(const float2* __restrict__ in, float2* __restrict__ out, size_t total, int Hp,
                                        int Wc, const float* __restrict__ gh, const float* __restrict__ gw,
                                        bool accumulate) {
  for (size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < total;
       i += static_cast<size_t>(gridDim.x) * blockDim.x) {
    const int kx = static_cast<int>(i % Wc);
    const int ky = static_cast<int>((i / Wc) % Hp);
    const float s = gh[ky] * gw[kx];
    float2 v = in[i];
    v.x *= s;
    v.y *= s;
    if (accumulate) {
      const float2 o = out[i];
      v.x += o.x;
      v.y += o.y;
    }
    out[i] = v;
  }
}

}  // namespace

size_t blur_rows_shared_bytes(int K) {
  const int r = K / 2;
  return sizeof(float) * (static_cast<size_t>(K) + static_cast<size_t>(kRowRows) * (kRowSpan + 2 * r));
}

size_t blur_cols_shared_bytes(int K) {
  const int r = K / 2;
  return sizeof(float) * (static_cast<size_t>(K) + static_cast<size_t>(kColTileH + 2 * r) * kColTileW);
}

void launch_blur_rows(const float* in, float* out, int planes, int H, int W, const float* g, int K, const int* used,
                      int level, cudaStream_t stream) {
  if (planes <= 0 || H <= 0 || W <= 0) return;
  const dim3 block(kRowTile, kRowRows);
  const dim3 grid(ceil_div(W, kRowSpan), ceil_div(H, kRowRows), static_cast<unsigned>(planes));
  blur_rows_kernel<<<grid, block, blur_rows_shared_bytes(K), stream>>>(in, out, H, W, g, K, used, level);
  DFD_CUDA_CHECK_LAUNCH("blur_rows_kernel");
}

void launch_blur_cols(const float* in, float* out, int planes, int H, int W, const float* g, int K, bool accumulate,
                      const int* used, int level, cudaStream_t stream) {
  if (planes <= 0 || H <= 0 || W <= 0) return;
  const dim3 block(kColTileW, kColThreadsY);
  const dim3 grid(ceil_div(W, kColTileW), ceil_div(H, kColTileH), static_cast<unsigned>(planes));
  blur_cols_kernel<<<grid, block, blur_cols_shared_bytes(K), stream>>>(in, out, H, W, g, K, accumulate, used, level);
  DFD_CUDA_CHECK_LAUNCH("blur_cols_kernel");
}

void launch_pad_planes(const float* in, int planes, int H, int W, float* out, int Hp, int Wp, cudaStream_t stream) {
  if (planes <= 0) return;
  const dim3 block(32, 8);
  const dim3 grid(ceil_div(Wp, 32), ceil_div(Hp, 8), static_cast<unsigned>(planes));
  pad_planes_kernel<<<grid, block, 0, stream>>>(in, H, W, out, Hp, Wp);
  DFD_CUDA_CHECK_LAUNCH("pad_planes_kernel");
}

void launch_crop_planes(const float* in, int planes, int Hp, int Wp, float* out, int H, int W, cudaStream_t stream) {
  if (planes <= 0) return;
  const dim3 block(32, 8);
  const dim3 grid(ceil_div(W, 32), ceil_div(H, 8), static_cast<unsigned>(planes));
  crop_planes_kernel<<<grid, block, 0, stream>>>(in, Hp, Wp, out, H, W);
  DFD_CUDA_CHECK_LAUNCH("crop_planes_kernel");
}

void launch_factor_spectra(const double* half_factors, int levels, int r, int n, int m, double scale, float* out,
                           cudaStream_t stream) {
  const long long total = static_cast<long long>(levels) * m;
  if (total <= 0) return;
  factor_spectra_kernel<<<ceil_div(total, 256), 256, 0, stream>>>(half_factors, levels, r, n, m, scale, out);
  DFD_CUDA_CHECK_LAUNCH("factor_spectra_kernel");
}

void launch_spectrum_product(const float2* in, float2* out, int planes, int Hp, int Wc, const float* gh,
                             const float* gw, bool accumulate, cudaStream_t stream) {
  const size_t total = static_cast<size_t>(planes) * Hp * Wc;
  if (total == 0) return;
  size_t blocks = (total + 255) / 256;
  if (blocks > 8192) blocks = 8192;
  spectrum_product_kernel<<<static_cast<unsigned>(blocks), 256, 0, stream>>>(in, out, total, Hp, Wc, gh, gw,
                                                                             accumulate);
  DFD_CUDA_CHECK_LAUNCH("spectrum_product_kernel");
}

}  // namespace dfd::cuda
