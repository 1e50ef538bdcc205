// Focal stacks from image files and from STACK.json manifests (nlohmann-json).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "dfd/cancel.h"
#include "dfd/error.h"
#include "dfd/input_limits.h"
#include "dfd/io.h"
#include "dfd/options.h"
#include "io/json_array_limit.h"
#include "util/number_text.h"

namespace dfd {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string size_of(const Image& im) {
  return std::to_string(im.width) + "x" + std::to_string(im.height) + (im.channels == 1 ? " grey" : " colour");
}

double max_value(const Image& im) { return im.data.empty() ? 0.0 : *std::max_element(im.data.begin(), im.data.end()); }

// A typed field of a manifest object, or an Error(Input) naming the file and the key.
template <typename T>
T get(const json& j, const char* key, const std::string& file) {
  try {
    return j.at(key).get<T>();
  } catch (const json::exception&) {
    throw_input(file + ": \"" + key + "\" has the wrong type (" + j.at(key).dump() + ")");
  }
}

// An int: nlohmann's get<int> converts any number, and a double beyond int's range (1e300) is
// undefined behaviour there; a whole number in range is required instead.
template <>
int get<int>(const json& j, const char* key, const std::string& file) {
  const json& v = j.at(key);
  const double lo = std::numeric_limits<int>::min(), hi = std::numeric_limits<int>::max();
  if (v.is_number_integer() && !v.is_number_unsigned()) {
    const int64_t x = v.get<int64_t>();
    if (x >= lo && x <= hi) return static_cast<int>(x);
  } else if (v.is_number_unsigned()) {
    const uint64_t x = v.get<uint64_t>();
    if (x <= static_cast<uint64_t>(hi)) return static_cast<int>(x);
  } else if (v.is_number_float()) {
    const double x = v.get<double>();
    if (x >= lo && x <= hi && x == std::floor(x)) return static_cast<int>(x);
  }
  throw_input(file + ": \"" + key + "\" must be a whole number (" + v.dump() + ")");
}

template <typename T>
void get_optional(const json& j, const char* key, const std::string& file, std::optional<T>& out) {
  if (j.contains(key)) out = get<T>(j, key, file);
}

void reject_unknown(const json& j, const std::set<std::string>& known, const std::string& file,
                    const std::string& where) {
  for (const auto& item : j.items())
    if (!known.count(item.key())) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      throw_input(file + ": unknown key \"" + item.key() + "\"" + where + " (expected " + list + ")");
    }
}

}  // namespace

FocalStack load_stack(const std::vector<std::string>& frames, const std::vector<double>& focus_distances,
                      double range_override) {
  if (frames.empty()) throw_input("no frames given");
  check_stack_memory(frames);  // from the headers, before any frame is decoded
  FocalStack s;
  s.focus_distances = focus_distances;
  int bits = 0;
  double natural = 0.0;
  for (size_t i = 0; i < frames.size(); ++i) {
    throw_if_stopped("while loading the frames");
    LoadedImage li = read_image(frames[i]);
    if (i == 0) {
      bits = li.bit_depth;
      natural = li.range;
    } else {
      const Image& a = s.frames[0];
      const Image& b = li.image;
      if (b.width != a.width || b.height != a.height || b.channels != a.channels)
        throw_input(frames[i] + " (" + size_of(b) + ") does not match " + frames[0] + " (" + size_of(a) +
                    "): all frames must have the same size and channels");
      if (li.bit_depth != bits)
        throw_input(frames[i] + " is " + std::to_string(li.bit_depth) + "-bit but " + frames[0] + " is " +
                    std::to_string(bits) + "-bit: all frames must share one bit depth");
    }
    s.frames.push_back(std::move(li.image));
    s.sources.push_back(frames[i]);
  }
  s.range = range_override > 0 ? range_override : natural;
  s.sample_step = bits == 8 || bits == 16 ? 1.0 : 0.0;
  for (size_t i = 0; i < s.frames.size(); ++i) {
    const double m = max_value(s.frames[i]);
    if (m > s.range)
      throw_input(frames[i] + ": values up to " + format_number(m) + " exceed the intensity range R = " +
                  format_number(s.range) + "; pass --range with the images' white level");
  }
  return s;
}

