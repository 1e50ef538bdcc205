// Multi-level spatially invariant Gaussian blurs on the CPU: separable direct passes
// (vertical then horizontal, zero padding) or FFTW r2c / c2r with separable spectra.
#include "cpu/blur_engine.h"

#include <fftw3.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <string>

#include "dfd/camera.h"
#include "dfd/error.h"

namespace dfd {

namespace {

std::mutex& fftw_planner_mutex() {  // the FFTW planner is not thread-safe
  static std::mutex m;
  return m;
}

// Smallest n' >= n whose prime factors are 2, 3, 5, 7 (fast FFTW sizes), even if `even`.
int fast_size(int n, bool even) {
  for (int m = std::max(n, 1);; ++m) {
    if (even && (m & 1)) continue;
    int k = m;
    for (int p : {2, 3, 5, 7})
      while (k % p == 0) k /= p;
    if (k == 1) return m;
  }
}

// Rows of one output chunk of the separable path (a unit of OpenMP work).
constexpr int kRowsPerTask = 8;

// Columns per register tile of the passes: 64 floats are 8 independent FMA chains of 8
// lanes (or 4 of 16), enough to hide the FMA latency; one chain per vector is ~4x slower.
constexpr int kTile = 64;

// t[x] = sum_v g[v] in(y + v - r, x) over the rows inside the image (zero padding), for
// one tile of n <= kTile columns (Full: n == kTile, a compile-time trip count).
template <bool Full>
inline void vertical_tile(const float* __restrict row, int W, int taps, const float* __restrict g, float* __restrict t,
                          int n) {
  if (Full) n = kTile;
  float acc[kTile];
  for (int k = 0; k < kTile; ++k) acc[k] = 0.f;
  for (int v = 0; v < taps; ++v, row += W) {
    const float gv = g[v];
#pragma omp simd
    for (int k = 0; k < n; ++k) acc[k] += gv * row[k];
  }
  for (int k = 0; k < n; ++k) t[k] = acc[k];
}

inline void vertical_pass(const float* __restrict in, int H, int W, int r, const float* __restrict g, int y,
                          float* __restrict t) {
  const int v0 = std::max(0, r - y), v1 = std::min(2 * r, H - 1 - y + r);
  const float* base = in + static_cast<ptrdiff_t>(y + v0 - r) * W;
  int x = 0;
  for (; x + kTile <= W; x += kTile) vertical_tile<true>(base + x, W, v1 - v0 + 1, g + v0, t + x, kTile);
  if (x < W) vertical_tile<false>(base + x, W, v1 - v0 + 1, g + v0, t + x, W - x);
}

// out[x] (+)= sum_u g[u] p[x + u], p a row with r zeros on each side (and K - 1 + kTile
// readable floats past any tile start).
template <bool Accumulate>
inline void horizontal_pass(const float* __restrict p, int W, int K, const float* __restrict g, float* __restrict out) {
  for (int x = 0; x < W; x += kTile) {
    float acc[kTile];
#pragma omp simd
    for (int k = 0; k < kTile; ++k) acc[k] = 0.f;
    for (int u = 0; u < K; ++u) {
      const float gu = g[u];
      const float* q = p + x + u;
#pragma omp simd
      for (int k = 0; k < kTile; ++k) acc[k] += gu * q[k];
    }
    const int n = std::min(kTile, W - x);
    for (int k = 0; k < n; ++k) {
      if (Accumulate)
        out[x + k] += acc[k];
      else
        out[x + k] = acc[k];
    }
  }
}

}  // namespace

const char* to_string(BlurPath p) {
  switch (p) {
    case BlurPath::Separable: return "separable";
    case BlurPath::Fft: return "fft";
    default: return "auto";
  }
}

BlurEngine::~BlurEngine() { release(); }

void BlurEngine::release() {
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  if (plan_r2c_) fftwf_destroy_plan(static_cast<fftwf_plan>(plan_r2c_));
  if (plan_c2r_) fftwf_destroy_plan(static_cast<fftwf_plan>(plan_c2r_));
  plan_r2c_ = plan_c2r_ = nullptr;
  for (float* p : real_in_) fftwf_free(p);
  for (float* p : real_out_) fftwf_free(p);
  for (void* p : spec_) fftwf_free(p);
  for (void* p : acc_) fftwf_free(p);
  for (void* p : xspec_) fftwf_free(p);
  real_in_.clear();
  real_out_.clear();
  spec_.clear();
  acc_.clear();
  xspec_.clear();
  factors_.clear();
  rows_.clear();
  spec_y_.clear();
  spec_x_.clear();
  P_ = Q_ = Qc_ = 0;
}

double BlurEngine::separable_cost(int height, int width, int K) {
  return 2.0 * K * static_cast<double>(height) * width;  // one FMA per tap and pixel
}

double BlurEngine::fft_cost(int height, int width, int K) {
  // One c2r transform of the padded plane plus the pointwise product and the copies, in
  // units of separable taps. Fitted on AVX-512 (EPYC, one thread, FFTW_ESTIMATE plans):
  // separable 0.032 ns per tap and pixel; FFT 5.8 P Q log2(P Q) + 14 P Q of those units
  // within ~20% from 320x240 to 2000x1500. Crossover: K ~ 41-61 at 640x480.
  const double P = fast_size(height + K / 2, false), Q = fast_size(width + K / 2, true);
  return 5.8 * P * Q * std::log2(P * Q) + 14.0 * P * Q;
}

BlurPath BlurEngine::choose(int height, int width, int K) {
  return fft_cost(height, width, K) < separable_cost(height, width, K) ? BlurPath::Fft : BlurPath::Separable;
}

size_t BlurEngine::bytes_for(int height, int width, int channels, int K, int levels, int threads, BlurPath path) {
  if (path == BlurPath::Auto) path = choose(height, width, K);
  if (path == BlurPath::Separable)
    return sizeof(float) * (static_cast<size_t>(levels) * K + static_cast<size_t>(threads) * (width + K + kTile));
  const size_t P = fast_size(height + K / 2, false), Q = fast_size(width + K / 2, true), Qc = Q / 2 + 1;
  const size_t spectrum = P * Qc * sizeof(fftwf_complex);
  return sizeof(float) * levels * (P + Qc) + threads * (2 * P * Q * sizeof(float) + (1 + channels) * spectrum) +
         channels * spectrum;
}

size_t BlurEngine::bytes() const { return bytes_for(H_, W_, C_, K_, L_, threads_, path_); }

void BlurEngine::setup(int height, int width, int channels, int K, const std::vector<double>& sigmas, int threads,
                       BlurPath path) {
  release();
  if (height < 1 || width < 1 || channels < 1)
    throw_input("blur engine: bad image size " + std::to_string(width) + "x" + std::to_string(height) + "x" +
                std::to_string(channels));
  if (K < 1 || K % 2 == 0)
    throw_input("blur engine: window K must be odd and positive (got " + std::to_string(K) + ")");
  if (sigmas.empty()) throw_input("blur engine: no blur levels");
  H_ = height;
  W_ = width;
  C_ = channels;
  K_ = K;
  r_ = K / 2;
  L_ = static_cast<int>(sigmas.size());
  threads_ = std::max(1, threads);
  path_ = path == BlurPath::Auto ? choose(height, width, K) : path;

  std::vector<double> g(K);
  if (path_ == BlurPath::Separable) {
    factors_.resize(static_cast<size_t>(L_) * K);
    for (int l = 0; l < L_; ++l) {
      gaussian_factor(sigmas[l], K, g.data());
      for (int u = 0; u < K; ++u) factors_[static_cast<size_t>(l) * K + u] = static_cast<float>(g[u]);
    }
    rows_.assign(static_cast<size_t>(threads_) * row_stride(), 0.f);  // pads stay zero for good
    return;
  }

  // FFT path. P >= H + r (and Q >= W + r) is enough for a cropped linear convolution: the
  // circular wrap of an output row inside the image only ever reads the zero padding.
  P_ = fast_size(H_ + r_, false);
  Q_ = fast_size(W_ + r_, true);
  Qc_ = Q_ / 2 + 1;
  // The kernel is even, so its DFT is real, and separable: G(ky, kx) = Gy(ky) Gx(kx).
  auto spectrum = [&](int n, int count, float* out, double scale) {
    std::vector<double> cosine(n);
    for (int k = 0; k < n; ++k) cosine[k] = std::cos(2.0 * M_PI * k / n);
    for (int k = 0; k < count; ++k) {
      double s = g[r_];
      for (int u = 1; u <= r_; ++u) s += 2.0 * g[r_ + u] * cosine[(static_cast<long>(k) * u) % n];
      out[k] = static_cast<float>(s * scale);
    }
  };
  spec_y_.resize(static_cast<size_t>(L_) * P_);
  spec_x_.resize(static_cast<size_t>(L_) * Qc_);
  for (int l = 0; l < L_; ++l) {
    gaussian_factor(sigmas[l], K, g.data());
    spectrum(P_, P_, &spec_y_[static_cast<size_t>(l) * P_], 1.0 / (double(P_) * Q_));  // c2r is unnormalised
    spectrum(Q_, Qc_, &spec_x_[static_cast<size_t>(l) * Qc_], 1.0);
  }
  const size_t real = static_cast<size_t>(P_) * Q_, cplx = static_cast<size_t>(P_) * Qc_;
  auto alloc_real = [&]() {
    float* p = fftwf_alloc_real(real);
    if (!p)
      throw Error(ErrorKind::OutOfMemory,
                  "blur engine: cannot allocate an FFT buffer of " + std::to_string(real * 4) + " bytes");
    std::memset(p, 0, real * sizeof(float));
    return p;
  };
  auto alloc_cplx = [&]() {
    fftwf_complex* p = fftwf_alloc_complex(cplx);
    if (!p)
      throw Error(ErrorKind::OutOfMemory,
                  "blur engine: cannot allocate an FFT spectrum of " + std::to_string(cplx * 8) + " bytes");
    std::memset(p, 0, cplx * sizeof(fftwf_complex));
    return static_cast<void*>(p);
  };
  for (int t = 0; t < threads_; ++t) {
    real_in_.push_back(alloc_real());
    real_out_.push_back(alloc_real());
    spec_.push_back(alloc_cplx());
    for (int c = 0; c < C_; ++c) acc_.push_back(alloc_cplx());
  }
  for (int c = 0; c < C_; ++c) xspec_.push_back(alloc_cplx());
  {
    // ESTIMATE planning leaves the (zeroed) buffers untouched and costs no time; the plans
    // are executed from every thread with the new-array API on buffers of equal alignment.
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    plan_r2c_ = fftwf_plan_dft_r2c_2d(P_, Q_, real_in_[0], static_cast<fftwf_complex*>(spec_[0]), FFTW_ESTIMATE);
    plan_c2r_ = fftwf_plan_dft_c2r_2d(P_, Q_, static_cast<fftwf_complex*>(spec_[0]), real_out_[0], FFTW_ESTIMATE);
  }
  if (!plan_r2c_ || !plan_c2r_)
    throw_runtime("blur engine: FFTW could not plan a " + std::to_string(P_) + "x" + std::to_string(Q_) + " transform");
}

void BlurEngine::blur(const float* in, const std::vector<int>& levels, float* out, size_t level_stride) {
  if (path_ == BlurPath::Fft)
    blur_fft(in, levels, out, level_stride);
  else
    blur_separable(in, levels, out, level_stride);
}

void BlurEngine::blur_sum(const float* in, size_t level_stride, const std::vector<int>& levels, float* out) {
  if (path_ == BlurPath::Fft)
    blur_sum_fft(in, level_stride, levels, out);
  else
    blur_sum_separable(in, level_stride, levels, out);
}

// ---- Separable path ------------------------------------------------------------------------

void BlurEngine::blur_separable(const float* in, const std::vector<int>& levels, float* out, size_t level_stride) {
  const int H = H_, W = W_, K = K_, r = r_, C = C_;
  const size_t plane = static_cast<size_t>(H) * W;
  const int chunks = (H + kRowsPerTask - 1) / kRowsPerTask;
  const long tasks = static_cast<long>(levels.size()) * C * chunks;
#pragma omp parallel num_threads(threads_)
  {
    float* prow = rows_.data() + static_cast<size_t>(omp_get_thread_num()) * row_stride();
#pragma omp for schedule(static)
    for (long task = 0; task < tasks; ++task) {
      const int chunk = static_cast<int>(task % chunks);
      const int c = static_cast<int>((task / chunks) % C);
      const int l = levels[task / (static_cast<long>(chunks) * C)];
      const float* g = &factors_[static_cast<size_t>(l) * K];
      const float* src = in + c * plane;
      float* dst = out + l * level_stride + c * plane;
      const int y1 = std::min(H, (chunk + 1) * kRowsPerTask);
      for (int y = chunk * kRowsPerTask; y < y1; ++y) {
        vertical_pass(src, H, W, r, g, y, prow + r);
        horizontal_pass<false>(prow, W, K, g, dst + static_cast<size_t>(y) * W);
      }
    }
  }
}

void BlurEngine::blur_sum_separable(const float* in, size_t level_stride, const std::vector<int>& levels, float* out) {
  const int H = H_, W = W_, K = K_, r = r_, C = C_;
  const size_t plane = static_cast<size_t>(H) * W;
  const int chunks = (H + kRowsPerTask - 1) / kRowsPerTask;
  const long tasks = static_cast<long>(C) * chunks;
#pragma omp parallel num_threads(threads_)
  {
    float* prow = rows_.data() + static_cast<size_t>(omp_get_thread_num()) * row_stride();
#pragma omp for schedule(static)
    for (long task = 0; task < tasks; ++task) {
      const int chunk = static_cast<int>(task % chunks), c = static_cast<int>(task / chunks);
      const int y0 = chunk * kRowsPerTask, y1 = std::min(H, y0 + kRowsPerTask);
      float* dst = out + c * plane;
      std::fill(dst + static_cast<size_t>(y0) * W, dst + static_cast<size_t>(y1) * W, 0.f);
      for (int l : levels) {  // each output row accumulates every level: no races across tasks
        const float* g = &factors_[static_cast<size_t>(l) * K];
        const float* src = in + l * level_stride + c * plane;
        for (int y = y0; y < y1; ++y) {
          vertical_pass(src, H, W, r, g, y, prow + r);
          horizontal_pass<true>(prow, W, K, g, dst + static_cast<size_t>(y) * W);
        }
      }
    }
  }
}

// ---- FFT path ------------------------------------------------------------------------------

void BlurEngine::blur_fft(const float* in, const std::vector<int>& levels, float* out, size_t level_stride) {
  const int H = H_, W = W_, Q = Q_, Qc = Qc_, P = P_, C = C_;
  const size_t plane = static_cast<size_t>(H) * W;
  const long tasks = static_cast<long>(levels.size()) * C;
#pragma omp parallel num_threads(threads_)
  {
    const int t = omp_get_thread_num();
    float* rin = real_in_[t];
    float* rout = real_out_[t];
    fftwf_complex* spec = static_cast<fftwf_complex*>(spec_[t]);
    // The spectrum of each input channel, once for every level.
#pragma omp for schedule(static)
    for (int c = 0; c < C; ++c) {
      for (int y = 0; y < H; ++y)
        std::memcpy(rin + static_cast<size_t>(y) * Q, in + c * plane + static_cast<size_t>(y) * W, W * sizeof(float));
      fftwf_execute_dft_r2c(static_cast<fftwf_plan>(plan_r2c_), rin, static_cast<fftwf_complex*>(xspec_[c]));
    }
#pragma omp for schedule(static)
    for (long task = 0; task < tasks; ++task) {
      const int c = static_cast<int>(task % C), l = levels[task / C];
      const float* gy = &spec_y_[static_cast<size_t>(l) * P];
      const float* gx = &spec_x_[static_cast<size_t>(l) * Qc];
      const fftwf_complex* xs = static_cast<const fftwf_complex*>(xspec_[c]);
      for (int ky = 0; ky < P; ++ky) {
        const float a = gy[ky];
        const float* __restrict src = xs[static_cast<size_t>(ky) * Qc];
        float* __restrict dst = spec[static_cast<size_t>(ky) * Qc];
#pragma omp simd
        for (int k = 0; k < 2 * Qc; ++k) dst[k] = src[k] * (a * gx[k >> 1]);
      }
      fftwf_execute_dft_c2r(static_cast<fftwf_plan>(plan_c2r_), spec, rout);
      float* dst = out + l * level_stride + c * plane;
      for (int y = 0; y < H; ++y)
        std::memcpy(dst + static_cast<size_t>(y) * W, rout + static_cast<size_t>(y) * Q, W * sizeof(float));
    }
  }
}

void BlurEngine::blur_sum_fft(const float* in, size_t level_stride, const std::vector<int>& levels, float* out) {
  const int H = H_, W = W_, Q = Q_, Qc = Qc_, P = P_, C = C_, T = threads_;
  const size_t plane = static_cast<size_t>(H) * W, cplx = static_cast<size_t>(P) * Qc;
  const long tasks = static_cast<long>(levels.size()) * C;
#pragma omp parallel num_threads(T)
  {
    const int t = omp_get_thread_num();
    float* rin = real_in_[t];
    fftwf_complex* spec = static_cast<fftwf_complex*>(spec_[t]);
    for (int c = 0; c < C; ++c) std::memset(acc_[static_cast<size_t>(t) * C + c], 0, cplx * sizeof(fftwf_complex));
      // Each thread sums G_l * FFT(in_l) of its share of the levels into its own accumulators.
#pragma omp for schedule(static)
    for (long task = 0; task < tasks; ++task) {
      const int c = static_cast<int>(task % C), l = levels[task / C];
      const float* src = in + l * level_stride + c * plane;
      for (int y = 0; y < H; ++y)
        std::memcpy(rin + static_cast<size_t>(y) * Q, src + static_cast<size_t>(y) * W, W * sizeof(float));
      fftwf_execute_dft_r2c(static_cast<fftwf_plan>(plan_r2c_), rin, spec);
      const float* gy = &spec_y_[static_cast<size_t>(l) * P];
      const float* gx = &spec_x_[static_cast<size_t>(l) * Qc];
      fftwf_complex* acc = static_cast<fftwf_complex*>(acc_[static_cast<size_t>(t) * C + c]);
      for (int ky = 0; ky < P; ++ky) {
        const float a = gy[ky];
        const float* __restrict s = spec[static_cast<size_t>(ky) * Qc];
        float* __restrict d = acc[static_cast<size_t>(ky) * Qc];
#pragma omp simd
        for (int k = 0; k < 2 * Qc; ++k) d[k] += s[k] * (a * gx[k >> 1]);
      }
    }
    // Reduce the per-thread accumulators into thread 0's (parallel over frequencies).
#pragma omp for schedule(static) collapse(2)
    for (int c = 0; c < C; ++c)
      for (int ky = 0; ky < P; ++ky) {
        float* __restrict d = static_cast<fftwf_complex*>(acc_[c])[static_cast<size_t>(ky) * Qc];
        for (int u = 1; u < T; ++u) {
          const float* __restrict s =
              static_cast<fftwf_complex*>(acc_[static_cast<size_t>(u) * C + c])[static_cast<size_t>(ky) * Qc];
#pragma omp simd
          for (int k = 0; k < 2 * Qc; ++k) d[k] += s[k];
        }
      }
#pragma omp for schedule(static)
    for (int c = 0; c < C; ++c) {
      float* rout = real_out_[t];
      fftwf_execute_dft_c2r(static_cast<fftwf_plan>(plan_c2r_), static_cast<fftwf_complex*>(acc_[c]), rout);
      for (int y = 0; y < H; ++y)
        std::memcpy(out + c * plane + static_cast<size_t>(y) * W, rout + static_cast<size_t>(y) * Q, W * sizeof(float));
    }
  }
}

}  // namespace dfd
