// Result files beyond depth.tiff: 16-bit depth PNG, OpenEXR, PLY point cloud, summary sheet,
// progress text, and a tiny solve through run_solve_job whose every file is read back.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "dfd/backends.h"
#include "dfd/error.h"
#include "dfd/io.h"
#include "dfd/job.h"
#include "dfd/outputs.h"
#include "dfd/progress.h"
#include "dfd/report.h"
#include "dfd/synthetic.h"
#include "io/summary_sheet.h"
#include "test_io_util.h"

namespace dfd {
namespace {

using testing::fresh_dir;
using testing::path_in;
namespace fs = std::filesystem;

// ---- A small PLY reader (binary little-endian, float x y z, uchar red green blue) -------------

struct PlyVertex {
  float x, y, z;
  uint8_t r, g, b;
};
struct PlyFile {
  std::vector<std::string> comments;
  std::vector<PlyVertex> vertices;
};

PlyFile read_ply(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  PlyFile ply;
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "ply");
  std::getline(in, line);
  EXPECT_EQ(line, "format binary_little_endian 1.0");
  size_t n = 0;
  std::vector<std::string> props;
  while (std::getline(in, line) && line != "end_header") {
    std::istringstream s(line);
    std::string word;
    s >> word;
    if (word == "comment") {
      ply.comments.push_back(line.substr(8));
    } else if (word == "element") {
      std::string name;
      s >> name >> n;
      EXPECT_EQ(name, "vertex");
    } else if (word == "property") {
      std::string type, name;
      s >> type >> name;
      props.push_back(type + " " + name);
    }
  }
  EXPECT_EQ(line, "end_header");
  EXPECT_EQ(props,
            (std::vector<std::string>{"float x", "float y", "float z", "uchar red", "uchar green", "uchar blue"}));
  ply.vertices.resize(n);
  for (size_t i = 0; i < n; ++i) {
    char rec[15];
    in.read(rec, 15);
    EXPECT_TRUE(in) << "vertex " << i << " of " << n << " is truncated";
    PlyVertex& v = ply.vertices[i];
    std::memcpy(&v.x, rec, 4);
    std::memcpy(&v.y, rec + 4, 4);
    std::memcpy(&v.z, rec + 8, 4);
    v.r = static_cast<uint8_t>(rec[12]);
    v.g = static_cast<uint8_t>(rec[13]);
    v.b = static_cast<uint8_t>(rec[14]);
  }
  in.peek();
  EXPECT_TRUE(in.eof()) << path << ": bytes after the last vertex";
  return ply;
}

bool has_comment(const PlyFile& p, const std::string& needle) {
  for (const auto& c : p.comments)
    if (c.find(needle) != std::string::npos) return true;
  return false;
}

// ---- depth16.png -----------------------------------------------------------------------------------

TEST(Depth16, ScaleUsesMostOfTheCodeRangeWithTwoSignificantDigits) {
  Image d(2, 1, 1);
  d.data = {0.5f, 8.0f};
  EXPECT_DOUBLE_EQ(depth16_scale(d), 8100.0);  // 65535 / 8 = 8191.9 -> 8100 (98.9% of the range)
  d.data = {1.0f, 0.2f};
  EXPECT_DOUBLE_EQ(depth16_scale(d), 65000.0);
  d.data = {0.f, std::numeric_limits<float>::quiet_NaN()};
  EXPECT_DOUBLE_EQ(depth16_scale(d), 1.0);  // nothing to scale
  // Worst case of two digits: 65535 / 10.99 = 5963 -> 5900, still >= 90% of the range.
  d.data = {10.99f, 1.f};
  const double s = depth16_scale(d);
  EXPECT_LE(s * 10.99, 65535.0);
  EXPECT_GE(s * 10.99, 0.9 * 65535.0);
}

TEST(Depth16, RoundTripWithinHalfAStepAndZeroForMissing) {
  const std::string dir = fresh_dir();
  Image d(7, 5, 1);
  for (size_t i = 0; i < d.data.size(); ++i) d.data[i] = 0.3f + 0.217f * static_cast<float>(i);
  d.at(3, 2) = std::numeric_limits<float>::quiet_NaN();
  const double scale = write_depth16(path_in(dir, "d16.png"), d);
  const cv::Mat raw = cv::imread(path_in(dir, "d16.png"), cv::IMREAD_UNCHANGED);
  ASSERT_EQ(raw.type(), CV_16UC1);
  const Image back = read_depth(path_in(dir, "d16.png"), scale);
  ASSERT_EQ(back.width, 7);
  ASSERT_EQ(back.height, 5);
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 7; ++x) {
      if (x == 3 && y == 2) {
        EXPECT_EQ(back.at(x, y), 0.f);  // missing depth is code 0
        continue;
      }
      // Rounding to the nearest code: error <= half a step (plus float noise).
      EXPECT_NEAR(back.at(x, y), d.at(x, y), 0.5 / scale + 1e-6) << x << "," << y;
    }
  EXPECT_GE(raw.at<uint16_t>(4, 6), 0.9 * 65535);  // the largest depth uses the top of the range
}

