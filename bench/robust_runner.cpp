// Runs the robustness bench: per size and scene the ground truth and its exactly rendered
// stack, per input condition the degraded stack, per backend one dfd::solve scored against
// the ground truth.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>

#include "dfd/backends.h"
#include "dfd/batch.h"
#include "dfd/bench.h"
#include "dfd/error.h"
#include "dfd/io.h"
#include "dfd/metrics.h"
#include "dfd/portable_random.h"
#include "dfd/report.h"
#include "dfd/robust_bench.h"
#include "dfd/robust_scenes.h"
#include "dfd/solver.h"
#include "dfd/synthetic.h"
#include "run_info.h"
#include "util/clock.h"

namespace dfd {

namespace {

using Clock = std::chrono::steady_clock;

// Textureless pixels: local standard deviation of the AIF's channel mean over 9 x 9 below 1 DN.
constexpr int kFlatRadius = 4;
constexpr double kFlatStd = 1.0;
constexpr double kRange = 255.0;

void log_line(const RobustConfig& cfg, const std::string& s) {
  if (cfg.log) cfg.log(s);
}

struct Size {
  std::string name;
  int width, height;
};

std::vector<Size> selected_sizes(const RobustConfig& cfg) {
  std::vector<Size> out;
  for (const auto& [w, h] : cfg.custom_sizes) out.push_back({std::to_string(w) + "x" + std::to_string(h), w, h});
  if (!out.empty()) return out;
  std::vector<std::string> names = cfg.sizes;
  if (names.empty()) names = cfg.quick ? std::vector<std::string>{"320x240"} : robust_sizes();
  for (const std::string& n : names) {
    const Workload& w = find_workload(n);
    out.push_back({w.name, w.width, w.height});
  }
  return out;
}

std::vector<std::string> selected_conditions(const RobustConfig& cfg) {
  if (!cfg.conditions.empty()) return cfg.conditions;
  std::vector<std::string> all;
  for (const InputCondition& c : robust_conditions()) all.push_back(c.name);
  return all;
}

const std::vector<std::string>& selected_scenes(const RobustConfig& cfg) {
  return cfg.scenes.empty() ? robust_scene_names() : cfg.scenes;
}

struct NamedBackend {
  std::string name;
  std::unique_ptr<Backend> be;
};

// The backends asked for that can run here; a note for each of the others.
std::vector<NamedBackend> open_backends(const RobustConfig& cfg, std::vector<std::string>& notes) {
  std::vector<NamedBackend> out;
  for (const std::string& b : cfg.backends) {
    if (b == "cpu") {
      out.push_back({b, make_cpu_backend(cfg.threads)});
      continue;
    }
    std::string why;
    if (cuda_available(&why))
      out.push_back({b, make_cuda_backend(0)});
    else
      notes.push_back("cuda: not measured: " + why);
  }
  return out;
}

// The options of one row: the nyuv2 preset (quick: kQuickEpochs epochs), then the overrides;
// the row's backend and the bench's threads last.
Options row_options(const RobustConfig& cfg, const std::string& backend) {
  Options o = preset_options("nyuv2");
  if (cfg.quick) o.epochs = kQuickEpochs;
  if (cfg.apply_overrides) cfg.apply_overrides(o);
  o.backend = backend == "cuda" ? BackendKind::Cuda : BackendKind::Cpu;
  o.threads = cfg.threads;
  return o;
}

// A scene at one size: ground truth, its textureless mask and the stack rendered from it.
struct PreparedScene {
  RobustScene scene;
  Image flat;
  FocalStack clean;
  RobustSceneInfo info;
  uint64_t noise_seed = 0;
};

PreparedScene prepare_scene(const std::string& name, const Size& size, const RobustConfig& cfg) {
  const auto t0 = Clock::now();
  PreparedScene ps;
  ps.scene = make_robust_scene(name, size.width, size.height, cfg.seed,
                               cfg.opencv_data_dir.empty() ? kOpencvDataDir : cfg.opencv_data_dir,
                               cfg.skimage_data_dir.empty() ? kSkimageDataDir : cfg.skimage_data_dir);
  // The truth is rendered with the preset's camera and window, whatever the overrides say.
  const Options render = preset_options("nyuv2");
  const int K = render.window_for(size.height, size.width);
  ps.clean = render_stack(ps.scene.aif, ps.scene.depth, render.camera(), preset_focus_distances("nyuv2"), K, kRange);
  ps.flat = textureless_mask(ps.scene.aif, kFlatRadius, kFlatStd);
  ps.noise_seed = splitmix64(cfg.seed ^ item_hash(name + "@" + size.name));

  RobustSceneInfo& in = ps.info;
  in.scene = name;
  in.size = size.name;
  const auto [lo, hi] = std::minmax_element(ps.scene.depth.data.begin(), ps.scene.depth.data.end());
  in.depth_min = *lo;
  in.depth_max = *hi;
  double flat = 0;
  for (float v : ps.flat.data) flat += v;
  in.flat_fraction = flat / ps.flat.pixels();
  in.notes = ps.scene.notes;
  in.stack_model = "exact K x K model (render_stack), K = " + std::to_string(K) + ", nyuv2 camera and focus distances";
  in.seconds = seconds_since(t0);
  return ps;
}

// AbsRel over the pixels where mask == want (-1 when there are none).
double masked_absrel(const Image& z, const Image& gt, const Image& mask, float want) {
  double sum = 0;
  size_t n = 0;
  for (size_t p = 0; p < gt.pixels(); ++p)
    if (mask.data[p] == want) sum += std::fabs(z.data[p] - gt.data[p]) / gt.data[p], ++n;
  return n ? sum / n : -1.0;
}

// PSNR of the degraded stack against the rendered one (infinite when they are equal).
double stack_psnr(const FocalStack& s, const FocalStack& clean) {
  double se = 0;
  size_t n = 0;
  for (int i = 0; i < s.count(); ++i)
    for (size_t k = 0; k < s.frames[i].size(); ++k) {
      const double d = s.frames[i].data[k] - clean.frames[i].data[k];
      se += d * d, ++n;
    }
  return se > 0 ? 10.0 * std::log10(kRange * kRange / (se / n)) : std::numeric_limits<double>::infinity();
}

// a and b side by side with a 4-pixel gap of `gap` (NaN shows black in the depth colours).
Image side_by_side(const Image& a, const Image& b, float gap) {
  const int g = 4;
  Image out(a.width + g + b.width, a.height, a.channels, gap);
  for (int c = 0; c < a.channels; ++c)
    for (int y = 0; y < a.height; ++y)
      for (int x = 0; x < a.width; ++x) {
        out.at(x, y, c) = a.at(x, y, c);
        out.at(a.width + g + x, y, c) = b.at(x, y, c);
      }
  return out;
}

// <scene>_<size>_<condition>_<backend>_depth.png: ground truth | estimate on one colour scale;
// _aif.png: ground truth | estimate.
void save_row(const std::string& dir, const RobustRow& row, const PreparedScene& ps, const Result& r) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw_runtime(dir + ": cannot create the --save folder: " + ec.message());
  const std::string stem = dir + "/" + row.scene + "_" + row.size + "_" + row.condition + "_" + row.backend;
  write_depth_color(stem + "_depth.png",
                    side_by_side(ps.scene.depth, r.depth, std::numeric_limits<float>::quiet_NaN()));
  write_png8(stem + "_aif.png", side_by_side(ps.scene.aif, r.aif, 255.f), kRange);
}

void record_result(RobustRow& row, const Result& r, const PreparedScene& ps) {
  const DepthMetrics m = depth_metrics(r.depth, ps.scene.depth);
  row.absrel = m.absrel, row.rmse = m.rmse, row.delta1 = m.delta1, row.delta2 = m.delta2, row.delta3 = m.delta3;
  row.absrel_flat = masked_absrel(r.depth, ps.scene.depth, ps.flat, 1.f);
  row.absrel_textured = masked_absrel(r.depth, ps.scene.depth, ps.flat, 0.f);
  row.aif_psnr = psnr(r.aif, ps.scene.aif, kRange);
  row.seconds = r.seconds;
  row.kernel_size = r.kernel_size;
  row.levels = r.levels;
  row.device = r.device;
  for (const StepLog& s : r.log) row.reverted_steps += s.reverted;
  for (const StepLog& s : r.log)  // the initialisation logs no loss (NaN)
    if (std::isfinite(s.loss)) {
      if (row.initial_loss < 0) row.initial_loss = s.loss;
      row.final_loss = s.loss;
    }
  if (!r.confidence.empty()) {
    double sum = 0;
    for (float v : r.confidence.data) sum += v;
    row.confidence_mean = sum / r.confidence.size();
  }
}

RobustRow solve_row(const PreparedScene& ps, const InputCondition& cond, NamedBackend& nb, const RobustConfig& cfg) {
  RobustRow row;
  row.scene = ps.info.scene;
  row.size = ps.info.size;
  row.condition = cond.name;
  row.backend = nb.name;
  row.width = ps.clean.width();
  row.height = ps.clean.height();
  const FocalStack stack = apply_condition(ps.clean, cond, ps.noise_seed, cfg.threads);
  row.input_psnr = stack_psnr(stack, ps.clean);
  const Options opt = row_options(cfg, nb.name);
  opt.validate(&stack);
  row.epochs = opt.epochs;
  const Result r = solve(stack, opt, *nb.be);
  record_result(row, r, ps);
  RunReport rep;
  rep.command_line = cfg.command_line;
  rep.options = opt;
  rep.stack = &stack;
  rep.result = &r;
  rep.input_kind = "robustness bench";
  rep.input_notes = ps.info.notes;
  row.report_json = report_json(rep);
  if (!cfg.save_dir.empty()) save_row(cfg.save_dir, row, ps, r);
  return row;
}

}  // namespace

