// `dfd dataset make3d` end to end at the protocol's 460x345 (7 frames rendered with K = 17: seconds).
#include <gtest/gtest.h>
#include <matio.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <filesystem>
#include <fstream>

#include "dfd/datasets.h"
#include "dfd/io.h"
#include "test_io_util.h"

namespace dfd {
namespace {

using testing::fresh_dir;
using testing::path_in;
namespace fs = std::filesystem;

// A v5 depth_sph_corr file: Position3DGrid R x C x 4, plane 4 = 2 + r + c metres.
void write_grid(const std::string& path, size_t R, size_t C) {
  std::vector<double> v(R * C * 4, -1.0);
  for (size_t c = 0; c < C; ++c)
    for (size_t r = 0; r < R; ++r) v[r + R * (c + C * 3)] = 2.0 + r + c;
  size_t dims[3] = {R, C, 4};
  mat_t* m = Mat_CreateVer(path.c_str(), nullptr, MAT_FT_MAT5);
  ASSERT_NE(m, nullptr);
  matvar_t* var = Mat_VarCreate("Position3DGrid", MAT_C_DOUBLE, MAT_T_DOUBLE, 3, dims, v.data(), 0);
  ASSERT_EQ(Mat_VarWrite(m, var, MAT_COMPRESSION_ZLIB), 0);
  Mat_VarFree(var);
  Mat_Close(m);
}

TEST(DatasetSlow, Make3dFolderToSolvableStacks) {
  const std::string dir = fresh_dir();
  const std::string imgs = path_in(dir, "Test134"), depths = path_in(dir, "Gridlaserdata");
  fs::create_directories(imgs);
  fs::create_directories(depths);
  cv::Mat im(80, 60, CV_8UC3);
  cv::randu(im, 0, 255);
  ASSERT_TRUE(cv::imwrite(path_in(imgs, "img-k1.jpg"), im));
  write_grid(path_in(depths, "depth_sph_corr-k1.mat"), 11, 61);

  const std::string cmd = "cd '" + dir + "' && '" + DFD_CLI +
                          "' dataset make3d Test134 Gridlaserdata --format png8 --out out --quiet 2>err.txt";
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << std::ifstream(path_in(dir, "err.txt")).rdbuf();

  const std::string s = path_in(dir, "out/k1");
  const LoadedManifest m = load_manifest(path_in(s, "stack.json"));
  EXPECT_EQ(m.stack.count(), 7);
  EXPECT_EQ(m.stack.width(), kMake3dShortSide);  // portrait 60 x 80 -> 345 x 460
  EXPECT_EQ(m.stack.height(), kMake3dLongSide);
  EXPECT_EQ(*m.manifest.preset, "make3d");
  EXPECT_EQ(m.stack.range, 255.0);
  const Image gt = read_depth(path_in(s, "depth_gt.tiff"));
  EXPECT_EQ(gt.width, kMake3dShortSide);
  EXPECT_FLOAT_EQ(gt.at(0, 0), 2.f);                                              // grid (0, 0)
  EXPECT_FLOAT_EQ(gt.at(kMake3dShortSide - 1, kMake3dLongSide - 1), 2.f + 10 + 60);  // grid (10, 60)
  const auto info = nlohmann::json::parse(std::ifstream(path_in(s, "sample.json")));
  EXPECT_EQ(info["dataset"], "make3d");
  EXPECT_EQ(info["sources"].size(), 2u);
  EXPECT_TRUE(fs::path(info["sources"][0].get<std::string>()).is_absolute());
}

}  // namespace
}  // namespace dfd
