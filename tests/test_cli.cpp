// The dfd binary end to end: help and version, exit codes and messages of bad input, and
// synth -> solve -> eval and demo on small scenes.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <sstream>

#include "dfd/io.h"
#include "dfd/metrics.h"
#include "dfd/synthetic.h"
#include "test_io_util.h"

namespace dfd {
namespace {

using nlohmann::json;
using testing::CliRun;
using testing::fresh_dir;
using testing::path_in;
using testing::run_dfd;
using testing::slurp;
using testing::write_frames;
namespace fs = std::filesystem;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// The error exit codes of error.h, and a message that starts with "dfd: " and names `what`.
void expect_failure(const CliRun& r, int code, const std::string& what) {
  EXPECT_EQ(r.code, code) << r.err;
  EXPECT_EQ(r.err.rfind("dfd: ", 0), 0u) << r.err;
  EXPECT_TRUE(contains(r.err, what)) << "expected '" << what << "' in: " << r.err;
}

TEST(Cli, HelpAndVersion) {
  const std::string dir = fresh_dir();
  CliRun r = run_dfd(dir, "--help");
  EXPECT_EQ(r.code, 0);
  for (const char* cmd : {"solve", "synth", "eval", "demo"}) EXPECT_TRUE(contains(r.out, cmd)) << r.out;
  r = run_dfd(dir, "--version");
  EXPECT_EQ(r.code, 0);
  EXPECT_TRUE(contains(r.out, DFD_VERSION)) << r.out;
  r = run_dfd(dir, "solve --help");
  EXPECT_EQ(r.code, 0);
  for (const char* flag : {"--focus-distances", "--depth-range", "--aif-solver", "--backend", "--out", "--force"})
    EXPECT_TRUE(contains(r.out, flag)) << flag;
  EXPECT_EQ(run_dfd(dir, "synth --help").code, 0);
  EXPECT_EQ(run_dfd(dir, "eval --help").code, 0);
  EXPECT_EQ(run_dfd(dir, "demo --help").code, 0);
}

TEST(Cli, UsageErrorsExitTwo) {
  const std::string dir = fresh_dir();
  write_frames(dir);
  expect_failure(run_dfd(dir, ""), 2, "subcommand");
  expect_failure(run_dfd(dir, "frobnicate"), 2, "unknown command 'frobnicate'");
  expect_failure(run_dfd(dir, "solve a.png b.png --out o --bogus-flag"), 2, "--bogus-flag");
  expect_failure(run_dfd(dir, "solve a.png b.png --out o --epochs many"), 2, "--epochs");
  expect_failure(run_dfd(dir, "solve a.png b.png --out o --epochs 0"), 2, "--epochs");
  expect_failure(run_dfd(dir, "solve a.png b.png --out o --aif-solver sgd"), 2, "--aif-solver");
  expect_failure(run_dfd(dir, "solve a.png b.png --out o --depth-range 1,2,3"), 2, "--depth-range");
  expect_failure(run_dfd(dir, "solve a.png b.png --out o --kernel-size 8"), 2, "--kernel-size");
  expect_failure(run_dfd(dir, "solve a.png b.png --out o --f-number 2 --aperture 0.01"), 2, "--aperture");
  expect_failure(run_dfd(dir, "solve a.png b.png"), 2, "--out");
  // Two frames, no focus distances, and the preset asked for has five: the user must say, and
  // is told of --uncalibrated too.
  expect_failure(run_dfd(dir, "solve a.png b.png --preset nyuv2 --out o"), 2, "--focus-distances");
  expect_failure(run_dfd(dir, "solve a.png b.png --preset make3d --out o"), 2, "--uncalibrated");
  EXPECT_FALSE(fs::exists(path_in(dir, "o")));  // nothing created by a refused command
}

TEST(Cli, InputErrorsExitThreeAndNameTheFile) {
  const std::string dir = fresh_dir();
  write_frames(dir);
  const std::string fd = " --focus-distances 1,4 --out o";
  expect_failure(run_dfd(dir, "solve a.png missing.png" + fd), 3, "missing.png: no such file");
  std::ofstream(path_in(dir, "junk.png")) << "GIF89a but not really";
  expect_failure(run_dfd(dir, "solve a.png junk.png" + fd), 3, "junk.png: not a readable image");
  write_png8(path_in(dir, "small.png"), Image(32, 24, 3, 50.f), 255);
  expect_failure(run_dfd(dir, "solve a.png small.png" + fd), 3, "small.png (32x24 colour) does not match a.png");
  expect_failure(run_dfd(dir, "solve a.png b.png --focus-distances 1,2,4 --out o"), 3, "3 focus distances");
  expect_failure(run_dfd(dir, "solve a.png b.png --focus-distances 0.04,2 --out o"), 3,
                 "focus distance 0.04 must be greater than the focal length 0.05");

  Image bad(64, 48, 3, 0.5f);
  bad.at(10, 10, 1) = std::numeric_limits<float>::quiet_NaN();
  write_float_tiff(path_in(dir, "nan.tiff"), bad);
  bad.at(10, 10, 1) = -1.f;
  write_float_tiff(path_in(dir, "neg.tiff"), bad);
  write_float_tiff(path_in(dir, "ok.tiff"), Image(64, 48, 3, 0.5f));
  expect_failure(run_dfd(dir, "solve ok.tiff nan.tiff" + fd), 3, "nan.tiff: contains NaN");
  expect_failure(run_dfd(dir, "solve ok.tiff neg.tiff" + fd), 3, "neg.tiff: contains negative");

  std::ofstream(path_in(dir, "stack.json")) << R"({"frames": ["a.png", "b.png"], "focus_distances": [1]})";
  expect_failure(run_dfd(dir, "solve stack.json --out o"), 3, "stack.json: 1 focus distances for 2 frames");
  expect_failure(run_dfd(dir, "eval nothere.tiff ok.tiff"), 3, "nothere.tiff: no such file");
  EXPECT_FALSE(fs::exists(path_in(dir, "o")));
}

// Zero configuration: a folder of JPEGs with no focus distances and no flags is solved
// uncalibrated, and both the progress lines and report.json say so and why.
TEST(Cli, AFolderOfJpegsWithNoFlagsSolvesUncalibrated) {
  const std::string dir = fresh_dir();
  SceneSpec spec;
  spec.width = 32;
  spec.height = 24;
  const SyntheticScene sc = make_synthetic_scene(spec);
  fs::create_directories(path_in(dir, "photos"));
  for (int i = 0; i < sc.stack.count(); ++i) {
    cv::Mat m;
    cv::Mat(sc.stack.frames[i].height, sc.stack.frames[i].width, CV_32F,
            const_cast<float*>(sc.stack.frames[i].plane(0)))
        .convertTo(m, CV_8U);
    ASSERT_TRUE(cv::imwrite(path_in(dir, "photos/IMG_" + std::to_string(i) + ".jpg"), m));
  }
  const CliRun r = run_dfd(dir, "solve photos --out r --epochs 1 --threads 1");
  ASSERT_EQ(r.code, 0) << r.err;
  size_t said = 0;  // one line says it
  for (size_t p = r.err.find("solving uncalibrated"); p != std::string::npos;
       p = r.err.find("solving uncalibrated", p + 1))
    ++said;
  EXPECT_EQ(said, 1u) << r.err;
  EXPECT_TRUE(contains(r.err, "no focus distances")) << r.err;
  const json rep = json::parse(slurp(path_in(dir, "r/report.json")));
  EXPECT_EQ(rep["model"]["blur_model"], "focus-index");
  EXPECT_TRUE(rep["model"]["auto_selected"].get<bool>());
  EXPECT_TRUE(contains(rep["model"]["auto_reason"].get<std::string>(), "no focus distances")) << rep["model"];
  EXPECT_EQ(rep["input"]["focus_source"], "frame-index");
  EXPECT_EQ(rep["options"]["preset"], "uncalibrated");
  // --blur-scale, an uncalibrated flag, is taken without --uncalibrated then; asked for
  // explicitly, the model is not reported as chosen automatically.
  const CliRun b = run_dfd(dir, "solve photos --blur-scale 1 --out r2 --epochs 1 --threads 1 --quiet");
  ASSERT_EQ(b.code, 0) << b.err;
  const CliRun u = run_dfd(dir, "solve photos --uncalibrated --blur-scale 1 --out r3 --epochs 1 --threads 1");
  ASSERT_EQ(u.code, 0) << u.err;
  EXPECT_FALSE(contains(u.err, "solving uncalibrated")) << u.err;
  EXPECT_FALSE(json::parse(slurp(path_in(dir, "r3/report.json")))["model"]["auto_selected"].get<bool>());
}

TEST(Cli, ExistingOutputFolderNeedsForce) {
  const std::string dir = fresh_dir();
  write_frames(dir);
  fs::create_directories(path_in(dir, "o"));
  std::ofstream(path_in(dir, "o/keep.txt")) << "earlier results";
  expect_failure(run_dfd(dir, "solve a.png b.png --focus-distances 1,4 --out o"), 2, "--force");
  expect_failure(run_dfd(dir, "demo --out o --size 32,24 --epochs 1"), 2, "--force");
  EXPECT_EQ(slurp(path_in(dir, "o/keep.txt")), "earlier results");
}

TEST(Cli, SynthSolveEvalRoundTrip) {
  const std::string dir = fresh_dir();
  // Ground truth: the procedural texture and depth, as an 8-bit PNG and a float TIFF.
  const Image aif = synthetic_texture(64, 48, 5), depth = synthetic_depth(64, 48, 0.5, 8.0, 5);
  write_png8(path_in(dir, "aif.png"), aif, 255);
  write_float_tiff(path_in(dir, "depth.tiff"), depth);

  CliRun r = run_dfd(dir, "synth --aif aif.png --depth depth.tiff --preset nyuv2 --out stack");
  ASSERT_EQ(r.code, 0) << r.err;
  const StackManifest m = read_manifest(path_in(dir, "stack/stack.json"));
  ASSERT_EQ(m.frames.size(), 5u);
  EXPECT_EQ(m.frames[0], "frame_00.png");
  EXPECT_EQ(m.range, 255.0);  // 8-bit AIF -> 8-bit frames
  EXPECT_EQ(m.kernel_size, default_kernel_size(48, 64));
  EXPECT_EQ(read_image(path_in(dir, "stack/frame_04.png")).bit_depth, 8);

  r = run_dfd(dir, "solve stack/stack.json --epochs 2 --cg-iters 3,3 --backend cpu --threads 2 --out result");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "epoch 2/2")) << r.err;  // progress lines
  for (const char* f : {"depth.tiff", "aif.png", "aif16.png", "depth_color.png", "report.json"})
    EXPECT_TRUE(fs::exists(path_in(dir, std::string("result/") + f))) << f;
  const json rep = json::parse(slurp(path_in(dir, "result/report.json")));
  EXPECT_EQ(rep["options"]["epochs"], 2);
  EXPECT_EQ(rep["backend"]["name"], "cpu");
  EXPECT_EQ(rep["input"]["frames"].size(), 5u);
  EXPECT_GE(rep["log"].size(), 4u);  // two epochs of a depth and an AIF step
  EXPECT_EQ(rep["log"].back()["iterations"], 3);
  EXPECT_TRUE(contains(rep["command_line"].get<std::string>(), "--epochs 2"));

