// Frame registration (--align): known translations, similarities and homographies recovered from
// small textured frames, chaining across a differently blurred stack, failures, report JSON, CLI.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "dfd/align.h"
#include "dfd/error.h"
#include "dfd/io.h"
#include "dfd/job.h"
#include "dfd/report.h"
#include "preprocess/align_json.h"
#include "test_io_util.h"

namespace dfd {
namespace {

using nlohmann::json;
using testing::fresh_dir;
using testing::path_in;
using Mat3 = cv::Matx33d;

constexpr int kW = 160, kH = 120;  // frame size
constexpr int kMargin = 40;        // the scene extends this far beyond every frame

// A smooth random texture (Gaussian-blurred noise, sigma 2 px) in [0, 255], with margins so
// that frames warped out of it never reach its edge.
cv::Mat scene_texture(uint64_t seed) {
  cv::Mat noise(kH + 2 * kMargin, kW + 2 * kMargin, CV_32F);
  cv::RNG rng(seed);
  rng.fill(noise, cv::RNG::UNIFORM, 0.0, 1.0);
  cv::Mat s;
  cv::GaussianBlur(noise, s, cv::Size(0, 0), 2.0);
  cv::normalize(s, s, 20, 235, cv::NORM_MINMAX);
  return s;
}

// A similarity about the frame centre: x -> s R(deg) (x - c) + c + t.
Mat3 similarity(double s, double deg, double tx, double ty) {
  const double a = deg * M_PI / 180, c = std::cos(a) * s, n = std::sin(a) * s;
  const double cx = 0.5 * (kW - 1), cy = 0.5 * (kH - 1);
  return Mat3(c, -n, cx - c * cx + n * cy + tx, n, c, cy - n * cx - c * cy + ty, 0, 0, 1);
}

// Frame pixel x shows the scene at margin + M x; then optical blur `sigma` (0 = none), applied
// to a padded view and cropped so that, as in a camera, the frame's edges blur with the scene
// beyond them (not with a mirrored copy, which would pull the edges and bias the scale).
Image render(const cv::Mat& scene, const Mat3& M, double sigma, int channels = 1) {
  const int pad = 12;  // > 3 sigma
  const Mat3 to_scene = Mat3(1, 0, kMargin, 0, 1, kMargin, 0, 0, 1) * M * Mat3(1, 0, -pad, 0, 1, -pad, 0, 0, 1);
  cv::Mat padded;
  cv::warpPerspective(scene, padded, cv::Mat(to_scene), cv::Size(kW + 2 * pad, kH + 2 * pad),
                      cv::INTER_CUBIC | cv::WARP_INVERSE_MAP, cv::BORDER_REFLECT);
  if (sigma > 0) cv::GaussianBlur(padded, padded, cv::Size(0, 0), sigma);
  const cv::Mat f = padded(cv::Rect(pad, pad, kW, kH));
  Image im(kW, kH, channels);
  for (int c = 0; c < channels; ++c) {
    cv::Mat plane(kH, kW, CV_32F, im.plane(c));
    f.convertTo(plane, CV_32F, 1.0 - 0.2 * c, 10.0 * c);  // colour planes differ in gain and offset
  }
  return im;
}

FocalStack make_stack(std::vector<Image> frames) {
  FocalStack s;
  s.range = 255;
  for (size_t i = 0; i < frames.size(); ++i) {
    s.focus_distances.push_back(1.0 + static_cast<double>(i));
    s.sources.push_back("f" + std::to_string(i) + ".png");
  }
  s.frames = std::move(frames);
  return s;
}

Mat3 matrix_of(const FrameAlignment& f) {
  Mat3 m;
  for (int k = 0; k < 9; ++k) m.val[k] = f.matrix[k];
  return m;
}

// Largest distance between where two warps send the frame's corners, pixels.
double corner_error(const Mat3& a, const Mat3& b) {
  double worst = 0;
  for (cv::Vec3d c :
       {cv::Vec3d(0, 0, 1), cv::Vec3d(kW - 1, 0, 1), cv::Vec3d(0, kH - 1, 1), cv::Vec3d(kW - 1, kH - 1, 1)}) {
    const cv::Vec3d p = a * c, q = b * c;
    worst = std::max(worst, std::hypot(p[0] / p[2] - q[0] / q[2], p[1] / p[2] - q[1] / q[2]));
  }
  return worst;
}

// The warp align_stack should find for a frame rendered with M_frame against the reference's
// M_ref: reference pixel -> scene -> frame pixel.
Mat3 expected(const Mat3& m_frame, const Mat3& m_ref) { return m_frame.inv() * m_ref; }

// RMS difference of two images' channel 0 inside a border of `b` pixels.
double rms_inside(const Image& a, const Image& b, int border) {
  double sum = 0;
  int n = 0;
  for (int y = border; y < a.height - border; ++y)
    for (int x = border; x < a.width - border; ++x, ++n) sum += std::pow(double(a.at(x, y)) - b.at(x, y), 2);
  return std::sqrt(sum / n);
}

TEST(Align, RecoversATranslation) {
  const cv::Mat scene = scene_texture(1);
  const Mat3 m0 = Mat3::eye(), m1 = similarity(1, 0, 3.3, -2.7);
  const Image ref = render(scene, m0, 0);
  FocalStack s = make_stack({ref, render(scene, m1, 0)});
  const double before = rms_inside(s.frames[1], ref, 8);
  AlignOptions o;
  o.motion = AlignMotion::Translation;
  o.reference = 0;
  const AlignmentReport r = align_stack(s, o);
  ASSERT_EQ(r.frames.size(), 2u);
  // The brief's bar: the shift to within 0.1 px (the smooth texture makes ECC's bilinear
  // model nearly exact, so this is loose for a correct solver and tight for a wrong one).
  EXPECT_LT(corner_error(matrix_of(r.frames[1]), expected(m1, m0)), 0.1);
  EXPECT_NEAR(r.frames[1].shift_px[0], -3.3, 0.1);
  EXPECT_NEAR(r.frames[1].shift_px[1], 2.7, 0.1);
  EXPECT_EQ(r.frames[1].neighbour, 0);
  EXPECT_GT(r.frames[1].ecc, 0.95);  // same content, up to interpolation of a sigma-2 texture
  EXPECT_GT(r.frames[1].iterations, 0);
  EXPECT_EQ(corner_error(matrix_of(r.frames[0]), Mat3::eye()), 0.0);
  // Warped in place: the frame now matches the reference; the residual is interpolation error
  // (bilinear on a sigma-2 texture), a small fraction of the misaligned difference.
  EXPECT_LT(rms_inside(s.frames[1], ref, 8), 0.1 * before);
  EXPECT_EQ(s.frames[1].width, kW);
  EXPECT_FALSE(r.cropped);
}

TEST(Align, RecoversASimilarity) {
  const cv::Mat scene = scene_texture(2);
  const Mat3 m1 = similarity(1.02, 0.5, 2.5, -1.5);
  FocalStack s = make_stack({render(scene, Mat3::eye(), 0), render(scene, m1, 0)});
  AlignOptions o;  // similarity by default
  o.reference = 0;
  const AlignmentReport r = align_stack(s, o);
  const FrameAlignment& f = r.frames[1];
  // 0.1 px at the corners, 100 px from the centre, bounds scale to 1e-3 and rotation to
  // 0.06 deg; a wrong model (translation only) misses by 2 px.
  EXPECT_LT(corner_error(matrix_of(f), expected(m1, Mat3::eye())), 0.1);
  EXPECT_NEAR(f.scale, 1 / 1.02, 1e-3);
  EXPECT_NEAR(f.rotation_deg, -0.5, 0.06);
  // The fitted warp is a similarity: equal diagonal, opposite off-diagonal, no perspective.
  EXPECT_NEAR(f.matrix[0], f.matrix[4], 1e-9);
  EXPECT_NEAR(f.matrix[1], -f.matrix[3], 1e-9);
  EXPECT_EQ(f.matrix[6], 0.0);
  EXPECT_EQ(f.matrix[7], 0.0);
}

// A focal stack: every frame magnified a little more (focus breathing), drifting, and blurred
// differently (sigma 0.5..3); frames 0 and 4 look very different and are never compared.
TEST(Align, ChainsNeighboursAcrossADifferentlyBlurredStack) {
  const cv::Mat scene = scene_texture(3);
  const double sigmas[5] = {0.5, 1.125, 1.75, 2.375, 3.0};
  std::vector<Mat3> ms;
  std::vector<Image> frames;
  for (int i = 0; i < 5; ++i) {
    ms.push_back(similarity(1 + 0.006 * (i - 2), 0.1 * (i - 2), 0.8 * (i - 2), -0.5 * (i - 2)));
    frames.push_back(render(scene, ms[i], sigmas[i], 3));
  }
  FocalStack s = make_stack(frames);
  const AlignmentReport r = align_stack(s, AlignOptions());
  EXPECT_EQ(r.reference, 2);  // the middle frame by default
  const int neighbours[5] = {1, 2, -1, 2, 3};
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(r.frames[i].neighbour, neighbours[i]) << "frame " << i;
    // Each link is good to ~0.1 px; blur flattens the correlation peak and two links add up.
    EXPECT_LT(corner_error(matrix_of(r.frames[i]), expected(ms[i], ms[2])), 0.2) << "frame " << i;
  }
  // Frame 4 warped onto the reference looks like the reference's view blurred as frame 4 is
  // (all three colour planes moved together).
  const Image want = render(scene, ms[2], sigmas[4], 3);
  for (int c = 0; c < 3; ++c) {
    Image got_c(kW, kH, 1), want_c(kW, kH, 1);
    std::copy(s.frames[4].plane(c), s.frames[4].plane(c) + kW * kH, got_c.data.begin());
    std::copy(want.plane(c), want.plane(c) + kW * kH, want_c.data.begin());
    EXPECT_LT(rms_inside(got_c, want_c, 10), 0.5) << "channel " << c;  // of a 0..255 texture
  }
}

TEST(Align, LeavesAlignedFramesAlone) {
  const cv::Mat scene = scene_texture(4);
  FocalStack s =
      make_stack({render(scene, Mat3::eye(), 0.5), render(scene, Mat3::eye(), 1.5), render(scene, Mat3::eye(), 3.0)});
  const Image middle = s.frames[1];
  const AlignmentReport r = align_stack(s, AlignOptions());
  for (int i = 0; i < 3; ++i) {
    EXPECT_LT(corner_error(matrix_of(r.frames[i]), Mat3::eye()), 0.03) << "frame " << i;
    EXPECT_NEAR(r.frames[i].scale, 1.0, 3e-4);
  }
  EXPECT_EQ(s.frames[1].data, middle.data);  // the reference is never resampled
  EXPECT_GT(r.valid_fraction, 0.97);         // a 0.03 px slip costs at most an edge row/column
}

TEST(Align, RecoversAMildHomography) {
  const cv::Mat scene = scene_texture(5);
  const double cx = 0.5 * (kW - 1), cy = 0.5 * (kH - 1);
  const Mat3 persp = Mat3(1, 0, cx, 0, 1, cy, 0, 0, 1) * Mat3(1.01, 0.01, 1.5, -0.008, 0.99, -1.0, 3e-4, -2e-4, 1) *
                     Mat3(1, 0, -cx, 0, 1, -cy, 0, 0, 1);
  FocalStack s = make_stack({render(scene, Mat3::eye(), 0), render(scene, persp, 0)});
  AlignOptions o;
  o.motion = AlignMotion::Homography;
  o.reference = 0;
  const AlignmentReport r = align_stack(s, o);
  // The perspective terms move the corners by ~2 px; recovered to a tenth of that or better.
  EXPECT_GT(corner_error(persp, similarity(1, 0, 0, 0)), 2.0);
  EXPECT_LT(corner_error(matrix_of(r.frames[1]), expected(persp, Mat3::eye())), 0.15);
}

TEST(Align, CropsToTheCommonRegion) {
  const cv::Mat scene = scene_texture(6);
  FocalStack s = make_stack({render(scene, Mat3::eye(), 0), render(scene, similarity(1, 0, 5.5, -3.5), 0)});
  AlignOptions o;
  o.motion = AlignMotion::Translation;
  o.reference = 0;
  o.crop = true;
  const AlignmentReport r = align_stack(s, o);
  // Reference pixel (x, y) is at (x - 5.5, y + 3.5) in frame 1: valid for x >= 5.5, y <= 115.5
  // (the half-pixel shift keeps this robust to estimation error below 0.5 px).
  EXPECT_EQ(r.valid.x, 6);
  EXPECT_EQ(r.valid.y, 0);
  EXPECT_EQ(r.valid.width, 154);
  EXPECT_EQ(r.valid.height, 116);
  EXPECT_NEAR(r.valid_fraction, 154.0 * 116 / (kW * kH), 1e-9);
  EXPECT_TRUE(r.cropped);
  for (const Image& f : s.frames) {
    EXPECT_EQ(f.width, 154);
    EXPECT_EQ(f.height, 116);
  }
}

TEST(Align, UnrelatedFramesAreAnInputError) {
  FocalStack s = make_stack({render(scene_texture(7), Mat3::eye(), 0), render(scene_texture(8), Mat3::eye(), 0)});
  try {
    align_stack(s, AlignOptions());
    FAIL() << "aligned two unrelated images";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Input);
    EXPECT_NE(std::string(e.what()).find("cannot register frame 0 (f0.png) against frame 1 (f1.png)"),
              std::string::npos)
        << e.what();
  }
}

