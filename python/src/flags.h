// `dfd solve`'s and `dfd synth`'s own flag definitions (dfd_cli), parsed from the words that
// python/dfd/_options.py makes of the Python keywords ("--window-size=5", "--uncalibrated"), so
// that names, checks and messages are the command line's.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "dfd/error.h"

namespace dfd::py {

// Which command's flags: solve (camera + solver flags) or synth (camera flags).
enum class FlagSet { Solve, Synth };

struct ParsedFlags {
  CLI::App app{"dfd (Python)", "dfd"};
  cli::CameraFlags camera;
  cli::SolverFlags solver;  // not added for FlagSet::Synth
};

// The flags of `set`, unparsed (to list them).
std::unique_ptr<ParsedFlags> flag_parser(FlagSet set);
// Parses the words; Error(Usage) with CLI11's message for a bad name or value.
std::unique_ptr<ParsedFlags> parse_flags(FlagSet set, const std::vector<std::string>& words);

// The preset's options, the flags written over them, validated without a stack (unless not
// `validate`); option fields in messages named by their flags, as `dfd solve` does.
Options options_from_flags(const ParsedFlags& flags, FlagSet set, bool validate = true);

// Rethrows a dfd::Error with its option fields named by their flags (edge_floor -> --edge-floor).
[[noreturn]] void rethrow_with_flag_names(const Error& e);

}  // namespace dfd::py