  // eval agrees with the library's metrics on the same files.
  r = run_dfd(dir, "eval result/depth.tiff depth.tiff --aif-pred result/aif16.png --aif-gt aif.png");
  ASSERT_EQ(r.code, 0) << r.err;
  const json ev = json::parse(r.out);
  const DepthMetrics ref = depth_metrics(read_depth(path_in(dir, "result/depth.tiff")), depth);
  EXPECT_DOUBLE_EQ(ev["rmse"].get<double>(), ref.rmse);
  EXPECT_DOUBLE_EQ(ev["absrel"].get<double>(), ref.absrel);
  EXPECT_DOUBLE_EQ(ev["delta1"].get<double>(), ref.delta1);
  // aif16.png holds [0, 255] times 257; eval brings it back to the ground truth's range.
  Image aif16 = read_image(path_in(dir, "result/aif16.png")).image;
  for (float& v : aif16.data) v /= 257.f;
  const double psnr_ref = psnr(aif16, read_image(path_in(dir, "aif.png")).image, 255.0);
  EXPECT_NEAR(ev["psnr"].get<double>(), psnr_ref, 1e-4);  // float rounding of the rescale only

  // A second solve into the same folder needs --force, and then succeeds.
  expect_failure(run_dfd(dir, "solve stack/stack.json --epochs 1 --out result"), 2, "--force");
  EXPECT_EQ(run_dfd(dir, "solve stack/stack.json --epochs 1 --cg-iters 3,3 --quiet --force --out result").code, 0);
}

