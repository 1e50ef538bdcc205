// Multi-page TIFF z-stacks (microscopy): each page a frame, read through cv::imreadmulti.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <set>
#include <sstream>

#include "dfd/error.h"
#include "dfd/input_limits.h"
#include "dfd/io.h"
#include "dfd/stack_inputs.h"
#include "io/cv_image.h"
#include "util/number_text.h"
#include "util/text_fields.h"

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
  if (bits_of(m) == 0)
    throw_input(where + ": unsupported pixel type (signed integers); use 8-bit, 16-bit or float pages");
  return image_from_decoded(std::move(m), where);
}

// The pages of a TIFF counted from its directory chain alone (the header, then each IFD's entry
// count and next offset: a few bytes a page, nothing decoded), stopping at `limit` + 1 so that
// a file of a million pages costs no more than one over the limit. Classic and BigTIFF, either
// byte order; 0 when the header is not TIFF's. A chain that loops, or runs past the end of the
// file, ends at the last whole directory (as libtiff stops there too).
size_t count_tiff_pages(const std::string& path, size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return 0;
  unsigned char h[16] = {};
  in.read(reinterpret_cast<char*>(h), 16);
  const std::streamsize got = in.gcount();
  if (got < 8) return 0;
  const bool little = h[0] == 'I' && h[1] == 'I';
  if (!little && !(h[0] == 'M' && h[1] == 'M')) return 0;
  auto value = [little](const unsigned char* b, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(b[little ? i : n - 1 - i]) << (8 * i);
    return v;
  };
  const uint64_t magic = value(h + 2, 2);
  const bool big = magic == 43;
  if (magic != 42 && !big) return 0;
  if (big && (got < 16 || value(h + 4, 2) != 8)) return 0;
  const int count_bytes = big ? 8 : 2, entry_bytes = big ? 20 : 12, offset_bytes = big ? 8 : 4;
  uint64_t offset = big ? value(h + 8, 8) : value(h + 4, 4);
  std::set<uint64_t> seen;
  size_t pages = 0;
  while (offset != 0 && pages <= limit && seen.insert(offset).second) {
    unsigned char b[8];
    in.clear();
    in.seekg(static_cast<std::streamoff>(offset));
    if (!in.read(reinterpret_cast<char*>(b), count_bytes)) break;
    const uint64_t entries = value(b, count_bytes);
    if (entries == 0 || entries > (uint64_t(1) << 32)) break;
    in.seekg(static_cast<std::streamoff>(entries * entry_bytes), std::ios::cur);
    if (!in.read(reinterpret_cast<char*>(b), offset_bytes)) break;
    ++pages;
    offset = value(b, offset_bytes);
  }
  return pages;
}

}  // namespace

bool is_tiff_file_name(const std::string& name) {
  const std::string ext = text::lower(fs::path(name).extension().string());
  return ext == ".tif" || ext == ".tiff";
}

int tiff_page_count(const std::string& path) {
  return static_cast<int>(count_tiff_pages(path, static_cast<size_t>(kMaxStackFrames)));
}

FocalStack load_tiff_stack(const std::string& path, double range_override) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw_input(path + ": no such file");
  // The page count before OpenCV decodes any page (it decodes them all at once). A file without
  // a TIFF header never reaches cv::imreadmulti, which picks its decoder by content: DICOM-like
  // bytes went to GDCM, which aborts the process on a damaged file (an assertion, fuzz/RESULTS.md).
  const size_t counted = count_tiff_pages(path, static_cast<size_t>(kMaxStackFrames));
  if (counted == 0) throw_input(path + ": not a TIFF file (no TIFF header, or no page directory)");
  if (counted > static_cast<size_t>(kMaxStackFrames))
    throw_input_too_large(over_limit_message(path, "a TIFF of more than " + std::to_string(kMaxStackFrames) + " pages",
                                             std::to_string(kMaxStackFrames) + " frames a stack"));
  // Every page is decoded before imreadmulti returns: refused from the page directories when
  // that, or one page's decoder buffer, would pass the memory limit.
  check_tiff_stack_memory(path, counted);
  std::vector<cv::Mat> pages;
  bool ok = false;
  try {
    ok = cv::imreadmulti(path, pages, kReadFlags);
  } catch (const cv::Exception& e) {
    throw_input(path + ": cannot decode the TIFF pages: " + e.what());
  }
  if (!ok || pages.empty()) throw_input(path + ": not a readable TIFF (unknown format or corrupt file)");
  if (pages.size() < 2)
    throw_input(path +
                ": a single-page TIFF; a focal stack needs at least 2 frames (pages of a z-stack, or frame files)");

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
      throw_input(s.sources[i] + ": values up to " + format_number(m) + " exceed the intensity range R = " +
                  format_number(s.range) + "; pass --range with the images' white level");
  }
  return s;
}

}  // namespace dfd
