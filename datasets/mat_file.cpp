// A MATLAB .mat file (v5 or v7.3/HDF5) through matio: checked variable lookup and hyperslab reads.
#include "mat_file.h"

#include <matio.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "dfd/error.h"
#include "dfd/input_limits.h"

namespace dfd {

namespace {

struct VarFree {
  void operator()(matvar_t* v) const { Mat_VarFree(v); }
};
using VarPtr = std::unique_ptr<matvar_t, VarFree>;

const char* class_name(matio_classes c) {
  switch (c) {
    case MAT_C_CELL: return "cell";
    case MAT_C_STRUCT: return "struct";
    case MAT_C_OBJECT: return "object";
    case MAT_C_CHAR: return "char";
    case MAT_C_SPARSE: return "sparse";
    case MAT_C_DOUBLE: return "double";
    case MAT_C_SINGLE: return "single";
    case MAT_C_INT8: return "int8";
    case MAT_C_UINT8: return "uint8";
    case MAT_C_INT16: return "int16";
    case MAT_C_UINT16: return "uint16";
    case MAT_C_INT32: return "int32";
    case MAT_C_UINT32: return "uint32";
    case MAT_C_INT64: return "int64";
    case MAT_C_UINT64: return "uint64";
    case MAT_C_FUNCTION: return "function";
    default: return "unknown";
  }
}

size_t element_size(matio_classes c) {
  switch (c) {
    case MAT_C_DOUBLE:
    case MAT_C_INT64:
    case MAT_C_UINT64: return 8;
    case MAT_C_SINGLE:
    case MAT_C_INT32:
    case MAT_C_UINT32: return 4;
    case MAT_C_INT16:
    case MAT_C_UINT16: return 2;
    case MAT_C_INT8:
    case MAT_C_UINT8: return 1;
    default: return 0;
  }
}

// n elements of class c at p, as doubles.
void to_double(matio_classes c, const void* p, size_t n, double* out) {
  auto conv = [&](auto tag) {
    using T = decltype(tag);
    const T* s = static_cast<const T*>(p);
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<double>(s[i]);
  };
  switch (c) {
    case MAT_C_DOUBLE: conv(double{}); break;
    case MAT_C_SINGLE: conv(float{}); break;
    case MAT_C_INT8: conv(int8_t{}); break;
    case MAT_C_UINT8: conv(uint8_t{}); break;
    case MAT_C_INT16: conv(int16_t{}); break;
    case MAT_C_UINT16: conv(uint16_t{}); break;
    case MAT_C_INT32: conv(int32_t{}); break;
    case MAT_C_UINT32: conv(uint32_t{}); break;
    case MAT_C_INT64: conv(int64_t{}); break;
    case MAT_C_UINT64: conv(uint64_t{}); break;
    default: break;
  }
}

// matio logs its own failures to stderr; the errors dfd throws say the same with the file named.
void quiet_matio_log(int, char*) {}

size_t product(const std::vector<size_t>& v) {
  size_t p = 1;
  for (size_t x : v) p *= x;
  return p;
}

// Refuses a read of `dims` elements (a block, or a whole variable) above kMaxMatElements, the
// product computed without overflow: checked from the header, before matio reads the data.
void check_elements(const std::string& path, const std::string& name, const std::vector<size_t>& dims, size_t limit) {
  size_t p = 1;
  for (size_t x : dims) {
    if (x == 0) return;  // empty: nothing to read
    if (p > limit / x) {
      throw_input_too_large(over_limit_message(
          path,
          "'" + name + "' (" + dims_string(dims) + ") has more than " + std::to_string(limit) + " elements to read",
          std::to_string(limit) + " elements an array read"));
    }
    p *= x;
  }
}

// Whether the file starts with the 128-byte header of MAT v5 or v7.3 (text, subsystem offset,
// version 0x0100 or 0x0200, endian indicator "IM"). matio takes any other file for MAT v4, which
// has no header, and allocates the sizes it then reads from the first bytes (a name length of
// 1.8 GB from 8 bytes of junk): dfd reads no v4 file, so those never reach matio.
bool has_v5_or_v73_header(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char h[128];
  if (!in.read(h, sizeof h)) return false;
  const unsigned char a = static_cast<unsigned char>(h[124]), b = static_cast<unsigned char>(h[125]);
  const bool little = h[126] == 'I' && h[127] == 'M', big = h[126] == 'M' && h[127] == 'I';
  const unsigned version = little ? (a | b << 8) : big ? (a << 8 | b) : 0;
  return version == 0x0100 || version == 0x0200;
}

// ---- MAT v5 variable headers, checked before matio reads them --------------------------------
// matio allocates the sizes a variable's header declares (its dimensions, its name) before it
// finds them larger than the data: inside a compressed variable a few bytes of junk declare
// gigabytes. Every top-level element is walked here first (tag: type, byte count; 8 bytes per
// element in the small form), and each matrix's header, inflated from the first bytes of a
// compressed one, must fit the byte count its own tag declares.

constexpr uint32_t kMiInt8 = 1, kMiInt32 = 5, kMiUint32 = 6, kMiMatrix = 14, kMiCompressed = 15;
constexpr size_t kHeadBytes = 1024;       // flags, up to 248 dimensions and the name's tag
constexpr uint64_t kZlibMaxRatio = 1032;  // deflate's most: a 258-byte match in 2 bits

uint32_t word(const unsigned char* p, bool big) {
  return big ? uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]
             : uint32_t(p[3]) << 24 | uint32_t(p[2]) << 16 | uint32_t(p[1]) << 8 | p[0];
}

// What in a matrix's header (its contents after the tag: `have` bytes of them at h) does not fit
// its `nbytes`; empty when all does.
std::string matrix_header_problem(const unsigned char* h, size_t have, uint64_t nbytes, bool big) {
  const std::string in = " in a variable of " + std::to_string(nbytes) + " bytes";
  if (have < 24 || word(h, big) != kMiUint32 || word(h + 4, big) != 8) return "has no array flags";
  const uint32_t cls = word(h + 8, big) & 0xff, nzmax = word(h + 12, big);
  const uint32_t dtag = word(h + 16, big);
  const bool dsmall = (dtag >> 16) != 0;
  const uint64_t dbytes = dsmall ? dtag >> 16 : word(h + 20, big);
  const uint32_t dtype = dsmall ? dtag & 0xffff : dtag;  // miINT32; some writers use miUINT32
  if ((dtype != kMiInt32 && dtype != kMiUint32) || (dsmall && dbytes > 4)) return "has no dimensions";
  const uint64_t dims_at = dsmall ? 20 : 24, name_at = dsmall ? 24 : dims_at + (dbytes + 7) / 8 * 8;
  if (name_at > nbytes) return "declares dimensions of " + std::to_string(dbytes) + " bytes" + in;
  if (name_at + 8 > have) return "is cut short (" + std::to_string(dbytes / 4) + " dimensions)";
  uint64_t count = 1;
  std::string dims;
  for (uint64_t d = 0; d < dbytes / 4; ++d) {
    const uint32_t x = word(h + dims_at + 4 * d, big);
    if (__builtin_mul_overflow(count, uint64_t{x}, &count)) count = UINT64_MAX;
    dims += (d ? " x " : "") + std::to_string(x);
  }
  // Bytes an element takes at least: MATLAB may store a numeric class in a smaller type (a
  // double array of small integers as uint8), a cell's element is a matrix with its own tag;
  // a sparse matrix's dims are not its storage (its nonzeros are), a function's neither.
  const uint64_t least = cls == MAT_C_CELL ? 8 : cls == MAT_C_SPARSE || cls >= MAT_C_FUNCTION ? 0 : 1;
  if (least && count > nbytes / least)
    return "declares " + dims + " elements (" + class_name(matio_classes(cls)) + ")" + in;
  if (cls == MAT_C_SPARSE && nzmax > nbytes) return "declares " + std::to_string(nzmax) + " nonzeros" + in;
  const uint32_t ntag = word(h + name_at, big);
  if (ntag == kMiInt8 && name_at + 8 + word(h + name_at + 4, big) > nbytes)
    return "declares a name of " + std::to_string(word(h + name_at + 4, big)) + " bytes" + in;
  return {};
}

// Up to `want` bytes inflated from the `n` compressed bytes at the stream's position.
std::vector<unsigned char> inflate_head(std::istream& in, uint64_t n, size_t want) {
  std::vector<unsigned char> out(want);
  z_stream z{};
  if (inflateInit(&z) != Z_OK) return {};
  unsigned char chunk[256];
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(want);
  int rc = Z_OK;
  while (rc == Z_OK && z.avail_out > 0 && n > 0) {
    const size_t k = static_cast<size_t>(std::min<uint64_t>(n, sizeof chunk));
    if (!in.read(reinterpret_cast<char*>(chunk), static_cast<std::streamsize>(k))) break;
    n -= k;
    z.next_in = chunk;
    z.avail_in = static_cast<uInt>(k);
    while (rc == Z_OK && z.avail_out > 0 && z.avail_in > 0) rc = inflate(&z, Z_NO_FLUSH);
  }
  out.resize(want - z.avail_out);
  inflateEnd(&z);
  return out;
}

// Error(Input) naming the file when a variable's header of a MAT v5 file does not fit its data.
void check_v5_headers(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char h[128];
  if (!in.read(reinterpret_cast<char*>(h), sizeof h)) return;
  const bool big = h[126] == 'M';
  if ((big ? h[124] << 8 | h[125] : h[125] << 8 | h[124]) != 0x0100) return;  // v7.3: HDF5's own
  in.seekg(0, std::ios::end);
  const uint64_t size = static_cast<uint64_t>(in.tellg());
  uint64_t pos = 128;
  for (int index = 1; pos + 8 <= size; ++index) {
    unsigned char tag[8];
    in.seekg(static_cast<std::streamoff>(pos));
    if (!in.read(reinterpret_cast<char*>(tag), 8)) break;
    const uint32_t type = word(tag, big), n = word(tag + 4, big);
    const std::string at = path + ": damaged MAT file: variable " + std::to_string(index) + "'s header ";
    if (type >> 16) {  // small element: type and size in 4 bytes, data in the other 4
      pos += 8;
      continue;
    }
    if (n > size - pos - 8)
      throw_input(at + "declares " + std::to_string(n) + " bytes at offset " + std::to_string(pos) +
                  ", past the end of the file (" + std::to_string(size) + " bytes)");
    std::vector<unsigned char> head;
    uint64_t nbytes = n;
    if (type == kMiCompressed) {
      head = inflate_head(in, n, kHeadBytes + 8);
      if (head.size() < 8 || word(head.data(), big) != kMiMatrix)
        throw_input(at + "is not a matrix (the compressed data holds no miMATRIX tag)");
      nbytes = word(head.data() + 4, big);
      if (nbytes > kZlibMaxRatio * n + 64)
        throw_input(at + "declares " + std::to_string(nbytes) + " bytes uncompressed from " + std::to_string(n) +
                    " compressed, more than zlib can inflate");
      head.erase(head.begin(), head.begin() + 8);
    } else if (type == kMiMatrix) {
      head.resize(static_cast<size_t>(std::min<uint64_t>(n, kHeadBytes)));
      in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
    }
    if (type == kMiCompressed || type == kMiMatrix) {
      const std::string problem = matrix_header_problem(head.data(), head.size(), nbytes, big);
      if (!problem.empty()) throw_input(at + problem);
    }
    pos += 8 + uint64_t{n};
  }
}

}  // namespace

