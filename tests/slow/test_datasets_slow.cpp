// `dfd dataset` end to end: NYUv2 stacks solved and scored; Make3D at the protocol's 460x345
// (7 frames rendered with K = 17: seconds).
#include <gtest/gtest.h>
#include <matio.h>
#include <sys/wait.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

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

int run(const std::string& dir, const std::string& args) {
  const std::string cmd = "cd '" + dir + "' && '" + DFD_CLI + "' " + args + " >/dev/null 2>>err.txt";
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string errors(const std::string& dir) {
  std::ifstream in(path_in(dir, "err.txt"));
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(DatasetSlow, Nyuv2StackSolvesAndEvaluates) {
  const std::string dir = fresh_dir();
  // images 24 x 32 x 3 x 1 (uint8, a smooth colour pattern), depths 24 x 32 (single, 1..4 m).
  const size_t H = 24, W = 32;
  std::vector<uint8_t> im(H * W * 3);
  std::vector<float> d(H * W);
  for (size_t c = 0; c < W; ++c)
    for (size_t r = 0; r < H; ++r) {
      for (size_t ch = 0; ch < 3; ++ch)
        im[r + H * (c + W * ch)] = static_cast<uint8_t>((r * 37 + c * 53 + ch * 91) % 256);
      d[r + H * c] = 1.0f + 3.0f * c / (W - 1);
    }
  mat_t* m = Mat_CreateVer(path_in(dir, "nyu.mat").c_str(), nullptr, MAT_FT_MAT73);
  ASSERT_NE(m, nullptr);
  size_t dims_im[3] = {H, W, 3}, dims_d[2] = {H, W};
  matvar_t* v = Mat_VarCreate("images", MAT_C_UINT8, MAT_T_UINT8, 3, dims_im, im.data(), 0);
  ASSERT_EQ(Mat_VarWrite(m, v, MAT_COMPRESSION_NONE), 0);
  Mat_VarFree(v);
  v = Mat_VarCreate("depths", MAT_C_SINGLE, MAT_T_SINGLE, 2, dims_d, d.data(), 0);
  ASSERT_EQ(Mat_VarWrite(m, v, MAT_COMPRESSION_NONE), 0);
  Mat_VarFree(v);
  Mat_Close(m);

  ASSERT_EQ(run(dir, "dataset nyuv2 nyu.mat --index all --out out --quiet"), 0) << errors(dir);
  ASSERT_EQ(run(dir, "solve out/0000/stack.json --out res --epochs 1 --depth-candidates 8 --quiet"), 0) << errors(dir);
  EXPECT_EQ(read_depth(path_in(dir, "res/depth.tiff")).width, 16);
  ASSERT_EQ(run(dir, "eval res/depth.tiff out/0000/depth_gt.tiff --aif-pred res/aif.png --aif-gt out/0000/aif_gt.png"),
            0)
      << errors(dir);
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
  EXPECT_FLOAT_EQ(gt.at(0, 0), 2.f);                                                 // grid (0, 0)
  EXPECT_FLOAT_EQ(gt.at(kMake3dShortSide - 1, kMake3dLongSide - 1), 2.f + 10 + 60);  // grid (10, 60)
  const auto info = nlohmann::json::parse(std::ifstream(path_in(s, "sample.json")));
  EXPECT_EQ(info["dataset"], "make3d");
  EXPECT_EQ(info["sources"].size(), 2u);
  EXPECT_TRUE(fs::path(info["sources"][0].get<std::string>()).is_absolute());
}

}  // namespace
}  // namespace dfd
