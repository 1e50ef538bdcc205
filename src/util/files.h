// File-system helpers shared by the layers that write folders of results.
#pragma once

#include <filesystem>
#include <string>
#include <system_error>

#include "dfd/error.h"

namespace dfd {

// dir / name as a string.
inline std::string join_path(const std::string& dir, const std::string& name) {
  return (std::filesystem::path(dir) / name).string();
}

// Creates `dir` and its parents (an existing folder is fine). Error(Runtime)
// "<dir>: cannot create the <what>: <system error>" when it cannot.
inline void make_dirs(const std::string& dir, const std::string& what = "folder") {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir))
    throw_runtime(dir + ": cannot create the " + what + ": " + ec.message());
}

}  // namespace dfd
