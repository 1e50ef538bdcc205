// Shared pieces of the dfd command line: subcommand registration, model flags, output folders.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "cli/align_flags.h"
#include "cli/quality_flags.h"
#include "cli/regularizer_flags.h"
#include "dfd/job.h"
#include "dfd/options.h"
#include "dfd/outputs.h"
#include "dfd/solver.h"
#include "util/files.h"

namespace dfd::cli {

// A registered subcommand: its parser and what runs once it parsed (returns the exit code).
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

Command add_synth_command(CLI::App& root);
Command add_solve_command(CLI::App& root);
Command add_eval_command(CLI::App& root);
Command add_demo_command(CLI::App& root);
Command add_batch_command(CLI::App& root);
Command add_bench_command(CLI::App& root);
Command add_dataset_command(CLI::App& root);

// The process's command line, quoted where needed (recorded in report.json).
const std::string& command_line();
void set_command_line(int argc, char** argv);

// Camera and model flags shared by `synth` and `solve`; apply() writes only the flags given.
struct CameraFlags {
  std::string preset = "nyuv2";
  double focal_length = 0, f_number = 0, aperture = 0, pixel_size = 0, thresh = 0, blur_scale = 0;
  int kernel_size = 0;
  bool uncalibrated = false;
  std::vector<double> focus;
  CLI::Option *uncalibrated_opt = nullptr, *blur_scale_opt = nullptr;
  CLI::Option *preset_opt = nullptr, *focal_opt = nullptr, *fnum_opt = nullptr, *aperture_opt = nullptr,
              *pixel_opt = nullptr, *thresh_opt = nullptr, *kernel_opt = nullptr, *focus_opt = nullptr;

  void add(CLI::App& app);
  void apply(Options& opt) const;
  // The preset to start from: "uncalibrated" with --uncalibrated, else --preset's value.
  std::string preset_name() const { return uncalibrated ? std::string("uncalibrated") : preset; }
};

// The solver flags of `solve` (and the few `demo` shares); apply() writes only those given.
struct SolverFlags {
  std::vector<double> depth_range;
  std::vector<int> cg_iters;
  int window = 0, epochs = 0, candidates = 0, threads = 0;
  std::string aif_solver, order, backend, max_memory;
  double range = 0, scale = 1;
  bool quiet = false;
  AlignFlags align;              // --align, --align-reference, --align-crop (full only)
  QualityFlags quality;          // --no-confidence, --cleanup ..., --min-confidence (full only)
  RegularizerFlags regularizer;  // --regularizer and the prior weights (full only)
  CLI::Option *depth_range_opt = nullptr, *cg_opt = nullptr, *window_opt = nullptr, *epochs_opt = nullptr,
              *candidates_opt = nullptr, *threads_opt = nullptr, *aif_opt = nullptr, *order_opt = nullptr,
              *backend_opt = nullptr, *range_opt = nullptr, *scale_opt = nullptr, *max_memory_opt = nullptr;

  // `full` = false adds only --epochs, --backend, --threads, --max-memory and --quiet (for `demo`).
  void add(CLI::App& app, bool full = true);
  void apply(Options& opt) const;
  // --max-memory, when given, as the process's host memory limit (set_max_memory).
  void apply_memory_limit() const;
};

// The flags of `dfd solve` beyond the model and solver ones: the optional output files (--exr,
// --ply, --ply-min-confidence, --ply-z-scale) and --focus-csv. `dfd batch` items take them as
// overrides through these same definitions.
struct SolveFileFlags {
  OutputOptions outputs;
  std::string focus_csv;
  CLI::Option* focus_csv_opt = nullptr;

  void add(CLI::App& app);
  // --focus-csv into the request (when given).
  void apply(SolveRequest& request) const;
};

// Refuses an existing non-empty output folder unless `force` (Error(Usage)); a path that is
// a file is an error too. Call before any heavy work.
void check_output_dir(const std::string& dir, bool force);
// The check of `dfd solve`'s result folder: as check_output_dir, and with `force` the folder
// may hold only files a solve writes (its results are replaced as a whole): Error(Usage)
// naming the others.
void check_result_folder(const std::string& dir, bool force);
// The help text of --max-memory (solve, demo, batch).
extern const char* const kMaxMemoryHelp;
// Creates the folder (and parents); Error(Runtime) "<dir>: cannot create the output folder: ..."
// on failure.
inline void create_output_dir(const std::string& dir) { make_dirs(dir, "output folder"); }

// Progress of a solve on stderr (nothing when quiet): epoch, step, loss, elapsed and remaining
// time (from `opt`'s AIF schedule; "?" without opt). On a terminal one line rewritten with \r,
// else one plain line per step.
ProgressFn progress_printer(bool quiet, const Options* opt = nullptr);
// Ends a terminal progress line (newline) if one is open; note() and the error handler call it.
void end_progress_line();
// Prints a line to stderr prefixed "dfd: " unless quiet.
void note(bool quiet, const std::string& line);

// How `synth` and `demo` store rendered frames.
enum class FrameFormat { Png8, Png16, Tiff };
// Writes frame_00.<ext>, ... and dir/stack.json (frames, focus distances, camera, K, range) so
// that `dfd solve dir/stack.json` solves the same problem; returns the manifest's path.
std::string write_stack(const std::string& dir, const FocalStack& stack, const Options& opt, int K, FrameFormat format);

// The library request of `dfd solve` from its inputs and flags (the flags are referenced, not
// copied: they must outlive the request).
SolveRequest solve_request(const std::vector<std::string>& inputs, const CameraFlags& camera,
                           const SolverFlags& solver);

}  // namespace dfd::cli
