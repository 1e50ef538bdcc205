// The parts of the extension module dfd._dfd, one registration function per concern (one file each).
#pragma once

#include <pybind11/pybind11.h>

namespace dfd::py {

void register_errors(pybind11::module_& m);   // errors.cpp: dfd.Error and one subclass per ErrorKind
void register_options(pybind11::module_& m);  // options.cpp: `dfd solve`'s flags, presets, resolved options
void register_solve(pybind11::module_& m);    // solve.cpp: the solve job over in-memory frames
void register_synth(pybind11::module_& m);    // synth.cpp: focal stacks rendered with the exact model
void register_metrics(pybind11::module_& m);  // metrics.cpp: the metrics of `dfd eval`

}  // namespace dfd::py
