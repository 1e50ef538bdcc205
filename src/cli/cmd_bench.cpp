// `dfd bench`: fixed synthetic workloads timed per phase and whole solve; with --robustness the
// accuracy of the whole solve on realistic scenes under degraded input. Table, JSON and PNG.
#include <cstdio>
#include <memory>

#include "cli/cli.h"
#include "cli/option_overrides.h"
#include "dfd/error.h"
#include "dfd/robust_bench.h"   // constants only without DFD_HAVE_BENCH
#include "dfd/robust_scenes.h"  // (dfd_datasets)

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
  // --robustness
  bool robustness = false;
  std::vector<std::string> scenes, conditions, overrides;
  std::string save, opencv_data = kOpencvDataDir, skimage_data = kSkimageDataDir;
  uint64_t seed = 2024;
  CLI::Option *repeats_opt = nullptr, *solve_repeats_opt = nullptr, *json_opt = nullptr, *png_opt = nullptr;
  std::vector<CLI::Option*> robust_only;
};

#ifdef DFD_HAVE_BENCH
// Overrides that are not the solver's to change in a bench row, and why.
const std::vector<std::pair<std::string, std::string>> kRefusedOverrides = {
    {"preset", "the rows use the nyuv2 preset (the scenes are rendered with its camera)"},
    {"uncalibrated", "the rows are calibrated: the scenes are rendered with the nyuv2 camera"},
    {"blur-scale", "the rows are calibrated: the scenes are rendered with the nyuv2 camera"},
    {"focus-distances", "the focus distances are the scenes' (the nyuv2 preset's)"},
    {"backend", "use `dfd bench --backends`"},
    {"threads", "use `dfd bench --threads`"},
    {"range", "the degraded stacks are 8-bit (range 255)"},
    {"scale", "use --sizes"},
    {"align", "the rendered stacks are aligned"},
    {"align-reference", "the rendered stacks are aligned"},
    {"align-crop", "the rendered stacks are aligned"},
    {"quiet", "use `dfd bench --quiet`"},
    {"help", "see `dfd solve --help` for the flags"},
};

void log_to_stderr(const std::string& s) { std::fprintf(stderr, "%s\n", s.c_str()); }

int run_robust_command(const BenchArgs& a) {
  if (*a.repeats_opt || *a.solve_repeats_opt)
    throw_usage("--repeats and --solve-repeats time phases: they do not apply to --robustness (one solve per row)");
  const auto overrides = std::make_shared<OptionOverrides>(a.overrides, kRefusedOverrides, "--set");
  RobustConfig cfg;
  cfg.scenes = a.scenes;
  cfg.conditions = a.conditions;
  cfg.sizes = a.sizes;
  cfg.backends = a.backends;
  cfg.quick = a.quick;
  cfg.threads = a.threads;
  cfg.seed = a.seed;
  cfg.overrides = a.overrides;
  cfg.apply_overrides = [overrides](Options& o) { overrides->apply(o); };
  cfg.opencv_data_dir = a.opencv_data;
  cfg.skimage_data_dir = a.skimage_data;
  cfg.save_dir = a.save;
  cfg.command_line = command_line();
  if (!a.quiet) cfg.log = log_to_stderr;
  check_robust_config(cfg);  // bad names, missing data files and bad values fail before any work

  const std::string json = *a.json_opt ? a.json : "bench-robust.json", png = *a.png_opt ? a.png : "bench-robust.png";
  const RobustReport rep = run_robust_bench(cfg);
  std::fputs(robust_table(rep).c_str(), stdout);
  std::fflush(stdout);
  write_text_file(json, robust_json(rep));
  write_robust_plot(rep, png);
  note(a.quiet, "wrote " + json + " and " + png + (a.save.empty() ? "" : "; depth and AIF images in " + a.save));
  return 0;
}
#endif

