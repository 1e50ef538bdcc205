// Runs the bench: per workload and backend, each phase timed through the Backend primitives
// (warm-up, then repeats), the whole solve through dfd::solve, accuracy against ground truth.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "dfd/backends.h"
#include "dfd/bench.h"
#include "dfd/error.h"
#include "dfd/metrics.h"
#include "dfd/solver.h"
#include "run_info.h"
#include "util/clock.h"

namespace dfd {

using bench_info::gib;
using bench_info::mem_available_bytes;

namespace {

using Clock = std::chrono::steady_clock;

// Scalar slots of the mirrored CG / FISTA loops.
enum : int { kOne = 0, kGamma, kGammaNew, kDelta, kAlpha, kBeta, kStep, kSync };

// read_scalars synchronises on both backends: the clock is read only after it.
void sync(Backend& be) {
  double s[kSync + 1];
  be.read_scalars(s, kSync + 1);
}

// Warm-up, then `repeats` timed runs of body (prepare runs untimed before each); seconds per
// run divided by `divide`.
template <class Prepare, class Body>
Stats time_phase(Backend& be, int repeats, int divide, Prepare&& prepare, Body&& body) {
  std::vector<double> t;
  for (int r = 0; r <= repeats; ++r) {
    prepare();
    sync(be);
    const auto t0 = Clock::now();
    body();
    sync(be);
    if (r > 0) t.push_back(seconds_since(t0) / divide);
  }
  return summarize(t);
}

struct Counts {
  int repeats, solve_repeats, inner;
};

void log_line(const BenchConfig& cfg, const std::string& s) {
  if (cfg.log) cfg.log(s);
}

// A backend made ready for one workload, or the reason it cannot run it here.
struct Prepared {
  BackendRun run;               // status set when it cannot run
  std::unique_ptr<Backend> be;  // null then
};

// Decided from the problem's dimensions alone, before the scene is built.
Prepared prepare_backend(const std::string& name, const Problem& shape, const BenchConfig& cfg) {
  Prepared pr;
  BackendRun& run = pr.run;
  run.backend = name;
  if (name == "cpu") {
    pr.be = make_cpu_backend(cfg.threads);
  } else {
    std::string why;
    if (!cuda_available(&why)) {
      run.status = "not measured";
      run.reason = "not yet measured: " + why;
      return pr;
    }
    pr.be = make_cuda_backend(0);
  }
  run.device = pr.be->device();
  run.memory_estimate = pr.be->memory_estimate(shape);
  if (name == "cpu") {
    // Host memory: the backend's, the scene's (ground truth, stack and its staged copy), and
    // room for the rest of the machine. (The CUDA backend's setup checks device memory and
    // throws OutOfMemory.)
    const size_t avail = mem_available_bytes();
    const size_t scene = sizeof(float) * (2 * shape.stack_size() + shape.image_size() + shape.pixels());
    if (avail > 0 && run.memory_estimate + scene > avail * 0.85) {
      run.status = "skipped";
      run.reason = "needs " + gib(static_cast<double>(run.memory_estimate + scene)) + " of host memory, " +
                   gib(static_cast<double>(avail)) + " available";
      pr.be.reset();
    }
  }
  return pr;
}

BackendRun run_backend(Prepared& pr, const Workload& w, const BenchScene& sc, const Options& opt,
                       const DeviceCeilings& ce, const Counts& n, const BenchConfig& cfg) {
  BackendRun run = std::move(pr.run);
  const std::string name = run.backend;
  Backend& be = *pr.be;
  Problem prob = make_problem(sc.stack, opt);
  std::vector<float> staged;
  staged.reserve(prob.stack_size());
  for (const Image& f : sc.stack.frames) staged.insert(staged.end(), f.data.begin(), f.data.end());
  prob.stack = staged.data();

  const CostModel cost(prob);
  const double mp_planes = static_cast<double>(prob.pixels()) * prob.frames / 1e6;
  auto record = [&](const std::string& phase, const Stats& s, const PhaseCost& c) {
    PhaseResult r;
    r.name = phase;
    r.seconds = s;
    r.cost = c;
    r.floor_s = floor_seconds(c, ce);
    r.mpps = s.median > 0 ? mp_planes / s.median : 0.0;
    run.phases.push_back(r);
    char buf[160];
    std::snprintf(buf, sizeof buf, "bench: %s %s %-15s median %.4g s (%d runs)", w.name.c_str(), name.c_str(),
                  phase.c_str(), s.median, s.count);
    log_line(cfg, buf);
  };

  reset_peak_host_bytes();
  try {
    // Setup: one cold call, the one a solve pays (a repeat would find its buffers warm).
    {
      const auto t0 = Clock::now();
      be.setup(prob);
      sync(be);
      record("setup", summarize({seconds_since(t0)}), cost.setup());
    }
    staged = {};
    prob.stack = nullptr;
    const size_t img = prob.image_size(), stk = prob.stack_size(), HW = prob.pixels();
    DVec x = be.alloc(img), Z = be.alloc(HW), loss = be.alloc(HW), Zg = be.alloc(HW), lossg = be.alloc(HW);
    DVec r = be.alloc(stk), q = be.alloc(stk);
    DVec s = be.alloc(img), p = be.alloc(img), mask = be.alloc(img), xp = be.alloc(img), y = be.alloc(img),
         g = be.alloc(img);
    auto nothing = [] {};
    be.scalar_set(kOne, 1.0);

    record("init_aif", time_phase(be, n.repeats, 1, nothing, [&] { be.init_aif(x); }), cost.init_aif());
    record("blur_levels", time_phase(be, n.repeats, 1, nothing, [&] { be.blur_levels(x); }), cost.blur_levels());
    record("grid_search", time_phase(be, n.repeats, 1, nothing, [&] { be.grid_search(Zg, lossg); }),
           cost.grid_search());
    record("golden_section",
           time_phase(
               be, n.repeats, 1,
               [&] {
                 be.copy(Zg, Z);
                 be.copy(lossg, loss);
               },
               [&] { be.golden_section(Z, loss); }),
           cost.golden_section());

    // One CG iteration: the inner loop of the solver's bounded CGLS (src/solver/aif_step.cpp),
    // from r = b - A x, s = p = A^T r, all pixels free.
    be.set_depth(Z);
    be.apply_A(x, r);
    be.axpby(Coef::constant(1.f), be.stack(), Coef::constant(-1.f), r);
    be.apply_At(r, s);
    be.fill(mask, 1.f);
    be.copy(s, p);
    be.dot(s, s, kGamma);
    record("cg_iteration",
           time_phase(be, n.repeats, n.inner, nothing,
                      [&] {
                        for (int k = 0; k < n.inner; ++k) {
                          be.apply_A(p, q);
                          be.dot(q, q, kDelta);
                          be.scalar_ratio(kGamma, kDelta, kAlpha);
                          be.axpby(Coef::of(kAlpha), p, Coef::constant(1.f), x);
                          be.axpby(Coef::of(kAlpha, -1.f), q, Coef::constant(1.f), r);
                          be.apply_At(r, s);
                          be.multiply(mask, s);
                          be.dot(s, s, kGammaNew);
                          be.scalar_ratio(kGammaNew, kGamma, kBeta);
                          be.axpby(Coef::constant(1.f), s, Coef::of(kBeta), p);
                          be.scalar_ratio(kGammaNew, kOne, kGamma);
                        }
                      }),
           cost.cg_iteration());

    // One FISTA iteration: the solver's loop with a safe step 1/F (||A||^2 <= F: every frame's
    // rows are kernels of sum <= 1), from y = x_prev = 0.
    be.scalar_set(kStep, 1.0 / prob.frames);
    be.fill(xp, 0.f);
    be.fill(y, 0.f);
    double t = 1.0;
    const float R = static_cast<float>(prob.range);
    record("fista_iteration",
           time_phase(be, n.repeats, n.inner, nothing,
                      [&] {
                        for (int k = 0; k < n.inner; ++k) {
                          be.apply_A(y, r);
                          be.axpby(Coef::constant(-1.f), be.stack(), Coef::constant(1.f), r);
                          be.apply_At(r, g);
                          be.axpby(Coef::constant(1.f), y, Coef::of(kStep, -1.f), g);
                          be.clip(g, 0.f, R);
                          const double t_next = (1.0 + std::sqrt(1.0 + 4.0 * t * t)) / 2.0;
                          const float mu = static_cast<float>((t - 1.0) / t_next);
                          be.copy(g, y);
                          be.axpby(Coef::constant(-mu), xp, Coef::constant(1.f + mu), y);
                          be.copy(g, xp);
                          t = t_next;
                        }
                      }),
           cost.fista_iteration());
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::OutOfMemory) throw;
    run.status = "skipped";
    run.reason = e.what();
    run.phases.clear();
    return run;
  }
  run.status = "measured";

