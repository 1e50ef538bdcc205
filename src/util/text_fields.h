// Small text helpers of the line-based input files (calibrated.txt, focus CSVs): trimming, splitting, strict numbers.
#pragma once

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace dfd::text {

inline std::string trim(const std::string& s) {
  const char* ws = " \t\r\n\v\f";
  const size_t b = s.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

// Splits on any of `separators`; with `merge` runs of separators count as one and empty
// fields at the ends are dropped (whitespace), otherwise every field is kept (CSV).
inline std::vector<std::string> split(const std::string& s, const std::string& separators, bool merge) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (separators.find(c) != std::string::npos) {
      if (!merge || !cur.empty()) out.push_back(trim(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!merge || !cur.empty()) out.push_back(trim(cur));
  return out;
}

// The whole field as a finite number, or nothing ("1.5x", "", "nan" and "inf" are not numbers).
inline std::optional<double> number(const std::string& field) {
  const std::string t = trim(field);
  if (t.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size() || errno == ERANGE || !std::isfinite(v)) return std::nullopt;
  return v;
}

// Lowercase copy (ASCII).
inline std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace dfd::text
