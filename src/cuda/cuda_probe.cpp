// Whether the CUDA backend can run here (never throws: no driver or no device is an answer),
// and the factory of the public interface.
#include <cuda_runtime_api.h>

#include <cstdlib>
#include <string>

#include "cuda/cuda_backend.h"
#include "cuda/cuda_check.h"
#include "dfd/backend.h"
#include "dfd/backends.h"
#include "dfd/error.h"
#include "vector_ops.cuh"

namespace dfd {

bool cuda_available(std::string* why) {
  auto no = [&](const std::string& reason) {
    (void)cudaGetLastError();  // leave no error state behind
    if (why) *why = reason;
    return false;
  };
  int count = 0;
  const cudaError_t r = cudaGetDeviceCount(&count);
  if (r != cudaSuccess) return no("no usable CUDA driver or device (" + cuda::describe(r).text + ")");
  if (count < 1) return no("no CUDA device found");
  int device = 0;
  if (cudaGetDevice(&device) != cudaSuccess) return no("cannot select a CUDA device");
  const cudaError_t k = cuda::probe_kernel_image();
  if (k != cudaSuccess) {
    cudaDeviceProp prop{};
    std::string arch = "this device";
    if (cudaGetDeviceProperties(&prop, device) == cudaSuccess)
      arch = std::string(prop.name) + " (sm_" + std::to_string(prop.major) + std::to_string(prop.minor) + ")";
    return no("dfd's CUDA kernels cannot run on " + arch + ": " + cuda::describe(k).text +
              "; rebuild with -DCMAKE_CUDA_ARCHITECTURES naming it");
  }
  if (why) why->clear();
  return true;
}

std::unique_ptr<Backend> make_cuda_backend(int device) {
  std::string why;
  if (!cuda_available(&why)) throw Error(ErrorKind::Runtime, "CUDA backend unavailable: " + why);
  int count = 0;
  DFD_CUDA_CHECK(cudaGetDeviceCount(&count));
  if (device < 0 || device >= count)
    throw Error(ErrorKind::Runtime, "CUDA device " + std::to_string(device) + " does not exist (" +
                                        std::to_string(count) + " device" + (count == 1 ? "" : "s") + ")");
  cuda::CudaBackendConfig cfg;
  cfg.device = device;
  // DFD_CUDA_BLUR=auto|direct|fft overrides the cost model's choice of level-blur path.
  if (const char* path = std::getenv("DFD_CUDA_BLUR"); path && *path) cfg.blur = cuda::parse_blur_path(path);
  return std::make_unique<cuda::CudaBackend>(cfg);
}

}  // namespace dfd