TEST(Cli, SynthKeepsSixteenBitsAndScalesMillimetreDepth) {
  const std::string dir = fresh_dir();
  write_png16(path_in(dir, "aif.png"), synthetic_texture(40, 30, 2), 255);
  Image mm = synthetic_depth(40, 30, 0.5, 8.0, 2);
  for (float& v : mm.data) v = std::round(v * 1000.f);
  write_png16(path_in(dir, "depth_mm.png"), mm, 65535);
  const CliRun r = run_dfd(dir, "synth --aif aif.png --depth depth_mm.png --depth-scale 1000 --out s --quiet");
  ASSERT_EQ(r.code, 0) << r.err;
  const LoadedManifest lm = load_manifest(path_in(dir, "s/stack.json"));
  EXPECT_EQ(lm.stack.range, 65535.0);
  EXPECT_EQ(read_image(path_in(dir, "s/frame_00.png")).bit_depth, 16);
  // eval reads millimetre PNGs through --gt-scale and raw .f32 arrays sized by the other map.
  write_float_tiff(path_in(dir, "depth.tiff"), synthetic_depth(40, 30, 0.5, 8.0, 2));
  write_raw_f32(path_in(dir, "depth.f32"), synthetic_depth(40, 30, 0.5, 8.0, 2));
  CliRun e = run_dfd(dir, "eval depth.tiff depth_mm.png --gt-scale 1000");
  ASSERT_EQ(e.code, 0) << e.err;
  EXPECT_LE(json::parse(e.out)["rmse"].get<double>(), 0.0005);  // rounding to whole millimetres
  EXPECT_GT(json::parse(e.out)["rmse"].get<double>(), 0.0);
  e = run_dfd(dir, "eval depth.f32 depth.tiff");
  ASSERT_EQ(e.code, 0) << e.err;
  EXPECT_EQ(json::parse(e.out)["rmse"].get<double>(), 0.0);  // the same floats in two containers
  EXPECT_EQ(json::parse(e.out)["delta1"].get<double>(), 1.0);
  expect_failure(run_dfd(dir, "eval depth.f32 depth.f32"), 2, ".f32");

  write_png16(path_in(dir, "small_depth.png"), Image(20, 30, 1, 900.f), 65535);
  expect_failure(run_dfd(dir, "synth --aif aif.png --depth small_depth.png --depth-scale 1000 --out t"), 3,
                 "small_depth.png (20x30) does not match the size of aif.png (40x30)");
}

