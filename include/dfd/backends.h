// The backends and the choice between them: what a caller that picks a backend includes. The
// solver sees only dfd::Backend (dfd/backend.h); no library below dfd_app calls these.
#pragma once

#include <memory>
#include <string>

#include "dfd/backend.h"

namespace dfd {

struct Options;  // dfd/options.h

// dfd_cpu (src/cpu/cpu_backend.cpp).
std::unique_ptr<Backend> make_cpu_backend(int threads = 0);

// dfd_cuda (src/cuda/cuda_probe.cpp); in a build without CUDA, dfd_app's
// src/app/without_cuda.cpp: cuda_available says so and make_cuda_backend throws.
// True when the CUDA backend was compiled in and a device is present; `why` says otherwise.
bool cuda_available(std::string* why = nullptr);
// Throws Error(Runtime) when cuda_available() is false.
std::unique_ptr<Backend> make_cuda_backend(int device = 0);

// dfd_app (src/app/backend_select.cpp): the backend of opt.backend (auto: CUDA when available,
// else CPU with a note).
std::unique_ptr<Backend> make_backend(const Options& opt, std::string* note = nullptr);

}  // namespace dfd
