// Multi-page TIFF z-stacks (microscopy): each page a frame, read through cv::imreadmulti.
#include <opencv2/imgcodecs.hpp>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "dfd/error.h"
#include "dfd/stack_inputs.h"
#include "io/cv_image.h"
#include "util/text_fields.h"
#include "util/number_text.h"

namespace dfd {

namespace fs = std::filesystem;

namespace {

const int kReadFlags = cv::IMREAD_UNCHANGED | cv::IMREAD_ANYDEPTH | cv::IMREAD_ANYCOLOR;

int bits_of(const cv::Mat& m) {
  switch (m.depth()) {
    case CV_8U: return 8;
    case CV_16U: return 16;
    case CV_16F:
    case CV_32F:
    case CV_64F: return 32;
    default: return 0;
  }
}

std::string shape(const cv::Mat& m) {
  const int ch = m.channels() == 2 || m.channels() == 4 ? m.channels() - 1 : m.channels();
  return std::to_string(m.cols) + "x" + std::to_string(m.rows) + (ch == 1 ? " grey " : " colour ") +
         std::to_string(bits_of(m)) + "-bit";
}

// A page as a planar float image (alpha dropped), its values checked.
Image page_image(cv::Mat m, const std::string& where) {
  if (bits_of(m) == 0) throw_input(where + ": unsupported pixel type (signed integers); use 8-bit, 16-bit or float pages");
  return image_from_decoded(std::move(m), where);
}

}  // namespace

bool is_tiff_file_name(const std::string& name) {
  const std::string ext = text::lower(fs::path(name).extension().string());
  return ext == ".tif" || ext == ".tiff";
}

int tiff_page_count(const std::string& path) {
  try {
    return static_cast<int>(cv::imcount(path, kReadFlags));
  } catch (const cv::Exception&) {
    return 0;
  }
}

FocalStack load_tiff_stack(const std::string& path, double range_override) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw_input(path + ": no such file");
  std::vector<cv::Mat> pages;
  bool ok = false;
  try {
    ok = cv::imreadmulti(path, pages, kReadFlags);
  } catch (const cv::Exception& e) {
    throw_input(path + ": cannot decode the TIFF pages: " + e.what());
  }
  if (!ok || pages.empty()) throw_input(path + ": not a readable TIFF (unknown format or corrupt file)");
  if (pages.size() < 2)
    throw_input(path + ": a single-page TIFF; a focal stack needs at least 2 frames (pages of a z-stack, or frame files)");

  FocalStack s;
  const cv::Mat& p0 = pages[0];
  for (size_t i = 0; i < pages.size(); ++i) {
    const std::string where = path + " page " + std::to_string(i);
    const cv::Mat& p = pages[i];
    if (p.size() != p0.size() || p.channels() != p0.channels() || bits_of(p) != bits_of(p0))
      throw_input(where + " (" + shape(p) + ") differs from page 0 (" + shape(p0) +
                  "): every page of a z-stack must share size, channels and bit depth");
    s.frames.push_back(page_image(p, where));
    s.sources.push_back(where);
  }
  const int bits = bits_of(p0);
  s.range = range_override > 0 ? range_override : bits == 8 ? 255.0 : bits == 16 ? 65535.0 : 1.0;
  s.sample_step = bits == 8 || bits == 16 ? 1.0 : 0.0;
  for (size_t i = 0; i < s.frames.size(); ++i) {
    const auto& d = s.frames[i].data;
    const double m = d.empty() ? 0.0 : *std::max_element(d.begin(), d.end());
    if (m > s.range)
      throw_input(s.sources[i] + ": values up to " + format_number(m) + " exceed the intensity range R = " + format_number(s.range) +
                  "; pass --range with the images' white level");
  }
  return s;
}

}  // namespace dfd
