// Fuzz target: MobileDepth's calibrated.txt (read_mobiledepth_calibration); the first byte is the
// frame count of the folder (0 to 63).
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "dfd/stack_inputs.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static dfd::fuzz::InputFile file("calibrated.txt");
  if (size < 1) return 0;
  const int frames = data[0] & 63;
  const std::string& path = file.write(data + 1, size - 1);
  try {
    const dfd::MobileDepthCalibration c = dfd::read_mobiledepth_calibration(path, frames);
    if (static_cast<int>(c.focus_distances.size()) != frames || !(c.focal_length > 0) || !std::isfinite(c.aperture()))
      std::abort();
  } catch (const dfd::Error& e) {
    dfd::fuzz::check_reject(e, path);
  }
  return 0;
}
