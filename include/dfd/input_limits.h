// Size limits of the input parsers: counts read from a file's text or header (frames of a stack,
// pages of a TIFF, elements of a MAT array), checked before anything of that size is allocated.
// Exceeding one is Error(OutOfMemory) (exit 5) naming the file, the count and the limit.
#pragma once

#include <cstddef>
#include <string>

#include "dfd/error.h"

namespace dfd {

// Frames of one focal stack: a STACK.json's "frames" and "focus_distances", a batch item's, the
// pages of a TIFF z-stack. Real stacks have 5 to 200 frames; 10,000 frames of even a 1 MP image
// would be 40 GB of float planes.
constexpr int kMaxStackFrames = 10000;
// Elements of one MAT array read (a block or a whole variable; each becomes a double): 2^28 is
// 2 GiB of doubles, far above the datasets' largest read (one NYUv2 sample: 921,600 values).
constexpr size_t kMaxMatElements = size_t(1) << 28;

// Error(OutOfMemory) for an input over one of these limits.
[[noreturn]] inline void throw_input_too_large(const std::string& what) { throw Error(ErrorKind::OutOfMemory, what); }

// "<where>: <what> (at most <limit>; ...)": the message of a refusal, e.g.
// ("x.tif", "more than 10000 pages", "10000 frames a stack").
inline std::string over_limit_message(const std::string& where, const std::string& what, const std::string& limit) {
  return where + ": " + what + ", more than dfd accepts (at most " + limit +
         "; a size limit of dfd's input parsers, checked before anything is loaded, with no override)";
}

}  // namespace dfd
