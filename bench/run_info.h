// What every bench report records about its run: the commit of the source tree, the host and
// its available memory (shared by `dfd bench` and `dfd bench --robustness`); the UTC date is
// util/clock.h's utc_now.
#pragma once

#include <cstddef>
#include <string>

namespace dfd::bench_info {

// `git rev-parse --short=12 HEAD` of the source tree, "+dirty" when tracked files are modified;
// "unknown" outside a git checkout.
std::string source_commit();
// MemAvailable of /proc/meminfo in bytes (0 when unknown).
size_t mem_available_bytes();
// "<CPU model>, <n> threads, <x> GiB available".
std::string host_description();
// "1.5 GiB".
std::string gib(double bytes);

}  // namespace dfd::bench_info