TEST(Cli, DemoSolvesTheBuiltInScene) {
  const std::string dir = fresh_dir();
  const CliRun r = run_dfd(dir, "demo --out d --size 64,48 --epochs 1 --backend cpu --threads 2 --quiet");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "AbsRel")) << r.out;
  EXPECT_TRUE(contains(r.out, "PSNR")) << r.out;
  const json m = json::parse(slurp(path_in(dir, "d/metrics.json")));
  EXPECT_GT(m["delta3"].get<double>(), 0.0);
  EXPECT_EQ(read_depth(path_in(dir, "d/gt_depth.tiff")).width, 64);
  // The stack it wrote solves with `dfd solve` as it stands.
  EXPECT_EQ(run_dfd(dir, "solve d/stack/stack.json --epochs 1 --cg-iters 3,3 --backend cpu --quiet --out again").code,
            0);
}

// The quick start can be repeated: `dfd demo` recognises its own earlier folder (dfd-demo.json)
// and replaces its results, leaving files it did not write alone; a folder it did not write
// still needs --force.
TEST(Cli, DemoRunAgainReplacesItsOwnResults) {
  const std::string dir = fresh_dir();
  const std::string demo = "demo --out d --size 32,24 --epochs 1 --backend cpu --threads 1";
  CliRun r = run_dfd(dir, demo + " --quiet");
  ASSERT_EQ(r.code, 0) << r.err;
  const json marker = json::parse(slurp(path_in(dir, "d/dfd-demo.json")));
  EXPECT_EQ(marker["written_by"], "dfd demo");
  EXPECT_TRUE(marker["complete"].get<bool>());
  for (const char* f : {"report.json", "metrics.json", "depth.tiff", "stack/stack.json", "gt_depth.tiff"})
    EXPECT_NE(std::find(marker["files"].begin(), marker["files"].end(), f), marker["files"].end()) << f;
  std::ofstream(path_in(dir, "d/notes.txt")) << "mine";
  fs::remove(path_in(dir, "d/metrics.json"));
  std::ofstream(path_in(dir, "d/depth.tiff")) << "stale";  // replaced, not kept
  r = run_dfd(dir, demo);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "replacing the results of an earlier dfd demo")) << r.err;
  EXPECT_EQ(slurp(path_in(dir, "d/notes.txt")), "mine");
  EXPECT_TRUE(fs::exists(path_in(dir, "d/metrics.json")));
  EXPECT_EQ(read_depth(path_in(dir, "d/depth.tiff")).width, 32);
  EXPECT_EQ(run_dfd(dir, demo + " --quiet").code, 0);  // and again

  // A marker does not reach outside its folder: names with ".." or absolute paths are skipped.
  std::ofstream(path_in(dir, "outside.txt")) << "keep";
  std::ofstream(path_in(dir, "d/dfd-demo.json"))
      << R"({"written_by": "dfd demo", "files": ["../outside.txt", ")" << path_in(dir, "outside.txt") << R"("]})";
  EXPECT_EQ(run_dfd(dir, demo + " --quiet").code, 0);
  EXPECT_EQ(slurp(path_in(dir, "outside.txt")), "keep");

  // A folder without the marker is not the demo's: refused, untouched.
  fs::create_directories(path_in(dir, "other"));
  std::ofstream(path_in(dir, "other/report.json")) << "{}";
  expect_failure(run_dfd(dir, "demo --out other --size 32,24 --epochs 1"), 2, "--force");
  EXPECT_EQ(slurp(path_in(dir, "other/report.json")), "{}");
}

