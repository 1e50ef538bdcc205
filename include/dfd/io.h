// Reading and writing images, focal stacks, manifests, depth maps and point clouds (dfd_io).
// Run reports and the summary sheet: dfd/report.h; resizing a stack: dfd/resample.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dfd/image.h"

namespace dfd {

struct Options;  // dfd/options.h: the camera of write_ply, the settings a manifest applies

// ---- Images -----------------------------------------------------------------------------------

// An image in its file's own scale and that scale's natural range R:
// 8-bit -> [0, 255], 16-bit -> [0, 65535], float -> as stored (R = 1).
struct LoadedImage {
  Image image;         // planar; RGB (BGR swapped, alpha dropped) or 1-channel grey
  double range = 0.0;  // natural range R of the file's bit depth
  int bit_depth = 0;   // 8, 16 or 32 (float)
};

// Reads any image OpenCV decodes. Throws Error(Input) naming the file when it is missing,
// not an image, of an unsupported depth (signed integers), or holds NaN/inf/negative values.
LoadedImage read_image(const std::string& path);

// An image's size as its file header gives it, read before any pixel is decoded.
struct ImageHeader {
  std::string format;  // "PNG", "JPEG", "TIFF" (the first page), "BMP"
  int64_t width = 0, height = 0;
  int channels = 0;             // as stored (alpha included)
  int bits = 8;                 // per sample
  size_t work_bytes = 0;        // the decoder's own buffer (TIFF: a strip or tile, as OpenCV sizes it)
  size_t decode_bytes() const;  // the peak of decoding it into a float Image
  size_t frame_bytes() const;   // the float Image it becomes (alpha dropped)
};
// The header of PNG, JPEG, TIFF and BMP files; nullopt for other formats or a header that
// cannot be read (decoding then reports what is wrong).
std::optional<ImageHeader> read_image_header(const std::string& path);
// The page directories of a TIFF (classic or BigTIFF, either byte order), at most `limit`,
// in file order; empty when it is not a TIFF. A chain that loops or breaks ends there.
std::vector<ImageHeader> read_tiff_page_headers(const std::string& path, size_t limit);
// Error(OutOfMemory) when decoding every page of the TIFF `path` at once (as cv::imreadmulti
// does) and converting them to float would pass the memory limit, judged from the page
// directories alone (at most `limit` of them).
void check_tiff_stack_memory(const std::string& path, size_t limit);
// Error(OutOfMemory) (check_host_memory) when decoding `path` would pass the memory limit,
// judged from its header alone; nothing for files without a readable header.
void check_decode_memory(const std::string& path);
// The same for a whole stack: the float frames together plus the largest decode, from the
// headers (read until the sum passes the limit, so a stack of a million frames is refused after
// a few). Error(OutOfMemory) naming the frames, their size, the need and the limit.
void check_stack_memory(const std::vector<std::string>& frames);

// A depth map: a 1-channel image whose values divided by `scale` are depths (float TIFF in
// depth units with scale 1; 16-bit PNG in millimetres with scale 1000).
Image read_depth(const std::string& path, double scale = 1.0);

// Raw little-endian float32 arrays in C order (height x width x channels, interleaved), the
// layout of numpy's tofile() and of the conformance fixtures. The file size must match.
Image read_raw_f32(const std::string& path, int width, int height, int channels);
void write_raw_f32(const std::string& path, const Image& im);

// Every writer is atomic: the bytes go to a temporary file in the same folder, which is
// renamed over `path` only once complete. Throws Error(Runtime) naming the path on failure.

// 32-bit float TIFF of a 1- or 3-channel image, values as they are (depth units).
void write_float_tiff(const std::string& path, const Image& im);
// 8-bit / 16-bit PNG of an image in [0, range]: scaled to the full code range, clipped, rounded.
void write_png8(const std::string& path, const Image& im, double range);
void write_png16(const std::string& path, const Image& im, double range);
// Colourised depth (turbo colormap, near = warm) with a legend bar labelled with the depths
// at its ends: the map's 1st and 99th percentiles ("<" / ">" when values lie beyond, drawn
// in the end colours), so a few outliers do not flatten the scene.
void write_depth_color(const std::string& path, const Image& depth);
// Writes text (JSON, manifests) atomically.
void write_text_file(const std::string& path, const std::string& text);

// ---- Depth files and point cloud (src/io/depth_files.cpp, ply_writer.cpp)

// 16-bit PNG depth: value = round(depth * scale), 0 where the depth is not finite; read back
// with read_depth(path, scale). depth16_scale picks the largest two-significant-digit scale
// that keeps the map's largest depth within 65535 (>= 90% of the code range used). `scale`
// <= 0 picks it; returns the scale written.
double depth16_scale(const Image& depth);
double write_depth16(const std::string& path, const Image& depth, double scale = 0.0);
// OpenEXR through OpenCV (32-bit float channels). OpenCV >= 4.5.5 needs the environment
// variable OPENCV_IO_ENABLE_OPENEXR before its first EXR call: enable_openexr() sets it unless
// the user set it. write_float_exr throws Error(Runtime) with a clear message when EXR is
// unavailable in this OpenCV build.
void enable_openexr();
bool openexr_available();
void write_float_exr(const std::string& path, const Image& im);

// PLY point cloud (binary little-endian: 15 bytes a point, a tenth of ASCII's size and parse
// time at 12 MP; every viewer reads it): float x, y, z and uchar red, green, blue (the AIF,
// 8-bit). ThinLens model: pinhole back-projection X = (u - cx) ps Z / f, Y = (v - cy) ps Z / f,
// Z = depth (camera frame, y down), with opt.pixel_pitch and opt.focal_length. FocusIndex
// model (relative depth): x = u - cx, y = v - cy in pixels and z = depth * z_scale; the
// header's comments say which. Non-finite depths are skipped.
struct PlyOptions {
  double min_confidence = 0.0;  // > 0: skip points whose confidence is below (needs the map)
  double z_scale = 0.0;         // FocusIndex z scale, pixels per frame step; 0 = ply_default_z_scale
  // FocusIndex with a physical z step (the depth already in `unit`): x, y = pixel offsets x
  // xy_step, z = depth, all in `unit`. 0 = no pixel size known (x, y in pixels, z scaled).
  double xy_step = 0.0;
  std::string unit;  // the depth's unit when physical ("" = frame steps)
};
struct PlyInfo {
  size_t vertices = 0, skipped_confidence = 0, skipped_invalid = 0;
  double z_scale = 1.0;  // what z was multiplied by (1 for the metric model)
  std::string units;     // the coordinates' units, as in the header comment
};
// The FocusIndex default: the map's finite depth range spans a quarter of the image width.
double ply_default_z_scale(const Image& depth);
PlyInfo write_ply(const std::string& path, const Image& depth, const Image& aif, double range, const Image& confidence,
                  const Options& opt, const PlyOptions& po);

// ---- Focal stacks and manifests ---------------------------------------------------------------

// Loads frames (all the same size, bit depth and channel count; else Error(Input) naming both
// files). The stack range is `range_override` when > 0, else the frames' natural range; no
// value may exceed it. Focus distances are stored as given (Options::validate checks them
// against the frames).
FocalStack load_stack(const std::vector<std::string>& frames, const std::vector<double>& focus_distances,
                      double range_override = 0.0);

// STACK.json: {"frames": [...], "focus_distances": [...], optional "camera": {"focal_length",
// "f_number" | "aperture", "pixel_pitch", "thresh"}, "preset", "range", "kernel_size"}.
// Frame paths are relative to the manifest's folder (or absolute).
struct StackManifest {
  std::vector<std::string> frames;
  std::vector<double> focus_distances;
  std::optional<std::string> preset;
  std::optional<double> focal_length, f_number, aperture, pixel_pitch, thresh, range;
  std::optional<int> kernel_size;

  // Applies the manifest's camera and model settings (not the preset) over `opt`.
  void apply(Options& opt) const;
};

// Parses and checks a manifest (unknown keys and wrong types are Error(Input) naming the file).
StackManifest read_manifest(const std::string& path);
// The manifest and its frames; `range_override` > 0 replaces the manifest's and files' range.
struct LoadedManifest {
  StackManifest manifest;
  FocalStack stack;
};
LoadedManifest load_manifest(const std::string& path, double range_override = 0.0);
void write_manifest(const std::string& path, const StackManifest& manifest);

}  // namespace dfd
