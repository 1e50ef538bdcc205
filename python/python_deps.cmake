# Whether the Python module (python/) is built, and against which interpreter: included by the
# top-level CMakeLists before the libraries, because a module (a shared object) needs every
# static library it links compiled as position-independent code.
#
# Sets DFD_PYTHON (ON/OFF), Python3_EXECUTABLE and the pybind11 targets when ON.
#
# The interpreter is Debian's /usr/bin/python3 unless -DPython3_EXECUTABLE=... names another:
# the module is for the python3 that has Debian's numpy and pytest (python3-numpy,
# python3-pytest). A python3 earlier on PATH (pyenv, conda, a venv) is not taken by accident:
# its headers, ABI and site-packages are not the ones the module and its tests need.
set(DFD_PYTHON OFF)
# Written again below when the module is built: scripts/build.sh registers only a module built now.
file(REMOVE ${PROJECT_BINARY_DIR}/python/interpreter)
if(DFD_BUILD_PYTHON STREQUAL "OFF")
  message(STATUS "dfd: Python module off (DFD_BUILD_PYTHON=OFF)")
  return()
endif()
set(_dfd_python_why "")
if(NOT DFD_BUILD_APPS)
  set(_dfd_python_why "it needs the application layer (DFD_BUILD_APPS=ON)")
elseif(DFD_SANITIZE)
  # The interpreter is not instrumented: ASan's runtime would have to be preloaded into python3,
  # and LeakSanitizer reports the interpreter's own allocations at exit. The module's C++ is the
  # library the sanitized GoogleTest suites already cover.
  set(_dfd_python_why "sanitized builds (DFD_SANITIZE) leave it out: python3 is not instrumented")
elseif(DFD_FUZZ)
  set(_dfd_python_why "fuzzing builds (DFD_FUZZ) leave it out: they build the parsers' fuzz targets only")
else()
  if(NOT DEFINED Python3_EXECUTABLE AND EXISTS /usr/bin/python3)
    set(Python3_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "The Python interpreter the dfd module is built for")
  endif()
  find_package(Python3 3.8 QUIET COMPONENTS Interpreter Development.Module)
  if(NOT Python3_FOUND)
    set(_dfd_python_why "no Python 3 interpreter with its headers (Debian: python3-dev; scripts/install-deps.sh installs it)")
  else()
    # pybind11 in its FindPython mode: Python3 is already found, so it uses that interpreter.
    find_package(pybind11 2.6 CONFIG QUIET)
    if(NOT pybind11_FOUND)
      set(_dfd_python_why "pybind11 not found (Debian: pybind11-dev; scripts/install-deps.sh installs it)")
    endif()
  endif()
endif()
if(_dfd_python_why)
  if(DFD_BUILD_PYTHON STREQUAL "ON")
    message(FATAL_ERROR "DFD_BUILD_PYTHON=ON, but the Python module cannot be built: ${_dfd_python_why}")
  endif()
  message(STATUS "dfd: Python module skipped: ${_dfd_python_why}")
  return()
endif()
set(DFD_PYTHON ON)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)
message(STATUS "dfd: Python module on, for ${Python3_EXECUTABLE} (Python ${Python3_VERSION}, pybind11 ${pybind11_VERSION})")
