// Image sizes from file headers (PNG, JPEG, TIFF, BMP, PNM), read before any pixel is decoded.
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <optional>
#include <set>
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
    if (m == 0xD9 || m == 0xDA) return false;                          // end, scan: no frame header
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

// One TIFF page directory (IFD) at `at`: its size, samples, sample depth and the strip or tile
// OpenCV 4.6 decodes through. Classic TIFF (2-byte counts, 12-byte entries) and BigTIFF (8-byte
// counts, 20-byte entries), either byte order (`big`: big-endian). `next` is the following
// directory's offset (0 at the last).
bool tiff_ifd(Bytes& f, bool big, bool bigtiff, uint64_t at, ImageHeader& out, uint64_t& next) {
  auto read_uint = [&](int bytes, uint64_t& v) {
    uint32_t lo = 0, hi = 0;
    if (bytes == 2) {
      if (!f.u16(lo, big)) return false;
      v = lo;
      return true;
    }
    if (bytes == 4) {
      if (!f.u32(lo, big)) return false;
      v = lo;
      return true;
    }
    if (!f.u32(lo, big) || !f.u32(hi, big)) return false;
    v = big ? (uint64_t(lo) << 32 | hi) : (uint64_t(hi) << 32 | lo);
    return true;
  };
  uint64_t count = 0;
  if (!f.seek(at) || !read_uint(bigtiff ? 8 : 2, count) || count == 0 || count > 4096) return false;
  const int field = bigtiff ? 8 : 4;  // the value field of an entry
  uint64_t w = 0, h = 0, bits = 8, samples = 1, rows_per_strip = 0, tile_w = 0, tile_h = 0, bits_at = 0;
  for (uint64_t i = 0; i < count; ++i) {
    uint32_t tag = 0, type = 0;
    uint64_t n = 0, value = 0;
    if (!f.u16(tag, big) || !f.u16(type, big) || !read_uint(bigtiff ? 8 : 4, n)) return false;
    // A value that fits sits at the start of the value field: SHORT (3) in 2 bytes, LONG (4)
    // in 4, LONG8 (16) in 8. A longer one is an offset to it.
    const int size = type == 3 ? 2 : type == 16 ? 8 : 4;
    if (size > field || !read_uint(size, value) || !f.skip(static_cast<uint64_t>(field - size))) return false;
    if (tag == 256) w = value;
    if (tag == 257) h = value;
    if (tag == 258) {
      if (n * 2 <= static_cast<uint64_t>(field) || type != 3)
        bits = value;
      else
        bits = 0, bits_at = value;  // an offset to the per-sample depths
    }
    if (tag == 277) samples = value;
    if (tag == 278) rows_per_strip = value;
    if (tag == 322) tile_w = value;
    if (tag == 323) tile_h = value;
  }
  if (!read_uint(bigtiff ? 8 : 4, next)) next = 0;
  if (w == 0 || h == 0) return false;
  if (bits == 0) {  // the first sample's depth
    uint32_t b = 0;
    if (!f.seek(bits_at) || !f.u16(b, big)) return false;
    bits = b;
  }
  out = ImageHeader{"TIFF", static_cast<int64_t>(std::min<uint64_t>(w, uint64_t(1) << 40)),
                    static_cast<int64_t>(std::min<uint64_t>(h, uint64_t(1) << 40)),
                    static_cast<int>(std::min<uint64_t>(samples, 16)), static_cast<int>(std::min<uint64_t>(bits, 64))};
  // OpenCV decodes a page a strip (or tile) at a time into a buffer of up to 4 samples per
  // pixel (RGBA for 8-bit output) at the stored sample size, rows per strip as the file states
  // them: a 65281x3 page that claims 14852 rows a strip gets a 3.9 GB buffer. Missing or
  // "all rows" (2^32 - 1) means one strip of the page.
  const bool tiled = tile_w > 0 && tile_h > 0;
  const uint64_t unit_w = tiled ? tile_w : w;
  const uint64_t unit_h = tiled ? tile_h : rows_per_strip == 0 || rows_per_strip >= 0xFFFFFFFFull ? h : rows_per_strip;
  const double buffer = static_cast<double>(unit_w) * static_cast<double>(unit_h) * 4.0 *
                        static_cast<double>(std::max<uint64_t>(1, (bits + 7) / 8));
  out.work_bytes = buffer > 9e18 ? static_cast<size_t>(9e18) : static_cast<size_t>(buffer);
  return true;
}

