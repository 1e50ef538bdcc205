// `dfd bench`: fixed synthetic workloads timed per phase and whole solve; table, JSON and PNG.
#include <cstdio>
#include <memory>

#include "cli/cli.h"
#include "dfd/error.h"

#ifdef DFD_HAVE_BENCH
#include "dfd/bench.h"
#include "dfd/io.h"
#endif

namespace dfd::cli {

namespace {

struct BenchArgs {
  std::vector<std::string> sizes;
  std::vector<std::string> backends = {"cpu", "cuda"};
  int repeats = 5, solve_repeats = 3, threads = 0;
  bool quick = false, quiet = false;
  std::string json = "bench.json", png = "bench.png";
  CLI::Option *repeats_opt = nullptr, *solve_repeats_opt = nullptr;
};

int run_bench_command(const BenchArgs& a) {
#ifdef DFD_HAVE_BENCH
  BenchConfig cfg;
  cfg.sizes = a.sizes;
  cfg.backends = a.backends;
  cfg.quick = a.quick;
  // --quick: few repeats unless asked for more.
  cfg.repeats = a.quick && !*a.repeats_opt ? 3 : a.repeats;
  cfg.solve_repeats = a.quick && !*a.solve_repeats_opt ? 1 : a.solve_repeats;
  cfg.threads = a.threads;
  cfg.json_path = a.json;
  cfg.png_path = a.png;
  cfg.command_line = command_line();
  if (!a.quiet) cfg.log = [](const std::string& s) { std::fprintf(stderr, "%s\n", s.c_str()); };
  for (const std::string& s : cfg.sizes) find_workload(s);  // a bad size fails before any work

  const BenchReport rep = run_bench(cfg);
  std::fputs(bench_table(rep).c_str(), stdout);
  std::fflush(stdout);
  write_text_file(cfg.json_path, bench_json(rep));
  write_bench_plot(rep, cfg.png_path);
  note(a.quiet, "wrote " + cfg.json_path + " and " + cfg.png_path);
  return 0;
#else
  (void)a;
  throw_usage("dfd bench: this dfd was built without the benchmarks (configure with -DDFD_BUILD_BENCH=ON)");
#endif
}

}  // namespace

Command add_bench_command(CLI::App& root) {
  auto a = std::make_shared<BenchArgs>();
  CLI::App* app = root.add_subcommand(
      "bench", "Time fixed synthetic workloads per phase and whole solve; table, JSON and PNG plot");
  app->add_option("--sizes", a->sizes, "Workloads: 320x240, 640x480, 1920x1080, 4000x3000 (default: all)")
      ->delimiter(',');
  app->add_option("--backends", a->backends, "Backends to time (a missing GPU is reported as not measured)")
      ->delimiter(',')
      ->check(CLI::IsMember({"cpu", "cuda"}))
      ->capture_default_str();
  a->repeats_opt = app->add_option("--repeats", a->repeats, "Timed repeats per phase after one warm-up (quick: 3)")
                       ->check(CLI::PositiveNumber)
                       ->capture_default_str();
  a->solve_repeats_opt =
      app->add_option("--solve-repeats", a->solve_repeats, "Timed whole solves per workload (quick: 1; big sizes: fewer)")
          ->check(CLI::PositiveNumber)
          ->capture_default_str();
  app->add_flag("--quick", a->quick, "Only 320x240, 3 repeats, 1 solve: under a minute on 2 idle cores");
  app->add_option("--threads", a->threads, "CPU threads (0: all)")->check(CLI::NonNegativeNumber);
  app->add_option("--json", a->json, "JSON report path")->capture_default_str();
  app->add_option("--plot", a->png, "PNG plot path (time and throughput against megapixels)")->capture_default_str();
  app->add_flag("--quiet,-q", a->quiet, "No progress lines (the table is still printed)");
  app->footer("Workloads are generated in memory (no files needed); see bench/README.md for the floors.");
  return {app, [a] { return run_bench_command(*a); }};
}

}  // namespace dfd::cli
