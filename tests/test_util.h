// Shared test helpers: conformance fixtures (tests/data), layout conversion, random data,
// and comparisons. Tolerances stay in the tests, each with its reason.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dfd/backend.h"
#include "dfd/camera.h"
#include "dfd/image.h"

namespace dfd::test {

// Copies a backend vector to the host / a host vector into a new backend vector.
inline std::vector<float> download(Backend& be, DVec v) {
  std::vector<float> h(v.size);
  be.download(v, h.data());
  return h;
}

inline DVec upload(Backend& be, const std::vector<float>& h) {
  DVec v = be.alloc(h.size());
  be.upload(h.data(), v);
  return v;
}

// float32 machine epsilon: the unit of every rounding tolerance.
constexpr double kFloatEps = 1.1920929e-7;

inline std::string data_path(const std::string& name) { return std::string(DFD_TEST_DATA) + "/" + name; }

// A raw little-endian float32 array of tests/data (the fixtures' format).
inline std::vector<float> read_f32(const std::string& name, size_t count) {
  std::ifstream in(data_path(name), std::ios::binary);
  if (!in) ADD_FAILURE() << "cannot open fixture " << data_path(name);
  std::vector<float> v(count);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(count * sizeof(float)));
  if (static_cast<size_t>(in.gcount()) != count * sizeof(float))
    ADD_FAILURE() << data_path(name) << ": expected " << count << " floats";
  return v;
}

// One case of tests/data/cases.json, its arrays converted to the planar layout.
struct Fixture {
  int H = 0, W = 0, C = 0, K = 0;
  Camera camera;
  std::vector<double> focus;
  Image aif, depth;
  std::vector<Image> stack;

  int frames() const { return static_cast<int>(focus.size()); }
};

// H x W x C (C order) to a planar Image.
inline Image from_hwc(const float* hwc, int H, int W, int C) {
  Image im(W, H, C);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x)
      for (int c = 0; c < C; ++c) im.at(x, y, c) = hwc[(static_cast<size_t>(y) * W + x) * C + c];
  return im;
}

inline Fixture load_fixture(const std::string& name) {
  std::ifstream in(data_path("cases.json"));
  const nlohmann::json cases = nlohmann::json::parse(in)["cases"];
  for (const auto& c : cases) {
    if (c["name"] != name) continue;
    Fixture f;
    f.H = c["H"];
    f.W = c["W"];
    f.C = c.value("C", 1);
    f.K = c["K"];
    f.camera.focal_length = c["camera"]["f"];
    f.camera.aperture = c["camera"]["D"];
    f.camera.pixel_pitch = c["camera"]["ps"];
    f.camera.thresh = c["camera"]["thresh"];
    f.focus = c["camera"]["Zf"].get<std::vector<double>>();
    const size_t hw = static_cast<size_t>(f.H) * f.W;
    f.aif = from_hwc(read_f32(name + "_aif.f32", hw * f.C).data(), f.H, f.W, f.C);
    f.depth = from_hwc(read_f32(name + "_depth.f32", hw).data(), f.H, f.W, 1);
    const std::vector<float> st = read_f32(name + "_stack.f32", f.focus.size() * hw * f.C);
    for (size_t i = 0; i < f.focus.size(); ++i) f.stack.push_back(from_hwc(&st[i * hw * f.C], f.H, f.W, f.C));
    return f;
  }
  ADD_FAILURE() << "no case " << name << " in cases.json";
  return {};
}

inline Image random_image(int W, int H, int C, float lo, float hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  Image im(W, H, C);
  for (float& v : im.data) v = u(rng);
  return im;
}

// Frames concatenated in the backend's F x C x H x W layout.
inline std::vector<float> concat(const std::vector<Image>& frames) {
  std::vector<float> v;
  for (const Image& f : frames) v.insert(v.end(), f.data.begin(), f.data.end());
  return v;
}

inline double max_abs(const std::vector<float>& v) {
  double m = 0.0;
  for (float x : v) m = std::max(m, static_cast<double>(std::fabs(x)));
  return m;
}

inline double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  double m = 0.0;
  for (size_t k = 0; k < std::min(a.size(), b.size()); ++k) m = std::max(m, std::fabs(double(a[k]) - b[k]));
  return m;
}

inline double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0.0;
  for (size_t k = 0; k < a.size(); ++k) s += double(a[k]) * b[k];
  return s;
}

}  // namespace dfd::test
