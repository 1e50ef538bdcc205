// What a solve leaves beside its images: report.json, the metrics JSON of `dfd eval` and the
// summary sheet (dfd_io, src/io/report.cpp and summary_sheet.cpp).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dfd/image.h"
#include "dfd/metrics.h"
#include "dfd/options.h"

namespace dfd {

struct Result;           // dfd/solver.h
struct AlignmentReport;  // dfd/align.h

// summary.png: one page, 1600 px wide: a title line (size, frames, backend, time), up to 8
// stack thumbnails labelled with their focus distances, the AIF, the colourised depth with its
// legend, the confidence map ("n/a" when empty) and the loss curve (log scale) of r.log.
void write_summary(const std::string& path, const FocalStack& stack, const Result& r,
                   const std::string& depth_label = "");

// ---- Reports ------------------------------------------------------------------------------------

// What report.json records about one solve.
struct RunReport {
  std::string command_line;
  Options options;
  const FocalStack* stack = nullptr;           // inputs: files, sizes, focus distances, range
  std::string input_kind;                      // "input"."kind": frames, folder, tiff-stack, manifest, mobiledepth
  std::string focus_source;                    // "input"."focus_source": flag, csv, manifest, calibrated.txt, exif, ...
  std::vector<std::string> input_notes;        // "input"."notes": what loading the inputs noted
  std::string auto_uncalibrated;               // "model"."auto_selected"/"auto_reason": why uncalibrated unasked
  const Result* result = nullptr;              // levels, backend, per-step log, timings, memory
  double scale = 1.0;                          // "input"."scale": the frames were resized by this (--scale)
  const AlignmentReport* alignment = nullptr;  // "alignment": what --align estimated (optional)
  std::string backend_note;                    // why this backend was picked (may be empty)
  std::vector<std::string> outputs;            // files written next to the report
  // Further top-level keys: name -> JSON text (e.g. "depth16": {"scale", "unit"}, "ply").
  std::vector<std::pair<std::string, std::string>> sections;
  // "model"."depth_unit" when the depth was given physical units (a z step); else the model's.
  std::string depth_unit;
};
// The report as pretty-printed JSON (dfd version, command line, options incl. camera and K,
// levels and their verified kernel error, backend and device, per-step log, total seconds,
// peak backend memory and process peak RSS, inputs).
std::string report_json(const RunReport& report);

// Metrics as JSON: {"rmse", "absrel", "delta1", "delta2", "delta3", "pixels"[, "psnr"]}.
std::string metrics_json(const DepthMetrics& m, std::optional<double> psnr = std::nullopt);

}  // namespace dfd