TEST(Align, AFlatFrameIsAnInputError) {
  FocalStack s = make_stack({render(scene_texture(9), Mat3::eye(), 0), Image(kW, kH, 1, 100.f)});
  try {
    align_stack(s, AlignOptions());
    FAIL() << "aligned a constant frame";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Input);
    EXPECT_NE(std::string(e.what()).find("frame 1 (f1.png)"), std::string::npos) << e.what();
  }
}

TEST(Align, BadSettingsAreUsageErrors) {
  FocalStack s = make_stack({render(scene_texture(10), Mat3::eye(), 0), render(scene_texture(10), Mat3::eye(), 1)});
  AlignOptions o;
  o.reference = 2;
  try {
    align_stack(s, o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(std::string(e.what()).find("--align-reference 2: the stack has only 2 frames"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(parse_align_motion("affine"), Error);
  EXPECT_EQ(parse_align_motion("homography"), AlignMotion::Homography);
  o = AlignOptions();
  o.max_iterations = 0;
  EXPECT_THROW(o.validate(), Error);
}

TEST(Align, ReportJsonRecordsTheEstimate) {
  const cv::Mat scene = scene_texture(11);
  FocalStack s = make_stack({render(scene, Mat3::eye(), 0), render(scene, similarity(1.01, 0.2, 1, 2), 1),
                             render(scene, similarity(1.02, 0.4, 2, 4), 2)});
  const AlignmentReport a = align_stack(s, AlignOptions());
  RunReport rr;
  rr.stack = &s;
  rr.alignment = &a;
  const json j = json::parse(report_json(rr));
  ASSERT_TRUE(j.contains("alignment"));
  const json& al = j["alignment"];
  EXPECT_EQ(al["motion"], "similarity");
  EXPECT_EQ(al["reference"], 1);
  EXPECT_EQ(al["levels"], a.levels);
  EXPECT_EQ(al["valid_region"]["width"], a.valid.width);
  EXPECT_DOUBLE_EQ(al["valid_region"]["fraction"].get<double>(), a.valid_fraction);
  ASSERT_EQ(al["frames"].size(), 3u);
  EXPECT_TRUE(al["frames"][1]["neighbour"].is_null());
  EXPECT_EQ(al["frames"][2]["neighbour"], 1);
  for (int i = 0; i < 3; ++i) {
    const json& f = al["frames"][i];
    for (int k = 0; k < 9; ++k) EXPECT_DOUBLE_EQ(f["matrix"][k / 3][k % 3].get<double>(), a.frames[i].matrix[k]);
    EXPECT_DOUBLE_EQ(f["scale"].get<double>(), a.frames[i].scale);
    EXPECT_DOUBLE_EQ(f["rotation_deg"].get<double>(), a.frames[i].rotation_deg);
    EXPECT_DOUBLE_EQ(f["shift_px"][1].get<double>(), a.frames[i].shift_px[1]);
    EXPECT_EQ(f["iterations"], a.frames[i].iterations);
    EXPECT_DOUBLE_EQ(f["ecc"].get<double>(), a.frames[i].ecc);
  }
  rr.alignment = nullptr;
  EXPECT_FALSE(json::parse(report_json(rr)).contains("alignment"));
}

// prepare_solve_job aligns 16-bit PNG frames read from files when the request asks.
TEST(Align, SolveJobAlignsFramesFromFiles) {
  const std::string dir = fresh_dir();
  const cv::Mat scene = scene_texture(12);
  const std::vector<double> focus = preset_focus_distances("nyuv2");
  SolveRequest req;
  std::vector<Mat3> ms;
  for (size_t i = 0; i < focus.size(); ++i) {
    ms.push_back(similarity(1 + 0.004 * i, 0, 0.7 * i, 0.3 * i));
    req.inputs.push_back(path_in(dir, "f" + std::to_string(i) + ".png"));
    write_png16(req.inputs.back(), render(scene, ms.back(), 0.5 + 0.5 * i), 255.0);
  }
  req.focus = focus;
  SolveJob plain = prepare_solve_job(req);
  EXPECT_FALSE(plain.alignment);
  req.align = AlignOptions();
  SolveJob job = prepare_solve_job(req);
  ASSERT_TRUE(job.alignment);
  const int ref = static_cast<int>(focus.size()) / 2;
  EXPECT_EQ(job.alignment->reference, ref);
  for (int i = 0; i < job.stack.count(); ++i)
    EXPECT_LT(corner_error(matrix_of(job.alignment->frames[i]), expected(ms[i], ms[ref])), 0.2) << "frame " << i;
  EXPECT_NE(job.stack.frames[0].data, plain.stack.frames[0].data);  // warped
  EXPECT_EQ(job.stack.frames[ref].data, plain.stack.frames[ref].data);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int run_dfd(const std::string& dir, const std::string& args, std::string* err) {
  const std::string e = path_in(dir, ".stderr");
  const int status =
      std::system(("cd '" + dir + "' && '" + DFD_CLI + "' " + args + " >/dev/null 2>'" + e + "'").c_str());
  *err = slurp(e);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Three 8-bit frames in `dir` drifting by (i, -i) px and magnified 0.5% a frame; returns
// the start of a cheap `dfd solve` command line over them (one epoch, one CG iteration).
std::string cli_frames(const std::string& dir) {
  const cv::Mat scene = scene_texture(13);
  std::string args = "solve";
  for (int i = 0; i < 3; ++i) {
    const std::string name = "f" + std::to_string(i) + ".png";
    write_png8(path_in(dir, name), render(scene, similarity(1 + 0.005 * i, 0, i, -i), 1 + i), 255.0);
    args += " " + name;
  }
  return args + " --focus-distances 1,2,4 --epochs 1 --cg-iters 1,1 --depth-candidates 8 --backend cpu --quiet";
}

// `dfd solve --align=MOTION` end to end: report.json carries the alignment.
TEST(Align, CliSolveWritesTheAlignmentIntoTheReport) {
  const std::string dir = fresh_dir();
  const std::string base = cli_frames(dir);
  std::string err;
  ASSERT_EQ(run_dfd(dir, base + " --align=translation --align-reference 0 --out out", &err), 0) << err;
  const json rep = json::parse(slurp(path_in(dir, "out/report.json")));
  ASSERT_TRUE(rep.contains("alignment")) << rep.dump();
  EXPECT_EQ(rep["alignment"]["motion"], "translation");
  EXPECT_EQ(rep["alignment"]["reference"], 0);
  EXPECT_FALSE(rep["alignment"]["cropped"].get<bool>());
  EXPECT_EQ(rep["alignment"]["frames"].size(), 3u);
  // Frame 2 shows the scene 2 px right: the reference's centre lies 2 px left in it (its 1% scale
  // is not modelled by a translation, but it is centred and so leaves the centre's shift alone).
  EXPECT_NEAR(rep["alignment"]["frames"][2]["shift_px"][0].get<double>(), -2.0, 0.2);
  EXPECT_NEAR(rep["alignment"]["frames"][2]["shift_px"][1].get<double>(), 2.0, 0.2);
}

// Bare --align (similarity, middle reference) with --align-crop; bad flags are usage errors
// before any work.
TEST(Align, CliBareAlignCropsAndRefusesBadFlags) {
  const std::string dir = fresh_dir();
  const std::string base = cli_frames(dir);
  std::string err;
  ASSERT_EQ(run_dfd(dir, base + " --align --align-crop --out out", &err), 0) << err;
  const json rep = json::parse(slurp(path_in(dir, "out/report.json")));
  EXPECT_EQ(rep["alignment"]["motion"], "similarity");
  EXPECT_EQ(rep["alignment"]["reference"], 1);
  EXPECT_NEAR(rep["alignment"]["frames"][0]["scale"].get<double>(), 1.005, 1e-3);
  EXPECT_TRUE(rep["alignment"]["cropped"].get<bool>());
  EXPECT_EQ(rep["input"]["width"], rep["alignment"]["valid_region"]["width"]);
  EXPECT_EQ(rep["input"]["height"], rep["alignment"]["valid_region"]["height"]);
  EXPECT_LT(rep["input"]["width"].get<int>(), kW);

  EXPECT_EQ(run_dfd(dir, base + " --align=affine --out out2", &err), 2) << err;
  EXPECT_NE(err.find("--align"), std::string::npos) << err;
  EXPECT_EQ(run_dfd(dir, base + " --align-reference 1 --out out2", &err), 2) << err;  // needs --align
  EXPECT_EQ(run_dfd(dir, base + " --align --align-reference 3 --out out2", &err), 2) << err;
  EXPECT_NE(err.find("--align-reference 3: the stack has only 3 frames"), std::string::npos) << err;
  EXPECT_FALSE(std::filesystem::exists(path_in(dir, "out2")));
}

}  // namespace
}  // namespace dfd
