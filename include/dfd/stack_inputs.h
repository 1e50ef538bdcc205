// Focal-stack sources beyond frame lists and manifests: image folders in natural order, the
// MobileDepth layout (a*.jpg + calibrated.txt), multi-page TIFF z-stacks and focus-distance CSVs.
#pragma once

#include <string>
#include <vector>

#include "dfd/image.h"

namespace dfd {

// "Natural" file-name order: runs of digits compare as numbers (frame2 < frame10), letters
// case-insensitively; names equal under that rule fall back to plain byte order.
bool natural_less(const std::string& a, const std::string& b);

// Whether a file name has an image extension dfd reads as a frame (jpg, jpeg, png, tif, tiff,
// bmp, webp, exr; any case).
bool is_frame_file_name(const std::string& name);

// The frame files of a folder (hidden files skipped), full paths, in natural order of their
// names. Throws Error(Input) naming the folder when it is missing or holds fewer than 2 frames.
std::vector<std::string> list_folder_frames(const std::string& dir);

// ---- MobileDepth (SPEC 6) ----------------------------------------------------------------------

// calibrated.txt of a MobileDepth scene: one "focal_depth aperture" line per frame, then the
// focal length alone on the last line (blank lines ignored; numbers separated by spaces, tabs
// or commas), all in the calibration's own unitless scale.
struct MobileDepthCalibration {
  std::vector<double> focus_distances;  // Zf of each frame
  std::vector<double> apertures;        // D of each frame
  double focal_length = 0.0;            // f
  double aperture() const;              // the mean D (the model takes one aperture)
};

// The calibration file's path when `dir` holds the MobileDepth layout, else "".
std::string mobiledepth_calibration_path(const std::string& dir);
// The frames a*.jpg of a MobileDepth folder in natural order; Error(Input) naming the folder
// when there are none.
std::vector<std::string> list_mobiledepth_frames(const std::string& dir);
// Parses and checks calibrated.txt against the frame count: every number parses and is
// positive and finite, each focus distance exceeds f. Errors (Input) name the file and line.
MobileDepthCalibration read_mobiledepth_calibration(const std::string& path, int frames);

// ---- Multi-page TIFF z-stacks --------------------------------------------------------------------

// Whether the name ends in .tif/.tiff (any case).
bool is_tiff_file_name(const std::string& name);
// Pages of a TIFF file (0 when it cannot be read as one), counted from its directory chain
// without decoding any page; at most kMaxStackFrames + 1 (dfd/input_limits.h).
int tiff_page_count(const std::string& path);
// Loads the pages of a multi-page TIFF as the frames of a stack (8/16-bit or float, grey or
// colour; every page of the first page's size, channels and bit depth), no focus distances.
// Sources read "FILE page N" (0-based). Range as load_stack. Errors (Input) name the file and page;
// more than kMaxStackFrames pages is Error(OutOfMemory), refused before any page is decoded.
FocalStack load_tiff_stack(const std::string& path, double range_override = 0.0);

// ---- Focus distances from a CSV ----------------------------------------------------------------

// Reads a focus-distance CSV for `frames` (their paths or names): either the values in frame
// order (one per line, or comma separated on one or more lines), or two columns
// "frame,focus_distance" with the frame's file name (or name without extension) in the first;
// an optional header line; blank lines and lines starting with '#' skipped. Every value must
// be a positive finite number and every frame get exactly one. Errors (Input) name the CSV and line.
// The pages of a TIFF z-stack have no file names: give their values in page order.
std::vector<double> read_focus_csv(const std::string& path, const std::vector<std::string>& frames);

}  // namespace dfd
