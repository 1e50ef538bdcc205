// The indoor scene: a nearly flat-coloured back wall and floor (where per-pixel depth from
// defocus has nothing to see) and four photo-textured objects at depth discontinuities.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "dfd/portable_random.h"
#include "dfd/robust_scenes.h"
#include "dfd/synthetic.h"
#include "scene_images.h"

namespace dfd {

namespace {

constexpr double kWallLeft = 5.8, kWallRight = 4.6;  // metres
constexpr double kHorizon = 0.62;                    // of the height

// An object at depth z0 on its left edge and z1 on its right (1/Z affine across), textured with
// a photo crop. A rectangle spans (a, b) .. (c, d) in fractions of the width and height; a disc
// is centred at (a, b) (fractions) with radius c (fraction of the shorter side).
struct Object {
  const char* photo;  // file in the photo folder
  bool disc;
  double a, b, c, d;
  double z0, z1;
  double tint[3];  // colour of a grey photo
};

// Painted in this order (far to near), so that nearer objects occlude.
const Object kObjects[] = {
    {"brick.png", false, 0.06, 0.16, 0.36, 0.70, 3.6, 2.6, {1.0, 0.72, 0.58}},
    {"coffee.png", false, 0.42, 0.28, 0.68, 0.62, 2.0, 2.0, {1, 1, 1}},
    {"gravel.png", false, 0.52, 0.70, 0.94, 0.97, 1.2, 1.2, {0.95, 0.92, 0.85}},
    {"chelsea.png", true, 0.80, 0.32, 0.15, 0, 0.95, 0.95, {1, 1, 1}},
};

double jitter(uint64_t seed, uint64_t n, double amplitude) { return amplitude * (2.0 * random_uniform(seed, n) - 1.0); }

double wall_inverse_depth(double tx) { return 1.0 / kWallLeft + tx * (1.0 / kWallRight - 1.0 / kWallLeft); }

// Wall and floor: 1/Z affine in the image coordinates (planes under a pinhole camera), colours
// with a gradient of a few DN and nothing else.
void paint_room(Image& aif, Image& depth) {
  const int W = aif.width, H = aif.height;
  const double horizon = kHorizon * (H - 1);
  const double wall[3] = {205, 196, 180}, floor[3] = {150, 118, 92};
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      const double tx = W > 1 ? double(x) / (W - 1) : 0.0, ty = H > 1 ? double(y) / (H - 1) : 0.0;
      double inv = wall_inverse_depth(tx), shade = 1.0 + 0.03 * (tx - 0.5) - 0.03 * ty;
      const double* col = wall;
      if (y > horizon) {
        const double t = (y - horizon) / (H - 1 - horizon);
        inv += t * (1.0 / kIndoorNear - inv);
        shade = 0.95 + 0.08 * t;
        col = floor;
      }
      depth.at(x, y) = static_cast<float>(1.0 / inv);
      for (int c = 0; c < 3; ++c) aif.at(x, y, c) = static_cast<float>(col[c] * shade);
    }
}

// The object's texture at w x h: a crop of its photo at twice the object's share of the image
// (so the texture's scale in the scene does not change with the resolution), at a position from
// the seed; synthetic_texture when the photo is missing.
Image object_texture(const Object& o, int w, int h, int W, uint64_t seed, const std::string& dir,
                     std::vector<std::string>& notes) {
  const std::string path = dir + "/" + o.photo;
  if (!scene_images::exists(path)) {
    notes.push_back(path + " not found (Debian package python3-skimage): synthetic_texture used instead");
    const Image t = synthetic_texture(std::max(w, 8), std::max(h, 8), seed);
    return scene_images::resize_area(t, cv::Rect(0, 0, w, h), w, h);
  }
  const Image photo = scene_images::to_rgb(scene_images::read_8bit(path), o.tint);
  int cw = std::min(photo.width, std::max(1, static_cast<int>(std::lround(2.0 * w / W * photo.width))));
  int ch = std::max(1, static_cast<int>(std::lround(static_cast<double>(cw) * h / w)));
  if (ch > photo.height) ch = photo.height, cw = std::max(1, static_cast<int>(std::lround(double(ch) * w / h)));
  const int cx = static_cast<int>(random_uniform(seed, 0) * (photo.width - cw + 1));
  const int cy = static_cast<int>(random_uniform(seed, 1) * (photo.height - ch + 1));
  notes.push_back(path + ": crop " + std::to_string(cw) + "x" + std::to_string(ch) + " at (" + std::to_string(cx) +
                  ", " + std::to_string(cy) + ")");
  return scene_images::resize_area(photo, cv::Rect(cx, cy, cw, ch), w, h);
}

void paint_object(const Object& o, size_t k, uint64_t seed, const std::string& dir, RobustScene& sc) {
  const int W = sc.aif.width, H = sc.aif.height;
  const uint64_t s = splitmix64(seed + 101 * (k + 1));
  const double dx = jitter(s, 10, 0.02), dy = jitter(s, 11, 0.02), dz = 1.0 + jitter(s, 12, 0.05);
  // The bounding box in pixels.
  double x0 = (o.a + dx) * W, y0 = (o.b + dy) * H, x1 = (o.c + dx) * W, y1 = (o.d + dy) * H;
  if (o.disc) {
    const double r = o.c * std::min(W, H);
    x1 = x0 + r, y1 = y0 + r, x0 -= r, y0 -= r;
  }
  const int px0 = std::max(0, static_cast<int>(std::lround(x0))), px1 = std::min(W, static_cast<int>(std::lround(x1)));
  const int py0 = std::max(0, static_cast<int>(std::lround(y0))), py1 = std::min(H, static_cast<int>(std::lround(y1)));
  if (px1 <= px0 || py1 <= py0) return;
  const Image tex = object_texture(o, px1 - px0, py1 - py0, W, s, dir, sc.notes);
  const double cx = 0.5 * (x0 + x1), cy = 0.5 * (y0 + y1), r = 0.5 * (x1 - x0);
  for (int y = py0; y < py1; ++y)
    for (int x = px0; x < px1; ++x) {
      if (o.disc && (x + 0.5 - cx) * (x + 0.5 - cx) + (y + 0.5 - cy) * (y + 0.5 - cy) > r * r) continue;
      const double t = std::clamp((x + 0.5 - x0) / (x1 - x0), 0.0, 1.0);
      sc.depth.at(x, y) = static_cast<float>(dz / (1.0 / o.z0 + t * (1.0 / o.z1 - 1.0 / o.z0)));
      for (int c = 0; c < 3; ++c) sc.aif.at(x, y, c) = tex.at(x - px0, y - py0, c);
    }
}

}  // namespace

RobustScene make_indoor_scene(int width, int height, uint64_t seed, const std::string& photo_dir) {
  RobustScene sc;
  sc.name = "indoor";
  sc.aif = Image(width, height, 3);
  sc.depth = Image(width, height, 1);
  paint_room(sc.aif, sc.depth);
  for (size_t k = 0; k < std::size(kObjects); ++k) paint_object(kObjects[k], k, seed, photo_dir, sc);
  char what[160];
  std::snprintf(what, sizeof what,
                "wall %.1f .. %.1f m and floor to %.1f m, nearly flat colour; objects textured with photo crops",
                kWallLeft, kWallRight, kIndoorNear);
  sc.notes.insert(sc.notes.begin(), what);
  return sc;
}

}  // namespace dfd
