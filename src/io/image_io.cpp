// Image files through OpenCV: reading in the file's own scale, atomic writers, raw float32.
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <sstream>

#include "dfd/error.h"
#include "dfd/io.h"
#include "io/cv_image.h"
#include "util/atomic_file.h"
#include "util/number_text.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "raw .f32 I/O assumes a little-endian host"
#endif

namespace dfd {

namespace fs = std::filesystem;

Image image_from_mat(const cv::Mat& m) {
  Image im(m.cols, m.rows, m.channels());
  std::vector<cv::Mat> planes;
  cv::split(m, planes);
  if (planes.size() == 3) std::swap(planes[0], planes[2]);  // BGR -> RGB
  for (int c = 0; c < im.channels; ++c) {
    cv::Mat dst(m.rows, m.cols, CV_32F, im.plane(c));
    planes[c].copyTo(dst);
  }
  return im;
}

cv::Mat mat_from_image(const Image& im) {
  if (im.channels != 1 && im.channels != 3)
    throw_runtime("cannot encode an image of " + std::to_string(im.channels) + " channels (need 1 or 3)");
  std::vector<cv::Mat> planes;
  for (int c = 0; c < im.channels; ++c)
    planes.emplace_back(im.height, im.width, CV_32F, const_cast<float*>(im.plane(c)));
  if (planes.size() == 3) std::swap(planes[0], planes[2]);  // RGB -> BGR
  cv::Mat out;
  cv::merge(planes, out);
  return out;
}

namespace {

// Throws Error(Input) when `path` is not an existing regular file.
void require_file(const std::string& path) {
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (!fs::exists(st)) throw_input(path + ": no such file");
  if (fs::is_directory(st)) throw_input(path + ": is a folder, not a file");
}

void check_values(const Image& im, const std::string& path) {
  for (float v : im.data) {
    if (!std::isfinite(v)) throw_input(path + ": contains NaN or infinite values");
    if (v < 0) throw_input(path + ": contains negative values (" + format_number_short(v) + ")");
  }
}

void encode_and_write(const std::string& path, const std::string& ext, const cv::Mat& m,
                      const std::vector<int>& params = {}) {
  std::vector<uchar> buf;
  bool ok = false;
  try {
    ok = cv::imencode(ext, m, buf, params);
  } catch (const cv::Exception& e) {
    throw_runtime(path + ": cannot encode the image: " + e.what());
  }
  if (!ok) throw_runtime(path + ": cannot encode the image as " + ext);
  write_file_atomic(path, buf.data(), buf.size());
}

// Scales [0, range] to [0, full] (clipped, rounded) in `depth` (CV_8U or CV_16U).
cv::Mat quantise(const Image& im, double range, double full, int depth, const std::string& path) {
  if (!(range > 0) || !std::isfinite(range))
    throw_runtime(path + ": invalid intensity range " + format_number_short(range));
  cv::Mat f = mat_from_image(im);
  cv::Mat q;
  f.convertTo(q, CV_MAKETYPE(depth, im.channels), full / range);  // saturating, rounding
  return q;
}

}  // namespace

LoadedImage read_image(const std::string& path) {
  require_file(path);
  std::string ext = fs::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".exr") enable_openexr();  // OpenCV refuses EXR without its opt-in variable
  check_decode_memory(path);            // a header of 30000 x 30000 pixels is refused before decoding
  // OpenCV picks its decoder by content: a DICOM file ("DICM" at byte 128) goes to GDCM, whose
  // assertions abort the process on damaged input (a fuzzing finding, fuzz/RESULTS.md).
  {
    std::ifstream f(path, std::ios::binary);
    char magic[132] = {};
    if (f.read(magic, sizeof magic) && std::string(magic + 128, 4) == "DICM")
      throw_input(path +
                  ": a DICOM file; dfd reads PNG, JPEG, TIFF, BMP, WebP and EXR frames (export the slices as TIFF)");
  }
  cv::Mat m;
  try {
    m = cv::imread(path, cv::IMREAD_UNCHANGED | cv::IMREAD_ANYDEPTH | cv::IMREAD_ANYCOLOR);
  } catch (const cv::Exception& e) {
    throw_input(path + ": cannot decode the image: " + e.what());
  }
  if (m.empty()) throw_input(path + ": not a readable image (unknown format or corrupt file)");

