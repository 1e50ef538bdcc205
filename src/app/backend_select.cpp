// Backend choice: CUDA when asked for (or, with auto, when a device is present), else CPU. The
// one place that names both backends: the solver and the libraries below see only Backend&.
#include "dfd/backends.h"
#include "dfd/error.h"
#include "dfd/options.h"

namespace dfd {

std::unique_ptr<Backend> make_backend(const Options& opt, std::string* note) {
  std::string why;
  switch (opt.backend) {
    case BackendKind::Cpu: return make_cpu_backend(opt.threads);
    case BackendKind::Cuda:
      if (!cuda_available(&why)) throw Error(ErrorKind::Runtime, "--backend cuda: " + why);
      return make_cuda_backend(0);
    case BackendKind::Auto:
    default:
      if (cuda_available(&why)) return make_cuda_backend(0);
      if (note) *note = "no usable CUDA device (" + why + "); using the CPU backend";
      return make_cpu_backend(opt.threads);
  }
}

}  // namespace dfd
