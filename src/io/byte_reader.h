// A bounded reader of big- or little-endian integers from a file: the header parsers'
// (image sizes, TIFF tags) only reader. Every read reports failure instead of throwing.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>

namespace dfd {

class Bytes {
 public:
  explicit Bytes(const std::string& path) : in_(path, std::ios::binary) {}
  bool ok() const { return static_cast<bool>(in_); }
  bool read(void* p, size_t n) {
    return static_cast<bool>(in_.read(static_cast<char*>(p), static_cast<std::streamsize>(n)));
  }
  bool seek(uint64_t at) { return static_cast<bool>(in_.seekg(static_cast<std::streamoff>(at))); }
  bool skip(uint64_t n) { return static_cast<bool>(in_.seekg(static_cast<std::streamoff>(n), std::ios::cur)); }
  bool u8(uint32_t& v) {
    unsigned char b = 0;
    if (!read(&b, 1)) return false;
    v = b;
    return true;
  }
  bool u16(uint32_t& v, bool big) {
    unsigned char b[2];
    if (!read(b, 2)) return false;
    v = big ? (b[0] << 8 | b[1]) : (b[1] << 8 | b[0]);
    return true;
  }
  bool u32(uint32_t& v, bool big) {
    unsigned char b[4];
    if (!read(b, 4)) return false;
    v = big ? (uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3])
            : (uint32_t(b[3]) << 24 | uint32_t(b[2]) << 16 | uint32_t(b[1]) << 8 | b[0]);
    return true;
  }

 private:
  std::ifstream in_;
};

}  // namespace dfd
