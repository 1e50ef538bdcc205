// Return-code checks for CUDA runtime and cuFFT calls: DFD_CUDA_CHECK throws dfd::Error, and
// DFD_CUDA_CHECK_NOTHROW only logs (for destructors); both name the call and file:line.
#pragma once

#include <cuda_runtime_api.h>
#include <cufft.h>

#include <string>

namespace dfd::cuda {

// What a failed call said: its text and whether it was an allocation failure.
struct CallFailure {
  std::string text;
  bool out_of_memory = false;
};

inline bool succeeded(cudaError_t r) { return r == cudaSuccess; }
inline bool succeeded(cufftResult r) { return r == CUFFT_SUCCESS; }
CallFailure describe(cudaError_t r);
CallFailure describe(cufftResult r);

// Throws Error(OutOfMemory) for allocation failures, Error(Runtime) otherwise.
[[noreturn]] void raise_call_failure(const CallFailure& f, const char* call, const char* file, int line);
// Writes one line to stderr.
void log_call_failure(const CallFailure& f, const char* call, const char* file, int line) noexcept;

// The human-readable name of a cuFFT status code.
const char* cufft_status_name(cufftResult r);

}  // namespace dfd::cuda

#define DFD_CUDA_CHECK(call)                                                                          \
  do {                                                                                                \
    const auto dfd_status_ = (call);                                                                  \
    if (!::dfd::cuda::succeeded(dfd_status_))                                                         \
      ::dfd::cuda::raise_call_failure(::dfd::cuda::describe(dfd_status_), #call, __FILE__, __LINE__); \
  } while (0)

#define DFD_CUDA_CHECK_NOTHROW(call)                                                                \
  do {                                                                                              \
    const auto dfd_status_ = (call);                                                                \
    if (!::dfd::cuda::succeeded(dfd_status_))                                                       \
      ::dfd::cuda::log_call_failure(::dfd::cuda::describe(dfd_status_), #call, __FILE__, __LINE__); \
  } while (0)

// After a kernel launch (`what` a string literal naming the kernel): launch-configuration
// errors surface here without synchronising; faults inside the kernel surface at the next
// synchronising call, which is checked too.
#define DFD_CUDA_CHECK_LAUNCH(what)                                                                               \
  do {                                                                                                            \
    const cudaError_t dfd_status_ = cudaGetLastError();                                                           \
    if (dfd_status_ != cudaSuccess)                                                                               \
      ::dfd::cuda::raise_call_failure(::dfd::cuda::describe(dfd_status_), "launch of " what, __FILE__, __LINE__); \
  } while (0)
