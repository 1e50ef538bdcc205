// Level blurs on the device: direct separable passes or batched cuFFT transforms with the
// kernel spectrum formed as the outer product of two 1-D spectra; plans made once.
#include "cuda/device_level_blur.h"

#include <algorithm>
#include <string>

#include "cuda/cuda_check.h"
#include "dfd/camera.h"
#include "dfd/error.h"
#include "level_blur.cuh"

namespace dfd::cuda {

namespace {

// Cost-model constants (H100-class device; only their ratios matter for the choice).
constexpr double kSharedLoadsPerSecond = 7e12;  // 4-byte shared-memory loads, whole chip
constexpr double kBytesPerSecond = 2.5e12;      // sustained device-memory bandwidth
constexpr double kLaunchSeconds = 4e-6;         // one kernel launch on a busy stream
constexpr double kSharedLoadsPerTap = 1.25;     // tap loads amortised over register-blocked outputs
// Bytes per padded pixel of one level: spectrum product (8 in, 8 out per complex = 8 per
// pixel) plus cuFFT's C2R (about three passes of 8 bytes) ...
constexpr double kFftBytesPerPaddedPixel = 32.0;
// ... and the crop (4 in, 4 out per image pixel).
constexpr double kFftBytesPerPixel = 8.0;

}  // namespace

const char* to_string(BlurPath p) {
  switch (p) {
    case BlurPath::Auto: return "auto";
    case BlurPath::Direct: return "direct";
    case BlurPath::Fft: return "fft";
  }
  return "?";
}

BlurPath parse_blur_path(const std::string& s) {
  if (s == "auto") return BlurPath::Auto;
  if (s == "direct") return BlurPath::Direct;
  if (s == "fft") return BlurPath::Fft;
  throw_input("CUDA blur path '" + s + "' is not one of auto, direct, fft");
}

size_t FftPlan::make(int n0, int n1, cufftType type, int batch, cudaStream_t stream) {
  reset();
  DFD_CUDA_CHECK(cufftCreate(&handle_));
  valid_ = true;
  DFD_CUDA_CHECK(cufftSetAutoAllocation(handle_, 0));
  long long n[2] = {n0, n1};
  size_t work = 0;
  DFD_CUDA_CHECK(cufftMakePlanMany64(handle_, 2, n, nullptr, 1, 0, nullptr, 1, 0, type, batch, &work));
  DFD_CUDA_CHECK(cufftSetStream(handle_, stream));
  return work;
}

void FftPlan::reset() noexcept {
  if (valid_) DFD_CUDA_CHECK_NOTHROW(cufftDestroy(handle_));
  valid_ = false;
  handle_ = 0;
}

int DeviceLevelBlur::fast_fft_size(int m) {
  if (m < 1) m = 1;
  for (int n = m;; ++n) {
    int k = n;
    for (int p : {2, 3, 5, 7})
      while (k % p == 0) k /= p;
    if (k == 1) return n;
  }
}

double DeviceLevelBlur::direct_seconds(int height, int width, int channels, int K) {
  const double px = static_cast<double>(height) * width * channels;
  // Two passes of K taps; x in, tmp out, tmp in, level out.
  return px * 2.0 * K * kSharedLoadsPerTap / kSharedLoadsPerSecond + px * 16.0 / kBytesPerSecond + 2 * kLaunchSeconds;
}

double DeviceLevelBlur::fft_seconds(int height, int width, int channels, int K) {
  const double padded = static_cast<double>(fft_side(height, K)) * fft_side(width, K) * channels;
  const double px = static_cast<double>(height) * width * channels;
  return (padded * kFftBytesPerPaddedPixel + px * kFftBytesPerPixel) / kBytesPerSecond + 3 * kLaunchSeconds;
}

BlurPath DeviceLevelBlur::resolve(BlurPath requested, int height, int width, int channels, int K) {
  const bool direct_fits = std::max(blur_rows_shared_bytes(K), blur_cols_shared_bytes(K)) <= kDirectSharedLimit;
  if (requested == BlurPath::Fft) return BlurPath::Fft;
  if (requested == BlurPath::Direct) {
    if (!direct_fits)
      throw_input("CUDA backend: the direct blur path cannot hold a K=" + std::to_string(K) +
                  " window in shared memory; use the fft path");
    return BlurPath::Direct;
  }
  if (!direct_fits) return BlurPath::Fft;
  return direct_seconds(height, width, channels, K) <= fft_seconds(height, width, channels, K) ? BlurPath::Direct
                                                                                               : BlurPath::Fft;
}

size_t DeviceLevelBlur::bytes_for(int height, int width, int channels, int K, int levels, BlurPath path) {
  path = resolve(path, height, width, channels, K);
  const size_t C = static_cast<size_t>(channels), HW = static_cast<size_t>(height) * width;
  if (path == BlurPath::Direct) return sizeof(float) * (static_cast<size_t>(levels) * K + C * HW);
  const int Hp = fft_side(height, K), Wp = fft_side(width, K), Wc = Wp / 2 + 1;
  const size_t spectrum = static_cast<size_t>(Hp) * Wc * sizeof(float2) * C;
  size_t bytes = sizeof(float) * C * Hp * Wp + 2 * spectrum + sizeof(float) * static_cast<size_t>(levels) * (Hp + Wc) +
                 sizeof(double) * static_cast<size_t>(levels) * (K / 2 + 1);  // setup's factor upload
  // cuFFT's work area: its own estimate for both plans (they share one area).
  int n[2] = {Hp, Wp};
  size_t w_r2c = 0, w_c2r = 0;
  const bool ok = cufftEstimateMany(2, n, nullptr, 1, 0, nullptr, 1, 0, CUFFT_R2C, channels, &w_r2c) == CUFFT_SUCCESS &&
                  cufftEstimateMany(2, n, nullptr, 1, 0, nullptr, 1, 0, CUFFT_C2R, channels, &w_c2r) == CUFFT_SUCCESS;
  // Without an estimate, assume a work area as large as one batch of spectra.
  bytes += ok ? std::max(w_r2c, w_c2r) : spectrum;
  return bytes;
}

void DeviceLevelBlur::setup(int height, int width, int channels, int K, const std::vector<double>& sigmas,
                            BlurPath path, MemoryTracker* tracker, cudaStream_t stream) {
  release();
  if (height < 1 || width < 1 || channels < 1 || K < 1 || K % 2 == 0 || sigmas.empty())
    throw_runtime("DeviceLevelBlur::setup: invalid sizes " + std::to_string(width) + "x" + std::to_string(height) +
                  "x" + std::to_string(channels) + ", K=" + std::to_string(K) + ", " + std::to_string(sigmas.size()) +
                  " levels");
  H_ = height;
  W_ = width;
  C_ = channels;
  K_ = K;
  L_ = static_cast<int>(sigmas.size());
  HW_ = static_cast<size_t>(height) * width;
  stream_ = stream;
  path_ = resolve(path, height, width, channels, K);
  std::vector<std::vector<double>> factors;
  factors.reserve(sigmas.size());
  for (double s : sigmas) factors.push_back(gaussian_factor(s, K));
  if (path_ == BlurPath::Direct)
    setup_direct(factors, tracker);
  else
    setup_fft(factors, tracker);
}

void DeviceLevelBlur::setup_direct(const std::vector<std::vector<double>>& factors, MemoryTracker* tracker) {
  std::vector<float> taps(static_cast<size_t>(L_) * K_);
  for (int l = 0; l < L_; ++l)
    for (int u = 0; u < K_; ++u) taps[static_cast<size_t>(l) * K_ + u] = static_cast<float>(factors[l][u]);
  taps_ = DeviceBuffer<float>(taps.size(), tracker, "the blur levels' 1-D factors");
  tmp_ = DeviceBuffer<float>(static_cast<size_t>(C_) * HW_, tracker, "the separable blur's row pass");
  DFD_CUDA_CHECK(
      cudaMemcpyAsync(taps_.data(), taps.data(), taps.size() * sizeof(float), cudaMemcpyHostToDevice, stream_));
  DFD_CUDA_CHECK(cudaStreamSynchronize(stream_));  // `taps` is a host temporary
}

void DeviceLevelBlur::setup_fft(const std::vector<std::vector<double>>& factors, MemoryTracker* tracker) {
  const int r = K_ / 2;
  Hp_ = fft_side(H_, K_);
  Wp_ = fft_side(W_, K_);
  Wc_ = Wp_ / 2 + 1;
  const size_t spectra = static_cast<size_t>(C_) * Hp_ * Wc_;
  real_ = DeviceBuffer<float>(static_cast<size_t>(C_) * Hp_ * Wp_, tracker, "the FFT blur's padded planes");
  spec_x_ = DeviceBuffer<float2>(spectra, tracker, "the FFT blur's image spectra");
  spec_work_ = DeviceBuffer<float2>(spectra, tracker, "the FFT blur's level spectra");
  spec_h_ = DeviceBuffer<float>(static_cast<size_t>(L_) * Hp_, tracker, "the level kernels' spectra");
  spec_w_ = DeviceBuffer<float>(static_cast<size_t>(L_) * Wc_, tracker, "the level kernels' spectra");

  const size_t w1 = r2c_.make(Hp_, Wp_, CUFFT_R2C, C_, stream_);
  const size_t w2 = c2r_.make(Hp_, Wp_, CUFFT_C2R, C_, stream_);
  fft_work_ = DeviceBytes(std::max(w1, w2), tracker, "cuFFT's work area");
  if (fft_work_.bytes() > 0) {
    DFD_CUDA_CHECK(cufftSetWorkArea(r2c_.get(), fft_work_.get()));
    DFD_CUDA_CHECK(cufftSetWorkArea(c2r_.get(), fft_work_.get()));
  }

  // 1-D spectra of every level's factor, from its half g(0..r) (the factor is symmetric).
  std::vector<double> half(static_cast<size_t>(L_) * (r + 1));
  for (int l = 0; l < L_; ++l)
    for (int u = 0; u <= r; ++u) half[static_cast<size_t>(l) * (r + 1) + u] = factors[l][r + u];
  DeviceBuffer<double> d_half(half.size(), tracker, "the level factors (setup only)");
  DFD_CUDA_CHECK(
      cudaMemcpyAsync(d_half.data(), half.data(), half.size() * sizeof(double), cudaMemcpyHostToDevice, stream_));
  const double inverse_size = 1.0 / (static_cast<double>(Hp_) * Wp_);  // cuFFT's C2R is unnormalised
  launch_factor_spectra(d_half.data(), L_, r, Hp_, Hp_, inverse_size, spec_h_.data(), stream_);
  launch_factor_spectra(d_half.data(), L_, r, Wp_, Wc_, 1.0, spec_w_.data(), stream_);
  DFD_CUDA_CHECK(cudaStreamSynchronize(stream_));  // before `half` and `d_half` go
}

void DeviceLevelBlur::release() noexcept {
  taps_.release();
  tmp_.release();
  r2c_.reset();
  c2r_.reset();
  real_.release();
  spec_x_.release();
  spec_work_.release();
  spec_h_.release();
  spec_w_.release();
  fft_work_.release();
  L_ = 0;
}

void DeviceLevelBlur::blur(const float* x, float* levels, const int* used) {
  const size_t level_stride = static_cast<size_t>(C_) * HW_;
  if (path_ == BlurPath::Direct) {
    for (int l = 0; l < L_; ++l) {
      const float* g = taps_.data() + static_cast<size_t>(l) * K_;
      launch_blur_rows(x, tmp_.data(), C_, H_, W_, g, K_, used, l, stream_);
      launch_blur_cols(tmp_.data(), levels + l * level_stride, C_, H_, W_, g, K_, false, used, l, stream_);
    }
    return;
  }
  // (The FFT path transforms every level: skipping would need the flags on the host.)
  // One forward transform of x per channel, then per level: product, inverse, crop.
  launch_pad_planes(x, C_, H_, W_, real_.data(), Hp_, Wp_, stream_);
  DFD_CUDA_CHECK(cufftExecR2C(r2c_.get(), real_.data(), reinterpret_cast<cufftComplex*>(spec_x_.data())));
  for (int l = 0; l < L_; ++l) {
    launch_spectrum_product(spec_x_.data(), spec_work_.data(), C_, Hp_, Wc_,
                            spec_h_.data() + static_cast<size_t>(l) * Hp_,
                            spec_w_.data() + static_cast<size_t>(l) * Wc_, false, stream_);
    DFD_CUDA_CHECK(cufftExecC2R(c2r_.get(), reinterpret_cast<cufftComplex*>(spec_work_.data()), real_.data()));
    launch_crop_planes(real_.data(), C_, Hp_, Wp_, levels + l * level_stride, H_, W_, stream_);
  }
}

void DeviceLevelBlur::blur_sum(const float* T, float* x, const int* used) {
  const size_t level_stride = static_cast<size_t>(C_) * HW_;
  if (path_ == BlurPath::Direct) {
    // With skipped levels the first pass that runs is not known here: start from zeros.
    if (used) DFD_CUDA_CHECK(cudaMemsetAsync(x, 0, sizeof(float) * level_stride, stream_));
    for (int l = 0; l < L_; ++l) {
      const float* g = taps_.data() + static_cast<size_t>(l) * K_;
      launch_blur_rows(T + l * level_stride, tmp_.data(), C_, H_, W_, g, K_, used, l, stream_);
      launch_blur_cols(tmp_.data(), x, C_, H_, W_, g, K_, used || l > 0, used, l, stream_);
    }
    return;
  }
  // Per level: forward transform of T_l, product accumulated in the spectrum; one inverse.
  for (int l = 0; l < L_; ++l) {
    launch_pad_planes(T + l * level_stride, C_, H_, W_, real_.data(), Hp_, Wp_, stream_);
    DFD_CUDA_CHECK(cufftExecR2C(r2c_.get(), real_.data(), reinterpret_cast<cufftComplex*>(spec_work_.data())));
    launch_spectrum_product(spec_work_.data(), spec_x_.data(), C_, Hp_, Wc_,
                            spec_h_.data() + static_cast<size_t>(l) * Hp_,
                            spec_w_.data() + static_cast<size_t>(l) * Wc_, l > 0, stream_);
  }
  DFD_CUDA_CHECK(cufftExecC2R(c2r_.get(), reinterpret_cast<cufftComplex*>(spec_x_.data()), real_.data()));
  launch_crop_planes(real_.data(), C_, Hp_, Wp_, x, H_, W_, stream_);
}

}  // namespace dfd::cuda
