// The input side of `dfd solve`: what the inputs are (frames, folder, z-stack TIFF, manifest,
// MobileDepth), the camera they imply (EXIF, calibrated.txt) and where the focus distances come from.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dfd/exif.h"
#include "dfd/io.h"
#include "dfd/job.h"
#include "dfd/stack_inputs.h"

namespace dfd {

using NoteFn = std::function<void(const std::string&)>;

// A request's stack, loaded, before its options are built and its focus distances resolved.
struct StackInputs {
  SolveJob job;        // stack (frames, sources, range; a manifest's focus distances) and input_kind
  std::string preset;  // the preset the options start from
  std::optional<StackManifest> manifest;
  std::optional<MobileDepthCalibration> calibration;
  std::string calibration_path;
  std::vector<ExifInfo> exif;  // per frame (empty for a TIFF z-stack)
};

// Classifies and loads the inputs: one STACK.json, one folder (MobileDepth when it holds
// calibrated.txt), one multi-page TIFF, or at least 2 frame files. Errors as prepare_solve_job.
StackInputs load_stack_inputs(const SolveRequest& request, const NoteFn& note);

// The camera the inputs imply, applied over the preset's: calibrated.txt's f and D, else the
// first frame's EXIF focal length, f-number and focal-plane pixel pitch.
void apply_input_camera(const StackInputs& in, Options& opt, const NoteFn& note);

// Whether any source gives the stack's focus distances: --focus-distances, --focus-csv, the
// manifest, calibrated.txt, or EXIF SubjectDistance on every frame (a preset's are not counted).
bool has_focus_distances(const StackInputs& in, const SolveRequest& request);

// Sets the stack's focus distances and job.focus_source in the documented order, given the
// final options (the FocusIndex model takes the frame indices).
void resolve_focus_distances(StackInputs& in, const SolveRequest& request, const Options& opt, const NoteFn& note);

}  // namespace dfd
