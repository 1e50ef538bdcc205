// Fuzz target: the EXIF block of a JPEG or a raw EXIF file (read_exif through libexif); never
// throws, and every field it returns is a usable value.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "dfd/exif.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static dfd::fuzz::InputFile file("frame.jpg");
  const std::string& path = file.write(data, size);
  const dfd::ExifInfo e = dfd::read_exif(path);
  auto usable = [](const std::optional<double>& v) { return !v || (std::isfinite(*v) && *v > 0); };
  if (!usable(e.subject_distance) || !usable(e.focal_length) || !usable(e.f_number) || !usable(e.pixel_pitch))
    std::abort();
  if (e.pixel_x_dimension && *e.pixel_x_dimension <= 0) std::abort();
  if (e.subject_distance_range) (void)dfd::subject_distance_range_name(*e.subject_distance_range);
  return 0;
}
