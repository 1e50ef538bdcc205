// Measurement helpers of the bench: median/min/max of repeats and the process's peak memory.
#include <sys/resource.h>

#include <algorithm>
#include <fstream>

#include "dfd/bench.h"
#include "dfd/error.h"

namespace dfd {

Stats summarize(std::vector<double> samples) {
  if (samples.empty()) throw_input("summarize: no samples to summarise");
  std::sort(samples.begin(), samples.end());
  const size_t n = samples.size();
  Stats s;
  s.count = static_cast<int>(n);
  s.min = samples.front();
  s.max = samples.back();
  s.median = n % 2 ? samples[n / 2] : 0.5 * (samples[n / 2 - 1] + samples[n / 2]);
  return s;
}

size_t peak_host_bytes() {
  rusage ru{};
  if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
  return static_cast<size_t>(ru.ru_maxrss) * 1024;  // Linux reports kilobytes
}

bool reset_peak_host_bytes() {
  // Writing 5 resets the peak RSS of the process's memory map (Linux >= 4.0); ru_maxrss then
  // reports the peak since the reset (threads that already exited keep their old peak).
  std::ofstream f("/proc/self/clear_refs");
  if (!f) return false;
  f << "5";
  f.flush();
  return static_cast<bool>(f);
}

}  // namespace dfd
