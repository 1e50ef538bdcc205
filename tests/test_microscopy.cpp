// Microscopy units: the z step of ImageJ and OME-TIFF z-stacks (or --z-step) turns the
// uncalibrated depth into focus position in physical units, with points.ply in the same units.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dense_sweep.h"
#include "dfd/io.h"
#include "dfd/outputs.h"
#include "dfd/stack_inputs.h"
#include "test_io_util.h"

namespace dfd {
namespace {

using testing::fresh_dir;
using testing::path_in;
using testing::slurp;

// A baseline little-endian TIFF of 8-bit grey pages (one strip each, uncompressed) whose first
// page carries `description` (ImageDescription) and `x_resolution` (pixels per unit, 0: none):
// what ImageJ and OME writers produce, written by hand since OpenCV writes no description.
void write_tiff_pages(const std::string& path, const std::vector<Image>& pages, double range,
                      const std::string& description, double x_resolution = 0) {
  std::string out = std::string("II*\0", 4);
  auto u16 = [](std::string& s, uint32_t v) { s += static_cast<char>(v & 255), s += static_cast<char>(v >> 8 & 255); };
  auto u32 = [&](std::string& s, uint32_t v) { u16(s, v & 0xFFFF), u16(s, v >> 16); };
  u32(out, 0);  // first IFD offset, patched below
  std::vector<uint32_t> ifd_offsets;
  const std::string desc = description + std::string(1, '\0');
  for (size_t p = 0; p < pages.size(); ++p) {
    const Image& im = pages[p];
    const uint32_t pixels_at = static_cast<uint32_t>(out.size());
    for (float v : im.data)
      out += static_cast<char>(static_cast<uint8_t>(std::lround(std::clamp(v / range * 255.0, 0.0, 255.0))));
    uint32_t desc_at = 0, xres_at = 0;
    if (p == 0 && !description.empty()) {
      desc_at = static_cast<uint32_t>(out.size());
      out += desc;
    }
    if (p == 0 && x_resolution > 0) {
      xres_at = static_cast<uint32_t>(out.size());
      u32(out, static_cast<uint32_t>(std::lround(x_resolution * 1000)));
      u32(out, 1000);
    }
    if (out.size() % 2) out += '\0';
    ifd_offsets.push_back(static_cast<uint32_t>(out.size()));
    struct Entry {
      uint32_t tag, type, count, value;
    };
    std::vector<Entry> e = {{256, 4, 1, static_cast<uint32_t>(im.width)},
                            {257, 4, 1, static_cast<uint32_t>(im.height)},
                            {258, 3, 1, 8},
                            {259, 3, 1, 1},
                            {262, 3, 1, 1},
                            {273, 4, 1, pixels_at},
                            {277, 3, 1, 1},
                            {278, 4, 1, static_cast<uint32_t>(im.height)},
                            {279, 4, 1, static_cast<uint32_t>(im.width * im.height)}};
    if (desc_at) e.insert(e.begin() + 3, {270, 2, static_cast<uint32_t>(desc.size()), desc_at});
    if (xres_at) e.push_back({282, 5, 1, xres_at});
    std::sort(e.begin(), e.end(), [](const Entry& a, const Entry& b) { return a.tag < b.tag; });
    u16(out, static_cast<uint32_t>(e.size()));
    for (const Entry& x : e) {
      u16(out, x.tag);
      u16(out, x.type);
      u32(out, x.count);
      if (x.type == 3) {
        u16(out, x.value);
        u16(out, 0);
      } else {
        u32(out, x.value);
      }
    }
    u32(out, 0);  // next IFD, patched
  }
  auto patch = [&](size_t at, uint32_t v) {
    std::string b;
    u32(b, v);
    out.replace(at, 4, b);
  };
  patch(4, ifd_offsets[0]);
  for (size_t p = 0; p + 1 < ifd_offsets.size(); ++p) {
    const uint32_t n = static_cast<uint8_t>(out[ifd_offsets[p]]) | static_cast<uint8_t>(out[ifd_offsets[p] + 1]) << 8;
    patch(ifd_offsets[p] + 2 + 12 * n, ifd_offsets[p + 1]);
  }
  std::ofstream(path, std::ios::binary) << out;
}

FocalStack sweep() { return test::dense_sweep(9, 1.2, 48, 40); }

TEST(Microscopy, ImageJAndOmeMetadataGiveTheZStep) {
  const std::string dir = fresh_dir();
  const FocalStack s = sweep();
  write_tiff_pages(path_in(dir, "ij.tif"), s.frames, s.range,
                   "ImageJ=1.54f\nimages=9\nslices=9\nunit=micron\nspacing=0.5\nloop=false\n", 4.0);
  auto ij = read_tiff_physical_scale(path_in(dir, "ij.tif"));
  ASSERT_TRUE(ij);
  EXPECT_DOUBLE_EQ(ij->z_step, 0.5);
  EXPECT_EQ(ij->unit, "\xC2\xB5m");
  EXPECT_DOUBLE_EQ(ij->xy_step, 0.25);
  EXPECT_NE(ij->source.find("ImageJ"), std::string::npos);

  write_tiff_pages(
      path_in(dir, "ome.tif"), s.frames, s.range,
      "<?xml version=\"1.0\"?><OME xmlns=\"http://www.openmicroscopy.org/Schemas/OME/2016-06\"><Image ID=\"Image:0\">"
      "<Pixels ID=\"Pixels:0\" DimensionOrder=\"XYZCT\" PhysicalSizeX=\"650\" PhysicalSizeXUnit=\"nm\" "
      "PhysicalSizeZ=\"2\" PhysicalSizeZUnit=\"\xC2\xB5m\" SizeX=\"48\" SizeY=\"40\" SizeZ=\"9\" Type=\"uint8\"/>"
      "</Image></OME>");
  auto ome = read_tiff_physical_scale(path_in(dir, "ome.tif"));
  ASSERT_TRUE(ome);
  EXPECT_DOUBLE_EQ(ome->z_step, 2.0);
  EXPECT_EQ(ome->unit, "\xC2\xB5m");
  EXPECT_NEAR(ome->xy_step, 0.65, 1e-12);  // nm converted to the z unit

  // No metadata, no z step, or a description that is neither: nothing.
  write_tiff_pages(path_in(dir, "plain.tif"), s.frames, s.range, "");
  EXPECT_FALSE(read_tiff_physical_scale(path_in(dir, "plain.tif")));
  write_tiff_pages(path_in(dir, "nospacing.tif"), s.frames, s.range, "ImageJ=1.54f\nimages=9\nunit=micron\n");
  EXPECT_FALSE(read_tiff_physical_scale(path_in(dir, "nospacing.tif")));
  write_tiff_pages(path_in(dir, "other.tif"), s.frames, s.range, "made by a camera");
  EXPECT_FALSE(read_tiff_physical_scale(path_in(dir, "other.tif")));
  EXPECT_FALSE(read_tiff_physical_scale(path_in(dir, "missing.tif")));
  // The hand-written stack is a real TIFF: its pages load.
  EXPECT_EQ(load_tiff_stack(path_in(dir, "ij.tif")).count(), 9);
}

#ifdef DFD_CLI
nlohmann::json report_of(const std::string& dir) { return nlohmann::json::parse(slurp(path_in(dir, "report.json"))); }

TEST(Microscopy, TheZStepTurnsTheDepthIntoFocusPosition) {
  const std::string dir = fresh_dir();
  const FocalStack s = sweep();
  write_tiff_pages(path_in(dir, "ij.tif"), s.frames, s.range,
                   "ImageJ=1.54f\nimages=9\nslices=9\nunit=micron\nspacing=0.5\n", 4.0);
  write_tiff_pages(path_in(dir, "plain.tif"), s.frames, s.range, "");
  const std::string flags = " --uncalibrated --blur-scale 1.2 --epochs 2 --threads 1 --quiet --ply";
  ASSERT_EQ(testing::run_dfd(dir, "solve plain.tif --out rel" + flags).code, 0);
  const auto ij = testing::run_dfd(dir, "solve ij.tif --out um" + flags);
  ASSERT_EQ(ij.code, 0) << ij.err;

  // The same solve; its depth scaled by the z step.
  const Image rel = read_depth(path_in(dir, "rel/depth.tiff")), um = read_depth(path_in(dir, "um/depth.tiff"));
  ASSERT_EQ(rel.data.size(), um.data.size());
  for (size_t i = 0; i < rel.data.size(); ++i) ASSERT_FLOAT_EQ(um.data[i], static_cast<float>(rel.data[i] * 0.5)) << i;
  const auto r = report_of(path_in(dir, "um"));
  EXPECT_DOUBLE_EQ(r["physical"]["z_step"].get<double>(), 0.5);
  EXPECT_EQ(r["physical"]["unit"], "\xC2\xB5m");
  EXPECT_DOUBLE_EQ(r["physical"]["xy_step"].get<double>(), 0.25);
  EXPECT_NE(r["model"]["depth_unit"].get<std::string>().find("\xC2\xB5m"), std::string::npos);
  EXPECT_NE(r["depth16"]["unit"].get<std::string>().find("\xC2\xB5m"), std::string::npos);
  EXPECT_NE(r["ply"]["units"].get<std::string>().find("x, y, z in \xC2\xB5m"), std::string::npos) << r["ply"].dump();
  EXPECT_FALSE(report_of(path_in(dir, "rel")).contains("physical"));
  // The PLY's header says so too.
  EXPECT_NE(slurp(path_in(dir, "um/points.ply")).find("focus position in \xC2\xB5m"), std::string::npos);

  // --z-step over the metadata; a calibrated solve refuses it.
  ASSERT_EQ(testing::run_dfd(dir, "solve ij.tif --out flag --z-step 2 --z-unit mm" + flags).code, 0);
  const auto f = report_of(path_in(dir, "flag"));
  EXPECT_DOUBLE_EQ(f["physical"]["z_step"].get<double>(), 2.0);
  EXPECT_EQ(f["physical"]["unit"], "mm");
  const auto cal = testing::run_dfd(dir,
                                    "solve plain.tif --preset nyuv2 --focus-distances 1,2,3,4,5,6,7,8,9 "
                                    "--epochs 1 --z-step 2 --out cal");
  EXPECT_EQ(cal.code, 2) << cal.err;
  EXPECT_NE(cal.err.find("--uncalibrated"), std::string::npos) << cal.err;
}
#endif

}  // namespace
}  // namespace dfd
