// `dfd solve`'s and `dfd synth`'s own flag definitions, parsed from the Python keywords' words.
#include "flags.h"

#include <algorithm>

#include "dfd/error.h"

namespace dfd::py {

std::unique_ptr<ParsedFlags> flag_parser(FlagSet set) {
  auto p = std::make_unique<ParsedFlags>();
  p->camera.add(p->app);
  if (set == FlagSet::Solve) p->solver.add(p->app);
  return p;
}

std::unique_ptr<ParsedFlags> parse_flags(FlagSet set, const std::vector<std::string>& words) {
  auto p = flag_parser(set);
  std::vector<std::string> args(words.rbegin(), words.rend());  // CLI11 takes a vector in reverse order
  try {
    p->app.parse(args);
  } catch (const CLI::ParseError& e) {
    throw_usage(std::string("not valid `dfd ") + (set == FlagSet::Solve ? "solve" : "synth") +
                "` options (keyword = flag without dashes, '-' as '_'): " + e.what());
  }
  return p;
}

[[noreturn]] void rethrow_with_flag_names(const Error& e) { throw Error(e.kind(), cli::flags_for_fields(e.what())); }

Options options_from_flags(const ParsedFlags& flags, FlagSet set, bool validate) {
  try {
    Options opt = preset_options(flags.camera.preset_name());
    flags.camera.apply(opt);
    if (set == FlagSet::Solve) flags.solver.apply(opt);
    if (validate) opt.validate();
    return opt;
  } catch (const Error& e) {
    rethrow_with_flag_names(e);
  }
}

}  // namespace dfd::py