  // The whole solve (the phases above were its warm-up).
  if (name == "cpu" && !w.cpu_solve) {
    run.reason = "whole solve not run: " + w.cpu_solve_note;
  } else {
    std::vector<double> times;
    Result res;
    for (int k = 0; k < n.solve_repeats; ++k) {
      const auto t0 = Clock::now();
      res = solve(sc.stack, opt, be);
      times.push_back(seconds_since(t0));
    }
    run.solved = true;
    run.solve_seconds = summarize(times);
    run.solve_epochs = opt.epochs;
    run.solve_mpps = mp_planes * opt.epochs / run.solve_seconds.median;
    const DepthMetrics m = depth_metrics(res.depth, sc.depth);
    run.absrel = m.absrel;
    run.delta1 = m.delta1;
    run.psnr = psnr(res.aif, sc.aif, sc.stack.range);
    char buf[200];
    std::snprintf(buf, sizeof buf, "bench: %s %s solve median %.4g s (%d runs, %d epochs), AbsRel %.4f", w.name.c_str(),
                  name.c_str(), run.solve_seconds.median, run.solve_seconds.count, opt.epochs, m.absrel);
    log_line(cfg, buf);
  }
  run.peak_backend = be.peak_memory();
  run.peak_host = peak_host_bytes();
  return run;
}

}  // namespace

