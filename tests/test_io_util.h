// Helpers of the I/O, synthetic-scene and CLI tests: fresh temp folders, small test images.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "dfd/image.h"

namespace dfd::testing {

// A fresh, empty folder under the gtest temp dir, named after the running test.
inline std::string fresh_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string name = std::string("dfd_") + info->test_suite_name() + "_" + info->name() + "_" +
                           std::to_string(::getpid());
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

inline std::string path_in(const std::string& dir, const std::string& name) {
  return (std::filesystem::path(dir) / name).string();
}

// An image whose every sample differs: value = (offset + i * step) mod modulus.
inline Image ramp_image(int w, int h, int c, double step, double modulus, double offset = 0) {
  Image im(w, h, c);
  for (size_t i = 0; i < im.data.size(); ++i)
    im.data[i] = static_cast<float>(std::fmod(offset + static_cast<double>(i) * step, modulus));
  return im;
}

}  // namespace dfd::testing
