// dfd.solve's C++ half: frames in memory through the same solve job as `dfd solve` (flags over
// the preset, focus distances, validation, --align, --scale: prepare_solve_job), solved with
// the GIL released; the progress callback and Ctrl-C are served between steps.
#include <chrono>
#include <memory>

#include <pybind11/stl.h>

#include "arrays.h"
#include "bindings.h"
#include "dfd/backends.h"
#include "dfd/error.h"
#include "dfd/job.h"
#include "dfd/progress.h"
#include "dfd/report.h"
#include "flags.h"

namespace dfd::py {

namespace pyb = pybind11;

namespace {

// Called by the solver on this (the calling) thread after every step, without the GIL: takes
// it, lets Python handle pending signals (KeyboardInterrupt), then calls `callback` (may be
// None) with the step as a dict. A Python exception from either leaves as error_already_set,
// which unwinds the solve (every resource is RAII-owned) and reaches Python unchanged.
ProgressFn progress_hook(const pyb::object& callback, const Options& opt) {
  const auto start = std::chrono::steady_clock::now();
  auto estimate = std::make_shared<ProgressEstimate>(opt);
  return [&callback, start, estimate](const StepLog& s, int epochs) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    estimate->add(s);
    const double left = estimate->remaining();
    pyb::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) throw pyb::error_already_set();
    if (callback.is_none()) return;
    pyb::dict d;
    d["epoch"] = s.epoch;
    d["epochs"] = epochs;
    d["step"] = s.step;
    d["loss"] = s.loss;
    d["objective"] = s.objective;
    d["seconds"] = s.seconds;
    d["iterations"] = s.iterations;
    d["reverted"] = s.reverted;
    d["elapsed"] = elapsed;
    d["remaining"] = left >= 0 ? pyb::object(pyb::float_(left)) : pyb::object(pyb::none());
    d["line"] = format_progress(s, epochs, elapsed, left);
    callback(d);
  };
}

std::string command_line(const std::vector<std::string>& words) {
  std::string s = "dfd.solve (Python)";
  for (const std::string& w : words) s += " " + w;
  return s;
}

// frames: (H, W[, C]) float32 arrays in their own units; range / sample_step: what their dtype
// implies (python/dfd/_convert.py), range overridden by --range; words: `dfd solve` flags.
pyb::dict solve_arrays(const std::vector<FloatArray>& frames, double natural_range, double sample_step,
                       const std::vector<std::string>& words, const pyb::object& progress) {
  const auto flags = parse_flags(FlagSet::Solve, words);
  SolveRequest request = cli::solve_request({}, flags->camera, flags->solver);
  FocalStack stack = stack_from_arrays(frames, request.range > 0 ? request.range : natural_range, sample_step);
  request.stack_source = [&stack] { return std::move(stack); };

  SolveJob job;
  Result result;
  std::string backend_note;
  {
    pyb::gil_scoped_release released;
    try {
      job = prepare_solve_job(request);
    } catch (const Error& e) {
      rethrow_with_flag_names(e);
    }
    std::unique_ptr<Backend> backend = make_backend(job.options, &backend_note);
    result = solve(job.stack, job.options, *backend, progress_hook(progress, job.options));
  }

  const RunReport r = job_report(job, result, command_line(words), backend_note);
  pyb::dict out;
  out["depth"] = array_from_image(result.depth);
  out["aif"] = array_from_image(result.aif);
  out["confidence"] = array_from_image(result.confidence);
  out["report"] = report_json(r);
  out["notes"] = job.input_notes;
  return out;
}

}  // namespace

void register_solve(pyb::module_& m) {
  m.def("_solve", &solve_arrays, pyb::arg("frames"), pyb::arg("range"), pyb::arg("sample_step"), pyb::arg("words"),
        pyb::arg("progress"),
        "Solves frames ((H, W[, C]) float32, in [0, range]) with `dfd solve` flags; returns depth, aif, "
        "confidence, report (JSON text) and notes.");
}

}  // namespace dfd::py
