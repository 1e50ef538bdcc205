// Solver-option overrides as `dfd solve` flags without dashes, parsed by `dfd solve`'s own flag
// definitions.
#include "cli/option_overrides.h"

#include <algorithm>

#include "cli/cli.h"
#include "dfd/error.h"

namespace dfd::cli {

// The parser owns the flags its options write into, so both live (and stay put) together.
struct OptionOverrides::Parsed {
  CLI::App app{"option overrides", "overrides"};
  CameraFlags camera;
  SolverFlags solver;
};

OptionOverrides::OptionOverrides(const std::vector<std::string>& items,
                                 const std::vector<std::pair<std::string, std::string>>& refused,
                                 const std::string& where) {
  auto p = std::make_shared<Parsed>();
  p->camera.add(p->app);
  p->solver.add(p->app);
  std::vector<std::string> args;
  for (const std::string& item : items) {
    const std::string name = item.substr(0, item.find('='));
    if (name.empty() || name[0] == '-')
      throw_usage(where + " " + item + ": give a `dfd solve` flag without its dashes, e.g. window-size=5");
    for (const auto& [flag, why] : refused)
      if (name == flag) throw_usage(where + " " + item + ": " + why);
    args.push_back("--" + item);
  }
  std::reverse(args.begin(), args.end());  // CLI11 takes a vector in reverse order
  try {
    p->app.parse(args);
  } catch (const CLI::ParseError& e) {
    throw_usage(where + ": not valid `dfd solve` flags (see `dfd solve --help`): " + e.what());
  }
  parsed_ = std::move(p);
}

void OptionOverrides::apply(Options& opt) const {
  parsed_->camera.apply(opt);
  parsed_->solver.apply(opt);
}

}  // namespace dfd::cli
