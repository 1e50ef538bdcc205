// Planar float images and the focal stack held on the host.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace dfd {

// A float image stored channel-planar: data[(c * height + y) * width + x].
struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;
  std::vector<float> data;

  Image() = default;
  Image(int w, int h, int c, float value = 0.f)
      : width(w), height(h), channels(c), data(static_cast<size_t>(w) * h * c, value) {}

  size_t pixels() const { return static_cast<size_t>(width) * height; }
  size_t size() const { return data.size(); }
  bool empty() const { return data.empty(); }
  float& at(int x, int y, int c = 0) { return data[(static_cast<size_t>(c) * height + y) * width + x]; }
  float at(int x, int y, int c = 0) const { return data[(static_cast<size_t>(c) * height + y) * width + x]; }
  float* plane(int c) { return data.data() + static_cast<size_t>(c) * pixels(); }
  const float* plane(int c) const { return data.data() + static_cast<size_t>(c) * pixels(); }
};

// F frames of one viewpoint, frame i focused at focus_distances[i].
struct FocalStack {
  std::vector<Image> frames;
  std::vector<double> focus_distances;  // same length unit as the camera
  double range = 255.0;                 // R: intensities lie in [0, R] (SPEC 1)
  std::vector<std::string> sources;     // where each frame came from (file names), for messages
  // Quantisation step of the source files' samples in these units: 1 for 8/16-bit integer files,
  // 0 for float files or unknown. It stays when --align or --scale resample the frames (their
  // samples are then no longer integers), so the noise model still knows the data was rounded.
  double sample_step = 0.0;

  int count() const { return static_cast<int>(frames.size()); }
  int width() const { return frames.empty() ? 0 : frames[0].width; }
  int height() const { return frames.empty() ? 0 : frames[0].height; }
  int channels() const { return frames.empty() ? 0 : frames[0].channels; }
};

}  // namespace dfd
