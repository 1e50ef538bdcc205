// Measured device ceilings (memory bandwidth, FP32 arithmetic rate) that bench floors divide by.
#pragma once

#include <string>

namespace dfd {

// What one device sustains, measured in this process (never a datasheet number).
struct DeviceCeilings {
  bool measured = false;         // false: the fields below are zero and `note` says why
  std::string device;            // human-readable device name
  double bandwidth = 0.0;        // bytes per second, the best of the bandwidth kernels
  double flops = 0.0;            // FP32 floating-point operations per second (an FMA counts 2)
  std::string bandwidth_method;  // how `bandwidth` was measured (kernel, size, threads)
  std::string flops_method;      // how `flops` was measured
  double copy_bandwidth = 0.0;   // bytes/s of a large copy (read + write counted)
  double triad_bandwidth = 0.0;  // bytes/s of a triad a = b + s c (CPU only; 0 on CUDA)
  std::string note;              // why not measured, or caveats
};

// CPU: an OpenMP copy and triad over arrays far larger than the caches (`bytes` per array)
// and a register-resident FMA kernel on every thread; best of a few runs each.
// `threads` <= 0 means all OpenMP threads.
DeviceCeilings measure_cpu_ceilings(int threads = 0, size_t bytes = size_t(256) << 20);

// CUDA: cudaMemcpy device-to-device bandwidth and an FMA kernel, timed with events.
// Returns measured = false with the reason when CUDA is not compiled in or no device is present.
DeviceCeilings measure_cuda_ceilings(int device = 0);

// The CPU model name from /proc/cpuinfo ("unknown CPU" when unreadable).
std::string cpu_model_name();

}  // namespace dfd
