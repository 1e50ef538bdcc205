// Cooperative cancellation: one process-wide flag, set by request_stop (signal-safe), read at safe points.
#include "dfd/cancel.h"

#include <atomic>
#include <csignal>
#include <string>

#include "dfd/error.h"

namespace dfd {

namespace {

// Lock-free atomics are async-signal-safe; the signal number is kept with the flag.
std::atomic<int> g_stop{0};  // 0: no request; else signal + 1 (1 for a request without a signal)
static_assert(std::atomic<int>::is_always_lock_free, "the stop flag must be usable from a signal handler");

extern "C" void on_stop_signal(int sig) {
  if (g_stop.load(std::memory_order_relaxed) != 0) {
    // A second signal: the user insists. The default action ends the process now.
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  g_stop.store(sig + 1, std::memory_order_relaxed);
}

}  // namespace

void request_stop(int signal) { g_stop.store(signal > 0 ? signal + 1 : 1, std::memory_order_relaxed); }

bool stop_requested() { return g_stop.load(std::memory_order_relaxed) != 0; }

int stop_signal() {
  const int s = g_stop.load(std::memory_order_relaxed);
  return s > 1 ? s - 1 : 0;
}

void clear_stop() { g_stop.store(0, std::memory_order_relaxed); }

void throw_if_stopped(const char* where) {
  const int sig = stop_signal();
  if (!stop_requested()) return;
  const std::string name = sig == SIGINT    ? "SIGINT"
                           : sig == SIGTERM ? "SIGTERM"
                           : sig > 0        ? "signal " + std::to_string(sig)
                                            : "";
  throw Error(ErrorKind::Interrupted,
              std::string("interrupted") + (name.empty() ? "" : " by " + name) + " (stopped " + where + ")",
              sig > 0 ? 128 + sig : static_cast<int>(ErrorKind::Interrupted));
}

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocking read returns EINTR and the loop sees the flag
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

}  // namespace dfd