void StackManifest::apply(Options& opt) const {
  if (focal_length) opt.focal_length = *focal_length;
  if (f_number) {
    opt.f_number = *f_number;
    opt.aperture = 0.0;  // an f-number given here wins over a preset's aperture
  }
  if (aperture) opt.aperture = *aperture;
  if (pixel_pitch) opt.pixel_pitch = *pixel_pitch;
  if (thresh) opt.thresh = *thresh;
  if (kernel_size) opt.kernel_size = *kernel_size;
  if (range) opt.range = *range;
}

StackManifest read_manifest(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw_input(path + ": no such file");
  std::ifstream in(path);
  if (!in) throw_input(path + ": cannot open");
  json j;
  // The frame lists' lengths are checked while parsing, before a long one is held in memory.
  const auto limit = json_array_limit({"frames", "focus_distances"}, kMaxStackFrames, [&](const std::string& key) {
    throw_input_too_large(
        over_limit_message(path, "\"" + key + "\" lists more than " + std::to_string(kMaxStackFrames) + " entries",
                           std::to_string(kMaxStackFrames) + " frames a stack"));
  });
  try {
    j = json::parse(in, limit);
  } catch (const json::exception& e) {
    // parse_error, and out_of_range for a number beyond double's range (1e400).
    throw_input(path + ": not valid JSON (" + e.what() + ")");
  }
  if (!j.is_object()) throw_input(path + ": a manifest must be a JSON object");
  reject_unknown(j, {"frames", "focus_distances", "camera", "preset", "range", "kernel_size", "about"}, path, "");
  if (!j.contains("frames")) throw_input(path + ": missing \"frames\" (the list of image files)");
  if (!j.contains("focus_distances")) throw_input(path + ": missing \"focus_distances\" (one per frame)");

  StackManifest m;
  m.frames = get<std::vector<std::string>>(j, "frames", path);
  m.focus_distances = get<std::vector<double>>(j, "focus_distances", path);
  if (m.frames.empty()) throw_input(path + ": \"frames\" is empty");
  if (m.focus_distances.size() != m.frames.size())
    throw_input(path + ": " + std::to_string(m.focus_distances.size()) + " focus distances for " +
                std::to_string(m.frames.size()) + " frames (need one per frame)");
  get_optional(j, "preset", path, m.preset);
  get_optional(j, "range", path, m.range);
  get_optional(j, "kernel_size", path, m.kernel_size);
  if (j.contains("camera")) {
    const json& c = j.at("camera");
    if (!c.is_object()) throw_input(path + ": \"camera\" must be an object");
    reject_unknown(c, {"focal_length", "f_number", "aperture", "pixel_pitch", "thresh"}, path, " in \"camera\"");
    get_optional(c, "focal_length", path, m.focal_length);
    get_optional(c, "f_number", path, m.f_number);
    get_optional(c, "aperture", path, m.aperture);
    get_optional(c, "pixel_pitch", path, m.pixel_pitch);
    get_optional(c, "thresh", path, m.thresh);
    if (m.f_number && m.aperture) throw_input(path + ": give the camera's \"f_number\" or its \"aperture\", not both");
  }
  return m;
}

LoadedManifest load_manifest(const std::string& path, double range_override) {
  LoadedManifest out;
  out.manifest = read_manifest(path);
  const fs::path dir = fs::path(path).parent_path();
  std::vector<std::string> files;
  for (const auto& f : out.manifest.frames) {
    const fs::path p(f);
    files.push_back(p.is_absolute() ? p.string() : (dir / p).string());
  }
  const double range = range_override > 0 ? range_override : out.manifest.range.value_or(0.0);
  out.stack = load_stack(files, out.manifest.focus_distances, range);
  return out;
}

void write_manifest(const std::string& path, const StackManifest& m) {
  json j;
  j["frames"] = m.frames;
  j["focus_distances"] = m.focus_distances;
  if (m.preset) j["preset"] = *m.preset;
  if (m.range) j["range"] = *m.range;
  if (m.kernel_size) j["kernel_size"] = *m.kernel_size;
  json c = json::object();
  if (m.focal_length) c["focal_length"] = *m.focal_length;
  if (m.f_number) c["f_number"] = *m.f_number;
  if (m.aperture) c["aperture"] = *m.aperture;
  if (m.pixel_pitch) c["pixel_pitch"] = *m.pixel_pitch;
  if (m.thresh) c["thresh"] = *m.thresh;
  if (!c.empty()) j["camera"] = c;
  write_text_file(path, j.dump(2) + "\n");
}

}  // namespace dfd