TEST(Cli, SolveOutputFlagsProgressAndQuiet) {
  const std::string dir = fresh_dir();
  write_frames(dir);
  const std::string solve =
      "solve a.png b.png --focus-distances 1,2.5 --epochs 2 --cg-iters 3,3 --depth-candidates 12 "
      "--backend cpu --threads 1 ";
  CliRun r = run_dfd(dir, solve + "--exr --ply --out r1");
  ASSERT_EQ(r.code, 0) << r.err;
  // Not a terminal (stderr is a file): one plain line per step, with epoch, elapsed and remaining.
  EXPECT_TRUE(contains(r.err, "epoch 2/2")) << r.err;
  EXPECT_TRUE(contains(r.err, "elapsed")) << r.err;
  EXPECT_TRUE(contains(r.err, "left 0.0 s")) << r.err;  // after the last step
  EXPECT_FALSE(contains(r.err, "\r")) << r.err;
  EXPECT_TRUE(contains(r.err, "summary.png")) << r.err;  // the "wrote ..." line names every file
  EXPECT_TRUE(contains(r.err, "points.ply")) << r.err;
  for (const char* f : {"depth16.png", "depth.exr", "points.ply", "summary.png", "report.json"})
    EXPECT_TRUE(fs::exists(path_in(dir, std::string("r1/") + f))) << f;
  const json rep = json::parse(slurp(path_in(dir, "r1/report.json")));
  EXPECT_EQ(rep["ply"]["vertices"].get<int>(), 64 * 48);
  EXPECT_EQ(read_depth(path_in(dir, "r1/depth.exr")).data, read_depth(path_in(dir, "r1/depth.tiff")).data);

  // The confidence filter drops points, and the report says how many; --quiet prints nothing.
  r = run_dfd(dir, solve + "--quiet --ply --ply-min-confidence 0.5 --out r3");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_FALSE(fs::exists(path_in(dir, "r3/depth.exr")));  // opt-in
  const json rep3 = json::parse(slurp(path_in(dir, "r3/report.json")));
  EXPECT_EQ(rep3["ply"]["vertices"].get<int>() + rep3["ply"]["skipped_low_confidence"].get<int>(), 64 * 48);
  EXPECT_EQ(rep3["ply"]["min_confidence"].get<double>(), 0.5);

  // Bad requests are usage errors before any work.
  expect_failure(run_dfd(dir, solve + "--ply-min-confidence 0.5 --out r4"), 2, "--ply");
  expect_failure(run_dfd(dir, solve + "--ply --ply-min-confidence 2 --out r5"), 2, "--ply-min-confidence");
  expect_failure(run_dfd(dir, solve + "--ply --ply-z-scale -1 --out r6"), 2, "--ply-z-scale");
  EXPECT_FALSE(fs::exists(path_in(dir, "r4")));
}

