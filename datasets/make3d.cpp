// Make3D (img-X.jpg + depth_sph_corr-X.mat laser grids): samples, pairing and the SPEC 6 protocol.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "dfd/datasets.h"
#include "dfd/error.h"
#include "dfd/exif.h"
#include "dfd/io.h"
#include "mat_file.h"

namespace dfd {

namespace fs = std::filesystem;

namespace {

constexpr double kDepthMin = 0.01, kDepthMax = 80.0;  // SPEC 6 clipping, metres
const char* const kImagePrefix = "img-";
const char* const kDepthPrefix = "depth_sph_corr-";

bool starts_with(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool is_image_name(const fs::path& p) {
  const std::string ext = lower(p.extension().string());
  return starts_with(p.filename().string(), kImagePrefix) &&
         (ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".tif" || ext == ".tiff");
}

// The image as 3 channels in [0, 255].
Image read_rgb255(const std::string& path) {
  const LoadedImage li = read_image(path);
  Image out(li.image.width, li.image.height, 3);
  const float k = static_cast<float>(255.0 / li.range);
  for (int c = 0; c < 3; ++c) {
    const float* src = li.image.plane(li.image.channels == 1 ? 0 : c);
    float* dst = out.plane(c);
    for (size_t i = 0; i < out.pixels(); ++i) dst[i] = src[i] * k;
  }
  return out;
}

std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

std::string metres_mm(double m) { return number(m * 1e3) + " mm"; }

}  // namespace

double make3d_default_sensor_long_side() { return preset_options("make3d").pixel_pitch * kMake3dLongSide; }

std::string make3d_key(const std::string& path) {
  const fs::path p(path);
  const std::string stem = p.stem().string();
  for (const std::string prefix : {kImagePrefix, kDepthPrefix})
    if (starts_with(stem, prefix) && stem.size() > prefix.size()) return stem.substr(prefix.size());
  return "";
}

RgbdImage make3d_read(const std::string& image_path, const std::string& depth_path) {
  RgbdImage out;
  const MatFile f(depth_path);
  const MatVarInfo grid = f.info("Position3DGrid");
  if (grid.cls != MatClass::Double && grid.cls != MatClass::Single)
    throw_input(depth_path + ": 'Position3DGrid' is " + grid.class_name + "; expected double (rows x cols x 4)");
  if (grid.dims.size() != 3 || grid.dims[2] < 4 || grid.dims[0] < 2 || grid.dims[1] < 2)
    throw_input(depth_path + ": 'Position3DGrid' is " + dims_string(grid.dims) +
                "; expected rows x cols x 4 (55 x 305 x 4), plane 4 the depth in metres");
  const size_t R = grid.dims[0], C = grid.dims[1];
  const std::vector<double> d = f.read_block(grid, {0, 0, 3}, {R, C, 1});  // plane 4 (MATLAB index)
  out.depth = Image(static_cast<int>(C), static_cast<int>(R), 1);
  for (size_t c = 0; c < C; ++c)
    for (size_t r = 0; r < R; ++r) {
      const double z = d[r + R * c];
      if (!std::isfinite(z))
        throw_input(depth_path + ": 'Position3DGrid' depth is not finite at row " + std::to_string(r) + ", column " +
                    std::to_string(c));
      out.depth.at(static_cast<int>(c), static_cast<int>(r)) = static_cast<float>(z);
    }
  out.rgb = read_rgb255(image_path);
  return out;
}

DatasetSample make3d_sample(const std::string& image_path, const std::string& depth_path) {
  const std::string ki = make3d_key(image_path), kd = make3d_key(depth_path);
  if (!ki.empty() && !kd.empty() && ki != kd)
    throw_input(depth_path + " does not belong to " + image_path + " (sample '" + kd + "' vs '" + ki + "')");
  const RgbdImage full = make3d_read(image_path, depth_path);

  DatasetSample s;
  s.dataset = "make3d";
  s.name = !ki.empty() ? ki : fs::path(image_path).stem().string();
  s.sources = {image_path, depth_path};
  s.source_width = full.rgb.width;
  s.source_height = full.rgb.height;
  const bool portrait = full.rgb.height > full.rgb.width;
  const int w = portrait ? kMake3dShortSide : kMake3dLongSide, h = portrait ? kMake3dLongSide : kMake3dShortSide;
  s.rgb = resize_bilinear_aa(full.rgb, w, h);
  s.depth = resize_bilinear_aa(full.depth, w, h);  // enlarging: plain bilinear
  s.clip_min = kDepthMin;
  s.clip_max = kDepthMax;
  clip_values(s.depth, kDepthMin, kDepthMax);
  s.options = preset_options("make3d");
  s.focus_distances = preset_focus_distances("make3d");

  const ExifInfo exif = read_exif(image_path);
  std::string src;
  if (exif.focal_length) {
    s.options.focal_length = *exif.focal_length;
    src += "f " + metres_mm(*exif.focal_length) + " from EXIF";
  } else {
    src += "f " + metres_mm(s.options.focal_length) + " from the preset (no EXIF FocalLength)";
  }
  if (exif.f_number) {
    s.options.f_number = *exif.f_number;
    src += ", N " + number(*exif.f_number) + " from EXIF";
  } else {
    src += ", N " + number(s.options.f_number) + " from the preset (no EXIF FNumber)";
  }
  s.options.aperture = 0;  // D = f / N
  if (exif.pixel_pitch) {
    const int ref_width = exif.pixel_x_dimension.value_or(full.rgb.width);
    s.options.pixel_pitch = *exif.pixel_pitch * ref_width / w;
    src +=
        ", pixel pitch from EXIF FocalPlaneXResolution (sensor width " + metres_mm(*exif.pixel_pitch * ref_width) + ")";
  } else {
    s.options.pixel_pitch = make3d_default_sensor_long_side() / std::max(w, h);
    src += ", pixel pitch from the default sensor (longer side " + metres_mm(make3d_default_sensor_long_side()) + ")";
  }
  s.camera_source = src;
  return s;
}

std::vector<std::pair<std::string, std::string>> make3d_pairs(const std::string& image_dir,
                                                              const std::string& depth_dir) {
  std::error_code ec;
  for (const std::string& d : {image_dir, depth_dir})
    if (!fs::is_directory(d, ec)) throw_input(d + ": not a folder");
  std::vector<std::pair<std::string, std::string>> pairs;
  std::vector<std::string> missing;
  for (const auto& e : fs::directory_iterator(image_dir, ec)) {
    if (!e.is_regular_file() || !is_image_name(e.path())) continue;
    const std::string key = make3d_key(e.path().string());
    const fs::path depth = fs::path(depth_dir) / (std::string(kDepthPrefix) + key + ".mat");
    if (!fs::is_regular_file(depth, ec))
      missing.push_back(e.path().filename().string() + " (no " + depth.string() + ")");
    else
      pairs.emplace_back(e.path().string(), depth.string());
  }
  if (ec) throw_input(image_dir + ": cannot list the folder: " + ec.message());
  if (!missing.empty()) {
    std::sort(missing.begin(), missing.end());
    throw_input(image_dir + ": " + std::to_string(missing.size()) + " image(s) without a depth file, e.g. " +
                missing.front());
  }
  if (pairs.empty()) throw_input(image_dir + ": no Make3D images (img-X.jpg) found");
  std::sort(pairs.begin(), pairs.end());
  return pairs;
}

}  // namespace dfd
