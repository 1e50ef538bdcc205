// dfd::Error as Python exceptions: dfd.Error, and per ErrorKind a subclass that is also the
// matching built-in (UsageError and InputError are ValueErrors, SolveError a RuntimeError,
// OutOfMemoryError a MemoryError), carrying the library's message and the CLI's exit code.
#include <exception>

#include "bindings.h"
#include "dfd/error.h"

namespace dfd::py {

namespace pyb = pybind11;

namespace {

// Owned for the process's life (never released: the translator may run until exit).
PyObject* g_usage = nullptr;
PyObject* g_input = nullptr;
PyObject* g_runtime = nullptr;
PyObject* g_memory = nullptr;

PyObject* new_class(pyb::module_& m, const char* name, const char* doc, PyObject* bases, const char* kind,
                    int exit_code) {
  const std::string qualified = std::string("dfd.") + name;
  PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases, nullptr);
  if (!cls) throw pyb::error_already_set();
  pyb::handle h(cls);
  h.attr("kind") = kind;
  h.attr("exit_code") = exit_code;
  m.add_object(name, pyb::reinterpret_borrow<pyb::object>(h));
  return cls;
}

}  // namespace

void register_errors(pyb::module_& m) {
  PyObject* base = PyErr_NewExceptionWithDoc(
      "dfd.Error", "An error of the dfd library; the message is the library's (and `dfd solve`'s).", PyExc_Exception,
      nullptr);
  if (!base) throw pyb::error_already_set();
  m.add_object("Error", pyb::reinterpret_borrow<pyb::object>(pyb::handle(base)));
  pyb::handle(base).attr("kind") = "error";
  pyb::handle(base).attr("exit_code") = 1;
  auto bases = [base](PyObject* builtin) { return pyb::make_tuple(pyb::handle(base), pyb::handle(builtin)); };
  const pyb::tuple value_bases = bases(PyExc_ValueError), runtime_bases = bases(PyExc_RuntimeError),
                   memory_bases = bases(PyExc_MemoryError);
  g_usage = new_class(m, "UsageError", "A bad option or request (`dfd solve` exit code 2).", value_bases.ptr(), "usage",
                      static_cast<int>(ErrorKind::Usage));
  g_input = new_class(m, "InputError", "Bad input data or an invalid setting (`dfd solve` exit code 3).",
                      value_bases.ptr(), "input", static_cast<int>(ErrorKind::Input));
  g_runtime = new_class(m, "SolveError", "A failure while solving (`dfd solve` exit code 4).", runtime_bases.ptr(),
                        "runtime", static_cast<int>(ErrorKind::Runtime));
  g_memory = new_class(m, "OutOfMemoryError", "The problem does not fit in (device) memory (exit code 5).",
                       memory_bases.ptr(), "out-of-memory", static_cast<int>(ErrorKind::OutOfMemory));

  // pybind11 takes a void (*)(std::exception_ptr): the parameter must be by value.
  pyb::register_exception_translator([](std::exception_ptr p) {  // NOLINT(performance-unnecessary-value-param)
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      PyObject* cls = g_runtime;
      switch (e.kind()) {
        case ErrorKind::Usage: cls = g_usage; break;
        case ErrorKind::Input: cls = g_input; break;
        case ErrorKind::Runtime: cls = g_runtime; break;
        case ErrorKind::OutOfMemory: cls = g_memory; break;
        case ErrorKind::Interrupted: cls = PyExc_KeyboardInterrupt; break;  // request_stop: as Ctrl-C
      }
      PyErr_SetString(cls, e.what());
    }
  });
}

}  // namespace dfd::py
