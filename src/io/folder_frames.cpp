// Frames of a folder in natural file-name order, and the MobileDepth folder layout (a*.jpg + calibrated.txt).
#include <algorithm>
#include <cctype>
#include <filesystem>

#include "dfd/error.h"
#include "dfd/stack_inputs.h"
#include "util/text_fields.h"

namespace dfd {

namespace fs = std::filesystem;

namespace {

bool digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// Regular files of `dir` (hidden names skipped) accepted by `keep`, in natural order.
std::vector<std::string> folder_files(const std::string& dir, bool (*keep)(const std::string&)) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw_input(dir + ": no such folder");
  std::vector<std::string> names;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    std::error_code fe;
    if (!it->is_regular_file(fe)) continue;
    if (keep(name)) names.push_back(name);
  }
  if (ec) throw_input(dir + ": cannot list the folder: " + ec.message());
  std::sort(names.begin(), names.end(), natural_less);
  std::vector<std::string> paths;
  for (const auto& n : names) paths.push_back((fs::path(dir) / n).string());
  return paths;
}

// MobileDepth frames are a<digits>.jpg (a0.jpg, a1.jpg, ...): not any file starting with "a"
// (a stray "allinfocus.jpg" is not a frame).
bool is_mobiledepth_frame(const std::string& name) {
  const fs::path p(name);
  const std::string ext = text::lower(p.extension().string()), stem = p.stem().string();
  if (stem.size() < 2 || (stem[0] != 'a' && stem[0] != 'A') || !(ext == ".jpg" || ext == ".jpeg")) return false;
  for (size_t i = 1; i < stem.size(); ++i)
    if (!digit(stem[i])) return false;
  return true;
}

}  // namespace

bool natural_less(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      size_t ie = i, je = j;
      while (ie < a.size() && digit(a[ie])) ++ie;
      while (je < b.size() && digit(b[je])) ++je;
      size_t iz = i, jz = j;  // skip leading zeros, keeping one digit
      while (iz + 1 < ie && a[iz] == '0') ++iz;
      while (jz + 1 < je && b[jz] == '0') ++jz;
      if (ie - iz != je - jz) return ie - iz < je - jz;
      const int c = a.compare(iz, ie - iz, b, jz, je - jz);
      if (c != 0) return c < 0;
      i = ie;
      j = je;
    } else {
      const int ca = std::tolower(static_cast<unsigned char>(a[i]));
      const int cb = std::tolower(static_cast<unsigned char>(b[j]));
      if (ca != cb) return ca < cb;
      ++i;
      ++j;
    }
  }
  const size_t ra = a.size() - i, rb = b.size() - j;
  if (ra != rb) return ra < rb;
  return a < b;
}

bool is_frame_file_name(const std::string& name) {
  static const char* exts[] = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp", ".exr"};
  const std::string ext = text::lower(fs::path(name).extension().string());
  return std::find_if(std::begin(exts), std::end(exts), [&](const char* e) { return ext == e; }) != std::end(exts);
}

std::vector<std::string> list_folder_frames(const std::string& dir) {
  std::vector<std::string> frames = folder_files(dir, is_frame_file_name);
  if (frames.size() < 2)
    throw_input(dir + ": a focal stack needs at least 2 frames, but the folder holds " + std::to_string(frames.size()) +
                " image file" + (frames.size() == 1 ? "" : "s") + " (jpg, png, tif, bmp, webp, exr)");
  return frames;
}

std::string mobiledepth_calibration_path(const std::string& dir) {
  const fs::path p = fs::path(dir) / "calibrated.txt";
  std::error_code ec;
  return fs::is_regular_file(p, ec) ? p.string() : std::string();
}

std::vector<std::string> list_mobiledepth_frames(const std::string& dir) {
  std::vector<std::string> frames = folder_files(dir, is_mobiledepth_frame);
  if (frames.empty()) throw_input(dir + ": a MobileDepth folder holds its frames as a*.jpg, but there are none");
  return frames;
}

}  // namespace dfd