int run_bench_command(const BenchArgs& a) {
#ifdef DFD_HAVE_BENCH
  if (a.robustness) return run_robust_command(a);
  for (const CLI::Option* o : a.robust_only)
    if (*o) throw_usage(o->get_name() + " applies to --robustness only");
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
  if (!a.quiet) cfg.log = log_to_stderr;
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

void add_robust_flags(CLI::App* app, BenchArgs& a) {
  app->add_flag("--robustness", a.robustness,
                "Accuracy of the whole solve on the aloe and indoor scenes under degraded input (8-bit, noise, "
                "sensor) instead of timings; see bench/README.md");
  a.robust_only = {
      app->add_option("--scenes", a.scenes, "Robustness scenes: aloe, indoor (default: both)")->delimiter(','),
      app->add_option("--conditions", a.conditions,
                      "Robustness input conditions: float, 8bit, 8bit+n0.5, 8bit+n1, 8bit+n2, sensor (default: all)")
          ->delimiter(','),
      app->add_option("--set", a.overrides,
                      "Robustness: a solver option for every row, as a `dfd solve` flag without dashes "
                      "(--set window-size=5 --set epochs=10; repeatable)"),
      app->add_option("--save", a.save,
                      "Robustness: write each row's depth and AIF (ground truth | estimate) as PNGs here"),
      app->add_option("--seed", a.seed, "Robustness: seed of the indoor scene and the noise")->capture_default_str(),
      app->add_option("--opencv-data", a.opencv_data, "Robustness: folder of aloeL.jpg, aloeGT.png (Debian opencv-doc)")
          ->capture_default_str(),
      app->add_option("--skimage-data", a.skimage_data, "Robustness: folder of the photos (Debian python3-skimage)")
          ->capture_default_str(),
  };
}

}  // namespace

Command add_bench_command(CLI::App& root) {
  auto a = std::make_shared<BenchArgs>();
  CLI::App* app = root.add_subcommand(
      "bench",
      "Time fixed synthetic workloads per phase and whole solve (or, with --robustness, measure accuracy "
      "under degraded input); table, JSON and PNG plot");
  app->add_option("--sizes", a->sizes,
                  "Workloads: 320x240, 640x480, 1920x1080, 4000x3000 (default: all); --robustness: 320x240, 640x480")
      ->delimiter(',');
  app->add_option("--backends", a->backends, "Backends to run (a missing GPU is reported as not measured)")
      ->delimiter(',')
      ->check(CLI::IsMember({"cpu", "cuda"}))
      ->capture_default_str();
  a->repeats_opt = app->add_option("--repeats", a->repeats, "Timed repeats per phase after one warm-up (quick: 3)")
                       ->check(CLI::PositiveNumber)
                       ->capture_default_str();
  a->solve_repeats_opt = app->add_option("--solve-repeats", a->solve_repeats,
                                         "Timed whole solves per workload (quick: 1; big sizes: fewer)")
                             ->check(CLI::PositiveNumber)
                             ->capture_default_str();
  app->add_flag("--quick", a->quick,
                "Only 320x240, 3 repeats, 1 solve: under a minute on 2 idle cores; --robustness: 320x240, " +
                    std::to_string(kQuickEpochs) + " epochs");
  app->add_option("--threads", a->threads, "CPU threads (0: all)")->check(CLI::NonNegativeNumber);
  a->json_opt =
      app->add_option("--json", a->json, "JSON report path (--robustness: bench-robust.json)")->capture_default_str();
  a->png_opt =
      app->add_option("--plot", a->png, "PNG plot path (--robustness: bench-robust.png)")->capture_default_str();
  app->add_flag("--quiet,-q", a->quiet, "No progress lines (the table is still printed)");
  add_robust_flags(app, *a);
  app->footer(
      "Workloads are generated in memory (no files needed); --robustness reads the aloe images and photos "
      "of Debian's opencv-doc and python3-skimage (scripts/install-deps.sh --bench-data). See bench/README.md.");
  return {app, [a] { return run_bench_command(*a); }};
}

}  // namespace dfd::cli
