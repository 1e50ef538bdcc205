// The run's date, source commit and host, for the bench reports.
#include "run_info.h"

#include <omp.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "dfd/ceilings.h"

namespace dfd::bench_info {

namespace {

std::string run_command(const std::string& cmd) {
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[256];
    while (fgets(buf, sizeof buf, p)) out += buf;
    pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace

std::string source_commit() {
#ifdef DFD_SOURCE_DIR
  const std::string git = "git -C '" + std::string(DFD_SOURCE_DIR) + "' ";
  std::string c = run_command(git + "rev-parse --short=12 HEAD 2>/dev/null");
  if (c.empty()) return "unknown";
  if (!run_command(git + "status --porcelain --untracked-files=no 2>/dev/null").empty()) c += "+dirty";
  return c;
#else
  return "unknown";
#endif
}

size_t mem_available_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  size_t kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024;
  return 0;
}

std::string gib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
  return buf;
}

std::string host_description() {
  std::ostringstream host;
  host << cpu_model_name() << ", " << omp_get_max_threads() << " threads, "
       << gib(static_cast<double>(mem_available_bytes())) << " available";
  return host.str();
}

}  // namespace dfd::bench_info
