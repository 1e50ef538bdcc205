// dfd: the command-line entry point; parses, dispatches to a subcommand, maps errors to exit codes.
#include <cstdio>
#include <new>
#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>

#include "cli/cli.h"
#include "cli/regularizer_flags.h"
#include "dfd/cancel.h"
#include "dfd/error.h"

namespace {

int run_guarded(const std::function<int()>& run) {
  try {
    // Ends a terminal progress line before any message (destroyed before a handler runs).
    struct EndProgress {
      ~EndProgress() { dfd::cli::end_progress_line(); }
    } end_progress;
    return run();
  } catch (const dfd::Error& e) {
    std::fprintf(stderr, "dfd: %s\n", dfd::cli::flags_for_fields(e.what()).c_str());
    return e.exit_code();
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "dfd: out of memory\n");
    return static_cast<int>(dfd::ErrorKind::OutOfMemory);
  } catch (const cv::Exception& e) {
    std::fprintf(stderr, "dfd: OpenCV error: %s\n", e.what());
    return static_cast<int>(dfd::ErrorKind::Runtime);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dfd: %s\n", e.what());
    return static_cast<int>(dfd::ErrorKind::Runtime);
  }
}

}  // namespace

int main(int argc, char** argv) {
  // OpenCV's own warnings (e.g. for a corrupt file) would repeat what our errors say.
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
  // SIGINT/SIGTERM stop the work at its next safe point (exit 130/143, nothing half written);
  // a second one ends the process at once.
  dfd::install_stop_handlers();
  dfd::cli::set_command_line(argc, argv);

  CLI::App app{
      "dfd: depth from defocus by direct optimisation. A focal stack (photos from one\n"
      "viewpoint at different focus distances) -> metric depth map + all-in-focus image.",
      "dfd"};
  app.set_version_flag("--version", std::string("dfd ") + DFD_VERSION);
  app.require_subcommand(1);
  app.footer("Run `dfd <command> --help` for a command's options. Start with `dfd demo`.");
  const std::vector<dfd::cli::Command> commands = {dfd::cli::add_solve_command(app),  dfd::cli::add_synth_command(app),
                                                   dfd::cli::add_eval_command(app),   dfd::cli::add_demo_command(app),
                                                   dfd::cli::add_batch_command(app),  dfd::cli::add_bench_command(app),
                                                   dfd::cli::add_dataset_command(app)};

  // CLI11 would only say "a subcommand is required" for a misspelt command; name it.
  if (argc > 1 && argv[1][0] != '-') {
    std::string names;
    bool known = false;
    for (const auto& c : commands) {
      known = known || c.app->get_name() == argv[1];
      names += (names.empty() ? "" : ", ") + c.app->get_name();
    }
    if (!known) {
      std::fprintf(stderr, "dfd: unknown command '%s' (commands: %s)\nRun `dfd --help` for usage.\n", argv[1],
                   names.c_str());
      return static_cast<int>(dfd::ErrorKind::Usage);
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string hint = "dfd --help";
    for (const auto& c : commands)
      if (c.app->parsed()) hint = "dfd " + c.app->get_name() + " --help";
    std::fprintf(stderr, "dfd: %s\nRun `%s` for usage.\n", e.what(), hint.c_str());
    return static_cast<int>(dfd::ErrorKind::Usage);
  }
  for (const auto& c : commands)
    if (c.app->parsed()) return run_guarded(c.run);
  return static_cast<int>(dfd::ErrorKind::Usage);  // unreachable: a subcommand is required
}
