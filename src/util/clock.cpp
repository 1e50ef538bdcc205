// Time and host helpers (util/clock.h).
#include "util/clock.h"

#include <unistd.h>

#include <ctime>

namespace dfd {

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string host_name() {
  char buf[256] = {0};
  return ::gethostname(buf, sizeof(buf) - 1) == 0 ? std::string(buf) : std::string();
}

std::string file_safe_host_name() {
  std::string h;
  for (const char c : host_name()) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    h += ok ? c : '_';
  }
  return h.empty() ? "host" : h;
}

}  // namespace dfd
