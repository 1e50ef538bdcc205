// Fuzz target: MATLAB .mat files (v5 and v7.3/HDF5, through matio) as the dataset loaders read
// them: NYUv2's images/depths (nyuv2_info, nyuv2_read), its splits (nyuv2_split) and Make3D's
// Position3DGrid (make3d_read, with a valid 2 x 2 image beside it).
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <cstddef>
#include <cstdint>

#include "dfd/datasets.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static dfd::fuzz::InputFile file("sample.mat");
  static const std::string image = [] {
    const std::string p = file.dir() + "/img-1.png";
    cv::imwrite(p, cv::Mat(2, 2, CV_8UC3, cv::Scalar(10, 20, 30)));
    return p;
  }();
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