std::string dims_string(const std::vector<size_t>& dims) {
  std::string s;
  for (size_t d : dims) s += (s.empty() ? "" : " x ") + std::to_string(d);
  return s.empty() ? "(empty)" : s;
}

MatFile::MatFile(const std::string& path, size_t max_elements) : path_(path), max_elements_(max_elements) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw_input(path + ": no such file");
  if (!has_v5_or_v73_header(path))
    throw_input(path +
                ": not a MATLAB .mat file of version 5 or 7.3 (no MAT-file header; dfd reads v5 and "
                "v7.3/HDF5, not v4)");
  check_v5_headers(path);
  static const int log_init = Mat_LogInitFunc("dfd", quiet_matio_log);
  (void)log_init;
  mat_ = Mat_Open(path.c_str(), MAT_ACC_RDONLY);
  if (!mat_) throw_input(path + ": not a MATLAB .mat file (v5 or v7.3/HDF5 expected; matio cannot open it)");
}

MatFile::~MatFile() {
  if (mat_) Mat_Close(mat_);
}

std::string MatFile::version() const {
  switch (Mat_GetVersion(mat_)) {
    case MAT_FT_MAT73: return "v7.3";
    case MAT_FT_MAT5: return "v5";
    case MAT_FT_MAT4: return "v4";
    default: return "unknown";
  }
}