  LoadedImage out;
  switch (m.depth()) {
    case CV_8U:
      out.range = 255.0;
      out.bit_depth = 8;
      break;
    case CV_16U:
      out.range = 65535.0;
      out.bit_depth = 16;
      break;
    case CV_16F:
    case CV_32F:
    case CV_64F:
      out.range = 1.0;
      out.bit_depth = 32;
      break;
    default: throw_input(path + ": unsupported pixel type (signed integers); use 8-bit, 16-bit or float images");
  }
  out.image = image_from_decoded(m, path);
  return out;
}

Image image_from_decoded(cv::Mat m, const std::string& where) {
  // Keep colour (drop alpha) or grey (drop a grey image's alpha).
  const int ch = m.channels();
  if (ch == 2 || ch == 4) {
    std::vector<cv::Mat> planes;
    cv::split(m, planes);
    planes.pop_back();
    cv::merge(planes, m);
  } else if (ch != 1 && ch != 3) {
    throw_input(where + ": " + std::to_string(ch) + " channels; expected grey or colour");
  }
  cv::Mat f;
  m.convertTo(f, CV_MAKETYPE(CV_32F, m.channels()));
  Image im = image_from_mat(f);
  check_values(im, where);
  return im;
}

Image read_depth(const std::string& path, double scale) {
  if (!(scale > 0) || !std::isfinite(scale))
    throw_usage("depth scale must be positive (got " + format_number_short(scale) + ")");
  LoadedImage li = read_image(path);
  if (li.image.channels != 1)
    throw_input(path + ": a depth map must have 1 channel (this one has " + std::to_string(li.image.channels) + ")");
  if (scale != 1.0)
    for (float& v : li.image.data) v = static_cast<float>(v / scale);
  return std::move(li.image);
}

Image read_raw_f32(const std::string& path, int width, int height, int channels) {
  require_file(path);
  if (width <= 0 || height <= 0 || channels <= 0)
    throw_usage(path + ": invalid raw array shape " + std::to_string(height) + "x" + std::to_string(width) + "x" +
                std::to_string(channels));
  const size_t n = static_cast<size_t>(width) * height * channels;
  std::error_code ec;
  const auto bytes = fs::file_size(path, ec);
  if (ec) throw_input(path + ": cannot read its size: " + ec.message());
  if (bytes != n * sizeof(float))
    throw_input(path + ": " + std::to_string(bytes) + " bytes, but a " + std::to_string(height) + "x" +
                std::to_string(width) + "x" + std::to_string(channels) + " float32 array has " +
                std::to_string(n * sizeof(float)));
  std::vector<float> hwc(n);
  std::ifstream in(path, std::ios::binary);
  if (!in.read(reinterpret_cast<char*>(hwc.data()), static_cast<std::streamsize>(n * sizeof(float))))
    throw_input(path + ": read failed");
  Image im(width, height, channels);
  for (int c = 0; c < channels; ++c)
    for (size_t p = 0; p < im.pixels(); ++p) im.plane(c)[p] = hwc[p * channels + c];
  return im;
}

void write_raw_f32(const std::string& path, const Image& im) {
  std::vector<float> hwc(im.size());
  for (int c = 0; c < im.channels; ++c)
    for (size_t p = 0; p < im.pixels(); ++p) hwc[p * im.channels + c] = im.plane(c)[p];
  write_file_atomic(path, hwc.data(), hwc.size() * sizeof(float));
}

void write_float_tiff(const std::string& path, const Image& im) {
  // LZW named explicitly: OpenCV 4.6's default float TIFF encoding (LZW with the floating-point
  // predictor) scrambles multi-channel images; plain LZW round-trips them bit for bit.
  const int lzw = 5;  // COMPRESSION_LZW of libtiff
  encode_and_write(path, ".tiff", mat_from_image(im), {cv::IMWRITE_TIFF_COMPRESSION, lzw});
}

void write_png8(const std::string& path, const Image& im, double range) {
  encode_and_write(path, ".png", quantise(im, range, 255.0, CV_8U, path));
}

void write_png16(const std::string& path, const Image& im, double range) {
  encode_and_write(path, ".png", quantise(im, range, 65535.0, CV_16U, path));
}

void write_text_file(const std::string& path, const std::string& text) {
  write_file_atomic(path, text.data(), text.size());
}

}  // namespace dfd
