// Procedural synthetic scene (texture + layered depth) and focal-stack rendering by the exact model.
#include <algorithm>
#include <cmath>
#include <string>

#include "dfd/error.h"
#include "dfd/portable_random.h"
#include "dfd/reference_model.h"
#include "dfd/synthetic.h"

namespace dfd {

namespace {

// splitmix64 (dfd/portable_random.h): std:: distributions differ between standard libraries,
// so they would break "same seed, same scene".
uint64_t mix64(uint64_t z) { return splitmix64(z); }

double to_unit(uint64_t h) { return static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0); }  // [0, 1)

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(mix64(seed ^ 0x5eedULL)) {}
  double uniform() { return to_unit(mix64(state_++)); }
  double uniform(double a, double b) { return a + (b - a) * uniform(); }
  int below(int n) { return std::min(n - 1, static_cast<int>(uniform() * n)); }

 private:
  uint64_t state_;
};

// Lattice value noise in [0, 1): smooth interpolation of hashed values on a grid of `period` px.
double value_noise(uint64_t seed, double x, double y, double period) {
  const double gx = x / period, gy = y / period;
  const double fx0 = std::floor(gx), fy0 = std::floor(gy);
  const double fx = gx - fx0, fy = gy - fy0;
  const auto ix = static_cast<int64_t>(fx0), iy = static_cast<int64_t>(fy0);
  auto at = [&](int64_t i, int64_t j) {
    return to_unit(mix64(seed ^ mix64(static_cast<uint64_t>(i) * 0x9e3779b1ULL + static_cast<uint64_t>(j))));
  };
  const double sx = fx * fx * (3 - 2 * fx), sy = fy * fy * (3 - 2 * fy);  // smoothstep
  const double a = at(ix, iy) + sx * (at(ix + 1, iy) - at(ix, iy));
  const double b = at(ix, iy + 1) + sx * (at(ix + 1, iy + 1) - at(ix, iy + 1));
  return a + sy * (b - a);
}

// One coloured patch of the texture: a rectangle or disc, plain, striped or chequered.
struct Patch {
  int shape;    // 0 rectangle, 1 disc
  int pattern;  // 0 plain, 1 stripes, 2 checks
  double cx, cy, rx, ry;
  double colour[3], alt[3];
  double period, cos_a, sin_a;

  bool contains(double x, double y) const {
    const double dx = (x - cx) / rx, dy = (y - cy) / ry;
    return shape == 0 ? (std::fabs(dx) <= 1 && std::fabs(dy) <= 1) : dx * dx + dy * dy <= 1;
  }
  const double* colour_at(double x, double y) const {
    if (pattern == 0) return colour;
    const double u = ((x - cx) * cos_a + (y - cy) * sin_a) / period;
    const double v = (-(x - cx) * sin_a + (y - cy) * cos_a) / period;
    const bool odd = pattern == 1 ? (static_cast<int64_t>(std::floor(u)) & 1)
                                  : ((static_cast<int64_t>(std::floor(u)) + static_cast<int64_t>(std::floor(v))) & 1);
    return odd ? alt : colour;
  }
};

void require_size(int width, int height, const char* what) {
  if (width < 8 || height < 8)
    throw_usage(std::string(what) + ": image size " + std::to_string(width) + "x" + std::to_string(height) +
                " is too small (at least 8x8)");
}

}  // namespace

Image synthetic_texture(int width, int height, uint64_t seed) {
  require_size(width, height, "synthetic texture");
  Rng rng(seed);
  const double scale = std::min(width, height);

  // Sharp-edged patches, more of them on larger images so the density stays alike.
  std::vector<Patch> patches(12 + static_cast<int>(static_cast<double>(width) * height / 3000.0));
  for (Patch& p : patches) {
    p.shape = rng.below(2);
    p.pattern = rng.below(3);
    p.cx = rng.uniform(0, width);
    p.cy = rng.uniform(0, height);
    p.rx = scale * rng.uniform(0.03, 0.18);
    p.ry = p.shape == 1 ? p.rx : scale * rng.uniform(0.03, 0.18);
    for (int c = 0; c < 3; ++c) {
      p.colour[c] = rng.uniform();
      p.alt[c] = 0.5 * (1.0 - p.colour[c]) + 0.25 * rng.uniform();
    }
    p.period = rng.uniform(2.5, 9.0);
    const double a = rng.uniform(0, M_PI);
    p.cos_a = std::cos(a);
    p.sin_a = std::sin(a);
  }
  const uint64_t colour_seed[3] = {mix64(seed + 11), mix64(seed + 12), mix64(seed + 13)};
  const double octaves[] = {3.0, 6.0, 12.0, 24.0, 48.0};

  Image im(width, height, 3);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      // Base colour: low-frequency noise per channel, replaced by the topmost patch.
      double col[3];
      for (int c = 0; c < 3; ++c) col[c] = value_noise(colour_seed[c], x, y, scale / 2.5);
      for (auto it = patches.rbegin(); it != patches.rend(); ++it)
        if (it->contains(x, y)) {
          const double* pc = it->colour_at(x, y);
          std::copy(pc, pc + 3, col);
          break;
        }
      // Detail at every scale, shared by the channels (luminance texture).
      double detail = 0.0;
      for (int k = 0; k < 5; ++k) detail += value_noise(mix64(seed + 100 + k), x, y, octaves[k]) - 0.5;
      for (int c = 0; c < 3; ++c) {
        const double v = std::clamp(0.15 + 0.7 * col[c] + 0.35 * detail, 0.0, 1.0);
        im.at(x, y, c) = static_cast<float>(8.0 + 239.0 * v);
      }
    }
  return im;
}

