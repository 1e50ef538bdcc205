// The extension module dfd._dfd: the C++ half of the Python package dfd (python/dfd/ is the API).
#include "bindings.h"

PYBIND11_MODULE(_dfd, m) {
  m.doc() = "dfd's C++ library for the Python package dfd (use dfd.solve, dfd.synth, dfd.metrics)";
  m.attr("__version__") = DFD_VERSION;
  dfd::py::register_errors(m);
  dfd::py::register_options(m);
  dfd::py::register_solve(m);
  dfd::py::register_synth(m);
  dfd::py::register_metrics(m);
}
