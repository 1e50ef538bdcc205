// Shared pieces of the dfd command line: model flags, output folders, progress lines.
#include <unistd.h>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "dfd/error.h"
#include "dfd/io.h"
#include "dfd/memory.h"
#include "dfd/outputs.h"
#include "dfd/progress.h"
#include "util/files.h"
#include "util/staged_folder.h"

namespace dfd::cli {

namespace fs = std::filesystem;

namespace {
std::string g_command_line;
}

const std::string& command_line() { return g_command_line; }

void set_command_line(int argc, char** argv) {
  g_command_line.clear();
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    const bool plain = !a.empty() && a.find_first_of(" \t\n'\"\\$`*?;&|<>()") == std::string::npos;
    if (!plain) {
      std::string q = "'";
      for (char c : a) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
      a = q + "'";
    }
    g_command_line += (i ? " " : "") + a;
  }
}

void CameraFlags::add(CLI::App& app) {
  std::string names;
  for (const auto& n : preset_names()) names += (names.empty() ? "" : ", ") + n;
  preset_opt = app.add_option("--preset", preset, "Dataset preset the defaults come from (" + names + ")")
                   ->check(CLI::IsMember(preset_names()))
                   ->capture_default_str();
  uncalibrated_opt = app.add_flag("--uncalibrated", uncalibrated,
                                  "Focus distances and lens unknown: relative depth in frame-index units, blur "
                                  "sigma = max(thresh, a |s - i|) (same as --preset uncalibrated)")
                         ->excludes(preset_opt);
  blur_scale_opt = app.add_option("--blur-scale", blur_scale,
                                  "Uncalibrated model: blur a in pixels per frame step (default: estimated)")
                       ->check(CLI::PositiveNumber);
  // Non-negative: the uncalibrated model's focus indices start at 0; calibrated stacks are
  // checked against the focal length (Options::validate).
  focus_opt = app.add_option("--focus-distances", focus,
                             "Focus distance of each frame, comma-separated (a,b,...); uncalibrated: the frame "
                             "indices")
                  ->delimiter(',')
                  ->check(CLI::NonNegativeNumber);
  focal_opt = app.add_option("--focal-length", focal_length, "Focal length f, in the focus distances' unit")
                  ->check(CLI::PositiveNumber);
  fnum_opt = app.add_option("--f-number", f_number, "f-number N (aperture D = f / N)")->check(CLI::PositiveNumber);
  aperture_opt = app.add_option("--aperture", aperture, "Aperture diameter D, in the focal length's unit")
                     ->check(CLI::PositiveNumber)
                     ->excludes(fnum_opt);
  pixel_opt =
      app.add_option("--pixel-size", pixel_size, "Pixel pitch, in the focal length's unit")->check(CLI::PositiveNumber);
  thresh_opt = app.add_option("--thresh", thresh, "Smallest blur sigma, pixels (default: the preset's)")
                   ->check(CLI::PositiveNumber);
  kernel_opt = app.add_option("--kernel-size", kernel_size, "Blur window K (odd); default from the image size")
                   ->check(CLI::PositiveNumber)
                   ->check(CLI::Validator(
                       [](const std::string& s) {
                         try {
                           return std::stoi(s) % 2 == 1 ? std::string() : std::string("must be odd");
                         } catch (const std::exception&) {
                           return std::string("must be an odd integer");
                         }
                       },
                       "ODD"));
}

void CameraFlags::apply(Options& opt) const {
  if (*focal_opt) opt.focal_length = focal_length;
  if (*fnum_opt) {
    opt.f_number = f_number;
    opt.aperture = 0.0;  // an f-number on the command line wins over a manifest's aperture
  }
  if (*aperture_opt) opt.aperture = aperture;
  if (*pixel_opt) opt.pixel_pitch = pixel_size;
  if (*thresh_opt) opt.thresh = thresh;
  if (*kernel_opt) opt.kernel_size = kernel_size;
  if (*blur_scale_opt) {
    if (opt.blur_model != BlurModel::FocusIndex)
      throw_usage("--blur-scale applies to the uncalibrated model only (add --uncalibrated)");
    opt.blur_scale = blur_scale;
  }
}

