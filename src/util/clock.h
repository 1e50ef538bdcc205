// Time and host helpers shared by every layer: elapsed seconds, UTC timestamps, the host's name.
#pragma once

#include <chrono>
#include <string>

namespace dfd {

// Seconds of std::chrono::steady_clock since t0.
inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The current UTC time as "2026-11-22T05:56:00Z".
std::string utc_now();

// gethostname(), or "" when it fails (callers pick their fallback).
std::string host_name();

// host_name() with characters other than [A-Za-z0-9_-] replaced by '_' ("host" when unknown):
// for file names that record which host wrote them (batch staging folders, staged results).
std::string file_safe_host_name();

}  // namespace dfd
