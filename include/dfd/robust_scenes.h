// The scenes of the robustness bench (`dfd bench --robustness`): Middlebury's aloe with its
// ground-truth disparity turned into metric depth, and a synthetic indoor scene with large
// textureless walls and floor and photo-textured objects. Both RGB in [0, 255], depth in metres
// inside the nyuv2 preset's useful range, deterministic.
//
// The data come from Debian packages (`scripts/install-deps.sh --bench-data`): opencv-doc for
// aloeL.jpg / aloeGT.png, python3-skimage for the photos (brick, gravel, coffee, chelsea).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dfd/image.h"

namespace dfd {

inline constexpr const char* kOpencvDataDir = "/usr/share/doc/opencv-doc/examples/data";
inline constexpr const char* kSkimageDataDir = "/usr/lib/python3/dist-packages/skimage/data";

struct RobustScene {
  std::string name;
  Image aif;                       // RGB, [0, 255]
  Image depth;                     // metres
  std::vector<std::string> notes;  // the files used, fallbacks, conversion constants
};

// "aloe", "indoor".
const std::vector<std::string>& robust_scene_names();
// The scene `name` at width x height; Error(Usage) for an unknown name, Error(Input) naming the
// file when aloe's data are missing (indoor falls back to synthetic_texture, noted).
RobustScene make_robust_scene(const std::string& name, int width, int height, uint64_t seed,
                              const std::string& opencv_data_dir = kOpencvDataDir,
                              const std::string& skimage_data_dir = kSkimageDataDir);

// Error(Input) naming the file when a data file the scene cannot do without is missing (aloe's
// images; indoor has fallbacks): a check before any work.
void require_robust_scene_data(const std::string& name, const std::string& opencv_data_dir = kOpencvDataDir);

// ---- aloe (datasets/aloe_scene.cpp) ---------------------------------------------------------

// Middlebury 2006 full-size camera: focal length 3740 px, baseline 160 mm.
constexpr double kAloeFocalPixels = 3740.0;
constexpr double kAloeBaseline = 0.160;  // metres
// The depth range the aloe scene is mapped into (affinely in inverse depth).
constexpr double kAloeNear = 0.7, kAloeFar = 4.0;  // metres

// Fills the holes (value 0) of a 1-channel disparity map in place by scanline background fill:
// each run of holes in a row takes the smaller (farther) of the valid disparities bounding it
// (one if it touches the border): stereo holes are occlusions, where the background shows. Rows
// without any valid pixel are then filled the same way along the columns. Returns the number of
// pixels filled; Error(Input) when no pixel is valid.
size_t fill_disparity_holes(Image& disparity);
// Z = f B / d per pixel (f in pixels, B in metres); Error(Input) for a non-positive disparity.
Image disparity_to_depth(const Image& disparity, double focal_pixels, double baseline);
// Maps depth affinely in inverse depth onto [near, far]: 1/Z' = 1/far + (1/Z - 1/Zmax) /
// (1/Zmin - 1/Zmax) (1/near - 1/far), Zmin and Zmax the map's own; a constant map becomes `far`.
// Order is kept: nearer stays nearer.
Image remap_inverse_depth(const Image& depth, double near, double far);
// Error(Input) naming the file unless aloeL.jpg and aloeGT.png are in `data_dir`.
void require_aloe_data(const std::string& data_dir = kOpencvDataDir);
// aloeL.jpg and aloeGT.png of `data_dir`: holes filled, the centred crop of the target's aspect
// ratio resized with cv::INTER_AREA (AIF and disparity alike), Z = f B / d, remapped to
// [kAloeNear, kAloeFar].
RobustScene make_aloe_scene(int width, int height, const std::string& data_dir = kOpencvDataDir);

// ---- indoor (datasets/indoor_scene.cpp) -----------------------------------------------------

// A back wall (1/Z affine across it, 5.8 m at the left to 4.6 m at the right) and a floor (from
// the wall at the horizon to kIndoorNear at the bottom row), both of nearly flat colour (a smooth
// gradient of a few DN), and four objects in front of them at depth discontinuities: a tilted
// brick panel (3.6 .. 2.6 m), a coffee picture (2.0 m), a gravel box on the floor (1.2 m) and a
// disc with the cat of chelsea.png (0.95 m). Each object shows a crop of its photo (position from
// the seed); a missing photo is replaced by synthetic_texture and noted.
constexpr double kIndoorNear = 0.8, kIndoorFar = 5.8;  // metres
RobustScene make_indoor_scene(int width, int height, uint64_t seed, const std::string& photo_dir = kSkimageDataDir);

// ---- Texture -----------------------------------------------------------------------------------

// 1 where the image is textureless: the local standard deviation of its channel mean over the
// (2 radius + 1)^2 window (clipped at the borders) is below max_std; else 0.
Image textureless_mask(const Image& im, int radius, double max_std);

}  // namespace dfd