void SolverFlags::add(CLI::App& app, bool full) {
  if (full) {
    depth_range_opt = app.add_option("--depth-range", depth_range,
                                     "Depth search range MIN,MAX (default: the preset's; uncalibrated: the frame "
                                     "indices 0,F-1)")
                          ->delimiter(',')
                          ->expected(2)
                          ->check(CLI::NonNegativeNumber);
    window_opt = app.add_option("--window-size", window,
                                "Windowed grid-search loss over w x w (0 = none; default: the preset's)")
                     ->check(CLI::NonNegativeNumber);
    candidates_opt =
        app.add_option("--depth-candidates", candidates, "Grid-search candidates N (default: the preset's)")
            ->check(CLI::Range(2, 100000));
    aif_opt = app.add_option("--aif-solver", aif_solver, "AIF step solver (default: cg)")
                  ->check(CLI::IsMember({"cg", "fista"}));
    cg_opt = app.add_option("--cg-iters", cg_iters,
                            "CG iterations: first epoch, most per epoch (A,B; default " +
                                std::to_string(Options().cg_iters_first) + "," +
                                std::to_string(Options().cg_iters_max) + ")")
                 ->delimiter(',')
                 ->expected(2)
                 ->check(CLI::PositiveNumber);
    order_opt = app.add_option("--order", order, "Which step comes first (default: depth-first)")
                    ->check(CLI::IsMember({"depth-first", "aif-first"}));
    range_opt = app.add_option("--range", range, "Input intensity range R (default: from the bit depth)")
                    ->check(CLI::PositiveNumber);
    scale_opt = app.add_option("--scale", scale,
                               "Solve at this fraction of the frames' size, e.g. 0.5 (after --align; outputs at "
                               "that size)")
                    ->check(CLI::Range(0.01, 1.0));
    align.add(app);
    quality.add(app);
    regularizer.add(app);
  }
  epochs_opt = app.add_option("--epochs", epochs, "Alternating epochs (default: the preset's; nyuv2 40)")
                   ->check(CLI::Range(1, 1000000));
  backend_opt = app.add_option("--backend", backend, "Where to solve (auto: CUDA when a GPU is present)")
                    ->check(CLI::IsMember({"cpu", "cuda", "auto"}));
  threads_opt = app.add_option("--threads", threads, "CPU threads (0 = all)")->check(CLI::NonNegativeNumber);
  max_memory_opt = app.add_option("--max-memory", max_memory, kMaxMemoryHelp);
  app.add_flag("--quiet,-q", quiet, "No progress lines");
}

const char* const kMaxMemoryHelp =
    "Host memory the run may use, e.g. 8G or 512M (default: 85% of what is available: MemAvailable, the "
    "cgroup's limit, ulimit -v); a stack or solve over it is refused before decoding or allocating (exit 5)";

void SolverFlags::apply_memory_limit() const {
  if (max_memory_opt && *max_memory_opt) set_max_memory(parse_memory_size(max_memory));
}

void SolverFlags::apply(Options& opt) const {
  if (depth_range_opt && *depth_range_opt) {
    opt.depth_min = depth_range[0];
    opt.depth_max = depth_range[1];
  }
  if (window_opt && *window_opt) opt.window = window;
  if (candidates_opt && *candidates_opt) opt.depth_candidates = candidates;
  if (aif_opt && *aif_opt) opt.aif_solver = aif_solver == "fista" ? AifSolver::Fista : AifSolver::CG;
  if (cg_opt && *cg_opt) {
    opt.cg_iters_first = cg_iters[0];
    opt.cg_iters_max = cg_iters[1];
  }
  if (order_opt && *order_opt) opt.order = order == "aif-first" ? StepOrder::AifFirst : StepOrder::DepthFirst;
  if (range_opt && *range_opt) opt.range = range;
  if (*epochs_opt) opt.epochs = epochs;
  if (*backend_opt)
    opt.backend = backend == "cpu" ? BackendKind::Cpu : backend == "cuda" ? BackendKind::Cuda : BackendKind::Auto;
  if (*threads_opt) opt.threads = threads;
  quality.apply(opt);
  regularizer.apply(opt);
}