// The first directory's offset after the TIFF header; false for anything but a TIFF header.
bool tiff_first_ifd(Bytes& f, bool& big, bool& bigtiff, uint64_t& at) {
  unsigned char h[4];
  if (!f.seek(0) || !f.read(h, 4)) return false;
  if (h[0] == 'I' && h[1] == 'I')
    big = false;
  else if (h[0] == 'M' && h[1] == 'M')
    big = true;
  else
    return false;
  const uint32_t magic = big ? (uint32_t(h[2]) << 8 | h[3]) : (uint32_t(h[3]) << 8 | h[2]);
  bigtiff = magic == 43;
  if (magic != 42 && !bigtiff) return false;
  uint32_t a = 0, b = 0;
  if (!bigtiff) {
    if (!f.u32(a, big)) return false;
    at = a;
    return true;
  }
  uint32_t offset_size = 0, pad = 0;
  if (!f.u16(offset_size, big) || offset_size != 8 || !f.u16(pad, big) || !f.u32(a, big) || !f.u32(b, big))
    return false;
  at = big ? (uint64_t(a) << 32 | b) : (uint64_t(b) << 32 | a);
  return true;
}

bool tiff_header(Bytes& f, ImageHeader& out) {
  bool big = false, bigtiff = false;
  uint64_t at = 0, next = 0;
  return tiff_first_ifd(f, big, bigtiff, at) && tiff_ifd(f, big, bigtiff, at, out, next);
}

bool bmp_header(Bytes& f, ImageHeader& out) {
  uint32_t w = 0, h = 0, planes = 0, bpp = 0;
  if (!f.seek(18) || !f.u32(w, false) || !f.u32(h, false) || !f.u16(planes, false) || !f.u16(bpp, false)) return false;
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
  if (m[0] == 0x89 && m[1] == 'P' && m[2] == 'N' && m[3] == 'G')
    ok = png_header(f, h);
  else if (m[0] == 0xFF && m[1] == 0xD8)
    ok = jpeg_header(f, h);
  else if ((m[0] == 'I' && m[1] == 'I') || (m[0] == 'M' && m[1] == 'M'))
    ok = tiff_header(f, h);
  else if (m[0] == 'B' && m[1] == 'M')
    ok = bmp_header(f, h);
  // Other formats, and headers that make no sense: decoded without a size check first (the
  // decoder then says what is wrong).
  if (!ok || h.width < 1 || h.height < 1 || h.channels < 1) return std::nullopt;
  return h;
}

size_t ImageHeader::decode_bytes() const {
  const double px = static_cast<double>(width) * static_cast<double>(height);
  // OpenCV's decoded Mat, then the float planes dfd converts it to (three float copies at the
  // peak of image_from_decoded).
  const int sample_bytes = (bits + 7) / 8;
  const double b =
      px * channels * sample_bytes + px * std::min(channels, 3) * 4.0 * 3 + static_cast<double>(work_bytes);
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
                                           std::to_string(h->height) + ", " + std::to_string(h->channels) + " channel" +
                                           (h->channels == 1 ? "" : "s") + ", decoded)");
}

std::vector<ImageHeader> read_tiff_page_headers(const std::string& path, size_t limit) {
  std::vector<ImageHeader> pages;
  Bytes f(path);
  bool big = false, bigtiff = false;
  uint64_t at = 0;
  if (!f.ok() || !tiff_first_ifd(f, big, bigtiff, at)) return pages;
  std::set<uint64_t> seen;
  while (at != 0 && pages.size() < limit && seen.insert(at).second) {
    ImageHeader h;
    uint64_t next = 0;
    if (!tiff_ifd(f, big, bigtiff, at, h, next)) break;
    pages.push_back(h);
    at = next;
  }
  return pages;
}

void check_tiff_stack_memory(const std::string& path, size_t limit) {
  const std::vector<ImageHeader> pages = read_tiff_page_headers(path, limit);
  if (pages.empty()) return;
  // OpenCV decodes every page before it returns any: all the decoded pages at once, then the
  // float frames, with the largest page's decoder buffer on top.
  double need = 0, peak = 0;
  for (const ImageHeader& h : pages) {
    const double px = static_cast<double>(h.width) * static_cast<double>(h.height);
    const int sample_bytes = (h.bits + 7) / 8;
    need += px * h.channels * sample_bytes + static_cast<double>(h.frame_bytes());
    peak = std::max(peak, static_cast<double>(h.work_bytes));
  }
  const ImageHeader& p0 = pages.front();
  check_host_memory(static_cast<size_t>(std::min(9e18, need + peak)),
                    path + " (a TIFF z-stack of " + std::to_string(pages.size()) + " pages, page 0 " +
                        std::to_string(p0.width) + "x" + std::to_string(p0.height) + ", decoded to float)");
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
