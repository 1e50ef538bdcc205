// Device memory: a move-only owner (RAII) that counts its bytes in a tracker, and the
// trivially copyable view that kernels take.
#pragma once

#include <cstddef>
#include <string>
#include <type_traits>

namespace dfd::cuda {

// Bytes of device memory held by one backend: now and the peak since the last reset.
class MemoryTracker {
 public:
  void add(size_t bytes) {
    in_use_ += bytes;
    if (in_use_ > peak_) peak_ = in_use_;
  }
  void remove(size_t bytes) { in_use_ = bytes > in_use_ ? 0 : in_use_ - bytes; }
  void reset_peak() { peak_ = in_use_; }
  size_t in_use() const { return in_use_; }
  size_t peak() const { return peak_; }

 private:
  size_t in_use_ = 0, peak_ = 0;
};

// An untyped device allocation. Throws Error(OutOfMemory) naming `what` when cudaMalloc fails;
// a zero-byte request holds no memory.
class DeviceBytes {
 public:
  DeviceBytes() = default;
  DeviceBytes(size_t bytes, MemoryTracker* tracker, const std::string& what);
  ~DeviceBytes() { release(); }
  DeviceBytes(DeviceBytes&& o) noexcept { *this = static_cast<DeviceBytes&&>(o); }
  DeviceBytes& operator=(DeviceBytes&& o) noexcept;
  DeviceBytes(const DeviceBytes&) = delete;
  DeviceBytes& operator=(const DeviceBytes&) = delete;

  void* get() const { return ptr_; }
  size_t bytes() const { return bytes_; }
  void release() noexcept;

 private:
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
  MemoryTracker* tracker_ = nullptr;
};

// A view of n elements of T in device memory (kernels take these by value).
template <class T>
struct DeviceSpan {
  T* ptr = nullptr;
  size_t size = 0;
};
static_assert(std::is_trivially_copyable<DeviceSpan<float>>::value, "views are passed to kernels");

// A typed owner of n elements of T.
template <class T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(size_t n, MemoryTracker* tracker, const std::string& what)
      : bytes_(n * sizeof(T), tracker, what), n_(n) {}

  T* data() const { return static_cast<T*>(bytes_.get()); }
  size_t size() const { return n_; }
  size_t bytes() const { return bytes_.bytes(); }
  DeviceSpan<T> view() const { return DeviceSpan<T>{data(), n_}; }
  void release() noexcept {
    bytes_.release();
    n_ = 0;
  }

 private:
  DeviceBytes bytes_;
  size_t n_ = 0;
};

// Bytes as "1.23 GiB" for messages.
std::string format_gib(size_t bytes);

}  // namespace dfd::cuda