// ---- OpenEXR -------------------------------------------------------------------------------------------

TEST(Exr, FloatDepthRoundTripsExactly) {
  ASSERT_TRUE(openexr_available()) << "Debian's OpenCV links OpenEXR; this build should write it";
  const std::string dir = fresh_dir();
  Image d = testing::ramp_image(9, 4, 1, 0.123, 50.0, 0.01);
  d.at(0, 0) = 1e-7f;
  write_float_exr(path_in(dir, "d.exr"), d);
  const Image back = read_depth(path_in(dir, "d.exr"));
  ASSERT_EQ(back.width, 9);
  ASSERT_EQ(back.height, 4);
  for (size_t i = 0; i < d.data.size(); ++i) EXPECT_EQ(back.data[i], d.data[i]) << i;  // 32-bit float, lossless
}

// ---- PLY -------------------------------------------------------------------------------------------------

// A 4x3 scene: depth 1 + 0.1 (x + 4 y), AIF colour (10 x, 20 y, 200) on range 255, confidence x / 3.
struct PlyScene {
  Image depth{4, 3, 1}, aif{4, 3, 3}, conf{4, 3, 1};
  PlyScene() {
    for (int y = 0; y < 3; ++y)
      for (int x = 0; x < 4; ++x) {
        depth.at(x, y) = 1.f + 0.1f * static_cast<float>(x + 4 * y);
        aif.at(x, y, 0) = 10.f * x;
        aif.at(x, y, 1) = 20.f * y;
        aif.at(x, y, 2) = 200.f;
        conf.at(x, y) = static_cast<float>(x) / 3.f;
      }
  }
};

TEST(Ply, ThinLensBackProjectionAndColours) {
  const std::string dir = fresh_dir();
  PlyScene s;
  s.depth.at(1, 0) = std::numeric_limits<float>::quiet_NaN();  // skipped
  Options opt;                                                 // ThinLens, f = 0.05, ps = 1.2e-5
  const PlyInfo info = write_ply(path_in(dir, "p.ply"), s.depth, s.aif, 255.0, Image(), opt, {});
  EXPECT_EQ(info.vertices, 11u);
  EXPECT_EQ(info.skipped_invalid, 1u);
  const PlyFile p = read_ply(path_in(dir, "p.ply"));
  ASSERT_EQ(p.vertices.size(), 11u);
  EXPECT_TRUE(has_comment(p, "thin-lens"));
  // Pixel (3, 2) is the last vertex: Z = 1 + 0.1 * 11 = 2.1, cx = 1.5, cy = 1.
  const PlyVertex& v = p.vertices.back();
  const double k = opt.pixel_pitch / opt.focal_length, Z = 2.1;
  EXPECT_NEAR(v.z, Z, 1e-6);
  EXPECT_NEAR(v.x, (3 - 1.5) * k * Z, 1e-9);
  EXPECT_NEAR(v.y, (2 - 1.0) * k * Z, 1e-9);
  EXPECT_EQ(v.r, 30);
  EXPECT_EQ(v.g, 40);
  EXPECT_EQ(v.b, 200);
  // Pixel (0, 0) first: left of and above the centre.
  EXPECT_LT(p.vertices[0].x, 0.f);
  EXPECT_LT(p.vertices[0].y, 0.f);
}

