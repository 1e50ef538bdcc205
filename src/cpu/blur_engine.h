// Spatially invariant blurs of planar float images with the truncated Gaussians of a set of
// blur levels: separable direct convolution for small K, FFTW for large K (SPEC 4.3).
#pragma once

#include <cstddef>
#include <vector>

namespace dfd {

enum class BlurPath { Auto, Separable, Fft };
const char* to_string(BlurPath p);

class BlurEngine {
 public:
  BlurEngine() = default;
  ~BlurEngine();
  BlurEngine(const BlurEngine&) = delete;
  BlurEngine& operator=(const BlurEngine&) = delete;

  // Plans blurs of `channels` planes of height x width with the K x K kernels k_{sigmas[l]}
  // on `threads` OpenMP threads. Auto picks the cheaper path by the cost model below.
  // Allocates every buffer the blurs need (none is allocated per call).
  void setup(int height, int width, int channels, int K, const std::vector<double>& sigmas, int threads,
             BlurPath path = BlurPath::Auto);
  void release();

  BlurPath path() const { return path_; }
  size_t bytes() const;  // memory held
  // Bytes setup() would hold for this problem on `path` (Auto resolved by the cost model).
  static size_t bytes_for(int height, int width, int channels, int K, int levels, int threads, BlurPath path);
  // The cost model: relative time of one plane blur on each path (arbitrary but shared units).
  static double separable_cost(int height, int width, int K);
  static double fft_cost(int height, int width, int K);
  static BlurPath choose(int height, int width, int K);

  // out + l * level_stride + c * plane = k_{s_l} * in_c for every l in `levels`, every channel.
  void blur(const float* in, const std::vector<int>& levels, float* out, size_t level_stride);
  // out_c = sum_{l in levels} k_{s_l} * in_{l,c} (in_{l,c} at in + l * level_stride + c * plane).
  // The kernels are symmetric, so this is also the transpose of blur().
  void blur_sum(const float* in, size_t level_stride, const std::vector<int>& levels, float* out);

 private:
  void blur_separable(const float* in, const std::vector<int>& levels, float* out, size_t level_stride);
  void blur_sum_separable(const float* in, size_t level_stride, const std::vector<int>& levels, float* out);
  void blur_fft(const float* in, const std::vector<int>& levels, float* out, size_t level_stride);
  void blur_sum_fft(const float* in, size_t level_stride, const std::vector<int>& levels, float* out);

  // Floats of one thread's padded row: r zeros, W values, r zeros, and slack for a full
  // register tile past the end.
  size_t row_stride() const { return static_cast<size_t>(W_) + K_ + 64; }

  int H_ = 0, W_ = 0, C_ = 0, K_ = 0, r_ = 0, threads_ = 1, L_ = 0;
  BlurPath path_ = BlurPath::Separable;
  std::vector<float> factors_;  // L x K normalised 1-D factors (separable path)
  std::vector<float> rows_;     // threads x (W + K - 1) padded row scratch (separable path)

  // FFT path: padded size P x Q, spectra P x (Q / 2 + 1).
  int P_ = 0, Q_ = 0, Qc_ = 0;
  std::vector<float> spec_y_, spec_x_;  // L x P and L x Qc real 1-D kernel spectra, 1/(PQ) folded in
  void* plan_r2c_ = nullptr;
  void* plan_c2r_ = nullptr;
  std::vector<float*> real_in_, real_out_;  // per thread, P x Q (fftwf_malloc)
  std::vector<void*> spec_, acc_;           // per thread: one spectrum, and C accumulators
  std::vector<void*> xspec_;                // C spectra of the input of blur()
};

}  // namespace dfd
