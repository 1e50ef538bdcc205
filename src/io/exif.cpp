// EXIF of camera frames through libexif: SubjectDistance, FocalLength, FNumber, focal-plane resolution.
#include "dfd/exif.h"

#include <libexif/exif-data.h>

#include <cmath>
#include <limits>
#include <memory>

namespace dfd {

namespace {

struct ExifDataFree {
  void operator()(ExifData* d) const { exif_data_unref(d); }
};

// The entry of `tag` in the EXIF or IFD0 directory, or null.
ExifEntry* find_entry(ExifData* d, ExifTag tag) {
  for (ExifIfd ifd : {EXIF_IFD_EXIF, EXIF_IFD_0})
    if (ExifEntry* e = exif_content_get_entry(d->ifd[ifd], tag)) return e;
  return nullptr;
}

// The first component of a RATIONAL/SRATIONAL entry; `raw_numerator` receives the numerator
// (SubjectDistance marks infinity with 0xFFFFFFFF). Empty for other formats or a zero denominator.
std::optional<double> rational(ExifData* d, ExifTag tag, unsigned long* raw_numerator = nullptr) {
  ExifEntry* e = find_entry(d, tag);
  if (!e || !e->data || e->components < 1) return std::nullopt;
  const ExifByteOrder order = exif_data_get_byte_order(d);
  if (e->format == EXIF_FORMAT_RATIONAL && e->size >= 8) {
    const ExifRational r = exif_get_rational(e->data, order);
    if (raw_numerator) *raw_numerator = r.numerator;
    if (r.denominator == 0) return std::nullopt;
    return static_cast<double>(r.numerator) / r.denominator;
  }
  if (e->format == EXIF_FORMAT_SRATIONAL && e->size >= 8) {
    const ExifSRational r = exif_get_srational(e->data, order);
    if (raw_numerator) *raw_numerator = static_cast<unsigned long>(static_cast<ExifLong>(r.numerator));
    if (r.denominator == 0) return std::nullopt;
    return static_cast<double>(r.numerator) / r.denominator;
  }
  return std::nullopt;
}

// The first component of a SHORT/LONG entry.
std::optional<long> integer(ExifData* d, ExifTag tag) {
  ExifEntry* e = find_entry(d, tag);
  if (!e || !e->data || e->components < 1) return std::nullopt;
  const ExifByteOrder order = exif_data_get_byte_order(d);
  if (e->format == EXIF_FORMAT_SHORT && e->size >= 2) return static_cast<long>(exif_get_short(e->data, order));
  if (e->format == EXIF_FORMAT_LONG && e->size >= 4) return static_cast<long>(exif_get_long(e->data, order));
  return std::nullopt;
}

bool positive(const std::optional<double>& v) { return v && std::isfinite(*v) && *v > 0; }

}  // namespace

ExifInfo read_exif(const std::string& path) {
  ExifInfo info;
  std::unique_ptr<ExifData, ExifDataFree> data(exif_data_new_from_file(path.c_str()));
  if (!data) return info;
  ExifData* d = data.get();
  info.present = true;

  unsigned long raw = 0;
  const auto dist = rational(d, EXIF_TAG_SUBJECT_DISTANCE, &raw);
  if (positive(dist) && raw != 0xFFFFFFFFul) info.subject_distance = dist;

  const auto f = rational(d, EXIF_TAG_FOCAL_LENGTH);
  if (positive(f)) info.focal_length = *f * 1e-3;
  const auto n = rational(d, EXIF_TAG_FNUMBER);
  if (positive(n)) info.f_number = n;

  // FocalPlaneXResolution is pixels per unit; the unit defaults to the inch (EXIF 2.3), TIFF/EP
  // writers also use 4 = mm and 5 = micrometre.
  const auto xres = rational(d, EXIF_TAG_FOCAL_PLANE_X_RESOLUTION);
  if (positive(xres)) {
    const long unit = integer(d, EXIF_TAG_FOCAL_PLANE_RESOLUTION_UNIT).value_or(2);
    double metres = 0;
    switch (unit) {
      case 2: metres = 0.0254; break;
      case 3: metres = 0.01; break;
      case 4: metres = 1e-3; break;
      case 5: metres = 1e-6; break;
      default: break;  // 1 = no absolute unit: no pitch
    }
    if (metres > 0) info.pixel_pitch = metres / *xres;
  }
  // A LONG may exceed int (0x80000000 would wrap negative): such a width is no usable value.
  if (const auto w = integer(d, EXIF_TAG_PIXEL_X_DIMENSION); w && *w > 0 && *w <= std::numeric_limits<int>::max())
    info.pixel_x_dimension = static_cast<int>(*w);
  if (const auto r = integer(d, EXIF_TAG_SUBJECT_DISTANCE_RANGE)) info.subject_distance_range = static_cast<int>(*r);
  return info;
}

const char* subject_distance_range_name(int value) {
  switch (value) {
    case 1: return "macro";
    case 2: return "close view";
    case 3: return "distant view";
    default: return "unknown";
  }
}

}  // namespace dfd
