// Fuzz target: STACK.json (read_manifest), then its preset and settings applied and checked the
// way a solve does (Options::validate: rejects name option fields, not the file).
#include <cstddef>
#include <cstdint>

#include "dfd/io.h"
#include "dfd/options.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static dfd::fuzz::InputFile file("STACK.json");
  const std::string& path = file.write(data, size);
  dfd::StackManifest m;
  try {
    m = dfd::read_manifest(path);
  } catch (const dfd::Error& e) {
    dfd::fuzz::check_reject(e, path);
    return 0;
  }
  try {
    dfd::Options opt = dfd::preset_options(m.preset.value_or("nyuv2"));
    m.apply(opt);
    opt.validate();
  } catch (const dfd::Error& e) {
    dfd::fuzz::check_reject(e, "", /*usage_ok=*/true);
  }
  return 0;
}
