// Focal-stack loading, STACK.json manifests, report.json and metrics JSON.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "dfd/error.h"
#include "dfd/io.h"
#include "dfd/report.h"
#include "dfd/solver.h"
#include "test_io_util.h"

namespace dfd {
namespace {

using nlohmann::json;
using testing::fresh_dir;
using testing::path_in;
using testing::ramp_image;

template <typename F>
void expect_input_error(F&& f, const std::vector<std::string>& needles) {
  try {
    f();
    ADD_FAILURE() << "no error thrown";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Input) << e.what();
    for (const auto& n : needles) EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << e.what();
  }
}

// Writes two 8-bit 6x4 RGB frames into dir; returns their paths.
std::vector<std::string> two_frames(const std::string& dir) {
  std::vector<std::string> paths = {path_in(dir, "f0.png"), path_in(dir, "f1.png")};
  write_png8(paths[0], ramp_image(6, 4, 3, 7, 256), 255);
  write_png8(paths[1], ramp_image(6, 4, 3, 13, 256), 255);
  return paths;
}

TEST(StackIo, LoadsFramesWithNaturalOrOverriddenRange) {
  const std::string dir = fresh_dir();
  const auto paths = two_frames(dir);
  const FocalStack s = load_stack(paths, {1.0, 2.0});
  EXPECT_EQ(s.count(), 2);
  EXPECT_EQ(s.width(), 6);
  EXPECT_EQ(s.channels(), 3);
  EXPECT_EQ(s.range, 255.0);
  EXPECT_EQ(s.sources, paths);
  EXPECT_EQ(s.frames[1].data, ramp_image(6, 4, 3, 13, 256).data);
  EXPECT_EQ(s.sample_step, 1.0);  // 8-bit files: integer samples, whatever resamples them later
  EXPECT_EQ(load_stack(paths, {1.0, 2.0}, 1000.0).range, 1000.0);
  // Float TIFF frames carry no quantisation step.
  const std::vector<std::string> floats = {path_in(dir, "g0.tiff"), path_in(dir, "g1.tiff")};
  for (const auto& f : floats) write_float_tiff(f, ramp_image(6, 4, 3, 7, 256));
  EXPECT_EQ(load_stack(floats, {1.0, 2.0}, 255.0).sample_step, 0.0);
  // The ramps reach 255; a range below that cannot hold them.
  expect_input_error([&] { load_stack(paths, {1.0, 2.0}, 100.0); }, {"f0.png", "exceed the intensity range"});
}

TEST(StackIo, MismatchedFramesNameBothFiles) {
  const std::string dir = fresh_dir();
  const auto paths = two_frames(dir);
  write_png8(path_in(dir, "big.png"), Image(8, 4, 3, 1.f), 255);
  expect_input_error(
      [&] {
        load_stack({paths[0], path_in(dir, "big.png")}, {1, 2});
      },
      {"big.png (8x4 colour)", "f0.png (6x4 colour)"});
  write_png8(path_in(dir, "grey.png"), Image(6, 4, 1, 1.f), 255);
  expect_input_error(
      [&] {
        load_stack({paths[0], path_in(dir, "grey.png")}, {1, 2});
      },
      {"grey.png (6x4 grey)", "f0.png (6x4 colour)"});
  write_png16(path_in(dir, "deep.png"), Image(6, 4, 3, 1.f), 255);
  expect_input_error(
      [&] {
        load_stack({paths[0], path_in(dir, "deep.png")}, {1, 2});
      },
      {"deep.png is 16-bit", "f0.png is 8-bit"});
  expect_input_error([&] { load_stack({paths[0], path_in(dir, "gone.png")}, {1, 2}); }, {"gone.png: no such file"});
}

TEST(Manifest, WriteReadRoundTripAndRelativeFrames) {
  const std::string dir = fresh_dir();
  two_frames(dir);
  StackManifest m;
  m.frames = {"f0.png", "f1.png"};
  m.focus_distances = {0.75, 3.5};
  m.preset = "make3d";
  m.focal_length = 0.02;
  m.f_number = 2.8;
  m.pixel_pitch = 4e-6;
  m.thresh = 0.5;
  m.range = 255.0;
  m.kernel_size = 9;
  write_manifest(path_in(dir, "stack.json"), m);

  const StackManifest r = read_manifest(path_in(dir, "stack.json"));
  EXPECT_EQ(r.frames, m.frames);
  EXPECT_EQ(r.focus_distances, m.focus_distances);
  EXPECT_EQ(r.preset, m.preset);
  EXPECT_EQ(r.focal_length, m.focal_length);
  EXPECT_EQ(r.f_number, m.f_number);
  EXPECT_FALSE(r.aperture.has_value());
  EXPECT_EQ(r.pixel_pitch, m.pixel_pitch);
  EXPECT_EQ(r.thresh, m.thresh);
  EXPECT_EQ(r.range, m.range);
  EXPECT_EQ(r.kernel_size, m.kernel_size);

  // Loaded from another working directory: frames resolve against the manifest's folder.
  const LoadedManifest lm = load_manifest(path_in(dir, "stack.json"));
  EXPECT_EQ(lm.stack.sources[1], path_in(dir, "f1.png"));
  EXPECT_EQ(lm.stack.focus_distances, m.focus_distances);
  EXPECT_EQ(load_manifest(path_in(dir, "stack.json"), 512.0).stack.range, 512.0);

  Options opt = preset_options("nyuv2");
  opt.aperture = 0.01;
  r.apply(opt);
  EXPECT_EQ(opt.focal_length, 0.02);
  EXPECT_EQ(opt.effective_aperture(), 0.02 / 2.8);  // the manifest's f-number replaces the aperture
  EXPECT_EQ(opt.pixel_pitch, 4e-6);
  EXPECT_EQ(opt.kernel_size, 9);
  EXPECT_EQ(opt.preset, "nyuv2");  // the preset is the caller's choice, not apply()'s
}

TEST(Manifest, BadManifestsNameTheFileAndTheProblem) {
  const std::string dir = fresh_dir();
  two_frames(dir);
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(path_in(dir, name)) << text;
    return path_in(dir, name);
  };
  const auto p1 = write("count.json", R"({"frames": ["f0.png", "f1.png"], "focus_distances": [1, 2, 3]})");
  expect_input_error([&] { read_manifest(p1); }, {"count.json", "3 focus distances for 2 frames"});
  const auto p2 = write("key.json", R"({"frames": ["f0.png"], "focus_distances": [1], "focus": 2})");
  expect_input_error([&] { read_manifest(p2); }, {"key.json", "unknown key \"focus\""});
  const auto p3 = write("type.json", R"({"frames": ["f0.png"], "focus_distances": ["near"]})");
  expect_input_error([&] { read_manifest(p3); }, {"type.json", "\"focus_distances\" has the wrong type"});
  const auto p4 = write("broken.json", R"({"frames": )");
  expect_input_error([&] { read_manifest(p4); }, {"broken.json: not valid JSON"});
  const auto p5 = write("noframes.json", R"({"focus_distances": [1]})");
  expect_input_error([&] { read_manifest(p5); }, {"noframes.json: missing \"frames\""});
  const auto p6 =
      write("cam.json", R"({"frames": ["f0.png"], "focus_distances": [1], "camera": {"f_number": 2, "aperture": 1}})");
  expect_input_error([&] { read_manifest(p6); }, {"cam.json", "not both"});
  const auto p7 = write("missing.json", R"({"frames": ["f0.png", "nope.png"], "focus_distances": [1, 2]})");
  expect_input_error([&] { load_manifest(p7); }, {"nope.png: no such file"});
}

