// The options as Python sees them: `dfd solve`'s and `dfd synth`'s flags (names, help), the
// presets, and a preset with flags over it resolved to the options a solve would start from.
#include <tuple>

#include <pybind11/stl.h>
#include <nlohmann/json.hpp>

#include "bindings.h"
#include "dfd/error.h"
#include "dfd/report.h"
#include "flags.h"

namespace dfd::py {

namespace pyb = pybind11;

namespace {

FlagSet flag_set(const std::string& command) {
  if (command == "solve") return FlagSet::Solve;
  if (command == "synth") return FlagSet::Synth;
  throw_usage("unknown command " + command + " (solve, synth)");
}

// (name without dashes, help text, whether it is a flag that takes no value).
std::vector<std::tuple<std::string, std::string, bool>> flags(const std::string& command) {
  const auto p = flag_parser(flag_set(command));
  std::vector<std::tuple<std::string, std::string, bool>> out;
  for (const CLI::Option* o : p->app.get_options()) {
    if (o->get_lnames().empty() || o->get_lnames()[0] == "help") continue;
    out.emplace_back(o->get_lnames()[0], o->get_description(), o->get_expected_min() == 0);
  }
  return out;
}

// (the options' one-per-line summary, the options as report.json's "options" records them).
// validate: Options::validate without a stack (off for the presets themselves: mobiledepth's
// camera comes from calibrated.txt, so its focal length is 0 until one is given).
std::pair<std::string, std::string> resolve(const std::vector<std::string>& words, bool validate) {
  const auto p = parse_flags(FlagSet::Solve, words);
  RunReport r;
  r.options = options_from_flags(*p, FlagSet::Solve, validate);
  const auto j = nlohmann::json::parse(report_json(r));
  return {r.options.summary(), j.at("options").dump()};
}

}  // namespace

void register_options(pyb::module_& m) {
  m.def("_flags", &flags, pyb::arg("command"),
        "The flags of `dfd solve` or `dfd synth`: (name without dashes, help, takes no value).");
  m.def("_resolve", &resolve, pyb::arg("words"), pyb::arg("validate"),
        "A preset with `dfd solve` flags over it, validated: (summary text, options JSON).");
  m.def("_preset_names", &preset_names);
  m.def("_preset_focus_distances", &preset_focus_distances, pyb::arg("name"));
}

}  // namespace dfd::py
