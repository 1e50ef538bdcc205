// One `dfd solve` job as library calls: load the stack and build its options, then solve and write.
// `dfd solve` and each item of `dfd batch` run through these, so both behave the same.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dfd/align.h"
#include "dfd/backend.h"
#include "dfd/image.h"
#include "dfd/options.h"
#include "dfd/outputs.h"
#include "dfd/report.h"
#include "dfd/solver.h"

namespace dfd {

// What `dfd solve` is given, less the output folder.
struct SolveRequest {
  std::vector<std::string> inputs;  // one STACK.json, one folder, one multi-page TIFF, or >= 2 frames
  // Instead of `inputs`: the stack itself, frames already in memory (the Python module's arrays;
  // input kind "arrays", no EXIF). Called once; its focus distances, if any, are ignored (`focus`).
  std::function<FocalStack()> stack_source;
  std::string preset = "nyuv2";              // --preset
  bool preset_given = false;                 // an explicit preset wins over the manifest's
  std::optional<std::vector<double>> focus;  // --focus-distances (first in the focus-distance order)
  std::optional<std::string> focus_csv;      // --focus-csv FILE (after --focus-distances, before the manifest)
  double range = 0.0;                        // --range; 0 = the manifest's or the files' own
  double scale = 1.0;                        // --scale: solve at this fraction of the frames' size (0, 1]
  std::optional<AlignOptions> align;         // --align: register the frames onto a reference first
  // Applies the command-line flags over the preset and the manifest's camera (last word).
  std::function<void(Options&)> apply_flags;
};

// A loaded stack and its validated options, ready to solve.
struct SolveJob {
  FocalStack stack;  // frames warped onto the reference when the request aligns
  Options options;
  std::optional<AlignmentReport> alignment;  // what --align estimated (report.json "alignment")
  double scale = 1.0;                        // the frames were resized by this factor (--scale)
  OutputOptions outputs;  // which optional files run_solve_job writes (depth16, summary, --exr, --ply)
  // Where the stack came from: "frames", "folder", "tiff-stack", "manifest" or "mobiledepth".
  std::string input_kind;
  // Where its focus distances came from: "flag", "csv", "manifest", "calibrated.txt", "exif",
  // "preset" or "frame-index" (the uncalibrated model).
  std::string focus_source;
  std::vector<std::string> input_notes;  // the notes given while loading (EXIF fallbacks, ignored values)
  // Why the uncalibrated model was chosen without being asked for (no focus distances from any
  // source and no preset); empty when the model came from the preset or the flags.
  std::string auto_uncalibrated;
  // The z step a TIFF z-stack's (or first TIFF frame's) ImageJ / OME metadata records; used by
  // the uncalibrated model where the flags (outputs.physical) do not say.
  std::optional<PhysicalScale> metadata_scale;
};

// The physical units of the job's depth: the flags' (outputs.physical) over the metadata's,
// field by field; unknown (z_step 0) for a calibrated model, whose depth has units already.
// Error(Usage) when --z-step is given for a calibrated model.
PhysicalScale physical_scale(const SolveJob& job);

// Loads the inputs and builds the options: preset, then the frames' EXIF camera, then
// calibrated.txt, then the manifest's camera, then the flags; validates them against the stack.
// Focus distances: --focus-distances, else --focus-csv, else the manifest, else calibrated.txt,
// else EXIF SubjectDistance (only when every frame has one), else the preset; the FocusIndex
// model takes the frame indices 0..F-1 instead. With no focus distances from any of these
// sources and no preset asked for (request.preset_given, the manifest's, calibrated.txt), the
// job is solved uncalibrated (the "uncalibrated" preset; SolveJob::auto_uncalibrated says why). Throws Error(Usage) for
// inconsistent inputs, Error(Input) for unreadable or invalid data. `note` (optional) receives informational lines.
SolveJob prepare_solve_job(const SolveRequest& request, const std::function<void(const std::string&)>& note = nullptr);

// Writes depth.tiff, aif.png, aif16.png and depth_color.png of a result into `dir`, and
// confidence.tiff (float) and confidence.png (8-bit grey, 255 = 1) when the result has a
// confidence map; returns the file names written.
std::vector<std::string> write_result_images(const std::string& dir, const Result& r, double range);

// The report of a solved job (report.json without its output files): what the job and the
// result say, for run_solve_job and the Python module alike. Points into `job` and `result`.
RunReport job_report(const SolveJob& job, const Result& result, const std::string& command_line,
                     const std::string& backend_note = "");

// Solves the job on `backend` and writes the result images, then report.json last (its
// presence means the folder is complete) into `dir`, which must exist.
struct SolveJobOutput {
  Result result;
  std::vector<std::string> files;  // names within `dir`, report.json last
};
SolveJobOutput run_solve_job(const SolveJob& job, Backend& backend, const std::string& dir,
                             const std::string& command_line, const std::string& backend_note = "",
                             const ProgressFn& progress = nullptr);

}  // namespace dfd
