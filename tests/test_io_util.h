// Helpers of the I/O, synthetic-scene and CLI tests: fresh temp folders, small test images.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "dfd/image.h"
#include "dfd/io.h"
#include "dfd/synthetic.h"

namespace dfd::testing {

// A fresh, empty folder under the gtest temp dir, named after the running test.
inline std::string fresh_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string name =
      std::string("dfd_") + info->test_suite_name() + "_" + info->name() + "_" + std::to_string(::getpid());
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

inline std::string path_in(const std::string& dir, const std::string& name) {
  return (std::filesystem::path(dir) / name).string();
}

// The whole content of a text file ("" when it cannot be read).
inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Two 8-bit 64x48 frames of the synthetic scene, focused at 1 m and 4 m (nyuv2 camera), as
// dir/a.png and dir/b.png: the smallest stack `dfd solve` takes from the command line.
inline void write_frames(const std::string& dir) {
  SceneSpec spec;
  spec.width = 64;
  spec.height = 48;
  const SyntheticScene sc = make_synthetic_scene(spec);
  write_png8(path_in(dir, "a.png"), sc.stack.frames[0], 255);
  write_png8(path_in(dir, "b.png"), sc.stack.frames[3], 255);
}

#ifdef DFD_CLI
// One run of the dfd binary: exit code (-1 if it did not exit normally), stdout, stderr.
struct CliRun {
  int code = -1;
  std::string out, err;
};

// Runs the dfd binary with `args` (already shell-quoted where needed) inside `dir`.
inline CliRun run_dfd(const std::string& dir, const std::string& args) {
  const std::string out = path_in(dir, ".stdout"), err = path_in(dir, ".stderr");
  const std::string cmd = "cd '" + dir + "' && '" + DFD_CLI + "' " + args + " >'" + out + "' 2>'" + err + "'";
  const int status = std::system(cmd.c_str());
  CliRun r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}
#endif

// An image whose every sample differs: value = (offset + i * step) mod modulus.
inline Image ramp_image(int w, int h, int c, double step, double modulus, double offset = 0) {
  Image im(w, h, c);
  for (size_t i = 0; i < im.data.size(); ++i)
    im.data[i] = static_cast<float>(std::fmod(offset + static_cast<double>(i) * step, modulus));
  return im;
}

}  // namespace dfd::testing
