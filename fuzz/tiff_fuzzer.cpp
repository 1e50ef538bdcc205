// Fuzz target: a multi-page TIFF z-stack (tiff_page_count, load_tiff_stack through OpenCV).
#include <cstddef>
#include <cstdint>

#include "dfd/stack_inputs.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static dfd::fuzz::InputFile file("stack.tif");
  const std::string& path = file.write(data, size);
  try {
    (void)dfd::tiff_page_count(path);
    const dfd::FocalStack s = dfd::load_tiff_stack(path);
    if (s.frames.size() < 2 || s.frames.size() != s.sources.size()) std::abort();
  } catch (const dfd::Error& e) {
    dfd::fuzz::check_reject(e, path);
  }
  return 0;
}
