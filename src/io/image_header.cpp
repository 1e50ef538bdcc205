// Image sizes from file headers (PNG, JPEG, TIFF, BMP, PNM), read before any pixel is decoded.
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <optional>
#include <string>

#include "dfd/io.h"
#include "dfd/memory.h"
#include "io/byte_reader.h"

namespace dfd {

namespace {

bool png_header(Bytes& f, ImageHeader& out) {
  // Signature (8), IHDR length (4) and type (4), then width, height, bit depth, colour type.
  unsigned char sig[16];
  if (!f.seek(0) || !f.read(sig, 16) || std::string(reinterpret_cast<char*>(sig + 12), 4) != "IHDR") return false;
  uint32_t w = 0, h = 0, bits = 0, colour = 0;
  if (!f.u32(w, true) || !f.u32(h, true) || !f.u8(bits) || !f.u8(colour)) return false;
  const int channels = colour == 0 ? 1 : colour == 2 || colour == 3 ? 3 : colour == 4 ? 2 : colour == 6 ? 4 : 0;
  if (channels == 0) return false;
  out = ImageHeader{"PNG", static_cast<int64_t>(w), static_cast<int64_t>(h), channels, bits <= 8 ? 8 : 16};
  return true;
}

bool jpeg_header(Bytes& f, ImageHeader& out) {
  if (!f.seek(2)) return false;
  // Segments FF xx [length]: the first start-of-frame marker carries the size. At most 4096
  // segments are walked (a real file has a few dozen before its frame header).
  for (int n = 0; n < 4096; ++n) {
    uint32_t b = 0;
    if (!f.u8(b)) return false;
    if (b != 0xFF) return false;
    uint32_t m = 0xFF;
    while (m == 0xFF)
      if (!f.u8(m)) return false;
    if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) continue;  // no length
    if (m == 0xD9 || m == 0xDA) return false;                     // end, scan: no frame header
    uint32_t len = 0;
    if (!f.u16(len, true) || len < 2) return false;
    const bool sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
    if (sof) {
      uint32_t precision = 0, h = 0, w = 0, comps = 0;
      if (!f.u8(precision) || !f.u16(h, true) || !f.u16(w, true) || !f.u8(comps)) return false;
      out = ImageHeader{"JPEG", w, h, static_cast<int>(comps), precision <= 8 ? 8 : 16};
      return true;
    }
    if (!f.skip(len - 2)) return false;
  }
  return false;
}

bool tiff_header(Bytes& f, bool big, ImageHeader& out) {
  uint32_t magic = 0, ifd = 0;
  if (!f.seek(2) || !f.u16(magic, big) || magic != 42 || !f.u32(ifd, big) || !f.seek(ifd)) return false;
  uint32_t count = 0;
  if (!f.u16(count, big)) return false;
  uint32_t w = 0, h = 0, bits = 8, samples = 1, bits_at = 0;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t tag = 0, type = 0, n = 0, value = 0;
    if (!f.u16(tag, big) || !f.u16(type, big) || !f.u32(n, big)) return false;
    // A SHORT value sits in the first two bytes of the value field.
    if (type == 3) {
      uint32_t pad = 0;
      if (!f.u16(value, big) || !f.u16(pad, big)) return false;
    } else if (!f.u32(value, big)) {
      return false;
    }
    if (tag == 256) w = value;
    if (tag == 257) h = value;
    if (tag == 258 && (n <= 2 || type != 3)) bits = value;
    if (tag == 258 && n > 2 && type == 3) {  // an offset to the per-sample depths
      bits = 0;
      bits_at = value;
    }
    if (tag == 277) samples = value;
  }
  if (w == 0 || h == 0) return false;
  if (bits == 0 && !(f.seek(bits_at) && f.u16(bits, big))) return false;  // the first sample's depth
  out = ImageHeader{"TIFF", w, h, static_cast<int>(std::min<uint32_t>(samples, 16)), static_cast<int>(std::min<uint32_t>(bits, 64))};
  return true;
}

