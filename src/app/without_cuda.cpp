// The CUDA entry points in a build without the CUDA backend (DFD_WITH_CUDA=OFF, or no nvcc):
// compiled into dfd_app instead of linking dfd_cuda, so callers need no #ifdef.
#include "dfd/backends.h"
#include "dfd/ceilings.h"
#include "dfd/error.h"

namespace dfd {

bool cuda_available(std::string* why) {
  if (why) *why = "dfd was built without the CUDA backend";
  return false;
}

std::unique_ptr<Backend> make_cuda_backend(int) {
  throw Error(ErrorKind::Runtime, "the CUDA backend is not available: dfd was built without CUDA");
}

DeviceCeilings measure_cuda_ceilings(int) {
  DeviceCeilings ce;
  ce.device = "cuda";
  ce.note = "dfd was built without the CUDA backend";
  return ce;
}

}  // namespace dfd
