// A MATLAB .mat file (v5 or v7.3/HDF5) through matio: checked variable lookup and hyperslab reads.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "dfd/input_limits.h"

struct _mat_t;  // NOLINT(bugprone-reserved-identifier): matio's own name for its file handle (matio.h)
struct matvar_t;

namespace dfd {

// Element classes the dataset loaders accept.
enum class MatClass { Uint8, Single, Double, Other };

// A variable's header (no data): MATLAB's dims (column-major, first index fastest) and class.
struct MatVarInfo {
  std::string name;
  MatClass cls = MatClass::Other;
  std::string class_name;    // "uint8", "single", "double", "int16", "cell", ...
  std::vector<size_t> dims;  // as MATLAB sees them (trailing singleton dims dropped by MATLAB)
  bool complex = false;
};

class MatFile {
 public:
  // Opens read-only. Error(Input) naming the file when it is missing or not a MAT file. A read
  // (read_block's count, read_all's dims) of more than `max_elements` elements is refused from
  // the variable's header, before its data is read: Error(OutOfMemory).
  explicit MatFile(const std::string& path, size_t max_elements = kMaxMatElements);
  ~MatFile();
  MatFile(const MatFile&) = delete;
  MatFile& operator=(const MatFile&) = delete;

  const std::string& path() const { return path_; }
  // "v5", "v7.3" or "v4".
  std::string version() const;
  // Header of variable `name`; Error(Input) naming the file and the variable when absent.
  MatVarInfo info(const std::string& name) const;
  // Reads the block start[d] .. start[d] + count[d] - 1 (one entry per dim of the variable) as
  // doubles, in MATLAB's column-major order (first dim fastest). Error(Input) on failure.
  std::vector<double> read_block(const MatVarInfo& var, const std::vector<size_t>& start,
                                 const std::vector<size_t>& count) const;
  // The whole variable as doubles, column-major.
  std::vector<double> read_all(const MatVarInfo& var) const;

 private:
  std::string path_;
  size_t max_elements_ = kMaxMatElements;
  _mat_t* mat_ = nullptr;
};

// "H x W x 3 x N" for messages.
std::string dims_string(const std::vector<size_t>& dims);

}  // namespace dfd
