// --align on the real 7-frame PCB focal stack (2048x1536, focus breathing, hand-held drift):
// time, estimated scales, and correlation gained. Skips when ../shared/data/pcb-stack is absent.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <opencv2/video/tracking.hpp>

#include "dfd/align.h"
#include "dfd/io.h"

namespace dfd {
namespace {

namespace fs = std::filesystem;

cv::Mat grey(const Image& im) {
  cv::Mat g(im.height, im.width, CV_32F, cv::Scalar(0));
  for (int c = 0; c < im.channels; ++c) g += cv::Mat(im.height, im.width, CV_32F, const_cast<float*>(im.plane(c)));
  return g;
}

TEST(AlignPcb, RegistersTheRealStackQuickly) {
  const fs::path dir = fs::path(DFD_SHARED_DATA) / "pcb-stack";
  std::vector<std::string> frames;
  for (int i = 1; i <= 7; ++i) frames.push_back((dir / ("pcb_00" + std::to_string(i) + ".jpg")).string());
  for (const auto& f : frames)
    if (!fs::exists(f)) GTEST_SKIP() << f << " is absent";
  FocalStack s = load_stack(frames, {1, 2, 3, 4, 5, 6, 7});
  std::vector<double> before;
  for (int i = 0; i < 6; ++i) before.push_back(cv::computeECC(grey(s.frames[i + 1]), grey(s.frames[i])));

  const auto t0 = std::chrono::steady_clock::now();
  const AlignmentReport r = align_stack(s, AlignOptions());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("pcb align: %.2f s (report %.2f s), %d levels at %.3f of full size, valid %dx%d+%d+%d (%.1f%%)\n",
              seconds, r.seconds, r.levels, r.work_scale, r.valid.width, r.valid.height, r.valid.x, r.valid.y,
              100 * r.valid_fraction);
  for (size_t i = 0; i < r.frames.size(); ++i) {
    const FrameAlignment& f = r.frames[i];
    std::printf("  frame %zu: scale %.4f rotation %.3f deg shift (%.2f, %.2f) px ECC %.4f, %d iterations\n", i, f.scale,
                f.rotation_deg, f.shift_px[0], f.shift_px[1], f.ecc, f.iterations);
  }
  RecordProperty("align_seconds", std::to_string(seconds));
  // "Well under a minute on 2 cores" (the brief); ~1-3 s measured on an idle machine.
  EXPECT_LT(seconds, 30.0);
  EXPECT_EQ(r.reference, 3);
  // Focus breathing: the magnification changes monotonically along the focus sweep (about 2%
  // each way over three steps on this lens), and the frames are not rotated.
  for (int i = 0; i + 1 < 7; ++i) EXPECT_GT(r.frames[i].scale, r.frames[i + 1].scale) << "frame " << i;
  EXPECT_GT(r.frames[0].scale, 1.01);
  EXPECT_LT(r.frames[6].scale, 0.99);
  for (const auto& f : r.frames) {
    EXPECT_GT(f.ecc, 0.95);
    EXPECT_LT(std::abs(f.rotation_deg), 0.5);
  }
  EXPECT_GT(r.valid_fraction, 0.9);
  // Registration raises every neighbour pair's correlation on the full-size frames.
  for (int i = 0; i < 6; ++i) {
    const double after = cv::computeECC(grey(s.frames[i + 1]), grey(s.frames[i]));
    std::printf("  pair %d-%d: ECC %.4f -> %.4f\n", i, i + 1, before[i], after);
    EXPECT_GT(after, before[i]) << "pair " << i;
  }
}

}  // namespace
}  // namespace dfd
