// Error classes of dfd; each maps to a distinct process exit code.
#pragma once

#include <cerrno>
#include <stdexcept>
#include <string>

namespace dfd {

enum class ErrorKind {
  Usage = 2,          // bad command line: unknown flag, missing value
  Input = 3,          // bad input data: unreadable image, inconsistent stack, invalid option value
  Runtime = 4,        // failure while solving or writing results
  OutOfMemory = 5,    // the problem does not fit in (device) memory, or is over the memory limit
  Interrupted = 130,  // stopped by SIGINT/SIGTERM or request_stop (exit 128 + signal: 130, 143)
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  // `exit_code` > 0 replaces the kind's own (an interrupt exits 128 + its signal).
  Error(ErrorKind kind, const std::string& what, int exit_code)
      : std::runtime_error(what), kind_(kind), exit_code_(exit_code) {}
  ErrorKind kind() const { return kind_; }
  int exit_code() const { return exit_code_ > 0 ? exit_code_ : static_cast<int>(kind_); }

 private:
  ErrorKind kind_;
  int exit_code_ = 0;
};

// A failed operation on a file, with the system's errno (ENOSPC: the disk is full).
class FileError : public Error {
 public:
  FileError(const std::string& what, int error_number) : Error(ErrorKind::Runtime, what), errno_(error_number) {}
  int error_number() const { return errno_; }
  bool disk_full() const { return errno_ == ENOSPC || errno_ == EDQUOT; }

 private:
  int errno_;
};

[[noreturn]] inline void throw_input(const std::string& what) { throw Error(ErrorKind::Input, what); }
[[noreturn]] inline void throw_usage(const std::string& what) { throw Error(ErrorKind::Usage, what); }
[[noreturn]] inline void throw_runtime(const std::string& what) { throw Error(ErrorKind::Runtime, what); }
[[noreturn]] inline void throw_out_of_memory(const std::string& what) { throw Error(ErrorKind::OutOfMemory, what); }

}  // namespace dfd