std::vector<std::string> robust_sizes() {
  std::vector<std::string> out;
  for (const Workload& w : standard_workloads())
    if (w.config == "nyuv2") out.push_back(w.name);
  return out;
}

void check_robust_config(const RobustConfig& cfg) {
  const std::vector<std::string> valid = robust_sizes();
  for (const std::string& s : cfg.sizes)
    if (std::find(valid.begin(), valid.end(), s) == valid.end()) {
      std::string names;
      for (const std::string& v : valid) names += (names.empty() ? "" : ", ") + v;
      throw_usage("unknown robustness size '" + s + "' (choose from " + names + ")");
    }
  for (const std::string& c : cfg.conditions) find_condition(c);
  const std::vector<std::string>& scenes = robust_scene_names();
  for (const std::string& s : cfg.scenes)
    if (std::find(scenes.begin(), scenes.end(), s) == scenes.end()) {
      std::string names;
      for (const std::string& v : scenes) names += (names.empty() ? "" : ", ") + v;
      throw_usage("unknown robustness scene '" + s + "' (choose from " + names + ")");
    }
  for (const std::string& b : cfg.backends)
    if (b != "cpu" && b != "cuda") throw_usage("unknown bench backend '" + b + "' (choose cpu, cuda)");
  if (cfg.backends.empty()) throw_usage("--backends: name at least one of cpu, cuda");
  for (const std::string& s : selected_scenes(cfg)) {
    try {
      require_robust_scene_data(s, cfg.opencv_data_dir.empty() ? kOpencvDataDir : cfg.opencv_data_dir);
    } catch (const Error& e) {
      throw Error(e.kind(), std::string(e.what()) + "; or leave the scene out with --scenes");
    }
  }
  for (const std::string& b : cfg.backends) row_options(cfg, b).validate();  // the overrides' values
}

