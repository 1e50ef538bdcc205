// The host memory a run may use, and the checks made against it before anything large is
// allocated: a decoded frame, the whole decoded stack, the solve's working set. Over the limit
// is Error(OutOfMemory) (exit 5), naming the need, the limit and how to change it.
#pragma once

#include <cstddef>
#include <string>

namespace dfd {

struct MemoryLimit {
  size_t bytes = 0;
  std::string source;  // "--max-memory 8 GiB", "85% of the 20.1 GiB available (MemAvailable)", ...
};

// The fraction of the available memory the default limit takes.
constexpr double kDefaultMemoryFraction = 0.85;

// What this process can still allocate: the least of the memory the kernel reports available
// (MemAvailable), the cgroup's limit less its usage (v2 and v1), and the address-space and data
// limits (RLIMIT_AS, RLIMIT_DATA) less what is mapped. `what` (optional) names the least.
size_t available_host_memory(std::string* what = nullptr);

// Sets the limit (--max-memory); 0 restores the default, kDefaultMemoryFraction of the
// available memory at the time of each check.
void set_max_memory(size_t bytes);
MemoryLimit host_memory_limit();

// Error(OutOfMemory) when `need` bytes exceed the limit:
//   "<what> would take 10.1 GiB of memory, more than the limit of 5.2 GiB (85% of the 6.1 GiB
//    available, MemAvailable); --max-memory raises it"
void check_host_memory(size_t need, const std::string& what);

// "8G", "8GiB", "512M", "1.5T", "1000000" (bytes); k/M/G/T are powers of 1024. Error(Usage)
// naming `flag` and the text for anything else, or for 0.
size_t parse_memory_size(const std::string& text, const std::string& flag = "--max-memory");

// "512 B", "12.3 MiB", "10.1 GiB".
std::string format_bytes(double bytes);

}  // namespace dfd
