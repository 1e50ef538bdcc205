// The input side of `dfd solve`: input kinds, the camera from EXIF or calibrated.txt, and the focus-distance order.
#include "app/solve_inputs.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "dfd/error.h"
#include "util/number_text.h"

namespace dfd {

namespace fs = std::filesystem;

namespace {

bool is_manifest(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".json";
}

std::string name_of(const std::string& path) { return fs::path(path).filename().string(); }

// Notes what SubjectDistanceRange says (recorded, never used: it is a category, not a distance).
void note_distance_range(const StackInputs& in, const NoteFn& note) {
  int count = 0, first = -1;
  for (size_t i = 0; i < in.exif.size(); ++i)
    if (in.exif[i].subject_distance_range) {
      ++count;
      if (first < 0) first = static_cast<int>(i);
    }
  if (count == 0) return;
  note("EXIF SubjectDistanceRange of " + name_of(in.job.stack.sources[first]) + ": " +
       subject_distance_range_name(*in.exif[first].subject_distance_range) + " (" + std::to_string(count) + " of " +
       std::to_string(in.exif.size()) + " frames carry it; a category, not used as a distance)");
}

}  // namespace

StackInputs load_stack_inputs(const SolveRequest& a, const NoteFn& note) {
  if (a.stack_source) {  // frames in memory: no files, no EXIF, no manifest
    if (!a.inputs.empty()) throw_usage("give either the frames in memory or input files, not both");
    StackInputs in;
    in.job.stack = a.stack_source();
    in.job.stack.focus_distances.clear();
    in.job.input_kind = "arrays";
    in.preset = a.preset;
    return in;
  }
  if (a.inputs.empty()) throw_usage("no inputs: give one STACK.json, a folder, a multi-page TIFF or the frames");
  StackInputs in;
  FocalStack& stack = in.job.stack;
  std::vector<std::string> frames;
  if (a.inputs.size() == 1) {
    const std::string& path = a.inputs[0];
    std::error_code ec;
    if (is_manifest(path)) {
      LoadedManifest lm = load_manifest(path, a.range);
      in.manifest = std::move(lm.manifest);
      stack = std::move(lm.stack);
      in.job.input_kind = "manifest";
    } else if (fs::is_directory(path, ec)) {
      in.calibration_path = mobiledepth_calibration_path(path);
      if (!in.calibration_path.empty()) {
        frames = list_mobiledepth_frames(path);
        in.calibration = read_mobiledepth_calibration(in.calibration_path, static_cast<int>(frames.size()));
        in.job.input_kind = "mobiledepth";
        note("MobileDepth folder " + path + ": " + std::to_string(frames.size()) + " frames a*.jpg and calibrated.txt");
      } else {
        if (a.preset_given && a.preset == "mobiledepth")
          throw_input(path +
                      ": --preset mobiledepth needs the MobileDepth layout, but the folder has no calibrated.txt "
                      "(one \"focal_depth aperture\" line per frame a*.jpg, then the focal length)");
        frames = list_folder_frames(path);
        in.job.input_kind = "folder";
        note("folder " + path + ": " + std::to_string(frames.size()) + " frames, " + name_of(frames.front()) + " .. " +
             name_of(frames.back()) + " (natural order)");
      }
    } else if (!fs::exists(path, ec)) {
      throw_input(path + ": no such file or folder");
    } else if (int pages = is_tiff_file_name(path) ? tiff_page_count(path) : 1; pages != 1) {
      // load_tiff_stack refuses a stack over the memory limit from its page directories.
      stack = load_tiff_stack(path, a.range);
      in.job.input_kind = "tiff-stack";
      note("TIFF z-stack " + path + ": " + std::to_string(stack.count()) + " pages");
    } else if (is_tiff_file_name(path)) {
      throw_input(path +
                  ": a single-page TIFF; a focal stack needs at least 2 frames (pages of a z-stack, or frame files)");
    } else {
      throw_usage(path + ": a focal stack needs at least 2 frames (or one STACK.json, folder or multi-page TIFF)");
    }
  } else {
    for (const auto& f : a.inputs)
      if (is_manifest(f)) throw_usage("give either one STACK.json or the frames, not both");
    frames = a.inputs;
    in.job.input_kind = "frames";
  }
  if (!frames.empty()) stack = load_stack(frames, {}, a.range);
  if (in.job.input_kind != "tiff-stack")
    for (const auto& f : stack.sources) in.exif.push_back(read_exif(f));
  note_distance_range(in, note);

  in.preset = a.preset;
  if (!a.preset_given && in.manifest && in.manifest->preset) in.preset = *in.manifest->preset;
  if (!a.preset_given && in.calibration) in.preset = "mobiledepth";
  if (a.preset_given && in.calibration && a.preset != "mobiledepth")
    note("preset " + a.preset +
         " over a MobileDepth folder: its calibrated.txt still gives the camera and focus distances");
  return in;
}

void apply_input_camera(const StackInputs& in, Options& opt, const NoteFn& note) {
  if (in.calibration) {
    const MobileDepthCalibration& c = *in.calibration;
    opt.focal_length = c.focal_length;
    opt.aperture = c.aperture();
    const auto [lo, hi] = std::minmax_element(c.apertures.begin(), c.apertures.end());
    if (*hi - *lo > 1e-9 * *hi)
      note(in.calibration_path + ": apertures differ between frames (" + format_number_short(*lo) + " .. " +
           format_number_short(*hi) + "); the model takes one, their mean " + format_number_short(opt.aperture));
    return;
  }
  if (in.exif.empty() || !in.exif[0].present) return;
  const ExifInfo& e = in.exif[0];
  std::string used;
  if (e.focal_length) {
    opt.focal_length = *e.focal_length;
    used += "f = " + format_number_short(*e.focal_length * 1e3) + " mm";
  }
  if (e.f_number) {
    opt.f_number = *e.f_number;
    opt.aperture = 0.0;
    used += std::string(used.empty() ? "" : ", ") + "f/" + format_number_short(*e.f_number);
  }
  if (e.pixel_pitch) {
    // The focal-plane resolution refers to the image as the camera wrote it (PixelXDimension wide);
    // a resized frame has proportionally larger pixels.
    const int width = in.job.stack.width();
    const double scale = e.pixel_x_dimension && width > 0 ? static_cast<double>(*e.pixel_x_dimension) / width : 1.0;
    opt.pixel_pitch = *e.pixel_pitch * scale;
    used += std::string(used.empty() ? "" : ", ") + "pixel pitch " + format_number_short(opt.pixel_pitch * 1e6) + " um";
  }
  if (used.empty()) return;
  note("camera from the EXIF of " + name_of(in.job.stack.sources[0]) + ": " + used);
  for (size_t i = 1; i < in.exif.size(); ++i)
    if (in.exif[i].focal_length != e.focal_length || in.exif[i].f_number != e.f_number) {
      note("EXIF focal length or f-number of " + name_of(in.job.stack.sources[i]) +
           " differs from the first frame's; "
           "the model takes the first frame's");
      break;
    }
}

bool has_focus_distances(const StackInputs& in, const SolveRequest& a) {
  if (a.focus || a.focus_csv || in.manifest || in.calibration) return true;
  if (in.exif.empty()) return false;
  for (const auto& e : in.exif)
    if (!e.subject_distance) return false;
  return true;
}

void resolve_focus_distances(StackInputs& in, const SolveRequest& a, const Options& opt, const NoteFn& note) {
  FocalStack& s = in.job.stack;
  std::string& source = in.job.focus_source;
  const int F = s.count();
  if (opt.blur_model == BlurModel::FocusIndex) {
    std::vector<std::string> ignored;
    if (a.focus) ignored.push_back("--focus-distances");
    if (a.focus_csv) ignored.push_back("--focus-csv");
    if (in.manifest) ignored.push_back("the manifest's focus distances");
    if (in.calibration) ignored.push_back("calibrated.txt's focus distances");
    if (!ignored.empty()) {
      std::string list;
      for (const auto& g : ignored) list += (list.empty() ? "" : ", ") + g;
      note("uncalibrated model: the focus distances are the frame indices 0.." + std::to_string(F - 1) + "; ignoring " +
           list);
    }
    s.focus_distances.resize(F);
    for (int i = 0; i < F; ++i) s.focus_distances[i] = i;
    source = "frame-index";
    return;
  }
  if (a.focus) {
    if (a.focus_csv) note("--focus-distances given: ignoring --focus-csv " + *a.focus_csv);
    s.focus_distances = *a.focus;
    source = "flag";
    return;
  }
  if (a.focus_csv) {
    s.focus_distances = read_focus_csv(*a.focus_csv, s.sources);
    source = "csv";
    return;
  }
  if (in.manifest) {
    source = "manifest";  // load_manifest stored them
    return;
  }
  if (in.calibration) {
    s.focus_distances = in.calibration->focus_distances;
    source = "calibrated.txt";
    return;
  }
  int with = 0, first_missing = -1;
  for (size_t i = 0; i < in.exif.size(); ++i) {
    if (in.exif[i].subject_distance)
      ++with;
    else if (first_missing < 0)
      first_missing = static_cast<int>(i);
  }
  if (F > 0 && with == F) {
    s.focus_distances.clear();
    for (const auto& e : in.exif) s.focus_distances.push_back(*e.subject_distance);
    source = "exif";
    note("focus distances from EXIF SubjectDistance (metres)");
    return;
  }
  if (with > 0)
    note("EXIF SubjectDistance on " + std::to_string(with) + " of " + std::to_string(F) +
         " frames only (none usable in " + s.sources[first_missing] + "): not using EXIF focus distances");
  std::vector<double> focus = preset_focus_distances(opt.preset);
  if (static_cast<int>(focus.size()) != F)
    throw_usage("no focus distances for the " + opt.preset +
                " preset: pass --focus-distances or --focus-csv with "
                "one value per frame (" +
                std::to_string(F) +
                " frames), or write a STACK.json; or pass "
                "--uncalibrated for relative depth without them");
  note("focus distances from the " + opt.preset + " preset");
  s.focus_distances = std::move(focus);
  source = "preset";
}

}  // namespace dfd
