// Fuzz target: MATLAB .mat files (v5 and v7.3/HDF5, through matio) as the dataset loaders read
// them: NYUv2's images/depths (nyuv2_info, nyuv2_read), its splits (nyuv2_split) and Make3D's
// Position3DGrid (make3d_read, with a valid 2 x 2 image beside it).
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "dfd/datasets.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static dfd::fuzz::InputFile file("sample.mat");
  static const std::string image = [] {
    const std::string p = file.dir() + "/img-1.png";
    cv::imwrite(p, cv::Mat(2, 2, CV_8UC3, cv::Scalar(10, 20, 30)));
    return p;
  }();
  // MAT v7.3 is HDF5: HDF5 1.10.8 itself crashes on damaged files (heap overflows and NULL reads
  // inside H5O / H5F, found in the first minute of fuzzing; fuzz/RESULTS.md, "Third-party"), which
  // dfd cannot guard against. So v7.3 inputs (version 0x0200 at byte 124) are fuzzed only with
  // DFD_FUZZ_MAT73=1, and CI's runs of this target cover MAT v5 and dfd's own header checks.
  static const bool v73 = [] {
    const char* e = std::getenv("DFD_FUZZ_MAT73");
    return e && std::string(e) == "1";
  }();
  if (!v73 && size >= 128 && data[124] == 0x00 && data[125] == 0x02) return 0;
  const std::string& path = file.write(data, size);
  try {
    const dfd::Nyuv2Info info = dfd::nyuv2_info(path);
    (void)dfd::nyuv2_read(path, info.count - 1);
  } catch (const dfd::Error& e) {
    dfd::fuzz::check_reject(e, path, /*usage_ok=*/true);
  }
  try {
    (void)dfd::nyuv2_split(path, "test", 1449);
  } catch (const dfd::Error& e) {
    dfd::fuzz::check_reject(e, path);
  }
  try {
    (void)dfd::make3d_read(image, path);
  } catch (const dfd::Error& e) {
    dfd::fuzz::check_reject(e, path);
  }
  return 0;
}