TEST(Ply, ConfidenceFilterDropsExactlyThePointsBelow) {
  const std::string dir = fresh_dir();
  PlyScene s;
  PlyOptions po;
  po.min_confidence = 0.5;  // keeps x = 2, 3 (2/3, 1), drops x = 0, 1 (0, 1/3)
  const PlyInfo info = write_ply(path_in(dir, "p.ply"), s.depth, s.aif, 255.0, s.conf, Options(), po);
  EXPECT_EQ(info.vertices, 6u);
  EXPECT_EQ(info.skipped_confidence, 6u);
  const PlyFile p = read_ply(path_in(dir, "p.ply"));
  ASSERT_EQ(p.vertices.size(), 6u);
  for (const PlyVertex& v : p.vertices) EXPECT_TRUE(v.r == 20 || v.r == 30) << int(v.r);  // r = 10 x
  EXPECT_TRUE(has_comment(p, "confidence < 0.5"));
  // A filter without a confidence map is an error naming the file, not a silent full cloud.
  EXPECT_THROW(write_ply(path_in(dir, "q.ply"), s.depth, s.aif, 255.0, Image(), Options(), po), Error);
  EXPECT_FALSE(fs::exists(path_in(dir, "q.ply")));
}

TEST(Ply, FocusIndexModelUsesPixelsAndAScaledRelativeDepth) {
  const std::string dir = fresh_dir();
  PlyScene s;
  Options opt;
  opt.blur_model = BlurModel::FocusIndex;
  // Default z scale: the depth range (1 .. 2.1) spans a quarter of the width (4 px): 1 / 1.1.
  const PlyInfo info = write_ply(path_in(dir, "p.ply"), s.depth, s.aif, 255.0, Image(), opt, {});
  EXPECT_NEAR(info.z_scale, 0.25 * 4 / 1.1, 1e-5);
  PlyFile p = read_ply(path_in(dir, "p.ply"));
  ASSERT_EQ(p.vertices.size(), 12u);
  EXPECT_TRUE(has_comment(p, "focus-index"));
  EXPECT_TRUE(has_comment(p, "pixels"));
  const PlyVertex& v = p.vertices[6];  // pixel (2, 1): depth 1.6
  EXPECT_FLOAT_EQ(v.x, 0.5f);
  EXPECT_FLOAT_EQ(v.y, 0.f);
  EXPECT_NEAR(v.z, 1.6 * info.z_scale, 1e-5);
  // An explicit scale.
  PlyOptions po;
  po.z_scale = 10;
  write_ply(path_in(dir, "p.ply"), s.depth, s.aif, 255.0, Image(), opt, po);
  p = read_ply(path_in(dir, "p.ply"));
  EXPECT_NEAR(p.vertices[6].z, 16.0, 1e-5);
}

TEST(Ply, GreyAifGivesGreyPoints) {
  const std::string dir = fresh_dir();
  PlyScene s;
  Image grey(4, 3, 1, 1000.f);
  write_ply(path_in(dir, "p.ply"), s.depth, grey, 4000.0, Image(), Options(), {});
  const PlyFile p = read_ply(path_in(dir, "p.ply"));
  ASSERT_FALSE(p.vertices.empty());
  EXPECT_EQ(p.vertices[0].r, 64);  // round(1000 / 4000 * 255) = round(63.75)
  EXPECT_EQ(p.vertices[0].g, 64);
  EXPECT_EQ(p.vertices[0].b, 64);
}

// ---- Summary sheet ---------------------------------------------------------------------------------------

double variance(const cv::Mat& bgr) {
  cv::Scalar mean, sd;
  cv::meanStdDev(bgr, mean, sd);
  return sd[0] * sd[0] + sd[1] * sd[1] + sd[2] * sd[2];
}

struct SummaryCase {
  FocalStack stack;
  Result r;
  explicit SummaryCase(int frames) {
    SceneSpec spec;
    spec.width = 80;
    spec.height = 60;
    SyntheticScene sc = make_synthetic_scene(spec);
    stack = sc.stack;
    stack.frames.resize(std::min(frames, stack.count()));
    stack.focus_distances.resize(stack.frames.size());
    while (stack.count() < frames) {  // more frames: repeat the rendered ones
      stack.frames.push_back(stack.frames[stack.count() % 5]);
      stack.focus_distances.push_back(stack.focus_distances.back() + 1);
    }
    r.depth = sc.depth;
    r.aif = sc.aif;
    r.options = sc.options;
    r.backend = "cpu";
    r.seconds = 1.5;
    r.log.push_back({-1, "init", std::numeric_limits<double>::quiet_NaN(), 0.1, 0, false});
    for (int e = 0; e < 6; ++e) {
      r.log.push_back({e, "depth", 100.0 / (e + 1), 0.1, 0, false});
      r.log.push_back({e, "aif", 80.0 / (e + 1), 0.1, 10, false});
    }
  }
};