TEST(Report, RecordsOptionsInputsLogAndTimings) {
  FocalStack s;
  s.frames = {Image(30, 20, 3), Image(30, 20, 3)};
  s.focus_distances = {1.0, 2.0};
  s.sources = {"a.png", "b.png"};
  Options opt = preset_options("nyuv2");
  Result r;
  r.backend = "cpu";
  r.device = "test device";
  r.kernel_size = 7;
  r.levels = 24;
  r.level_kernel_error = 8e-4;
  r.seconds = 1.5;
  r.peak_memory = 12345;
  r.log = {{-1, "init", 10.0, 0.1, 0, false}, {0, "depth", 5.0, 0.2, 0, false}, {0, "aif", 4.0, 0.3, 10, false}};
  RunReport rep;
  rep.command_line = "dfd solve a.png b.png";
  rep.options = opt;
  rep.stack = &s;
  rep.result = &r;
  const json j = json::parse(report_json(rep));
  EXPECT_EQ(j["dfd_version"], DFD_VERSION);
  EXPECT_EQ(j["command_line"], "dfd solve a.png b.png");
  EXPECT_EQ(j["options"]["camera"]["focal_length"], 0.05);
  EXPECT_DOUBLE_EQ(j["options"]["camera"]["aperture"].get<double>(), 0.05 / 8);
  EXPECT_EQ(j["options"]["kernel_size"], default_kernel_size(20, 30));
  EXPECT_EQ(j["levels"]["count"], 24);
  EXPECT_EQ(j["levels"]["max_kernel_l1_error"], 8e-4);
  EXPECT_EQ(j["backend"]["device"], "test device");
  ASSERT_EQ(j["log"].size(), 3u);
  EXPECT_EQ(j["log"][2]["step"], "aif");
  EXPECT_EQ(j["log"][2]["iterations"], 10);
  EXPECT_EQ(j["final_loss"], 4.0);
  EXPECT_EQ(j["seconds"], 1.5);
  EXPECT_EQ(j["peak_memory_bytes"]["backend"], 12345);
  EXPECT_GT(j["peak_memory_bytes"]["process_rss"].get<long long>(), 0);
  EXPECT_EQ(j["input"]["frames"][1]["file"], "b.png");
  EXPECT_EQ(j["input"]["frames"][1]["focus_distance"], 2.0);
  EXPECT_EQ(j["input"]["width"], 30);
}

TEST(Report, MetricsJson) {
  DepthMetrics m;
  m.rmse = 0.25, m.absrel = 0.01, m.delta1 = 0.9, m.delta2 = 0.95, m.delta3 = 1.0, m.pixels = 12;
  json j = json::parse(metrics_json(m));
  EXPECT_EQ(j["rmse"], 0.25);
  EXPECT_EQ(j["delta2"], 0.95);
  EXPECT_EQ(j["pixels"], 12);
  EXPECT_FALSE(j.contains("psnr"));
  EXPECT_EQ(json::parse(metrics_json(m, 31.5))["psnr"], 31.5);
}

}  // namespace
}  // namespace dfd