RobustReport run_robust_bench(const RobustConfig& cfg) {
  const auto t0 = Clock::now();
  check_robust_config(cfg);
  RobustReport rep;
  rep.date = utc_now();
  rep.commit = bench_info::source_commit();
  rep.command = cfg.command_line;
  rep.dfd_version = DFD_VERSION;
  rep.host = bench_info::host_description();
  rep.quick = cfg.quick;
  rep.seed = cfg.seed;
  rep.overrides = cfg.overrides;
  std::vector<NamedBackend> backends = open_backends(cfg, rep.notes);
  if (backends.empty()) throw_runtime("no backend asked for can run here: " + rep.notes.front());

  const std::vector<std::string> conditions = selected_conditions(cfg);
  for (const Size& size : selected_sizes(cfg))
    for (const std::string& name : selected_scenes(cfg)) {
      const PreparedScene ps = prepare_scene(name, size, cfg);
      rep.scenes.push_back(ps.info);
      log_line(cfg, "robust: " + name + " " + size.name + " scene ready (" + ps.info.stack_model + ")");
      for (const std::string& c : conditions)
        for (NamedBackend& nb : backends) {
          rep.rows.push_back(solve_row(ps, find_condition(c), nb, cfg));
          const RobustRow& r = rep.rows.back();
          char buf[200];
          std::snprintf(buf, sizeof buf, "robust: %s %s %s %s: AbsRel %.4f, delta1 %.3f, AIF PSNR %.1f dB, %.1f s",
                        name.c_str(), size.name.c_str(), c.c_str(), nb.name.c_str(), r.absrel, r.delta1, r.aif_psnr,
                        r.seconds);
          log_line(cfg, buf);
        }
    }
  rep.wall_seconds = seconds_since(t0);
  return rep;
}

}  // namespace dfd
