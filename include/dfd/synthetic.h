// A procedural test scene (texture + layered depth), deterministic from a seed, and focal
// stacks rendered from any AIF and depth map with the exact forward model of SPEC 2.
#pragma once

#include <cstdint>
#include <vector>

#include "dfd/camera.h"
#include "dfd/image.h"
#include "dfd/options.h"

namespace dfd {

// An RGB texture in [0, 255] with detail at every scale (multi-scale value noise, sharp-edged
// colour patches, stripes), so that defocus is visible everywhere. Values stay inside
// [8, 247]: no saturated pixels. Same seed and size, same image (bit for bit on one platform).
Image synthetic_texture(int width, int height, uint64_t seed);

// A 1-channel depth map within [depth_min, depth_max]: a slanted far wall and floor, a tilted
// panel, and several fronto-parallel objects (rectangles and discs) at distinct depths.
Image synthetic_depth(int width, int height, double depth_min, double depth_max, uint64_t seed);

// Renders b_i = A_i(Z) x for every focus distance with dfd::exact_forward (window K),
// intensities in [0, range] (the AIF's range). Sources are named "synthetic frame i".
FocalStack render_stack(const Image& aif, const Image& depth, const Camera& camera,
                        const std::vector<double>& focus_distances, int K, double range);

// The demo scene: texture, depth and its rendered stack under a preset's camera and focus
// distances (default: 320x240, depth in [0.5, 8] m, nyuv2: planes at 1, 1.5, 2.5, 4, 6 m).
struct SyntheticScene {
  Image aif;         // ground-truth AIF, [0, 255]
  Image depth;       // ground-truth depth
  FocalStack stack;  // rendered focal stack, range 255
  Options options;   // the preset the stack was rendered with
};

struct SceneSpec {
  int width = 320;
  int height = 240;
  double depth_min = 0.5;
  double depth_max = 8.0;
  uint64_t seed = 1;
  const char* preset = "nyuv2";
};

SyntheticScene make_synthetic_scene(const SceneSpec& spec = {});

}  // namespace dfd