const std::vector<std::string>& bench_phases() {
  static const std::vector<std::string> names = {"setup",          "init_aif",     "blur_levels",    "grid_search",
                                                 "golden_section", "cg_iteration", "fista_iteration"};
  return names;
}

const PhaseResult* BackendRun::phase(const std::string& name) const {
  for (const PhaseResult& p : phases)
    if (p.name == name) return &p;
  return nullptr;
}

const BackendRun* WorkloadResult::run(const std::string& backend) const {
  for (const BackendRun& r : runs)
    if (r.backend == backend) return &r;
  return nullptr;
}

double gpu_cpu_ratio(const WorkloadResult& w, const std::string& phase) {
  const BackendRun *cpu = w.run("cpu"), *gpu = w.run("cuda");
  if (!cpu || !gpu || cpu->status != "measured" || gpu->status != "measured") return 0.0;
  if (phase == "solve")
    return cpu->solved && gpu->solved && gpu->solve_seconds.median > 0
               ? cpu->solve_seconds.median / gpu->solve_seconds.median
               : 0.0;
  const PhaseResult *a = cpu->phase(phase), *b = gpu->phase(phase);
  return a && b && b->seconds.median > 0 ? a->seconds.median / b->seconds.median : 0.0;
}

BenchReport run_bench(const BenchConfig& cfg) {
  const auto t_start = Clock::now();
  if (cfg.repeats < 1) throw_usage("--repeats must be at least 1 (got " + std::to_string(cfg.repeats) + ")");
  if (cfg.solve_repeats < 1)
    throw_usage("solve repeats must be at least 1 (got " + std::to_string(cfg.solve_repeats) + ")");
  if (cfg.inner < 1) throw_usage("inner iterations must be at least 1 (got " + std::to_string(cfg.inner) + ")");
  for (const std::string& b : cfg.backends)
    if (b != "cpu" && b != "cuda") throw_usage("unknown bench backend '" + b + "' (choose cpu, cuda)");
  if (cfg.backends.empty()) throw_usage("--backends: name at least one of cpu, cuda");

  std::vector<Workload> workloads = cfg.workloads;
  if (workloads.empty()) {
    if (!cfg.sizes.empty()) {
      for (const std::string& s : cfg.sizes) workloads.push_back(find_workload(s));
    } else {
      for (const Workload& w : standard_workloads())
        if (!cfg.quick || w.quick) workloads.push_back(w);
    }
  }

  BenchReport rep;
  rep.date = utc_now();
  rep.commit = bench_info::source_commit();
  rep.command = cfg.command_line;
  rep.dfd_version = DFD_VERSION;
  rep.backends = cfg.backends;
  rep.host = bench_info::host_description();

  for (const std::string& b : cfg.backends) {
    log_line(cfg, "bench: measuring " + b + " ceilings");
    DeviceCeilings ce;
    try {
      ce = b == "cpu" ? measure_cpu_ceilings(cfg.threads, cfg.ceiling_bytes) : measure_cuda_ceilings(0);
    } catch (const Error& e) {
      ce.device = b;
      ce.note = std::string("ceilings not measured: ") + e.what();
    }
    rep.ceilings.push_back(ce);
  }

  for (const Workload& w : workloads) {
    const Counts n{std::min(cfg.repeats, w.max_repeats), std::min(cfg.solve_repeats, w.max_solve_repeats),
                   std::min(cfg.inner, w.max_inner)};
    Options opt = workload_options(w);
    opt.threads = cfg.threads;
    WorkloadResult wr;
    wr.workload = w;
    // The problem's dimensions first: backends that cannot run it are known before the
    // (possibly minutes-long) scene is built.
    FocalStack shape;
    shape.focus_distances = workload_focus_distances(w);
    shape.frames.resize(w.frames);
    for (Image& f : shape.frames) f.width = w.width, f.height = w.height, f.channels = w.channels;
    const Problem prob = make_problem(shape, opt);
    wr.K = prob.K;
    wr.levels = prob.levels.count();
    wr.candidates = static_cast<int>(prob.candidates.size());
    wr.window = prob.window;
    wr.golden_iterations = CostModel(prob).golden_iterations();
    wr.level_kernel_error = prob.levels.max_kernel_error(
        max_blur_sigma(prob.camera, prob.focus_distances, prob.candidates.front(), prob.candidates.back()));
    std::vector<Prepared> prepared;
    bool any = false;
    for (const std::string& b : cfg.backends) {
      prepared.push_back(prepare_backend(b, prob, cfg));
      any = any || prepared.back().be != nullptr;
    }
    if (any) {
      const BenchScene sc = make_bench_scene(w, opt);
      wr.stack_model = sc.stack_model;
      wr.scene_seconds = sc.seconds;
      log_line(cfg, "bench: " + w.name + " scene ready (" + sc.stack_model + ")");
      for (size_t b = 0; b < prepared.size(); ++b)
        wr.runs.push_back(prepared[b].be ? run_backend(prepared[b], w, sc, opt, rep.ceilings[b], n, cfg)
                                         : std::move(prepared[b].run));
    } else {
      wr.stack_model = "not built: no backend can run this workload here";
      for (Prepared& p : prepared) wr.runs.push_back(std::move(p.run));
    }
    rep.workloads.push_back(std::move(wr));
  }
  rep.wall_seconds = seconds_since(t_start);
  return rep;
}

}  // namespace dfd
