// EXIF fields of a camera frame that matter to the model: focus distance, focal length, f-number, pixel pitch.
#pragma once

#include <optional>
#include <string>

namespace dfd {

// The maker-independent EXIF tags dfd uses, in metres where they are lengths. A field is empty
// when the tag is absent or carries no usable value.
struct ExifInfo {
  bool present = false;                       // the file carries an EXIF block at all
  std::optional<double> subject_distance;     // SubjectDistance (0x9206), metres; 0 ("unknown") and
                                              // 0xFFFFFFFF ("infinity") are not usable distances
  std::optional<double> focal_length;         // FocalLength (0x920A), mm in the file, metres here
  std::optional<double> f_number;             // FNumber (0x829D)
  std::optional<double> pixel_pitch;          // from FocalPlaneXResolution (0xA20E) and its unit (0xA210),
                                              // metres per pixel at the width PixelXDimension
  std::optional<int> pixel_x_dimension;       // PixelXDimension (0xA002): the width the pitch refers to
  std::optional<int> subject_distance_range;  // SubjectDistanceRange (0xA40C): 0 unknown, 1 macro,
                                              // 2 close, 3 distant. A category, never used as a distance.
};

// Reads the EXIF block of a JPEG (or a raw EXIF file) with libexif. A file without EXIF, or one
// libexif cannot parse, gives an ExifInfo with present = false; it never throws for that.
ExifInfo read_exif(const std::string& path);

// "macro", "close view", "distant view" or "unknown" for a SubjectDistanceRange value.
const char* subject_distance_range_name(int value);

}  // namespace dfd