Image synthetic_depth(int width, int height, double depth_min, double depth_max, uint64_t seed) {
  require_size(width, height, "synthetic depth");
  if (!(depth_min > 0) || !(depth_max > depth_min))
    throw_usage("synthetic depth: need 0 < depth_min < depth_max (got " + std::to_string(depth_min) + ", " +
                std::to_string(depth_max) + ")");
  Rng rng(mix64(seed + 7));
  const double zlo = depth_min, zhi = depth_max;
  // Log-uniform depth in [zlo, zhi] at fraction t.
  auto depth_at = [&](double t) { return zlo * std::pow(zhi / zlo, t); };

  // A plane seen by a pinhole camera has 1/Z affine in the image coordinates.
  Image z(width, height, 1);
  const double wall_left = depth_at(rng.uniform(0.85, 1.0)), wall_right = depth_at(rng.uniform(0.8, 0.95));
  const double horizon = height * rng.uniform(0.55, 0.7);
  const double floor_near = depth_at(rng.uniform(0.05, 0.2));
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const double tx = static_cast<double>(x) / (width - 1);
      const double wall = 1.0 / (1.0 / wall_left + tx * (1.0 / wall_right - 1.0 / wall_left));
      double v = wall;
      if (y > horizon) {  // floor: from the wall at the horizon to floor_near at the bottom row
        const double ty = (y - horizon) / (height - 1 - horizon);
        v = 1.0 / (1.0 / wall + ty * (1.0 / floor_near - 1.0 / wall));
      }
      z.at(x, y) = static_cast<float>(v);
    }

  // Objects painted far to near so that nearer ones occlude: fronto-parallel rectangles and
  // discs, each in its own band of log depth, and one panel tilted about the vertical axis
  // (1/Z affine across it, from z0 at its left edge to z1 at its right).
  struct Object {
    int kind;  // 0 rectangle, 1 disc, 2 tilted panel
    double cx, cy, rx, ry, z0, z1;
  };
  const int n_flat = 5;
  std::vector<Object> objects;
  for (int k = 0; k <= n_flat; ++k) {
    Object o;
    o.kind = k == n_flat ? 2 : (rng.uniform() < 0.4 ? 1 : 0);
    o.cx = rng.uniform(0.1, 0.9) * width;
    o.cy = rng.uniform(0.1, 0.9) * height;
    o.rx = rng.uniform(0.08, 0.2) * std::min(width, height);
    o.ry = o.kind == 1 ? o.rx : rng.uniform(0.08, 0.2) * std::min(width, height);
    if (o.kind == 2) {
      o.rx *= 1.5;
      o.z0 = depth_at(rng.uniform(0.3, 0.45));
      o.z1 = depth_at(rng.uniform(0.6, 0.75));
    } else {
      o.z0 = o.z1 = depth_at((k + rng.uniform(0.15, 0.85)) / (n_flat + 1));
    }
    objects.push_back(o);
  }
  std::sort(objects.begin(), objects.end(), [](const Object& a, const Object& b) { return a.z0 + a.z1 > b.z0 + b.z1; });
  for (const Object& o : objects)
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x) {
        const double dx = (x - o.cx) / o.rx, dy = (y - o.cy) / o.ry;
        const bool in = o.kind == 1 ? dx * dx + dy * dy <= 1 : std::fabs(dx) <= 1 && std::fabs(dy) <= 1;
        if (!in) continue;
        const double t = 0.5 * (dx + 1.0);  // 0 at the left edge, 1 at the right
        z.at(x, y) = static_cast<float>(1.0 / (1.0 / o.z0 + t * (1.0 / o.z1 - 1.0 / o.z0)));
      }

  for (float& v : z.data) v = static_cast<float>(std::clamp<double>(v, zlo, zhi));
  return z;
}

FocalStack render_stack(const Image& aif, const Image& depth, const Camera& camera,
                        const std::vector<double>& focus_distances, int K, double range) {
  if (depth.channels != 1 || depth.width != aif.width || depth.height != aif.height)
    throw_input("render_stack: the depth map (" + std::to_string(depth.width) + "x" + std::to_string(depth.height) +
                ", " + std::to_string(depth.channels) + " channels) must be 1 channel of the AIF's size (" +
                std::to_string(aif.width) + "x" + std::to_string(aif.height) + ")");
  if (focus_distances.empty()) throw_input("render_stack: no focus distances");
  for (float z : depth.data)
    if (!(z > 0) || !std::isfinite(z)) throw_input("render_stack: depth values must be positive and finite");
  FocalStack s;
  s.frames = exact_forward(aif, depth, camera, focus_distances, K);
  s.focus_distances = focus_distances;
  s.range = range;
  for (size_t i = 0; i < s.frames.size(); ++i) s.sources.push_back("synthetic frame " + std::to_string(i));
  return s;
}

SyntheticScene make_synthetic_scene(const SceneSpec& spec) {
  SyntheticScene sc;
  sc.options = preset_options(spec.preset);
  sc.aif = synthetic_texture(spec.width, spec.height, spec.seed);
  sc.depth = synthetic_depth(spec.width, spec.height, spec.depth_min, spec.depth_max, spec.seed);
  sc.stack = render_stack(sc.aif, sc.depth, sc.options.camera(), preset_focus_distances(spec.preset),
                          sc.options.window_for(spec.height, spec.width), 255.0);
  return sc;
}

}  // namespace dfd
