// Fuzz target: a batch manifest (JSON Lines, parse_batch_manifest) and each item's preset and
// overrides parsed by `dfd solve`'s flag definitions (OptionOverrides), applied and checked.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/option_overrides.h"
#include "dfd/batch.h"
#include "dfd/options.h"
#include "fuzz_input.h"

namespace {

// The overrides `dfd batch` refuses (the batch sets them for every item), as cmd_batch.cpp does.
const std::vector<std::pair<std::string, std::string>> kRefused = {
    {"backend", "set by dfd batch"},
    {"threads", "set by dfd batch"},
    {"out", "set by dfd batch"},
    {"force", "set by dfd batch"},
    {"preset", "use the item's \"preset\""},
    {"focus-distances", "use the item's \"focus_distances\""}};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string name = "fuzz.jsonl";
  std::vector<dfd::BatchItem> items;
  try {
    items = dfd::parse_batch_manifest(text, name, "/batch");
  } catch (const dfd::Error& e) {
    dfd::fuzz::check_reject(e, name);
    return 0;
  }
  for (const dfd::BatchItem& item : items) {
    try {
      dfd::Options opt = dfd::preset_options(item.preset.value_or("nyuv2"));
      std::vector<std::string> flags;
      for (const auto& [key, values] : item.overrides) {
        std::string joined;
        for (const auto& v : values) joined += (joined.empty() ? "" : ",") + v;
        flags.push_back(values.empty() ? key : key + "=" + joined);
      }
      const dfd::cli::OptionOverrides overrides(flags, kRefused, name);
      overrides.apply(opt);
      opt.validate();
    } catch (const dfd::Error& e) {
      dfd::fuzz::check_reject(e, "", /*usage_ok=*/true);
    }
  }
  return 0;
}
