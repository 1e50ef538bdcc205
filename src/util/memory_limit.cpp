// Host memory limits: what the machine, the cgroup and the rlimits allow, and the checks against it.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

#include "dfd/error.h"
#include "dfd/memory.h"

namespace dfd {

namespace {

std::atomic<size_t> g_max_memory{0};

constexpr size_t kUnlimited = std::numeric_limits<size_t>::max();

// A "<key>: <n> kB" line of a /proc file, in bytes; kUnlimited when absent.
size_t proc_kb(const char* file, const std::string& key) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line))
    if (line.compare(0, key.size() + 1, key + ":") == 0) {
      std::istringstream s(line.substr(key.size() + 1));
      unsigned long long kb = 0;
      if (s >> kb) return static_cast<size_t>(kb) * 1024;
    }
  return kUnlimited;
}

// One number in a file ("max" or unreadable: kUnlimited).
size_t file_number(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  if (!(in >> text) || text == "max") return kUnlimited;
  try {
    const unsigned long long v = std::stoull(text);
    return v >= (1ull << 62) ? kUnlimited : static_cast<size_t>(v);  // v1 writes ~2^63 for "none"
  } catch (...) {
    return kUnlimited;
  }
}

// The cgroup this process is in: its memory limit less its usage (v2, else v1).
size_t cgroup_headroom() {
  std::ifstream in("/proc/self/cgroup");
  std::string line, v2_path, v1_path;
  while (std::getline(in, line)) {
    if (line.compare(0, 3, "0::") == 0) v2_path = line.substr(3);
    const size_t a = line.find(":memory:");
    if (a != std::string::npos) v1_path = line.substr(a + 8);
  }
  if (!v2_path.empty()) {
    const std::string base = "/sys/fs/cgroup" + (v2_path == "/" ? std::string() : v2_path);
    const size_t max = file_number(base + "/memory.max");
    if (max != kUnlimited) {
      const size_t used = file_number(base + "/memory.current");
      return used == kUnlimited ? max : (max > used ? max - used : 0);
    }
  }
  if (!v1_path.empty()) {
    const std::string base = "/sys/fs/cgroup/memory" + (v1_path == "/" ? std::string() : v1_path);
    const size_t max = file_number(base + "/memory.limit_in_bytes");
    if (max != kUnlimited) {
      const size_t used = file_number(base + "/memory.usage_in_bytes");
      return used == kUnlimited ? max : (max > used ? max - used : 0);
    }
  }
  return kUnlimited;
}

size_t rlimit_headroom(int resource, const char* status_key) {
  rlimit rl{};
  if (::getrlimit(resource, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return kUnlimited;
  const size_t used = proc_kb("/proc/self/status", status_key);
  const size_t lim = static_cast<size_t>(rl.rlim_cur);
  return used == kUnlimited ? lim : (lim > used ? lim - used : 0);
}

}  // namespace

size_t available_host_memory(std::string* what) {
  struct Bound {
    size_t bytes;
    const char* name;
  };
  const Bound bounds[] = {
      {proc_kb("/proc/meminfo", "MemAvailable"), "MemAvailable"},
      {cgroup_headroom(), "the cgroup's memory limit"},
      {rlimit_headroom(RLIMIT_AS, "VmSize"), "the address-space limit (ulimit -v)"},
      {rlimit_headroom(RLIMIT_DATA, "VmData"), "the data-segment limit (ulimit -d)"},
  };
  Bound least{kUnlimited, "no limit found"};
  for (const Bound& b : bounds)
    if (b.bytes < least.bytes) least = b;
  if (least.bytes == kUnlimited) {  // no /proc: the physical memory
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0) least = {static_cast<size_t>(pages) * static_cast<size_t>(page), "physical memory"};
  }
  if (what) *what = least.name;
  return least.bytes;
}

void set_max_memory(size_t bytes) { g_max_memory.store(bytes); }

MemoryLimit host_memory_limit() {
  const size_t set = g_max_memory.load();
  if (set > 0) return {set, "--max-memory " + format_bytes(static_cast<double>(set))};
  std::string what;
  const size_t avail = available_host_memory(&what);
  if (avail == kUnlimited) return {kUnlimited, "no limit known"};
  char pct[16];
  std::snprintf(pct, sizeof pct, "%.0f%%", kDefaultMemoryFraction * 100);
  return {static_cast<size_t>(kDefaultMemoryFraction * static_cast<double>(avail)),
          std::string(pct) + " of the " + format_bytes(static_cast<double>(avail)) + " available, " + what};
}

void check_host_memory(size_t need, const std::string& what) {
  const MemoryLimit lim = host_memory_limit();
  if (need <= lim.bytes) return;
  throw Error(ErrorKind::OutOfMemory,
              what + " would take " + format_bytes(static_cast<double>(need)) + " of memory, more than the limit of " +
                  format_bytes(static_cast<double>(lim.bytes)) + " (" + lim.source + "); --max-memory sets the limit");
}

size_t parse_memory_size(const std::string& text, const std::string& flag) {
  auto bad = [&]() -> size_t {
    throw_usage(flag + " " + text + ": not a memory size (a positive number of bytes, or with a unit: 512M, 8G, 1.5T)");
  };
  size_t i = 0;
  double v = 0;
  try {
    v = std::stod(text, &i);
  } catch (...) {
    return bad();
  }
  std::string unit = text.substr(i);
  while (!unit.empty() && unit.front() == ' ') unit.erase(unit.begin());
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  double mul = 0;
  if (unit.empty() || unit == "B")
    mul = 1;
  else if (unit == "K" || unit == "KB" || unit == "KIB")
    mul = 1024.0;
  else if (unit == "M" || unit == "MB" || unit == "MIB")
    mul = 1024.0 * 1024;
  else if (unit == "G" || unit == "GB" || unit == "GIB")
    mul = 1024.0 * 1024 * 1024;
  else if (unit == "T" || unit == "TB" || unit == "TIB")
    mul = 1024.0 * 1024 * 1024 * 1024;
  const double bytes = v * mul;
  if (!(mul > 0) || !std::isfinite(bytes) || !(bytes >= 1) || bytes > 9.0e18) return bad();
  return static_cast<size_t>(bytes);
}

std::string format_bytes(double b) {
  char buf[32];
  if (b < 1024)
    std::snprintf(buf, sizeof buf, "%.0f B", b);
  else if (b < 1024.0 * 1024)
    std::snprintf(buf, sizeof buf, "%.1f KiB", b / 1024);
  else if (b < 1024.0 * 1024 * 1024)
    std::snprintf(buf, sizeof buf, "%.1f MiB", b / (1024.0 * 1024));
  else
    std::snprintf(buf, sizeof buf, "%.1f GiB", b / (1024.0 * 1024 * 1024));
  return buf;
}

}  // namespace dfd
