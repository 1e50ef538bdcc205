// CUDA ceilings for bench floors: device-to-device copy bandwidth and an FMA kernel's rate.
#include <cuda_runtime.h>

#include <algorithm>
#include <memory>
#include <sstream>
#include <string>

#include "dfd/ceilings.h"
#include "dfd/error.h"

namespace dfd {

namespace {

// Throws Error(Runtime) naming file:line and the failing call.
#define DFD_CEIL_CHECK(call)                                                                   \
  do {                                                                                         \
    const cudaError_t err_ = (call);                                                           \
    if (err_ != cudaSuccess)                                                                   \
      throw Error(ErrorKind::Runtime, std::string(__FILE__) + ":" + std::to_string(__LINE__) + \
                                          ": " #call " failed: " + cudaGetErrorString(err_));  \
  } while (0)

struct CudaFree {
  void operator()(void* p) const { cudaFree(p); }
};
using DeviceBuffer = std::unique_ptr<void, CudaFree>;

DeviceBuffer device_alloc(size_t bytes) {
  void* p = nullptr;
  DFD_CEIL_CHECK(cudaMalloc(&p, bytes));
  return DeviceBuffer(p);
}

struct Event {
  cudaEvent_t e = nullptr;
  Event() { DFD_CEIL_CHECK(cudaEventCreate(&e)); }
  ~Event() { cudaEventDestroy(e); }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
};

// Best time (seconds) of `runs` launches of fn on the default stream, after one warm-up.
template <class Fn>
double best_event_time(int runs, Fn&& fn) {
  Event start, stop;
  fn();
  DFD_CEIL_CHECK(cudaGetLastError());
  DFD_CEIL_CHECK(cudaDeviceSynchronize());
  float best_ms = 1e30f;
  for (int r = 0; r < runs; ++r) {
    DFD_CEIL_CHECK(cudaEventRecord(start.e));
    fn();
    DFD_CEIL_CHECK(cudaEventRecord(stop.e));
    DFD_CEIL_CHECK(cudaEventSynchronize(stop.e));
    DFD_CEIL_CHECK(cudaGetLastError());
    float ms = 0.f;
    DFD_CEIL_CHECK(cudaEventElapsedTime(&ms, start.e, stop.e));
    best_ms = std::min(best_ms, ms);
  }
  return best_ms * 1e-3;
}

constexpr int kChains = 8;  // independent FMA chains per thread: covers the FMA pipeline latency

// Each thread runs kChains chains of x = x * a + b for `iters` rounds and writes their sum,
// so no chain can be optimised away (a and b are runtime values).
__global__ void fma_kernel(float* out, int iters, float a, float b) {
  const int id = blockIdx.x * blockDim.x + threadIdx.x;
  float x[kChains];
#pragma unroll
  for (int k = 0; k < kChains; ++k) x[k] = 1.f + 1e-3f * (id % 97) + 1e-4f * k;
  for (int i = 0; i < iters; ++i) {
#pragma unroll
    for (int k = 0; k < kChains; ++k) x[k] = fmaf(x[k], a, b);
  }
  float s = 0.f;
#pragma unroll
  for (int k = 0; k < kChains; ++k) s += x[k];
  out[id] = s;
}

}  // namespace

DeviceCeilings measure_cuda_ceilings(int device) {
  DeviceCeilings ce;
  ce.device = "cuda";
  int count = 0;
  const cudaError_t probe = cudaGetDeviceCount(&count);
  if (probe != cudaSuccess || count == 0) {
    ce.note =
        std::string("no CUDA device: ") + (probe != cudaSuccess ? cudaGetErrorString(probe) : "zero devices found");
    cudaGetLastError();  // clear the sticky probe error
    return ce;
  }
  if (device < 0 || device >= count) {
    ce.note = "CUDA device " + std::to_string(device) + " does not exist (" + std::to_string(count) + " found)";
    return ce;
  }
  DFD_CEIL_CHECK(cudaSetDevice(device));
  cudaDeviceProp prop{};
  DFD_CEIL_CHECK(cudaGetDeviceProperties(&prop, device));
  std::ostringstream dev;
  dev << prop.name << " (" << prop.multiProcessorCount << " SMs, " << (prop.totalGlobalMem >> 20) << " MiB)";
  ce.device = dev.str();

  // Copy bandwidth: two buffers of up to 1 GiB (an eighth of free memory on small devices),
  // far beyond the L2; a copy reads and writes every byte.
  size_t free_b = 0, total_b = 0;
  DFD_CEIL_CHECK(cudaMemGetInfo(&free_b, &total_b));
  const size_t bytes = std::min<size_t>(size_t(1) << 30, (free_b / 8) & ~size_t(255));
  {
    DeviceBuffer src = device_alloc(bytes), dst = device_alloc(bytes);
    DFD_CEIL_CHECK(cudaMemset(src.get(), 1, bytes));
    const double t = best_event_time(
        10, [&] { DFD_CEIL_CHECK(cudaMemcpyAsync(dst.get(), src.get(), bytes, cudaMemcpyDeviceToDevice)); });
    ce.copy_bandwidth = 2.0 * bytes / t;
  }
  ce.bandwidth = ce.copy_bandwidth;
  std::ostringstream bm;
  bm << "cudaMemcpy device-to-device of " << (bytes >> 20) << " MiB, best of 10 (event timed)";
  ce.bandwidth_method = bm.str();

  // FMA rate: 8 resident blocks of 256 threads per SM (full occupancy on recent GPUs).
  const int threads = 256, blocks = prop.multiProcessorCount * 8, iters = 1 << 17;
  DeviceBuffer out = device_alloc(sizeof(float) * threads * blocks);
  const double t = best_event_time(
      5, [&] { fma_kernel<<<blocks, threads>>>(static_cast<float*>(out.get()), iters, 0.999999f, 1e-7f); });
  ce.flops = 2.0 * kChains * static_cast<double>(iters) * threads * blocks / t;
  std::ostringstream fm;
  fm << "FMA kernel (" << blocks << " x " << threads << " threads, " << kChains
     << " chains each), best of 5 (event timed)";
  ce.flops_method = fm.str();
  ce.measured = true;
  return ce;
}

}  // namespace dfd
