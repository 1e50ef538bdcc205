// Parsing of sample index lists ("all", "3", "0,5-9") for the dataset converters.
#include <algorithm>
#include <cctype>

#include "dfd/datasets.h"
#include "dfd/error.h"

namespace dfd {

namespace {

// A non-negative decimal integer filling `s`, or -1.
long parse_count(const std::string& s) {
  if (s.empty() || s.size() > 9) return -1;
  for (char ch : s)
    if (!std::isdigit(static_cast<unsigned char>(ch))) return -1;
  return std::stol(s);
}

}  // namespace

std::vector<int> parse_index_list(const std::string& spec, int count, const std::string& what) {
  std::vector<int> out;
  if (spec == "all") {
    for (int i = 0; i < count; ++i) out.push_back(i);
    return out;
  }
  auto bad = [&](const std::string& why) {
    throw_usage(what + ": bad index list '" + spec + "': " + why + " (expected all, N, N,M,... or A-B; 0-based)");
  };
  size_t pos = 0;
  while (pos <= spec.size()) {
    const size_t comma = std::min(spec.find(',', pos), spec.size());
    const std::string item = spec.substr(pos, comma - pos);
    const size_t dash = item.find('-');
    const long a = parse_count(item.substr(0, dash));
    const long b = dash == std::string::npos ? a : parse_count(item.substr(dash + 1));
    if (a < 0 || b < 0) bad("'" + item + "' is not an index or a range");
    if (b < a) bad("range '" + item + "' runs backwards");
    if (b >= count)
      throw_usage(what + ": index " + std::to_string(b) + " is out of range (the file holds " + std::to_string(count) +
                  " samples, 0.." + std::to_string(count - 1) + ")");
    for (long i = a; i <= b; ++i) out.push_back(static_cast<int>(i));
    pos = comma + 1;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace dfd