TEST(Summary, PanelsAreDrawnAndFramesChosenEvenly) {
  EXPECT_EQ(summary_frames(5), (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(summary_frames(15), (std::vector<int>{0, 2, 4, 6, 8, 10, 12, 14}));
  EXPECT_EQ(summary_frames(9).front(), 0);
  EXPECT_EQ(summary_frames(9).back(), 8);

  SummaryCase c(15);
  c.r.confidence = Image(80, 60, 1);
  for (int y = 0; y < 60; ++y)
    for (int x = 0; x < 80; ++x) c.r.confidence.at(x, y) = static_cast<float>(x) / 79.f;
  SummaryLayout L;
  const cv::Mat sheet = render_summary(c.stack, c.r, &L);
  EXPECT_EQ(sheet.cols, kSummaryWidth);
  EXPECT_EQ(sheet.type(), CV_8UC3);
  ASSERT_EQ(L.thumbnails.size(), 8u);
  for (const cv::Rect& t : L.thumbnails) {
    ASSERT_EQ(t & cv::Rect(0, 0, sheet.cols, sheet.rows), t);
    EXPECT_GT(variance(sheet(t)), 1.0);
  }
  for (const cv::Rect& p : {L.title, L.aif, L.depth, L.confidence, L.loss}) {
    ASSERT_EQ(p & cv::Rect(0, 0, sheet.cols, sheet.rows), p);
    EXPECT_GT(variance(sheet(p)), 1.0);
  }
  // Panels do not overlap.
  EXPECT_EQ((L.aif & L.depth).area(), 0);
  EXPECT_EQ((L.depth & L.confidence).area(), 0);
  EXPECT_LE(L.aif.y + L.aif.height, L.loss.y);
}

TEST(Summary, FileReadsBackWithNaPanelWhenNoConfidence) {
  const std::string dir = fresh_dir();
  SummaryCase c(3);
  c.r.log.clear();  // no loss curve either: a "no loss log" panel, not a crash
  write_summary(path_in(dir, "s.png"), c.stack, c.r);
  const cv::Mat back = cv::imread(path_in(dir, "s.png"), cv::IMREAD_COLOR);
  ASSERT_FALSE(back.empty());
  SummaryLayout L;
  const cv::Mat sheet = render_summary(c.stack, c.r, &L);
  EXPECT_EQ(back.cols, kSummaryWidth);
  EXPECT_EQ(back.rows, sheet.rows);
  EXPECT_EQ(L.thumbnails.size(), 3u);
  EXPECT_GT(variance(back(L.confidence)), 1.0);         // the "n/a" text and frame
  EXPECT_EQ(cv::norm(back, sheet, cv::NORM_INF), 0.0);  // PNG is lossless
}

// ---- Progress ----------------------------------------------------------------------------------------------

TEST(Progress, DurationsReadNaturally) {
  EXPECT_EQ(format_duration(1.234), "1.2 s");
  EXPECT_EQ(format_duration(42.4), "42 s");
  EXPECT_EQ(format_duration(185), "3m05s");
  EXPECT_EQ(format_duration(3720), "1h02m");
  EXPECT_EQ(format_duration(-1), "?");
}

TEST(Progress, RemainingTimeFollowsTheAifSchedule) {
  Options opt;
  opt.epochs = 3;
  opt.cg_iters_first = 10;
  opt.cg_growth = 2.0;
  opt.cg_iters_max = 40;  // 10, 20, 40 iterations
  ProgressEstimate est(opt);
  EXPECT_LT(est.remaining(), 0);
  est.add({-1, "init", std::numeric_limits<double>::quiet_NaN(), 0.5, 0, false});
  EXPECT_LT(est.remaining(), 0);
  est.add({0, "depth", 5.0, 1.0, 0, false});
  EXPECT_LT(est.remaining(), 0);             // no AIF rate yet
  est.add({0, "aif", 4.0, 2.0, 10, false});  // 0.2 s per iteration
  // Left: 2 depth steps at 1 s + (20 + 40) iterations at 0.2 s = 14 s (not 2 x 3 s by epochs).
  EXPECT_NEAR(est.remaining(), 14.0, 1e-9);
  est.add({1, "depth", 4.0, 3.0, 0, false});  // mean depth step now 2 s
  EXPECT_NEAR(est.remaining(), 2.0 + 60 * 0.2, 1e-9);
  est.add({1, "aif", 3.0, 4.0, 20, false});  // 6 s / 30 iterations = 0.2
  est.add({2, "depth", 3.0, 2.0, 0, false});
  EXPECT_NEAR(est.remaining(), 40 * 0.2, 1e-9);
  est.add({2, "aif", 2.0, 8.0, 40, false});
  EXPECT_EQ(est.remaining(), 0.0);
}

TEST(Progress, LineNamesEpochStepLossAndTimes) {
  const std::string line = format_progress({2, "aif", 12.5, 0.41, 25, false}, 40, 2.3, 41.0);
  EXPECT_NE(line.find("epoch 3/40"), std::string::npos) << line;
  EXPECT_NE(line.find("aif"), std::string::npos) << line;
  EXPECT_NE(line.find("loss 12.5"), std::string::npos) << line;
  EXPECT_NE(line.find("elapsed 2.3 s"), std::string::npos) << line;
  EXPECT_NE(line.find("left 41 s"), std::string::npos) << line;
  EXPECT_NE(line.find("25 iterations"), std::string::npos) << line;
  const std::string init =
      format_progress({-1, "init", std::numeric_limits<double>::quiet_NaN(), 0.1, 0, false}, 40, 0.1, -1);
  EXPECT_NE(init.find("init"), std::string::npos) << init;
  EXPECT_NE(init.find("loss -"), std::string::npos) << init;
  EXPECT_NE(init.find("left ?"), std::string::npos) << init;
  EXPECT_NE(format_progress({1, "aif", 1, 1, 3, true}, 4, 1, 1).find("reverted"), std::string::npos);
}

// ---- A solve through run_solve_job: every file read back ------------------------------------------------

TEST(SolveOutputs, EveryFileIsWrittenListedAndReadsBack) {
  const std::string dir = fresh_dir();
  SceneSpec spec;
  spec.width = 40;
  spec.height = 30;
  SyntheticScene sc = make_synthetic_scene(spec);
  SolveJob job;
  job.stack = sc.stack;
  job.options = sc.options;
  job.options.epochs = 2;
  job.options.depth_candidates = 16;
  job.options.range = job.stack.range;
  job.options.cg_iters_first = job.options.cg_iters_max = 3;
  job.options.threads = 1;  // a loaded 2-core machine: OpenMP threads would wait on each other
  job.options.validate(&job.stack);
  job.outputs.exr = true;
  job.outputs.ply = true;
  auto be = make_cpu_backend(1);
  const SolveJobOutput out = run_solve_job(job, *be, dir, "test");
  const Result& r = out.result;

  // The report lists every file, report.json last, and every listed file exists; nothing else
  // (no temporaries) is left in the folder.
  std::ifstream rj(path_in(dir, "report.json"));
  const nlohmann::json report = nlohmann::json::parse(rj);
  const auto listed = report.at("outputs").get<std::vector<std::string>>();
  EXPECT_EQ(listed, out.files);
  ASSERT_FALSE(listed.empty());
  EXPECT_EQ(listed.back(), "report.json");
  for (const char* f : {"depth.tiff", "depth16.png", "depth.exr", "points.ply", "summary.png", "aif.png"})
    EXPECT_NE(std::find(listed.begin(), listed.end(), f), listed.end()) << f;
  size_t in_dir = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    ++in_dir;
    EXPECT_NE(std::find(listed.begin(), listed.end(), e.path().filename().string()), listed.end()) << e.path();
  }
  EXPECT_EQ(in_dir, listed.size());

  const Image depth = read_depth(path_in(dir, "depth.tiff"));
  ASSERT_EQ(depth.data, r.depth.data);
  // depth16.png with the report's scale: within half a code step of the float depth.
  const double scale = report.at("depth16").at("scale").get<double>();
  EXPECT_EQ(scale, depth16_scale(r.depth));
  EXPECT_NE(report["depth16"]["unit"].get<std::string>().find("focus distances"), std::string::npos);
  const Image d16 = read_depth(path_in(dir, "depth16.png"), scale);
  for (size_t i = 0; i < depth.data.size(); ++i) ASSERT_NEAR(d16.data[i], depth.data[i], 0.5 / scale + 1e-6) << i;
  EXPECT_EQ(read_depth(path_in(dir, "depth.exr")).data, depth.data);
  // The point cloud: one point per pixel (all depths finite), the centre pixel on the axis.
  const PlyFile ply = read_ply(path_in(dir, "points.ply"));
  ASSERT_EQ(ply.vertices.size(), depth.pixels());
  EXPECT_EQ(report.at("ply").at("vertices").get<size_t>(), depth.pixels());
  const size_t i = 7 * 40 + 9;  // pixel (9, 7)
  EXPECT_FLOAT_EQ(ply.vertices[i].z, depth.at(9, 7));
  const double k = job.options.pixel_pitch / job.options.focal_length;
  EXPECT_NEAR(ply.vertices[i].x, (9 - 19.5) * k * depth.at(9, 7), 1e-9);
  const LoadedImage aif8 = read_image(path_in(dir, "aif.png"));
  EXPECT_EQ(ply.vertices[i].r, static_cast<int>(aif8.image.at(9, 7, 0)));
  EXPECT_EQ(ply.vertices[i].b, static_cast<int>(aif8.image.at(9, 7, 2)));
  // The summary sheet.
  const cv::Mat sheet = cv::imread(path_in(dir, "summary.png"), cv::IMREAD_COLOR);
  ASSERT_FALSE(sheet.empty());
  EXPECT_EQ(sheet.cols, kSummaryWidth);
  EXPECT_GT(variance(sheet), 1.0);
}

TEST(SolveOutputs, UncalibratedStackGetsRelativeUnitsInTheReportAndPly) {
  const std::string dir = fresh_dir();
  SceneSpec spec;
  spec.width = 32;
  spec.height = 24;
  const SyntheticScene sc = make_synthetic_scene(spec);
  SolveRequest req;
  for (int i = 0; i < sc.stack.count(); ++i) {
    req.inputs.push_back(path_in(dir, "f" + std::to_string(i) + ".png"));
    write_png8(req.inputs.back(), sc.stack.frames[i], 255.0);
  }
  req.preset = "uncalibrated";
  req.preset_given = true;
  req.apply_flags = [](Options& o) {
    o.blur_scale = 1.5;  // given, so no estimation runs
    o.epochs = 1;
    o.cg_iters_first = o.cg_iters_max = 3;
    o.threads = 1;
  };
  SolveJob job = prepare_solve_job(req);
  job.outputs.ply = true;
  const std::string out_dir = path_in(dir, "out");
  fs::create_directories(out_dir);
  auto be = make_cpu_backend(1);
  const SolveJobOutput out = run_solve_job(job, *be, out_dir, "test");
  std::ifstream rj(path_in(out_dir, "report.json"));
  const nlohmann::json report = nlohmann::json::parse(rj);
  EXPECT_EQ(report["depth16"]["unit"], "frame index (relative depth)");
  EXPECT_EQ(report["ply"]["model"], "focus-index");
  const double zs = report["ply"]["z_scale"].get<double>();
  EXPECT_DOUBLE_EQ(zs, ply_default_z_scale(out.result.depth));
  const PlyFile ply = read_ply(path_in(out_dir, "points.ply"));
  ASSERT_EQ(ply.vertices.size(), 32u * 24u);
  EXPECT_TRUE(has_comment(ply, "relative depth"));
  // Pixel (0, 0): pixel offsets from the centre (15.5, 11.5), z the scaled frame index.
  EXPECT_FLOAT_EQ(ply.vertices[0].x, -15.5f);
  EXPECT_FLOAT_EQ(ply.vertices[0].y, -11.5f);
  EXPECT_NEAR(ply.vertices[0].z, out.result.depth.at(0, 0) * zs, 1e-4);
}

TEST(SolveOutputs, BadOutputRequestsAreUsageErrors) {
  OutputOptions o;
  o.ply_options.min_confidence = 1.5;
  try {
    check_output_options(o);
    ADD_FAILURE() << "accepted --ply-min-confidence 1.5";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
  }
  o.ply_options.min_confidence = 0;
  o.ply_options.z_scale = -1;
  EXPECT_THROW(check_output_options(o), Error);
}

}  // namespace
}  // namespace dfd
