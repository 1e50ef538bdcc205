// Launchers of the spatially invariant level blurs (SPEC 4.3): a direct separable pass pair
// with shared-memory tiles, and the helpers of the cuFFT path (zero padding, cropping, 1-D
// kernel spectra, spectrum products).
#pragma once

#include <cuda_runtime_api.h>
#include <vector_types.h>

#include <cstddef>

namespace dfd::cuda {

// --- Direct separable blur (zero padding, K taps g[0..K-1] centred at (K-1)/2) ------------
// Dynamic shared memory one launch of each pass needs for K taps.
size_t blur_rows_shared_bytes(int K);
size_t blur_cols_shared_bytes(int K);

// out(z, y, x) = sum_u g[u] in(z, y, x - r + u) for `planes` planes of H x W (r = (K-1)/2).
// With `used` set (device flags, one per level), the pass does nothing when used[level] == 0.
void launch_blur_rows(const float* in, float* out, int planes, int H, int W, const float* g, int K, const int* used,
                      int level, cudaStream_t stream);
// out(z, y, x) (+)= sum_u g[u] in(z, y - r + u, x); accumulates into out when `accumulate`.
void launch_blur_cols(const float* in, float* out, int planes, int H, int W, const float* g, int K, bool accumulate,
                      const int* used, int level, cudaStream_t stream);

// --- cuFFT path -------------------------------------------------------------------------------
// out (planes x Hp x Wp) = in (planes x H x W) placed at the origin, zeros elsewhere.
void launch_pad_planes(const float* in, int planes, int H, int W, float* out, int Hp, int Wp, cudaStream_t stream);
// out (planes x H x W) = the top-left H x W of in (planes x Hp x Wp).
void launch_crop_planes(const float* in, int planes, int Hp, int Wp, float* out, int H, int W, cudaStream_t stream);
// DFT of each level's wrapped, symmetric 1-D factor, which is real:
// out[l * m + k] = scale * (g_l(0) + 2 sum_{u=1..r} g_l(u) cos(2 pi k u / n)), k < m.
// half_factors holds levels x (r + 1) doubles g_l(0..r).
void launch_factor_spectra(const double* half_factors, int levels, int r, int n, int m, double scale, float* out,
                           cudaStream_t stream);
// out (planes x Hp x Wc) (+)= in * gh[ky] * gw[kx] (the separable kernel's spectrum).
void launch_spectrum_product(const float2* in, float2* out, int planes, int Hp, int Wc, const float* gh,
                             const float* gw, bool accumulate, cudaStream_t stream);

}  // namespace dfd::cuda
