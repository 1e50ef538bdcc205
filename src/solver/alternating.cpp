// The alternating minimisation of SPEC 3: depth step and AIF step in turn, the loss logged
// after every step and guarded so that no step increases it.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "dfd/cleanup.h"
#include "dfd/error.h"
#include "dfd/solver.h"
#include "solver/steps.h"

namespace dfd {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Restart length of the bounded CG: the active set is re-estimated this often.
constexpr int kCgRestart = 15;

}  // namespace

Problem make_problem(const FocalStack& stack, const Options& opt) {
  Problem p;
  p.width = stack.width();
  p.height = stack.height();
  p.channels = stack.channels();
  p.frames = stack.count();
  p.range = stack.range;
  p.camera = opt.camera();
  p.focus_distances = stack.focus_distances;
  p.K = opt.window_for(p.height - 2 * opt.edge_pad, p.width - 2 * opt.edge_pad);
  p.levels = LevelPlan::make(opt.thresh, max_blur_sigma(p.camera, p.focus_distances, opt.depth_min, opt.depth_max), p.K,
                             opt.kernel_tolerance);
  p.candidates = opt.candidates();
  p.window = opt.window;
  p.gs_bracket = opt.gs_bracket;
  p.gs_tol = opt.gs_tol;
  p.gs_max_iters = opt.gs_max_iters;
  return p;
}

