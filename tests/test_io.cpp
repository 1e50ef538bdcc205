// Image readers and writers: round trips, channel order, scaling, atomicity and input errors.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <opencv2/imgcodecs.hpp>

#include "dfd/error.h"
#include "dfd/io.h"
#include "test_io_util.h"

namespace dfd {
namespace {

using testing::fresh_dir;
using testing::path_in;
using testing::ramp_image;

// Runs f, expects a dfd::Error of `kind` whose message contains `needle`.
template <typename F>
void expect_error(F&& f, ErrorKind kind, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "no error thrown; expected one mentioning " << needle;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(ImageIo, Png8RoundTripIsExactForIntegerValues) {
  const std::string dir = fresh_dir();
  const Image im = ramp_image(13, 7, 3, 37.0, 256.0);  // integers 0..255, every channel distinct
  write_png8(path_in(dir, "a.png"), im, 255.0);
  const LoadedImage back = read_image(path_in(dir, "a.png"));
  EXPECT_EQ(back.range, 255.0);
  EXPECT_EQ(back.bit_depth, 8);
  ASSERT_EQ(back.image.channels, 3);
  EXPECT_EQ(back.image.data, im.data);  // integers survive 8-bit storage exactly
}

TEST(ImageIo, Png16RoundTripAndScalingFromRange) {
  const std::string dir = fresh_dir();
  const Image im = ramp_image(9, 5, 1, 4099.0, 65536.0);
  write_png16(path_in(dir, "g.png"), im, 65535.0);
  const LoadedImage back = read_image(path_in(dir, "g.png"));
  EXPECT_EQ(back.range, 65535.0);
  EXPECT_EQ(back.bit_depth, 16);
  ASSERT_EQ(back.image.channels, 1);  // grey stays grey
  EXPECT_EQ(back.image.data, im.data);

  // [0, 255] scaled to the 16-bit code range: 65535 / 255 = 257 exactly.
  const Image small = ramp_image(4, 3, 3, 11.0, 256.0);
  write_png16(path_in(dir, "s.png"), small, 255.0);
  const LoadedImage s = read_image(path_in(dir, "s.png"));
  for (size_t i = 0; i < small.data.size(); ++i) EXPECT_EQ(s.image.data[i], small.data[i] * 257.f);
}

TEST(ImageIo, Png8ClipsAndRounds) {
  const std::string dir = fresh_dir();
  Image im(4, 1, 1);
  im.data = {-5.f, 0.4f, 0.6f, 300.f};  // below, rounding down, rounding up, above the range
  write_png8(path_in(dir, "c.png"), im, 1.0 * 255.0);
  const LoadedImage back = read_image(path_in(dir, "c.png"));
  EXPECT_EQ(back.image.data, (std::vector<float>{0.f, 0.f, 1.f, 255.f}));
}

TEST(ImageIo, FloatTiffRoundTripIsBitExact) {
  const std::string dir = fresh_dir();
  for (int channels : {1, 3}) {
    Image im(17, 11, channels);
    for (size_t i = 0; i < im.data.size(); ++i) im.data[i] = 1e-7f + 0.123456789f * static_cast<float>(i * i);
    const std::string p = path_in(dir, "d" + std::to_string(channels) + ".tiff");
    write_float_tiff(p, im);
    const LoadedImage back = read_image(p);
    EXPECT_EQ(back.range, 1.0);
    EXPECT_EQ(back.bit_depth, 32);
    ASSERT_EQ(back.image.channels, channels);
    EXPECT_EQ(back.image.data, im.data);
    const Image d = channels == 1 ? read_depth(p) : Image();
    if (channels == 1) EXPECT_EQ(d.data, im.data);
  }
}

TEST(ImageIo, ColourOrderIsRgbAndAlphaIsDropped) {
  const std::string dir = fresh_dir();
  // OpenCV writes BGRA: blue 10, green 20, red 30, alpha 40.
  cv::Mat bgra(2, 3, CV_8UC4, cv::Scalar(10, 20, 30, 40));
  ASSERT_TRUE(cv::imwrite(path_in(dir, "rgba.png"), bgra));
  const LoadedImage li = read_image(path_in(dir, "rgba.png"));
  ASSERT_EQ(li.image.channels, 3);
  EXPECT_EQ(li.image.at(1, 1, 0), 30.f);  // red first
  EXPECT_EQ(li.image.at(1, 1, 1), 20.f);
  EXPECT_EQ(li.image.at(1, 1, 2), 10.f);
}

TEST(ImageIo, DepthFromMillimetrePng) {
  const std::string dir = fresh_dir();
  cv::Mat mm(2, 2, CV_16U);
  mm.at<uint16_t>(0, 0) = 500, mm.at<uint16_t>(0, 1) = 1250, mm.at<uint16_t>(1, 0) = 8000, mm.at<uint16_t>(1, 1) = 1;
  ASSERT_TRUE(cv::imwrite(path_in(dir, "mm.png"), mm));
  const Image d = read_depth(path_in(dir, "mm.png"), 1000.0);
  EXPECT_FLOAT_EQ(d.at(0, 0), 0.5f);
  EXPECT_FLOAT_EQ(d.at(1, 0), 1.25f);
  EXPECT_FLOAT_EQ(d.at(0, 1), 8.0f);
  EXPECT_FLOAT_EQ(d.at(1, 1), 0.001f);

  write_png8(path_in(dir, "rgb.png"), Image(3, 3, 3, 9.f), 255.0);
  expect_error([&] { read_depth(path_in(dir, "rgb.png")); }, ErrorKind::Input, "rgb.png: a depth map must have 1");
}

TEST(ImageIo, RawF32RoundTripInHwcOrder) {
  const std::string dir = fresh_dir();
  const Image im = ramp_image(5, 4, 3, 0.25, 1000.0);
  write_raw_f32(path_in(dir, "a.f32"), im);
  EXPECT_EQ(std::filesystem::file_size(path_in(dir, "a.f32")), im.size() * sizeof(float));
  // The file is interleaved: its first floats are pixel (0,0) channels 0,1,2, then pixel (1,0).
  std::ifstream in(path_in(dir, "a.f32"), std::ios::binary);
  float head[4];
  in.read(reinterpret_cast<char*>(head), sizeof head);
  EXPECT_EQ(head[0], im.at(0, 0, 0));
  EXPECT_EQ(head[1], im.at(0, 0, 1));
  EXPECT_EQ(head[2], im.at(0, 0, 2));
  EXPECT_EQ(head[3], im.at(1, 0, 0));
  EXPECT_EQ(read_raw_f32(path_in(dir, "a.f32"), 5, 4, 3).data, im.data);
  expect_error([&] { read_raw_f32(path_in(dir, "a.f32"), 5, 5, 3); }, ErrorKind::Input, "a.f32: 240 bytes");
}

TEST(ImageIo, ReadsConformanceFixture) {
  // case1_depth is 32 x 40 metres in [0.1, 10] (tests/data/README.md).
  const Image d = read_raw_f32(std::string(DFD_TEST_DATA) + "/case1_depth.f32", 40, 32, 1);
  for (float z : d.data) {
    EXPECT_GE(z, 0.1f);
    EXPECT_LE(z, 10.f);
  }
}

TEST(ImageIo, InputErrorsNameTheFile) {
  const std::string dir = fresh_dir();
  expect_error([&] { read_image(path_in(dir, "none.png")); }, ErrorKind::Input, "none.png: no such file");
  expect_error([&] { read_image(dir); }, ErrorKind::Input, "is a folder");
  std::ofstream(path_in(dir, "text.png")) << "not an image";
  expect_error([&] { read_image(path_in(dir, "text.png")); }, ErrorKind::Input, "text.png: not a readable image");

  Image bad(4, 4, 1, 1.f);
  bad.at(2, 1) = std::numeric_limits<float>::quiet_NaN();
  write_float_tiff(path_in(dir, "nan.tiff"), bad);
  expect_error([&] { read_image(path_in(dir, "nan.tiff")); }, ErrorKind::Input, "nan.tiff: contains NaN");
  bad.at(2, 1) = -0.5f;
  write_float_tiff(path_in(dir, "neg.tiff"), bad);
  expect_error([&] { read_image(path_in(dir, "neg.tiff")); }, ErrorKind::Input, "neg.tiff: contains negative");

  cv::Mat s16(3, 3, CV_16S, cv::Scalar(5));
  ASSERT_TRUE(cv::imwrite(path_in(dir, "signed.tiff"), s16));
  expect_error([&] { read_image(path_in(dir, "signed.tiff")); }, ErrorKind::Input, "signed.tiff: unsupported pixel");
}

TEST(ImageIo, WritesAreAtomicAndLeaveNoTemporaries) {
  const std::string dir = fresh_dir();
  const std::string p = path_in(dir, "x.tiff");
  write_float_tiff(p, Image(8, 8, 1, 2.f));
  write_float_tiff(p, Image(4, 2, 1, 3.f));  // replaced whole
  const LoadedImage li = read_image(p);
  EXPECT_EQ(li.image.width, 4);
  EXPECT_EQ(li.image.at(3, 1), 3.f);
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    ++files;
    EXPECT_EQ(e.path().filename(), "x.tiff");
  }
  EXPECT_EQ(files, 1);
  expect_error([&] { write_text_file(path_in(dir, "no/such/folder/r.json"), "{}"); }, ErrorKind::Runtime,
               "r.json: cannot create a temporary file");
}

TEST(ImageIo, DepthColourMapIsWarmNearColdFarWithLegend) {
  const std::string dir = fresh_dir();
  Image d(40, 30, 1, 5.f);
  for (int y = 0; y < 30; ++y) d.at(0, y) = 0.5f, d.at(39, y) = 8.f;  // nearest column left, farthest right
  write_depth_color(path_in(dir, "c.png"), d);
  const cv::Mat m = cv::imread(path_in(dir, "c.png"), cv::IMREAD_UNCHANGED);
  ASSERT_EQ(m.type(), CV_8UC3);
  EXPECT_GE(m.rows, 30);
  EXPECT_GT(m.cols, 40 + 20);                                                    // the legend panel beside the map
  const cv::Vec3b near = m.at<cv::Vec3b>(10, 0), far = m.at<cv::Vec3b>(10, 39);  // BGR
  EXPECT_GT(near[2], near[0]);                                                   // red over blue
  EXPECT_GT(far[0], far[2]);                                                     // blue over red
}

}  // namespace
}  // namespace dfd