MatVarInfo MatFile::info(const std::string& name) const {
  VarPtr v(Mat_VarReadInfo(mat_, name.c_str()));
  if (!v) throw_input(path_ + ": no variable '" + name + "' in this " + version() + " MAT file");
  MatVarInfo i;
  i.name = name;
  i.class_name = class_name(v->class_type);
  i.cls = v->class_type == MAT_C_UINT8    ? MatClass::Uint8
          : v->class_type == MAT_C_SINGLE ? MatClass::Single
          : v->class_type == MAT_C_DOUBLE ? MatClass::Double
                                          : MatClass::Other;
  i.dims.assign(v->dims, v->dims + v->rank);
  i.complex = v->isComplex != 0;
  if (i.complex) i.class_name = "complex " + i.class_name;
  return i;
}

std::vector<double> MatFile::read_block(const MatVarInfo& var, const std::vector<size_t>& start,
                                        const std::vector<size_t>& count) const {
  const size_t rank = var.dims.size();
  if (start.size() != rank || count.size() != rank)
    throw_runtime(path_ + ": internal error: block of rank " + std::to_string(start.size()) + " for '" + var.name +
                  "' of rank " + std::to_string(rank));
  for (size_t d = 0; d < rank; ++d)
    if (start[d] + count[d] > var.dims[d])
      throw_runtime(path_ + ": internal error: block beyond '" + var.name + "' (" + dims_string(var.dims) + ")");
  check_elements(path_, var.name, count, max_elements_);
  VarPtr v(Mat_VarReadInfo(mat_, var.name.c_str()));
  if (!v) throw_input(path_ + ": no variable '" + var.name + "'");
  const size_t esize = element_size(v->class_type);
  if (esize == 0 || v->isComplex)
    throw_input(path_ + ": '" + var.name + "' is " + var.class_name + ", not a real numeric array");
  const size_t n = product(count);
  std::vector<double> out(n);

  if (Mat_GetVersion(mat_) == MAT_FT_MAT73) {
    // HDF5: matio reads just the hyperslab.
    std::vector<int> s(rank), stride(rank, 1), e(rank);
    for (size_t d = 0; d < rank; ++d) {
      s[d] = static_cast<int>(start[d]);
      e[d] = static_cast<int>(count[d]);
    }
    std::vector<unsigned char> buf(n * esize);
    if (Mat_VarReadData(mat_, v.get(), buf.data(), s.data(), stride.data(), e.data()) != 0)
      throw_input(path_ + ": cannot read '" + var.name + "' (" + dims_string(var.dims) + "): the file is damaged");
    to_double(v->class_type, buf.data(), n, out.data());
    return out;
  }
  // v5 (possibly compressed): variables are small in these datasets; read whole, then cut.
  const std::vector<double> all = read_all(var);
  std::vector<size_t> idx(rank, 0);
  for (size_t k = 0; k < n; ++k) {
    size_t src = 0, mul = 1;
    for (size_t d = 0; d < rank; ++d) {
      src += (start[d] + idx[d]) * mul;
      mul *= var.dims[d];
    }
    out[k] = all[src];
    for (size_t d = 0; d < rank; ++d) {  // column-major increment
      if (++idx[d] < count[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

std::vector<double> MatFile::read_all(const MatVarInfo& var) const {
  // The header's size first: matio allocates the whole variable before reading it.
  check_elements(path_, var.name, var.dims, max_elements_);
  VarPtr v(Mat_VarRead(mat_, var.name.c_str()));
  if (!v) throw_input(path_ + ": cannot read variable '" + var.name + "': the file is damaged");
  if (element_size(v->class_type) == 0 || v->isComplex || !v->data)
    throw_input(path_ + ": '" + var.name + "' is " + var.class_name + ", not a real numeric array");
  std::vector<size_t> dims(v->dims, v->dims + v->rank);
  const size_t n = product(dims);
  if (v->nbytes < n * element_size(v->class_type))
    throw_input(path_ + ": '" + var.name + "' holds fewer values than its size " + dims_string(dims));
  std::vector<double> out(n);
  to_double(v->class_type, v->data, n, out.data());
  return out;
}

}  // namespace dfd
