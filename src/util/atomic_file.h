// Atomic file writes: a temporary file in the target's folder, renamed once complete.
#pragma once

#include <cstddef>
#include <string>

namespace dfd {

// Writes n bytes to `path` so that `path` is either its old self or complete, never partial.
// Throws Error(Runtime) naming the path and the system error.
void write_file_atomic(const std::string& path, const void* data, size_t n);

}  // namespace dfd