// The regularised objective through the command line: 8-bit frames run it by default (auto), with
// the noise estimate, the weights and their scaling in report.json and each step's prior_sigma in
// the log; --prior-scaling noise holds the weights at the noise level; bad values are usage errors.
TEST(Cli, RegularizerFlagsReachTheReport) {
  const std::string dir = fresh_dir();
  write_frames(dir);
  const std::string solve =
      "solve a.png b.png --focus-distances 1,2.5 --epochs 2 --cg-iters 3,3 --depth-candidates 12 "
      "--backend cpu --threads 1 --quiet ";
  ASSERT_EQ(run_dfd(dir, solve + "--out auto").code, 0);
  const json a = json::parse(slurp(path_in(dir, "auto/report.json")));
  EXPECT_EQ(a["regularizer"]["option"], "auto");
  EXPECT_TRUE(a["regularizer"]["depth_prior"].get<bool>());
  EXPECT_EQ(a["noise"]["quantisation_step"].get<double>(), 1.0);
  EXPECT_EQ(a["noise"]["source_quantisation_step"].get<double>(), 1.0);
  EXPECT_EQ(a["regularizer"]["scaling"].get<std::string>().rfind("residual", 0), 0u);
  const double sigma = a["noise"]["sigma"].get<double>();
  for (const auto& s : a["log"])
    if (s.contains("prior_sigma")) EXPECT_GE(s["prior_sigma"].get<double>(), sigma * (1 - 1e-12));
  // A noise level given below what the model settles at (rounding alone is 0.29): once the loss
  // settles, the weights follow it.
  ASSERT_EQ(run_dfd(dir,
                    "solve a.png b.png --focus-distances 1,2.5 --epochs 6 --cg-iters 3,3 --depth-candidates 12 "
                    "--backend cpu --threads 1 --quiet --noise-sigma 0.02 --out low")
                .code,
            0);
  const json l = json::parse(slurp(path_in(dir, "low/report.json")));
  int scaled = 0;
  for (const auto& s : l["log"])
    if (s.contains("prior_sigma")) scaled += s["prior_sigma"].get<double>() > 0.02 * (1 + 1e-9);
  EXPECT_GT(scaled, 0) << l["log"].dump();

  ASSERT_EQ(run_dfd(dir, solve + "--prior-scaling noise --depth-smoothness 2 --out fixed").code, 0);
  const json f = json::parse(slurp(path_in(dir, "fixed/report.json")));
  EXPECT_EQ(f["regularizer"]["scaling"].get<std::string>().rfind("noise", 0), 0u);
  EXPECT_EQ(f["regularizer"]["depth"]["smoothness"].get<double>(), 2.0);
  for (const auto& s : f["log"])
    if (s.contains("prior_sigma")) EXPECT_DOUBLE_EQ(s["prior_sigma"].get<double>(), sigma);

  ASSERT_EQ(run_dfd(dir, solve + "--regularizer none --out none").code, 0);
  const json n = json::parse(slurp(path_in(dir, "none/report.json")));
  EXPECT_FALSE(n["regularizer"]["depth_prior"].get<bool>());
  EXPECT_FALSE(n["regularizer"].contains("scaling"));

  expect_failure(run_dfd(dir, solve + "--prior-scaling loss --out bad1"), 2, "--prior-scaling");
  expect_failure(run_dfd(dir, solve + "--regularizer l1 --out bad2"), 2, "--regularizer");
  expect_failure(run_dfd(dir, solve + "--depth-smoothness -1 --out bad3"), 2, "--depth-smoothness");
  EXPECT_FALSE(fs::exists(path_in(dir, "bad1")));
}

}  // namespace
}  // namespace dfd

