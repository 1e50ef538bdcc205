// Depth map files beyond the float TIFF: 16-bit PNG with a stored scale, and OpenEXR float.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <opencv2/imgcodecs.hpp>

#include "dfd/error.h"
#include "dfd/io.h"
#include "io/cv_image.h"
#include "util/atomic_file.h"

namespace dfd {

double depth16_scale(const Image& depth) {
  double zmax = 0.0;
  for (float z : depth.data)
    if (std::isfinite(z)) zmax = std::max(zmax, static_cast<double>(z));
  if (!(zmax > 0)) return 1.0;
  // The largest scale with two significant digits that keeps zmax within 65535: a number a
  // reader can type, and at least 90% of the code range used (10/11 in the worst case).
  const double raw = 65535.0 / zmax;
  const double p = std::pow(10.0, std::floor(std::log10(raw)) - 1.0);
  double scale = std::floor(raw / p + 1e-9) * p;
  while (scale * zmax > 65535.0) scale -= p;  // guard the rounding of the division
  return scale > 0 ? scale : raw;
}

double write_depth16(const std::string& path, const Image& depth, double scale) {
  if (depth.channels != 1 || depth.empty())
    throw_runtime(path + ": a 16-bit depth PNG needs a non-empty 1-channel depth image");
  if (scale <= 0) scale = depth16_scale(depth);
  if (!std::isfinite(scale)) throw_runtime(path + ": invalid depth scale");
  cv::Mat q(depth.height, depth.width, CV_16U);
  for (int y = 0; y < depth.height; ++y) {
    auto* row = q.ptr<uint16_t>(y);
    for (int x = 0; x < depth.width; ++x) {
      const float z = depth.at(x, y);
      // 0 marks a missing depth (non-finite); values beyond the code range saturate.
      row[x] = std::isfinite(z) ? cv::saturate_cast<uint16_t>(std::lround(std::max(0.0, z * scale))) : 0;
    }
  }
  std::vector<uchar> buf;
  if (!cv::imencode(".png", q, buf)) throw_runtime(path + ": cannot encode the 16-bit depth PNG");
  write_file_atomic(path, buf.data(), buf.size());
  return scale;
}

void enable_openexr() {
  // OpenCV >= 4.5.5 refuses EXR unless OPENCV_IO_ENABLE_OPENEXR is set (its codec had security
  // issues with untrusted files); it reads the variable once, at the first EXR call, so set
  // it before that (without overriding a user's explicit choice).
  ::setenv("OPENCV_IO_ENABLE_OPENEXR", "1", 0);
}

bool openexr_available() {
  enable_openexr();
  static const bool ok = [] {
    try {
      std::vector<uchar> buf;
      cv::Mat one(1, 1, CV_32F, cv::Scalar(1.0f));
      return cv::haveImageWriter(".exr") && cv::imencode(".exr", one, buf) && !buf.empty();
    } catch (const cv::Exception&) {
      return false;
    }
  }();
  return ok;
}

void write_float_exr(const std::string& path, const Image& im) {
  if (!openexr_available())
    throw_runtime(path +
                  ": this OpenCV build cannot write OpenEXR (built without OpenEXR, or "
                  "OPENCV_IO_ENABLE_OPENEXR=0 in the environment); use depth.tiff instead");
  std::vector<uchar> buf;
  try {
    // Full 32-bit floats (OpenCV's default EXR type for CV_32F is FLOAT; named for clarity).
    if (!cv::imencode(".exr", mat_from_image(im), buf, {cv::IMWRITE_EXR_TYPE, cv::IMWRITE_EXR_TYPE_FLOAT}))
      throw_runtime(path + ": cannot encode the image as OpenEXR");
  } catch (const cv::Exception& e) {
    throw_runtime(path + ": cannot encode the image as OpenEXR: " + e.what());
  }
  write_file_atomic(path, buf.data(), buf.size());
}

}  // namespace dfd