void SolveFileFlags::add(CLI::App& app) {
  focus_csv_opt = app.add_option(
      "--focus-csv", focus_csv, "Focus distances from a CSV: one per frame in order, or rows \"frame,focus_distance\"");
  app.add_option("--z-step", outputs.physical.z_step,
                 "Uncalibrated model: focus travel per frame (a microscope's z step); the depth outputs and "
                 "points.ply then hold the focus position in that unit (default: the TIFF's ImageJ/OME metadata)")
      ->check(CLI::PositiveNumber);
  app.add_option("--xy-step", outputs.physical.xy_step,
                 "With a z step: the object-side pixel size in the same unit, for points.ply's x and y")
      ->check(CLI::PositiveNumber);
  app.add_option("--z-unit", outputs.physical.unit,
                 "The unit of --z-step and --xy-step, e.g. um, mm (recorded in "
                 "report.json and points.ply)");
  app.add_flag("--exr", outputs.exr, "Also write depth.exr (32-bit float OpenEXR)");
  CLI::Option* ply = app.add_flag("--ply", outputs.ply, "Also write points.ply (point cloud with AIF colours)");
  app.add_option("--ply-min-confidence", outputs.ply_options.min_confidence,
                 "Leave out of points.ply the points whose confidence is below C (0..1)")
      ->check(CLI::Range(0.0, 1.0))
      ->needs(ply);
  app.add_option("--ply-z-scale", outputs.ply_options.z_scale,
                 "Uncalibrated model: z of points.ply = relative depth * this, pixels per frame step "
                 "(default: the depth range spans a quarter of the image width)")
      ->check(CLI::PositiveNumber)
      ->needs(ply);
}

void SolveFileFlags::apply(SolveRequest& request) const {
  if (focus_csv_opt && *focus_csv_opt && !focus_csv.empty()) request.focus_csv = focus_csv;
}

void check_output_dir(const std::string& dir, bool force) {
  std::error_code ec;
  const auto st = fs::status(dir, ec);
  if (!fs::exists(st)) return;
  if (!fs::is_directory(st)) throw_usage("--out " + dir + ": exists and is not a folder");
  if (!force && !fs::is_empty(dir, ec))
    throw_usage("output folder " + dir + " exists and is not empty; pass --force to overwrite its results");
}

void check_result_folder(const std::string& dir, bool force) {
  std::error_code ec;
  const auto st = fs::status(dir, ec);
  if (!fs::exists(st)) return;
  if (!fs::is_directory(st)) throw_usage("--out " + dir + ": exists and is not a folder");
  // The results replace the folder as a whole: not one a shell (this one) is working in.
  if (fs::equivalent(dir, fs::current_path(), ec))
    throw_usage("--out " + dir + " is the current folder, which the results would replace; give a folder inside it");
  if (fs::is_empty(dir, ec)) return;
  if (!force) throw_usage("output folder " + dir + " exists and is not empty; pass --force to replace its results");
  // --force replaces the folder as a whole (the new results are swapped in once complete), so
  // it must hold nothing but results: what the solve writes and what its report.json lists.
  std::vector<std::string> known = solve_output_names();
  try {
    std::ifstream in(join_path(dir, "report.json"));
    const nlohmann::json r = nlohmann::json::parse(in);
    if (r.contains("outputs") && r["outputs"].is_array())
      for (const auto& f : r["outputs"])
        if (f.is_string()) known.push_back(f.get<std::string>());
  } catch (...) {  // no readable report: only the names solve writes count
  }
  const std::vector<std::string> foreign = foreign_entries(dir, known);
  if (!foreign.empty()) {
    std::string list;
    for (size_t i = 0; i < foreign.size() && i < 5; ++i) list += (i ? ", " : "") + foreign[i];
    if (foreign.size() > 5) list += ", ... (" + std::to_string(foreign.size()) + " in all)";
    throw_usage("--force replaces the results in " + dir + " as a whole, but it also holds " + list +
                ", which dfd solve did not write; choose another --out, or move them");
  }
}

namespace {
bool g_progress_open = false;  // a terminal progress line was drawn with \r and not yet ended
}

void end_progress_line() {
  if (!g_progress_open) return;
  std::fputc('\n', stderr);
  g_progress_open = false;
}

void note(bool quiet, const std::string& line) {
  if (quiet) return;
  end_progress_line();
  std::fprintf(stderr, "dfd: %s\n", line.c_str());
}

ProgressFn progress_printer(bool quiet, const Options* opt) {
  if (quiet) return nullptr;
  const auto start = std::chrono::steady_clock::now();
  const bool terminal = ::isatty(::fileno(stderr)) == 1;
  auto estimate = std::make_shared<ProgressEstimate>(opt ? *opt : Options());
  return [start, terminal, estimate, known = opt != nullptr](const StepLog& s, int epochs) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    estimate->add(s);
    const double left = known ? estimate->remaining() : -1.0;
    const std::string line = "dfd: " + format_progress(s, epochs, elapsed, left);
    if (!terminal) {
      std::fprintf(stderr, "%s\n", line.c_str());
      return;
    }
    // One line rewritten in place (\033[K clears what a longer previous line left).
    std::fprintf(stderr, "\r%s\033[K", line.c_str());
    g_progress_open = true;
    if (left == 0.0) end_progress_line();
    std::fflush(stderr);
  };
}

}  // namespace dfd::cli