bool bmp_header(Bytes& f, ImageHeader& out) {
  uint32_t w = 0, h = 0, planes = 0, bpp = 0;
  if (!f.seek(18) || !f.u32(w, false) || !f.u32(h, false) || !f.u16(planes, false) || !f.u16(bpp, false))
    return false;
  const int64_t height = static_cast<int32_t>(h) < 0 ? -static_cast<int64_t>(static_cast<int32_t>(h)) : h;
  out = ImageHeader{"BMP", static_cast<int32_t>(w), height, bpp >= 24 ? (bpp == 32 ? 4 : 3) : 3, 8};
  return true;
}

}  // namespace

std::optional<ImageHeader> read_image_header(const std::string& path) {
  Bytes f(path);
  unsigned char m[4] = {0, 0, 0, 0};
  if (!f.ok() || !f.read(m, 4)) return std::nullopt;
  ImageHeader h;
  bool ok = false;
  if (m[0] == 0x89 && m[1] == 'P' && m[2] == 'N' && m[3] == 'G') ok = png_header(f, h);
  else if (m[0] == 0xFF && m[1] == 0xD8) ok = jpeg_header(f, h);
  else if (m[0] == 'I' && m[1] == 'I') ok = tiff_header(f, false, h);
  else if (m[0] == 'M' && m[1] == 'M') ok = tiff_header(f, true, h);
  else if (m[0] == 'B' && m[1] == 'M') ok = bmp_header(f, h);
  // Other formats, and headers that make no sense: decoded without a size check first (the
  // decoder then says what is wrong).
  if (!ok || h.width < 1 || h.height < 1 || h.channels < 1) return std::nullopt;
  return h;
}

size_t ImageHeader::decode_bytes() const {
  const double px = static_cast<double>(width) * static_cast<double>(height);
  // OpenCV's decoded Mat, then the float planes dfd converts it to (three float copies at the
  // peak of image_from_decoded).
  const double b = px * channels * ((bits + 7) / 8) + px * std::min(channels, 3) * 4.0 * 3;
  return b > 9e18 ? static_cast<size_t>(9e18) : static_cast<size_t>(b);
}

size_t ImageHeader::frame_bytes() const {
  const double b = static_cast<double>(width) * static_cast<double>(height) * std::min(channels, 3) * 4.0;
  return b > 9e18 ? static_cast<size_t>(9e18) : static_cast<size_t>(b);
}

void check_decode_memory(const std::string& path) {
  const std::optional<ImageHeader> h = read_image_header(path);
  if (!h) return;
  check_host_memory(h->decode_bytes(), path + " (" + h->format + ", " + std::to_string(h->width) + "x" +
                                           std::to_string(h->height) + ", " + std::to_string(h->channels) +
                                           " channel" + (h->channels == 1 ? "" : "s") + ", decoded)");
}

void check_stack_memory(const std::vector<std::string>& frames) {
  const size_t limit = host_memory_limit().bytes;
  double need = 0, decode = 0;
  std::optional<ImageHeader> first;
  size_t seen = 0;
  for (const std::string& path : frames) {
    const std::optional<ImageHeader> h = read_image_header(path);
    if (!h) continue;
    if (!first) first = h;
    ++seen;
    need += static_cast<double>(h->frame_bytes());
    decode = std::max(decode, static_cast<double>(h->decode_bytes()));
    if (need + decode > static_cast<double>(limit)) break;
  }
  if (!first) return;
  // The frames not read yet are counted at the first one's size (a stack shares one size).
  const double total = need * static_cast<double>(frames.size()) / static_cast<double>(seen) + decode;
  check_host_memory(total > 9e18 ? static_cast<size_t>(9e18) : static_cast<size_t>(total),
                    "the " + std::to_string(frames.size()) + " frames (" + first->format + ", " +
                        std::to_string(first->width) + "x" + std::to_string(first->height) + ", " +
                        std::to_string(first->channels) + " channel" + (first->channels == 1 ? "" : "s") +
                        ", decoded to float)");
}

}  // namespace dfd
