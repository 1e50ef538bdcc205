// The z step of a microscope z-stack from its TIFF metadata: ImageJ's ImageDescription
// ("spacing=", "unit=", XResolution) or OME-XML (PhysicalSizeZ / PhysicalSizeX and their units).
#include <cmath>
#include <cstdlib>
#include <map>
#include <string>

#include "dfd/outputs.h"
#include "io/byte_reader.h"

namespace dfd {

namespace {

struct TiffTags {
  std::string description;  // 270, ImageDescription
  double x_resolution = 0;  // 282, pixels per resolution unit
};

constexpr uint32_t kMaxDescription = 4u << 20;  // OME-XML of a few thousand planes

bool read_first_ifd(const std::string& path, TiffTags& t) {
  Bytes f(path);
  unsigned char m[2];
  if (!f.ok() || !f.read(m, 2)) return false;
  const bool big = m[0] == 'M' && m[1] == 'M';
  if (!big && !(m[0] == 'I' && m[1] == 'I')) return false;
  uint32_t magic = 0, ifd = 0, count = 0;
  if (!f.u16(magic, big) || magic != 42 || !f.u32(ifd, big) || !f.seek(ifd) || !f.u16(count, big)) return false;
  uint32_t desc_at = 0, desc_len = 0, xres_at = 0;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t tag = 0, type = 0, n = 0, value = 0;
    if (!f.u16(tag, big) || !f.u16(type, big) || !f.u32(n, big) || !f.u32(value, big)) return false;
    if (tag == 270 && type == 2 && n > 4 && n <= kMaxDescription) {
      desc_at = value;
      desc_len = n;
    }
    if (tag == 282 && type == 5) xres_at = value;
  }
  if (desc_len > 0) {
    t.description.resize(desc_len);
    if (!f.seek(desc_at) || !f.read(t.description.data(), desc_len)) return false;
    while (!t.description.empty() && t.description.back() == '\0') t.description.pop_back();
  }
  uint32_t num = 0, den = 0;
  if (xres_at > 0 && f.seek(xres_at) && f.u32(num, big) && f.u32(den, big) && den > 0)
    t.x_resolution = double(num) / den;
  return true;
}

double number(const std::string& s) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  return end != s.c_str() && std::isfinite(v) ? v : 0.0;
}

// "micron", "um", "\u00B5m", "µm" -> "µm"; others as given.
std::string unit_name(std::string u) {
  if (u == "micron" || u == "microns" || u == "um" || u == "\\u00B5m" || u == "\xC2\xB5m" || u == "\xCE\xBCm")
    return "\xC2\xB5m";
  return u;
}

// Metres per unit for the units OME and ImageJ write; 0 when unknown.
double metres_per(const std::string& u) {
  static const std::map<std::string, double> m = {
      {"nm", 1e-9}, {"\xC2\xB5m", 1e-6}, {"mm", 1e-3}, {"cm", 1e-2}, {"m", 1.0}};
  const auto it = m.find(unit_name(u));
  return it == m.end() ? 0.0 : it->second;
}

// The value of attribute `name="..."` in XML text ("" when absent).
std::string attribute(const std::string& xml, const std::string& name) {
  const std::string key = name + "=\"";
  size_t at = xml.find(key);
  // A whole attribute name, not the tail of a longer one (PhysicalSizeZ vs PhysicalSizeZUnit).
  while (at != std::string::npos && at > 0 && std::isalnum(static_cast<unsigned char>(xml[at - 1])))
    at = xml.find(key, at + 1);
  if (at == std::string::npos) return "";
  const size_t from = at + key.size(), to = xml.find('"', from);
  return to == std::string::npos ? "" : xml.substr(from, to - from);
}

}  // namespace

std::optional<PhysicalScale> read_tiff_physical_scale(const std::string& path) {
  TiffTags t;
  if (!read_first_ifd(path, t) || t.description.empty()) return std::nullopt;
  const std::string& d = t.description;
  PhysicalScale s;
  if (d.compare(0, 7, "ImageJ=") == 0) {
    std::map<std::string, std::string> kv;
    size_t at = 0;
    while (at < d.size()) {
      size_t end = d.find('\n', at);
      if (end == std::string::npos) end = d.size();
      const std::string line = d.substr(at, end - at);
      const size_t eq = line.find('=');
      if (eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
      at = end + 1;
    }
    s.z_step = kv.count("spacing") ? number(kv["spacing"]) : 0.0;
    s.unit = kv.count("unit") ? unit_name(kv["unit"]) : "";
    // XResolution is in pixels per `unit` when ImageJ has calibrated the image.
    if (!s.unit.empty() && t.x_resolution > 0) s.xy_step = 1.0 / t.x_resolution;
    s.source = "ImageJ metadata of " + path;
  } else if (d.find("<OME") != std::string::npos) {
    s.z_step = number(attribute(d, "PhysicalSizeZ"));
    std::string zu = attribute(d, "PhysicalSizeZUnit");
    s.unit = unit_name(zu.empty() ? "\xC2\xB5m" : zu);  // OME's default unit is the micrometre
    const double x = number(attribute(d, "PhysicalSizeX"));
    std::string xu = attribute(d, "PhysicalSizeXUnit");
    xu = unit_name(xu.empty() ? "\xC2\xB5m" : xu);
    if (x > 0 && xu == s.unit)
      s.xy_step = x;
    else if (x > 0 && metres_per(xu) > 0 && metres_per(s.unit) > 0)
      s.xy_step = x * metres_per(xu) / metres_per(s.unit);
    s.source = "OME-XML of " + path;
  } else {
    return std::nullopt;
  }
  if (!(s.z_step > 0)) return std::nullopt;
  if (!(s.xy_step > 0)) s.xy_step = 0;
  return s;
}

}  // namespace dfd
