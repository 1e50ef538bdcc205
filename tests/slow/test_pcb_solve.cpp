// The issue-5 bar on a real stack: the 7-frame 2048x1536 PCB (../shared/data/pcb-stack, not in
// the repository) solved uncalibrated with --align at half size, as `dfd solve pcb-stack
// --uncalibrated --align --scale 0.5` does: the AIF sharper than every frame, a depth map in
// frame units and the summary sheet. Skips when the stack is absent.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "dfd/backends.h"
#include "dfd/error.h"
#include "dfd/io.h"
#include "dfd/job.h"

namespace dfd {
namespace {

namespace fs = std::filesystem;

TEST(PcbSolve, UncalibratedAlignedHalfSizeAifSharperThanEveryFrame) {
  const fs::path stack = fs::path(DFD_SHARED_DATA) / "pcb-stack";
  if (!fs::exists(stack / "pcb_001.jpg")) GTEST_SKIP() << stack << " is absent";
  const fs::path out = fs::temp_directory_path() / ("dfd-pcb-" + std::to_string(::getpid()));
  fs::remove_all(out);
  fs::create_directories(out);

  SolveRequest req;
  req.inputs = {stack.string()};
  req.preset = "uncalibrated";
  req.preset_given = true;
  req.align = AlignOptions();
  req.scale = 0.5;
  const auto t0 = std::chrono::steady_clock::now();
  const SolveJob job = prepare_solve_job(req);
  ASSERT_EQ(job.stack.width(), 1024);
  ASSERT_EQ(job.stack.count(), 7);
  auto backend = make_cpu_backend(0);
  const SolveJobOutput r = run_solve_job(job, *backend, out.string(), "test");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::ifstream in(out / "report.json");
  const nlohmann::json rep = nlohmann::json::parse(in);
  const double aif = rep["sharpness"]["aif"].get<double>();
  double sharpest = 0;
  for (const auto& f : rep["sharpness"]["frames"]) sharpest = std::max(sharpest, f.get<double>());
  std::printf(
      "pcb: %.1f s total, a = %.3f px/frame at half size, K = %d, final loss %.2f, gradient energy AIF %.1f "
      "vs sharpest frame %.1f\n",
      seconds, r.result.options.blur_scale, r.result.kernel_size, r.result.log.back().loss, aif, sharpest);
  EXPECT_GT(aif, sharpest);
  EXPECT_GT(r.result.options.blur_scale, 0.0);
  for (const auto& f : rep["alignment"]["frames"]) {
    EXPECT_GT(f["scale"].get<double>(), 0.95);
    EXPECT_LT(f["scale"].get<double>(), 1.05);
  }
  const Image depth = read_depth((out / "depth.tiff").string());
  EXPECT_EQ(depth.width, 1024);
  for (float z : depth.data) {
    ASSERT_GE(z, 0.f);
    ASSERT_LE(z, 6.f);
  }
  const cv::Mat sheet = cv::imread((out / "summary.png").string());
  EXPECT_FALSE(sheet.empty());
  EXPECT_TRUE(fs::exists(out / "report.json"));
  fs::remove_all(out);
}

}  // namespace
}  // namespace dfd
