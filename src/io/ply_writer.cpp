// PLY point clouds of a depth map: pinhole back-projection (or pixel grid + scaled relative depth), AIF colours.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "dfd/error.h"
#include "dfd/io.h"
#include "dfd/options.h"
#include "util/atomic_file.h"
#include "util/number_text.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the binary PLY writer assumes a little-endian host"
#endif

namespace dfd {

namespace {

void put(std::vector<char>& out, const void* p, size_t n) {
  const char* c = static_cast<const char*>(p);
  out.insert(out.end(), c, c + n);
}

}  // namespace

double ply_default_z_scale(const Image& depth) {
  float lo = INFINITY, hi = -INFINITY;
  for (float z : depth.data)
    if (std::isfinite(z)) {
      lo = std::min(lo, z);
      hi = std::max(hi, z);
    }
  const double span = hi > lo ? static_cast<double>(hi) - lo : 1.0;
  return 0.25 * depth.width / span;
}

PlyInfo write_ply(const std::string& path, const Image& depth, const Image& aif, double range, const Image& confidence,
                  const Options& opt, const PlyOptions& po) {
  if (depth.channels != 1 || depth.empty()) throw_runtime(path + ": a point cloud needs a 1-channel depth map");
  if (aif.width != depth.width || aif.height != depth.height || (aif.channels != 1 && aif.channels != 3))
    throw_runtime(path + ": the AIF image must be grey or colour and the depth map's size");
  if (!(range > 0)) throw_runtime(path + ": invalid intensity range " + format_number_short(range));
  const bool filter = po.min_confidence > 0;
  if (filter && (confidence.width != depth.width || confidence.height != depth.height || confidence.channels != 1))
    throw_runtime(path + ": --ply-min-confidence needs the confidence map, which this solve did not produce");
  if (po.z_scale < 0 || !std::isfinite(po.z_scale))
    throw_runtime(path + ": invalid PLY z scale " + format_number_short(po.z_scale));

  PlyInfo info;
  const bool metric = opt.blur_model == BlurModel::ThinLens;
  const int W = depth.width, H = depth.height;
  const double cx = 0.5 * (W - 1), cy = 0.5 * (H - 1);
  // ThinLens: X = (u - cx) ps Z / f; FocusIndex: pixels, and z = depth * z_scale pixels.
  const double k = metric ? opt.pixel_pitch / opt.focal_length : 1.0;
  if (metric && !(k > 0 && std::isfinite(k)))
    throw_runtime(path + ": the camera's pixel pitch / focal length is invalid");
  // A focus-index depth in physical units with a known pixel size: x, y, z all in that unit.
  const bool physical = !metric && po.xy_step > 0 && !po.unit.empty();
  if (physical && !std::isfinite(po.xy_step))
    throw_runtime(path + ": invalid PLY pixel size " + format_number_short(po.xy_step));
  info.z_scale = metric || physical ? 1.0 : (po.z_scale > 0 ? po.z_scale : ply_default_z_scale(depth));
  const std::string z_is = po.unit.empty() ? "relative depth (frame index)" : "focus position (" + po.unit + ")";
  info.units = metric     ? "x, y, z in the focus distances' unit (camera frame: x right, y down, z forward)"
               : physical ? "x, y, z in " + po.unit + " (x right, y down from the image centre at " +
                                format_number_short(po.xy_step) + " " + po.unit + " per pixel; z = focus position)"
                          : "x, y in pixels from the image centre (x right, y down); z = " + z_is + " * " +
                                format_number_short(info.z_scale) + " pixels";

  std::vector<char> body;
  body.reserve(depth.pixels() * 15);
  const int gc = aif.channels == 3 ? 1 : 0, bc = aif.channels == 3 ? 2 : 0;
  for (int v = 0; v < H; ++v)
    for (int u = 0; u < W; ++u) {
      const float z = depth.at(u, v);
      if (!std::isfinite(z)) {
        ++info.skipped_invalid;
        continue;
      }
      if (filter && !(confidence.at(u, v) >= po.min_confidence)) {
        ++info.skipped_confidence;
        continue;
      }
      float xyz[3];
      if (metric) {
        xyz[0] = static_cast<float>((u - cx) * k * z);
        xyz[1] = static_cast<float>((v - cy) * k * z);
        xyz[2] = z;
      } else {
        const double k_xy = physical ? po.xy_step : 1.0;
        xyz[0] = static_cast<float>((u - cx) * k_xy);
        xyz[1] = static_cast<float>((v - cy) * k_xy);
        xyz[2] = static_cast<float>(z * info.z_scale);
      }
      uint8_t rgb[3];
      const int ch[3] = {0, gc, bc};
      for (int c = 0; c < 3; ++c) {
        const double q = std::round(aif.at(u, v, ch[c]) * 255.0 / range);
        rgb[c] = static_cast<uint8_t>(std::clamp(q, 0.0, 255.0));
      }
      put(body, xyz, sizeof xyz);
      put(body, rgb, sizeof rgb);
      ++info.vertices;
    }

  std::string header =
      "ply\nformat binary_little_endian 1.0\ncomment dfd " DFD_VERSION " depth-from-defocus point cloud\n";
  header += "comment model " +
            std::string(metric            ? "thin-lens (metric)"
                        : po.unit.empty() ? "focus-index (uncalibrated, relative depth)"
                                          : "focus-index (uncalibrated, focus position in " + po.unit + ")") +
            "\n";
  header += "comment units " + info.units + "\n";
  if (metric)
    header += "comment camera f " + format_number_short(opt.focal_length) + " pixel_pitch " +
              format_number_short(opt.pixel_pitch) + "\n";
  header += "comment image " + std::to_string(W) + "x" + std::to_string(H) + " principal point (" +
            format_number_short(cx) + ", " + format_number_short(cy) + ")\n";
  if (filter) header += "comment skipped points with confidence < " + format_number_short(po.min_confidence) + "\n";
  header += "element vertex " + std::to_string(info.vertices) + "\n";
  header += "property float x\nproperty float y\nproperty float z\n";
  header += "property uchar red\nproperty uchar green\nproperty uchar blue\nend_header\n";

  body.insert(body.begin(), header.begin(), header.end());  // in place: no second copy of the cloud
  write_file_atomic(path, body.data(), body.size());
  return info;
}

}  // namespace dfd
