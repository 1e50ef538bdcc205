// Options: presets (SPEC 6), schedules, and validation messages that name the problem.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "dfd/error.h"
#include "dfd/image.h"
#include "dfd/options.h"

namespace dfd {
namespace {

FocalStack small_stack(int frames = 5) {
  FocalStack s;
  for (int i = 0; i < frames; ++i) {
    s.frames.emplace_back(8, 6, 3, 10.f);
    s.sources.push_back("f" + std::to_string(i) + ".png");
  }
  s.focus_distances = {1, 1.5, 2.5, 4, 6};
  s.focus_distances.resize(frames, 6.0);
  return s;
}

std::string validate_message(const Options& o, const FocalStack& s) {
  try {
    o.validate(&s);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Input);
    return e.what();
  }
  return "";
}

TEST(Options, Nyuv2PresetMatchesSpec) {
  const Options o = preset_options("nyuv2");
  EXPECT_DOUBLE_EQ(o.focal_length, 0.05);
  EXPECT_DOUBLE_EQ(o.effective_aperture(), 0.05 / 8);
  EXPECT_DOUBLE_EQ(o.pixel_pitch, 1.2e-5);
  EXPECT_DOUBLE_EQ(o.thresh, 2.0);
  EXPECT_EQ(o.epochs, 40);
  EXPECT_EQ(o.depth_candidates, 100);
  EXPECT_EQ(o.window_for(240, 320), 11);
  EXPECT_EQ(o.window_for(480, 640), 23);
  EXPECT_EQ(o.window_for(3000, 4000), 137);
  EXPECT_EQ(preset_focus_distances("nyuv2"), (std::vector<double>{1, 1.5, 2.5, 4, 6}));
}

TEST(Options, OtherPresets) {
  const Options m = preset_options("make3d");
  EXPECT_EQ(m.window, 5);
  EXPECT_DOUBLE_EQ(m.thresh, 0.5);
  EXPECT_EQ(preset_focus_distances("make3d").back(), 64);
  const Options d = preset_options("mobiledepth");
  EXPECT_EQ(d.depth_candidates, 200);
  EXPECT_EQ(d.edge_pad, 25);
  EXPECT_THROW(preset_options("kitti"), Error);
}

TEST(Options, CandidatesAreLinspace) {
  Options o = preset_options("nyuv2");
  const auto z = o.candidates();
  ASSERT_EQ(z.size(), 100u);
  EXPECT_DOUBLE_EQ(z.front(), 0.1);
  EXPECT_DOUBLE_EQ(z.back(), 10.0);
  EXPECT_NEAR(z[1] - z[0], 0.1, 1e-12);
}

TEST(Options, AifSchedules) {
  Options o = preset_options("nyuv2");
  o.aif_solver = AifSolver::Fista;
  EXPECT_EQ(o.aif_iterations(0), 200);
  EXPECT_EQ(o.aif_iterations(1), 210);  // floor(1.05 * 200)
  EXPECT_EQ(o.aif_iterations(2), 220);  // floor(1.05 * 210) = floor(220.5)
  o.aif_solver = AifSolver::CG;
  EXPECT_EQ(o.aif_iterations(0), o.cg_iters_first);
  EXPECT_GE(o.aif_iterations(3), o.aif_iterations(2));
  EXPECT_EQ(o.aif_iterations(39), o.cg_iters_max);
}

TEST(Options, ValidStackPasses) {
  const FocalStack s = small_stack();
  EXPECT_NO_THROW(preset_options("nyuv2").validate(&s));
}

TEST(Options, FocusCountMismatchIsNamed) {
  FocalStack s = small_stack();
  s.focus_distances.pop_back();
  EXPECT_NE(validate_message(preset_options("nyuv2"), s).find("4 focus distances given for 5 frames"),
            std::string::npos);
}

TEST(Options, FocusDistanceNotBeyondFocalLength) {
  FocalStack s = small_stack();
  s.focus_distances[2] = 0.05;
  const std::string m = validate_message(preset_options("nyuv2"), s);
  EXPECT_NE(m.find("f2.png"), std::string::npos) << m;
  EXPECT_NE(m.find("greater than the focal length"), std::string::npos) << m;
}

TEST(Options, FrameSizeMismatchNamesBothFiles) {
  FocalStack s = small_stack();
  s.frames[3] = Image(9, 6, 3, 1.f);
  const std::string m = validate_message(preset_options("nyuv2"), s);
  EXPECT_NE(m.find("f3.png"), std::string::npos) << m;
  EXPECT_NE(m.find("f0.png"), std::string::npos) << m;
}

TEST(Options, NanAndNegativeValuesRejected) {
  FocalStack s = small_stack();
  s.frames[1].data[7] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_NE(validate_message(preset_options("nyuv2"), s).find("f1.png: contains NaN"), std::string::npos);
  s = small_stack();
  s.frames[4].data[0] = -1.f;
  EXPECT_NE(validate_message(preset_options("nyuv2"), s).find("f4.png: contains negative"), std::string::npos);
}

TEST(Options, BadOptionValues) {
  const FocalStack s = small_stack();
  auto bad = [&](auto edit, const char* needle) {
    Options o = preset_options("nyuv2");
    edit(o);
    const std::string m = validate_message(o, s);
    EXPECT_NE(m.find(needle), std::string::npos) << "message: '" << m << "'";
  };
  bad([](Options& o) { o.depth_min = 5, o.depth_max = 2; }, "must exceed the minimum");
  bad([](Options& o) { o.kernel_size = 10; }, "--kernel-size must be odd");
  bad([](Options& o) { o.thresh = 0; }, "--thresh must be positive");
  bad([](Options& o) { o.epochs = 0; }, "--epochs");
  bad([](Options& o) { o.depth_candidates = 1; }, "--depth-candidates");
  bad([](Options& o) { o.pixel_pitch = -1; }, "pixel size");
  bad([](Options& o) { o.focal_length = 0; }, "focal length");
}

TEST(Options, MobiledepthNeedsCalibration) {
  // Its camera comes from calibrated.txt: without it validation says what to pass.
  const std::string m = validate_message(preset_options("mobiledepth"), small_stack());
  EXPECT_NE(m.find("focal length"), std::string::npos) << m;
}

TEST(Options, TooFewFrames) {
  FocalStack s = small_stack(1);
  EXPECT_NE(validate_message(preset_options("nyuv2"), s).find("at least 2 frames"), std::string::npos);
}

}  // namespace
}  // namespace dfd
