// Shared pieces of the fuzz targets: fuzzer bytes as a file for the file-based readers, and the
// rule every target checks: a rejected input is a dfd::Error of an input class with a message.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "dfd/error.h"
#include "dfd/memory.h"

namespace dfd::fuzz {

// The targets run under libFuzzer's -rss_limit_mb=2048 (scripts/fuzz.sh), which reports any
// single allocation over 2 GB as out-of-memory. dfd's own memory limit (--max-memory) is set to
// 1 GiB, under it, as a machine of that size would have it: an input that asks for more must be
// refused by dfd's checks (Error(OutOfMemory), a clear reject) before a decoder allocates it.
// Without this the limit is 85% of the fuzzing machine's free memory, and an allocation of
// 4 GB passes dfd's check only to trip libFuzzer's.
inline const bool kMemoryLimitSet = (dfd::set_max_memory(size_t(1) << 30), true);

// A file in a per-process folder under /dev/shm (memory, not disk; /tmp where it is missing),
// overwritten by each input and removed at exit.
class InputFile {
 public:
  explicit InputFile(const std::string& name) {
    namespace fs = std::filesystem;
    const fs::path base = fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    dir_ = (base / ("dfd-fuzz-" + std::to_string(getpid()))).string();
    fs::create_directories(dir_);
    path_ = dir_ + "/" + name;
  }
  ~InputFile() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  const std::string& write(const uint8_t* data, size_t size) {
    FILE* f = std::fopen(path_.c_str(), "wb");
    if (!f) std::abort();
    if (size && std::fwrite(data, 1, size, f) != size) std::abort();
    std::fclose(f);
    return path_;
  }
  const std::string& path() const { return path_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_, path_;
};

// A reject must be an input error (or a size limit: OutOfMemory) whose message names `name`
// (the file, or the manifest's name); anything else is a finding: abort, so libFuzzer keeps it.
inline void check_reject(const Error& e, const std::string& name, bool usage_ok = false) {
  const bool kind_ok =
      e.kind() == ErrorKind::Input || e.kind() == ErrorKind::OutOfMemory || (usage_ok && e.kind() == ErrorKind::Usage);
  const std::string what = e.what();
  if (!kind_ok || what.find(name) == std::string::npos) {
    std::fprintf(stderr, "fuzz: a reject that is not a clear input error (kind %d): %s\n", e.exit_code(), what.c_str());
    std::abort();
  }
}

}  // namespace dfd::fuzz
