// Fuzz target: a focus-distance CSV (read_focus_csv) for 1 to 8 frames; the first byte picks the
// frame count and whether the frames are files (a.png ...) or the pages of a TIFF z-stack.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dfd/stack_inputs.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static dfd::fuzz::InputFile file("focus.csv");
  if (size < 1) return 0;
  const int frames = 1 + (data[0] & 7);
  const bool pages = (data[0] & 8) != 0;
  std::vector<std::string> names;
  for (int i = 0; i < frames; ++i)
    names.push_back(pages ? "/s/stack.tif page " + std::to_string(i)
                          : "/s/frame" + std::to_string(i + 1) + (i % 2 ? ".png" : ".jpg"));
  const std::string& path = file.write(data + 1, size - 1);
  try {
    const std::vector<double> d = dfd::read_focus_csv(path, names);
    if (d.size() != names.size()) std::abort();
    for (double v : d)
      if (!(std::isfinite(v) && v > 0)) std::abort();
  } catch (const dfd::Error& e) {
    dfd::fuzz::check_reject(e, path);
  }
  return 0;
}