Result solve(const FocalStack& input, const Options& requested, Backend& be, const ProgressFn& progress) {
  const auto t_solve = Clock::now();
  // The uncalibrated model: a estimated from the stack unless given, then its range and window.
  BlurScaleEstimate estimate;
  Options resolved = requested;
  if (resolved.blur_model == BlurModel::FocusIndex && !(resolved.blur_scale > 0)) {
    estimate = estimate_blur_scale(input, resolved.resolved_for(input), be, progress);
    resolved.blur_scale = estimate.scale;
  }
  const Options opt = solve_options(input, resolved);
  FocalStack padded;
  const FocalStack* stack = &input;
  if (opt.edge_pad > 0) {
    padded.focus_distances = input.focus_distances;
    padded.range = input.range;
    padded.sources = input.sources;
    for (const Image& f : input.frames) padded.frames.push_back(pad_edge(f, opt.edge_pad));
    stack = &padded;
  }

  // Stage the stack once: frames x channels x height x width.
  Problem prob = make_problem(*stack, opt);
  std::vector<float> host_stack;
  host_stack.reserve(prob.stack_size());
  for (const Image& f : stack->frames) host_stack.insert(host_stack.end(), f.data.begin(), f.data.end());
  prob.stack = host_stack.data();
  be.setup(prob);
  host_stack.clear();
  host_stack.shrink_to_fit();
  prob.stack = nullptr;

  const size_t HW = prob.pixels();
  const double n_stack = static_cast<double>(prob.stack_size());
  DVec x = be.alloc(prob.image_size());
  DVec Z = be.alloc(HW), loss = be.alloc(HW), Z_old = be.alloc(HW), loss_old = be.alloc(HW);
  const AifWork work = alloc_aif_work(be, prob);
  be.scalar_set(kOne, 1.0);

  Result res;
  res.options = opt;
  res.blur_scale_estimate = estimate;
  res.backend = be.name();
  res.device = be.device();
  res.kernel_size = prob.K;
  res.levels = prob.levels.count();
  res.level_kernel_error = prob.levels.max_kernel_error(
      max_blur_sigma(prob.camera, prob.focus_distances, opt.depth_min, opt.depth_max));

  auto log_step = [&](StepLog s) {
    res.log.push_back(s);
    if (progress) progress(res.log.back(), opt.epochs);
  };

  bool have_depth = false;
  auto t0 = Clock::now();
  if (opt.order == StepOrder::DepthFirst) {
    be.init_aif(x);
  } else {
    // AIF first: the depth starts constant at the middle candidate.
    const auto& c = prob.candidates;
    be.fill(Z, static_cast<float>(c[c.size() / 2]));
    be.init_aif(x);
  }
  double scalars[Backend::kScalarSlots];
  be.read_scalars(scalars, 1);  // synchronise so the init time is the init's
  log_step({-1, "init", std::numeric_limits<double>::quiet_NaN(), seconds_since(t0), 0, false});

  auto depth_step = [&](int epoch) {
    const auto ts = Clock::now();
    be.blur_levels(x);
    const bool guard = have_depth && epoch > 0;
    if (guard) {
      be.copy(Z, Z_old);
      be.pixel_loss(Z_old, loss_old);
    }
    be.grid_search(Z, loss);
    be.golden_section(Z, loss);
    if (guard) be.keep_better(Z, loss, Z_old, loss_old);
    be.sum(loss, kLossDepth);
    be.read_scalars(scalars, kLossDepth + 1);
    have_depth = true;
    log_step({epoch, "depth", scalars[kLossDepth] / static_cast<double>(HW), seconds_since(ts), 0, false});
  };

  auto aif_step = [&](int epoch) {
    const auto ts = Clock::now();
    const int iters = opt.aif_iterations(epoch);
    be.set_depth(Z);
    be.copy(x, work.x_prev);
    if (opt.aif_solver == AifSolver::CG)
      cg_aif_step(be, prob, x, work, iters, kCgRestart);
    else
      fista_aif_step(be, prob, x, work, iters, opt.power_iters);
    be.read_scalars(scalars, kLossAfter + 1);
    double before = scalars[kLossBefore], after = scalars[kLossAfter];
    bool reverted = false;
    // The guard of SPEC 3: a step may not increase L. CG's final clip and FISTA's restart from
    // zero can; then the previous AIF is kept (its clipped loss, `before`, is the step's).
    if (!(after <= before)) {
      be.copy(work.x_prev, x);
      be.clip(x, 0.f, static_cast<float>(prob.range));
      after = before;
      reverted = true;
    }
    log_step({epoch, "aif", after / n_stack, seconds_since(ts), iters, reverted});
  };

  for (int e = 0; e < opt.epochs; ++e) {
    if (opt.order == StepOrder::DepthFirst) {
      depth_step(e);
      aif_step(e);
    } else {
      aif_step(e);
      depth_step(e);
    }
  }

  // Confidence of the final depth: the loss profiles over the candidates with the final AIF
  // (Z_old and loss_old are free now and hold the two maps).
  Image confidence, unimodal;
  if (opt.confidence) {
    const auto tc = Clock::now();
    be.blur_levels(x);
    be.loss_profile_stats(Z_old, loss_old);
    confidence = Image(prob.width, prob.height, 1);
    unimodal = Image(prob.width, prob.height, 1);
    be.download(Z_old, confidence.data.data());
    be.download(loss_old, unimodal.data.data());
    res.confidence_seconds = seconds_since(tc);
  }

  // Results back to the host once.
  Image depth(prob.width, prob.height, 1), aif(prob.width, prob.height, prob.channels),
      pixel_loss(prob.width, prob.height, 1);
  be.download(Z, depth.data.data());
  be.download(x, aif.data.data());
  be.download(loss, pixel_loss.data.data());
  if (opt.edge_pad > 0) {
    depth = crop(depth, opt.edge_pad);
    aif = crop(aif, opt.edge_pad);
    pixel_loss = crop(pixel_loss, opt.edge_pad);
    if (opt.confidence) {
      confidence = crop(confidence, opt.edge_pad);
      unimodal = crop(unimodal, opt.edge_pad);
    }
  }
  // Outlier clean-up on the host (the loss and confidence maps stay those of the solved depth).
  if (opt.cleanup.any())
    res.cleanup = cleanup_depth(depth, aif, opt.confidence ? &confidence : nullptr, prob.range, prob.K, opt.cleanup);
  res.depth = std::move(depth);
  res.aif = std::move(aif);
  res.loss = std::move(pixel_loss);
  res.confidence = std::move(confidence);
  res.unimodal = std::move(unimodal);
  res.peak_memory = be.peak_memory();
  res.seconds = seconds_since(t_solve);
  return res;
}

Image pad_edge(const Image& im, int pad) {
  if (pad <= 0) return im;
  Image out(im.width + 2 * pad, im.height + 2 * pad, im.channels);
  for (int c = 0; c < im.channels; ++c)
    for (int y = 0; y < out.height; ++y) {
      const int sy = std::clamp(y - pad, 0, im.height - 1);
      for (int x = 0; x < out.width; ++x) out.at(x, y, c) = im.at(std::clamp(x - pad, 0, im.width - 1), sy, c);
    }
  return out;
}

Image crop(const Image& im, int pad) {
  if (pad <= 0) return im;
  Image out(im.width - 2 * pad, im.height - 2 * pad, im.channels);
  for (int c = 0; c < im.channels; ++c)
    for (int y = 0; y < out.height; ++y)
      for (int x = 0; x < out.width; ++x) out.at(x, y, c) = im.at(x + pad, y + pad, c);
  return out;
}

}  // namespace dfd
