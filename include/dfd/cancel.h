// Cooperative cancellation of a running solve or batch: a stop request (from a signal handler,
// another thread or a library caller) is seen at the solver's next safe point, which throws
// Error(Interrupted). Nothing is left half written: the writers stage their results and only a
// finished run renames them into place.
#pragma once

namespace dfd {

// Asks the running work to stop at its next safe point. `signal` is what the process exit
// status reports (128 + signal, as a shell does; 0 for a request that is not a signal).
// Async-signal-safe: a signal handler may call it.
void request_stop(int signal = 0);
// Whether a stop was requested (and not cleared since).
bool stop_requested();
// The signal of the stop request, 0 when none or not a signal.
int stop_signal();
// Forgets a stop request (a library caller that wants to run again).
void clear_stop();
// Throws Error(Interrupted) when a stop was requested; `where` names the safe point.
void throw_if_stopped(const char* where);

// Installs handlers for SIGINT and SIGTERM that call request_stop; a second signal of either
// kind ends the process at once with the default action. For programs (the dfd CLI), not for
// libraries that share the process with other code.
void install_stop_handlers();

}  // namespace dfd
