// The level blurs of the CUDA backend (SPEC 4.3): every level's spatially invariant blur of
// an image, and the transposed sum over levels; a direct separable path for small K and a
// batched cuFFT path for large K, chosen by a cost model. Buffers and plans made in setup.
#pragma once

#include <cuda_runtime_api.h>
#include <cufft.h>
#include <vector_types.h>

#include <string>
#include <vector>

#include "cuda/device_buffer.h"

namespace dfd::cuda {

enum class BlurPath { Auto, Direct, Fft };
const char* to_string(BlurPath p);
// "auto", "direct", "fft" (for the DFD_CUDA_BLUR override); throws Error(Input) otherwise.
BlurPath parse_blur_path(const std::string& s);

// A cuFFT plan handle, destroyed with the owner.
class FftPlan {
 public:
  FftPlan() = default;
  ~FftPlan() { reset(); }
  FftPlan(const FftPlan&) = delete;
  FftPlan& operator=(const FftPlan&) = delete;
  // A batched 2-D plan of `type` over `batch` planes of n0 x n1 with no work area of its own.
  // Returns the work-area bytes it needs.
  size_t make(int n0, int n1, cufftType type, int batch, cudaStream_t stream);
  cufftHandle get() const { return handle_; }
  void reset() noexcept;

 private:
  cufftHandle handle_ = 0;
  bool valid_ = false;
};

class DeviceLevelBlur {
 public:
  // Shared memory the direct path may use per block without opting in to more.
  static constexpr size_t kDirectSharedLimit = 48 * 1024;

  // Smallest n >= m whose prime factors are 2, 3, 5, 7 (sizes cuFFT transforms fastest).
  static int fast_fft_size(int m);
  // Padded FFT size of an image side: circular convolution with a kernel of half-width r is
  // exact on the image when the padding holds r zeros (n >= side + r).
  static int fft_side(int side, int K) { return fast_fft_size(side + K / 2); }
  // The cost model: estimated seconds of one level's blur of `channels` planes per path.
  static double direct_seconds(int height, int width, int channels, int K);
  static double fft_seconds(int height, int width, int channels, int K);
  // Auto resolved: the cheaper path that is possible (Direct needs its tiles in shared memory).
  static BlurPath resolve(BlurPath requested, int height, int width, int channels, int K);
  // Device bytes setup() allocates for this problem on `path` (Auto resolved), cuFFT's work
  // area included (cufftEstimateMany).
  static size_t bytes_for(int height, int width, int channels, int K, int levels, BlurPath path);

  // Plans blurs of `channels` planes of height x width with k_{sigmas[l]} (window K).
  void setup(int height, int width, int channels, int K, const std::vector<double>& sigmas, BlurPath path,
             MemoryTracker* tracker, cudaStream_t stream);
  void release() noexcept;
  BlurPath path() const { return path_; }

  // levels + l C HW = k_{s_l} * x for every level l (x: C x H x W). With `used` (device flags,
  // one per level) the direct path skips the levels flagged 0, whose planes keep stale values.
  void blur(const float* x, float* levels, const int* used = nullptr);
  // x = sum_l k_{s_l} * T_l (T: L x C x H x W): the transpose of blur(), as the kernels are
  // symmetric. T is left unchanged. With `used`, the direct path skips the levels flagged 0,
  // which must then hold zeros in T (or be ignorable).
  void blur_sum(const float* T, float* x, const int* used = nullptr);

 private:
  void setup_direct(const std::vector<std::vector<double>>& factors, MemoryTracker* tracker);
  void setup_fft(const std::vector<std::vector<double>>& factors, MemoryTracker* tracker);

  int H_ = 0, W_ = 0, C_ = 0, K_ = 0, L_ = 0;
  size_t HW_ = 0;
  BlurPath path_ = BlurPath::Direct;
  cudaStream_t stream_ = nullptr;

  // Direct path.
  DeviceBuffer<float> taps_;  // L x K 1-D factors
  DeviceBuffer<float> tmp_;   // C x H x W row-pass output

  // FFT path: padded Hp x Wp, spectra Hp x Wc (Wc = Wp / 2 + 1).
  int Hp_ = 0, Wp_ = 0, Wc_ = 0;
  FftPlan r2c_, c2r_;               // batch C each
  DeviceBuffer<float> real_;        // C x Hp x Wp
  DeviceBuffer<float2> spec_x_;     // C spectra: of x (blur) / the accumulated sum (blur_sum)
  DeviceBuffer<float2> spec_work_;  // C spectra: one level's product (blur) / one level's input (blur_sum)
  DeviceBuffer<float> spec_h_;      // L x Hp: 1-D kernel spectra along y, 1 / (Hp Wp) folded in
  DeviceBuffer<float> spec_w_;      // L x Wc: along x
  DeviceBytes fft_work_;            // the plans' shared work area (one stream: never concurrent)
};

}  // namespace dfd::cuda