namespace dfd {
namespace {

// An uncalibrated stack end to end through the command line: `dfd synth --uncalibrated` renders
// one with a known blur scale (depth = focus index), `dfd solve` estimates the scale back and
// recovers the relative depth; --blur-scale without the uncalibrated model is a usage error.
TEST(Cli, UncalibratedSynthThenSolveEstimatesTheBlurScale) {
  const std::string dir = fresh_dir();
  const int W = 64, H = 48;
  write_png8(path_in(dir, "aif.png"), synthetic_texture(W, H, 5), 255);
  Image depth(W, H, 1);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) depth.at(x, y) = y < H / 2 ? 0.5f : 2.5f;  // two planes, frame units
  write_float_tiff(path_in(dir, "depth.tiff"), depth);
  CliRun r = run_dfd(dir,
                     "synth --aif aif.png --depth depth.tiff --uncalibrated --blur-scale 1.2 "
                     "--focus-distances 0,1,2,3 --kernel-size 23 --format tiff --out st --quiet");
  ASSERT_EQ(r.code, 0) << r.err;
  r = run_dfd(dir,
              "solve st/stack.json --uncalibrated --kernel-size 23 --epochs 3 --threads 1 --no-confidence "
              "--out res --quiet");
  ASSERT_EQ(r.code, 0) << r.err;
  const json rep = json::parse(slurp(path_in(dir, "res/report.json")));
  EXPECT_EQ(rep["model"]["blur_model"], "focus-index");
  EXPECT_NEAR(rep["model"]["a_pixels_per_frame"].get<double>(), 1.2, 0.2 * 1.2);
  const Image z = read_depth(path_in(dir, "res/depth.tiff"));
  double err = 0;
  for (size_t k = 0; k < z.data.size(); ++k) err += std::fabs(z.data[k] - depth.data[k]);
  EXPECT_LT(err / z.data.size(), 0.25);  // mean error under a quarter frame step
  expect_failure(run_dfd(dir, "solve st/stack.json --preset nyuv2 --blur-scale 2 --out bad"), 2, "--blur-scale");
}

}  // namespace
}  // namespace dfd
