// The NYUv2 labelled set (nyu_depth_v2_labeled.mat, MATLAB v7.3): samples and the SPEC 6 protocol.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "dfd/datasets.h"
#include "dfd/error.h"
#include "dfd/input_limits.h"
#include "mat_file.h"

namespace dfd {

namespace {

constexpr double kDepthMin = 0.1, kDepthMax = 10.0;  // SPEC 6 clipping, metres

struct Nyuv2Vars {
  MatVarInfo images, depths;
  Nyuv2Info info;
};

// Checks "images" (uint8, H x W x 3 [x N]) and "depths" (single/double, H x W [x N]). MATLAB
// drops a trailing singleton dimension, so a one-sample file has ranks 3 and 2.
Nyuv2Vars check_vars(const MatFile& f) {
  Nyuv2Vars v{f.info("images"), f.info("depths"), {}};
  const std::string& p = f.path();
  const auto& di = v.images.dims;
  if (v.images.cls != MatClass::Uint8)
    throw_input(p + ": 'images' is " + v.images.class_name + "; expected uint8 (H x W x 3 x N)");
  if ((di.size() != 4 && di.size() != 3) || di[2] != 3)
    throw_input(p + ": 'images' is " + dims_string(di) + "; expected H x W x 3 x N (480 x 640 x 3 x 1449)");
  if (v.depths.cls != MatClass::Single && v.depths.cls != MatClass::Double)
    throw_input(p + ": 'depths' is " + v.depths.class_name + "; expected single or double (H x W x N, metres)");
  const auto& dd = v.depths.dims;
  if (dd.size() != 3 && dd.size() != 2)
    throw_input(p + ": 'depths' is " + dims_string(dd) + "; expected H x W x N (480 x 640 x 1449)");
  const size_t n_images = di.size() == 4 ? di[3] : 1, n_depths = dd.size() == 3 ? dd[2] : 1;
  if (dd[0] != di[0] || dd[1] != di[1] || n_depths != n_images)
    throw_input(p + ": 'depths' (" + dims_string(dd) + ") does not match 'images' (" + dims_string(di) +
                "): expected " + std::to_string(di[0]) + " x " + std::to_string(di[1]) + " x " +
                std::to_string(n_images));
  if (di[0] < 2 || di[1] < 2 || n_images < 1)
    throw_input(p + ": 'images' is " + dims_string(di) + "; at least 2 x 2 pixels and one sample expected");
  // Sizes as ints, and one sample's read (H x W x 3, then H x W) within the MAT read limit: from
  // the header, before any data.
  if (di[0] > kMaxMatElements / di[1] / 3)
    throw_input_too_large(over_limit_message(p,
                                             "'images' is " + dims_string(di) + ": one sample of " +
                                                 std::to_string(di[0]) + " x " + std::to_string(di[1]) +
                                                 " x 3 is too large",
                                             std::to_string(kMaxMatElements) + " elements an array read"));
  if (n_images > static_cast<size_t>(std::numeric_limits<int>::max()))
    throw_input(p + ": 'images' is " + dims_string(di) + "; more samples than dfd can index");
  v.info.height = static_cast<int>(di[0]);
  v.info.width = static_cast<int>(di[1]);
  v.info.count = static_cast<int>(n_images);
  return v;
}

}  // namespace

Nyuv2Info nyuv2_info(const std::string& mat_path) {
  const MatFile f(mat_path);
  return check_vars(f).info;
}

RgbdImage nyuv2_read(const std::string& mat_path, int index) {
  const MatFile f(mat_path);
  const Nyuv2Vars v = check_vars(f);
  const int H = v.info.height, W = v.info.width;
  if (index < 0 || index >= v.info.count)
    throw_usage(mat_path + ": sample " + std::to_string(index) + " is out of range (the file holds " +
                std::to_string(v.info.count) + " samples, 0.." + std::to_string(v.info.count - 1) + ")");
  const size_t n = static_cast<size_t>(index);

  // Column-major: element (r, c, ch) of the block is at r + H (c + W ch); Image is planar,
  // row-major: (c * H + r) * W + x. So transpose each plane.
  std::vector<size_t> start(v.images.dims.size(), 0), count = v.images.dims;
  if (count.size() == 4) {
    start[3] = n;
    count[3] = 1;
  }
  const std::vector<double> rgb = f.read_block(v.images, start, count);
  start.assign(v.depths.dims.size(), 0);
  count = v.depths.dims;
  if (count.size() == 3) {
    start[2] = n;
    count[2] = 1;
  }
  const std::vector<double> depth = f.read_block(v.depths, start, count);

  RgbdImage out{Image(W, H, 3), Image(W, H, 1)};
  for (int ch = 0; ch < 3; ++ch)
    for (int c = 0; c < W; ++c)
      for (int r = 0; r < H; ++r)
        out.rgb.at(c, r, ch) = static_cast<float>(rgb[r + static_cast<size_t>(H) * (c + static_cast<size_t>(W) * ch)]);
  for (int c = 0; c < W; ++c)
    for (int r = 0; r < H; ++r) {
      const double z = depth[r + static_cast<size_t>(H) * c];
      if (!std::isfinite(z))
        throw_input(mat_path + ": 'depths' of sample " + std::to_string(index) + " is not finite at row " +
                    std::to_string(r) + ", column " + std::to_string(c));
      out.depth.at(c, r) = static_cast<float>(z);
    }
  return out;
}

std::vector<int> nyuv2_split(const std::string& splits_mat, const std::string& set, int count) {
  if (set != "test" && set != "train") throw_usage("unknown NYUv2 split set '" + set + "' (test or train)");
  const MatFile f(splits_mat);
  const MatVarInfo v = f.info(set + "Ndxs");
  const size_t n = v.dims.size() == 2 ? v.dims[0] * v.dims[1] : 0;
  if (v.cls == MatClass::Other || v.complex || v.dims.size() != 2 || (v.dims[0] != 1 && v.dims[1] != 1) || n == 0)
    throw_input(splits_mat + ": '" + v.name + "' is " + v.class_name + " " + dims_string(v.dims) +
                "; expected a numeric vector of 1-based sample numbers (654 x 1 for testNdxs)");
  std::vector<int> out;
  for (double x : f.read_all(v)) {
    if (!(x >= 1 && x <= count && x == std::floor(x)))
      throw_input(splits_mat + ": '" + v.name + "' holds " + std::to_string(x) + ", not a sample number in 1.." +
                  std::to_string(count));
    out.push_back(static_cast<int>(x) - 1);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

DatasetSample nyuv2_protocol(const RgbdImage& full, int index, const std::string& mat_path) {
  DatasetSample s;
  s.dataset = "nyuv2";
  char name[16];
  std::snprintf(name, sizeof name, "%04d", index);
  s.name = name;
  s.sources = {mat_path};
  s.source_width = full.rgb.width;
  s.source_height = full.rgb.height;
  const int w = full.rgb.width / 2, h = full.rgb.height / 2;
  s.rgb = resize_bilinear_aa(full.rgb, w, h);
  s.depth = resize_bilinear_aa(full.depth, w, h);
  s.clip_min = kDepthMin;
  s.clip_max = kDepthMax;
  clip_values(s.depth, kDepthMin, kDepthMax);
  s.options = preset_options("nyuv2");
  s.focus_distances = preset_focus_distances("nyuv2");
  s.camera_source = "nyuv2 preset";
  return s;
}

}  // namespace dfd
