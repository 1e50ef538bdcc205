// Loaders of the paper's RGB-D datasets (NYUv2 labelled, Make3D) and their SPEC 6 protocols.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "dfd/image.h"
#include "dfd/options.h"

namespace dfd {

// An RGB-D pair as a dataset stores it: rgb 3 channels in [0, 255], depth 1 channel in metres
// (each at its own size: Make3D's depth grid is much coarser than its image).
struct RgbdImage {
  Image rgb;
  Image depth;
};

// One sample after its dataset's protocol, ready to render a focal stack from: rgb and depth at
// the protocol size, depth clipped, and the preset camera and focus distances to render with.
struct DatasetSample {
  std::string dataset;                      // "nyuv2" or "make3d"
  std::string name;                         // output folder name: "0045" (NYUv2 index), X of Make3D's img-X.jpg
  std::vector<std::string> sources;         // the files it came from
  int source_width = 0, source_height = 0;  // the stored image size before resizing
  Image rgb;                                // 3 channels, [0, 255] (not rounded)
  Image depth;                              // 1 channel, metres, within [clip_min, clip_max]
  double clip_min = 0, clip_max = 0;        // the protocol's depth clipping
  Options options;                          // preset options with the camera to render with
  std::vector<double> focus_distances;      // the preset's focus planes
  std::string camera_source;                // where f, N and the pixel pitch came from (for the record)
};

// Anti-aliased bilinear resize of every channel to width x height: a triangle filter stretched
// by the reduction factor when shrinking (plain bilinear when enlarging), pixel centres aligned
// (x_in = (x_out + 0.5) * in / out - 0.5), weights renormalised over the taps inside the image.
// This is the convention of PIL's BILINEAR and torch's interpolate(antialias=True); an exact 2x
// reduction weighs 4 input pixels per axis by 1/8, 3/8, 3/8, 1/8 (not the 2x2 box of INTER_AREA).
Image resize_bilinear_aa(const Image& in, int width, int height);

// Clips every value into [lo, hi] (NaN becomes lo).
void clip_values(Image& im, double lo, double hi);

// "all", "N", "N,M,...", "A-B" (inclusive) or mixes ("0,5-9"): sorted, unique 0-based indices,
// each < count. Error(Usage) naming `what` for a malformed list or an index out of range.
std::vector<int> parse_index_list(const std::string& spec, int count, const std::string& what);

// ---- NYUv2 labelled set (nyu_depth_v2_labeled.mat, MATLAB v7.3 = HDF5) -----------------------
// Variables "images": uint8, MATLAB dims H x W x 3 x N (480 x 640 x 3 x 1449), and "depths":
// single or double, H x W x N, metres. MATLAB is column-major: element (r, c, ch, n) is at
// r + H (c + W (ch + 3 n)). Sizes are taken from the file. One sample is read at a time (a
// hyperslab), never the 2.8 GB arrays.

struct Nyuv2Info {
  int width = 0, height = 0, count = 0;
};
// Opens the file and checks both variables (class, rank, matching sizes). Error(Input) naming
// the file and what was expected for anything else.
Nyuv2Info nyuv2_info(const std::string& mat_path);
// Sample `index` (0-based, as h5py counts) at the stored size. Error(Usage) when out of range.
RgbdImage nyuv2_read(const std::string& mat_path, int index);
// SPEC 6: both downsampled 2x (resize_bilinear_aa to floor(W/2) x floor(H/2): 320 x 240), depth
// clipped to [0.1, 10] m; the nyuv2 preset's camera and focus planes. Name: the index as %04d.
DatasetSample nyuv2_protocol(const RgbdImage& full, int index, const std::string& mat_path);
// The official split (splits.mat: "testNdxs" / "trainNdxs", 1-based column vectors of the 1449
// samples): `set` "test" (654 samples) or "train" (795), as sorted 0-based indices < count.
// Error(Input) naming the file for a missing variable, non-vector, or an index outside 1..count.
std::vector<int> nyuv2_split(const std::string& splits_mat, const std::string& set, int count);
inline DatasetSample nyuv2_sample(const std::string& mat_path, int index) {
  return nyuv2_protocol(nyuv2_read(mat_path, index), index, mat_path);
}

// ---- Make3D (Make3D-1 Train400 / Make3D-2 Test134) --------------------------------------------
// Images img-X.jpg (1704 x 2272) and laser grids depth_sph_corr-X.mat (MATLAB v5) holding
// "Position3DGrid", double, rows x cols x 4 (55 x 305 x 4), plane 4 = depth in metres. The grid
// covers the whole image: its rows map to image rows and its columns to image columns.

// Size of the protocol's images: the longer side 460, the shorter 345 (SPEC 6's 460x345 in the
// image's own orientation).
constexpr int kMake3dLongSide = 460;
constexpr int kMake3dShortSide = 345;
// Sensor extent along the image's longer side when EXIF has no focal-plane resolution: the one
// the make3d preset's pixel pitch implies at 460 px (460 x 1.2365e-6 m = 0.5688 mm), so that a
// file without EXIF renders with exactly the preset camera.
double make3d_default_sensor_long_side();

// The image (any format OpenCV reads; grey is replicated to 3 channels, 16-bit scaled to 0..255)
// and the depth plane of the grid at the grid's size. Error(Input) naming the file for a missing
// variable, wrong class or rank, fewer than 4 planes, non-finite depth or an unreadable image.
RgbdImage make3d_read(const std::string& image_path, const std::string& depth_path);
// SPEC 6: image resized to 460 x 345 (or 345 x 460 for portrait images) with resize_bilinear_aa,
// depth grid resized bilinearly to the same size, clipped to [0.01, 80] m; the make3d preset
// with f and N from the image's EXIF (FocalLength, FNumber) and the pixel pitch from its
// focal-plane resolution (scaled to the new width) where present, else the preset's values.
// Name: X of img-X.<ext>, else the file's stem.
DatasetSample make3d_sample(const std::string& image_path, const std::string& depth_path);
// X of "img-X.jpg" / "depth_sph_corr-X.mat" (empty when the name has neither prefix).
std::string make3d_key(const std::string& path);
// Pairs every img-X.* in image_dir with depth_sph_corr-X.mat in depth_dir, sorted by X.
// Error(Input) naming the folder when it holds no images or an image has no depth file.
std::vector<std::pair<std::string, std::string>> make3d_pairs(const std::string& image_dir,
                                                              const std::string& depth_dir);

}  // namespace dfd
