// Error classes of dfd; each maps to a distinct process exit code.
#pragma once

#include <stdexcept>
#include <string>

namespace dfd {

enum class ErrorKind {
  Usage = 2,        // bad command line: unknown flag, missing value
  Input = 3,        // bad input data: unreadable image, inconsistent stack, invalid option value
  Runtime = 4,      // failure while solving or writing results
  OutOfMemory = 5,  // the problem does not fit in (device) memory
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  ErrorKind kind() const { return kind_; }
  int exit_code() const { return static_cast<int>(kind_); }

 private:
  ErrorKind kind_;
};

[[noreturn]] inline void throw_input(const std::string& what) { throw Error(ErrorKind::Input, what); }
[[noreturn]] inline void throw_usage(const std::string& what) { throw Error(ErrorKind::Usage, what); }
[[noreturn]] inline void throw_runtime(const std::string& what) { throw Error(ErrorKind::Runtime, what); }

}  // namespace dfd
