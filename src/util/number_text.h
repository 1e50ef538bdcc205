// Numbers in messages and reports: one formatting for every file (no per-file copies).
#pragma once

#include <cstdio>
#include <sstream>
#include <string>

namespace dfd {

// Up to 10 significant digits (settings and values a user typed: shown as given).
inline std::string format_number(double v) {
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

// Up to 6 significant digits (measured values, pixel intensities).
inline std::string format_number_short(double v) {
  std::ostringstream s;
  s.precision(6);
  s << v;
  return s.str();
}

// One number through a printf format such as "%.2f" (labels, tables).
inline std::string format_printf(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

}  // namespace dfd
