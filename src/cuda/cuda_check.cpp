// Messages and error kinds for failed CUDA runtime and cuFFT calls.
#include "cuda/cuda_check.h"

#include <cstdio>

#include "dfd/error.h"

namespace dfd::cuda {

CallFailure describe(cudaError_t r) {
  CallFailure f;
  f.text = std::string("CUDA error ") + cudaGetErrorName(r) + " (" + cudaGetErrorString(r) + ")";
  f.out_of_memory = r == cudaErrorMemoryAllocation;
  return f;
}

const char* cufft_status_name(cufftResult r) {
  switch (r) {
    case CUFFT_SUCCESS: return "CUFFT_SUCCESS";
    case CUFFT_INVALID_PLAN: return "CUFFT_INVALID_PLAN";
    case CUFFT_ALLOC_FAILED: return "CUFFT_ALLOC_FAILED";
    case CUFFT_INVALID_TYPE: return "CUFFT_INVALID_TYPE";
    case CUFFT_INVALID_VALUE: return "CUFFT_INVALID_VALUE";
    case CUFFT_INTERNAL_ERROR: return "CUFFT_INTERNAL_ERROR";
    case CUFFT_EXEC_FAILED: return "CUFFT_EXEC_FAILED";
    case CUFFT_SETUP_FAILED: return "CUFFT_SETUP_FAILED";
    case CUFFT_INVALID_SIZE: return "CUFFT_INVALID_SIZE";
    case CUFFT_UNALIGNED_DATA: return "CUFFT_UNALIGNED_DATA";
    case CUFFT_INVALID_DEVICE: return "CUFFT_INVALID_DEVICE";
    case CUFFT_NO_WORKSPACE: return "CUFFT_NO_WORKSPACE";
    case CUFFT_NOT_IMPLEMENTED: return "CUFFT_NOT_IMPLEMENTED";
    case CUFFT_NOT_SUPPORTED: return "CUFFT_NOT_SUPPORTED";
    case CUFFT_MISSING_DEPENDENCY: return "CUFFT_MISSING_DEPENDENCY";
    case CUFFT_NVRTC_FAILURE: return "CUFFT_NVRTC_FAILURE";
    case CUFFT_NVJITLINK_FAILURE: return "CUFFT_NVJITLINK_FAILURE";
    case CUFFT_NVSHMEM_FAILURE: return "CUFFT_NVSHMEM_FAILURE";
    default: return "unknown cuFFT status";
  }
}

CallFailure describe(cufftResult r) {
  CallFailure f;
  f.text = std::string("cuFFT error ") + cufft_status_name(r) + " (" + std::to_string(static_cast<int>(r)) + ")";
  f.out_of_memory = r == CUFFT_ALLOC_FAILED;
  return f;
}

void raise_call_failure(const CallFailure& f, const char* call, const char* file, int line) {
  const std::string what = f.text + " in " + call + " at " + file + ":" + std::to_string(line);
  throw Error(f.out_of_memory ? ErrorKind::OutOfMemory : ErrorKind::Runtime, what);
}

void log_call_failure(const CallFailure& f, const char* call, const char* file, int line) noexcept {
  std::fprintf(stderr, "dfd: %s in %s at %s:%d (ignored during cleanup)\n", f.text.c_str(), call, file, line);
}

}  // namespace dfd::cuda
