// Device allocations that report failure as Error(OutOfMemory) and count their bytes.
#include "cuda/device_buffer.h"

#include <cuda_runtime_api.h>

#include <cstdio>

#include "cuda/cuda_check.h"
#include "dfd/error.h"

namespace dfd::cuda {

std::string format_gib(size_t bytes) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
  return buf;
}

DeviceBytes::DeviceBytes(size_t bytes, MemoryTracker* tracker, const std::string& what) : tracker_(tracker) {
  if (bytes == 0) return;
  void* p = nullptr;
  const cudaError_t r = cudaMalloc(&p, bytes);
  if (r != cudaSuccess) {
    (void)cudaGetLastError();  // allocation failures are not sticky: clear the error state
    size_t free_b = 0, total_b = 0;
    const bool have_info = cudaMemGetInfo(&free_b, &total_b) == cudaSuccess;
    (void)cudaGetLastError();
    std::string msg = "CUDA backend: cannot allocate " + format_gib(bytes) + " of device memory for " + what + ": " +
                      describe(r).text;
    if (have_info) msg += "; the device has " + format_gib(free_b) + " free of " + format_gib(total_b);
    throw Error(r == cudaErrorMemoryAllocation ? ErrorKind::OutOfMemory : ErrorKind::Runtime, msg);
  }
  ptr_ = p;
  bytes_ = bytes;
  if (tracker_) tracker_->add(bytes_);
}

DeviceBytes& DeviceBytes::operator=(DeviceBytes&& o) noexcept {
  if (this != &o) {
    release();
    ptr_ = o.ptr_;
    bytes_ = o.bytes_;
    tracker_ = o.tracker_;
    o.ptr_ = nullptr;
    o.bytes_ = 0;
  }
  return *this;
}

void DeviceBytes::release() noexcept {
  if (!ptr_) return;
  DFD_CUDA_CHECK_NOTHROW(cudaFree(ptr_));
  if (tracker_) tracker_->remove(bytes_);
  ptr_ = nullptr;
  bytes_ = 0;
}

}  // namespace dfd::cuda
