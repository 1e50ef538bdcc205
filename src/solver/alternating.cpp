// The alternating minimisation of SPEC 3: depth step and AIF step in turn, the loss logged
// after every step and guarded so that no step increases it.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "dfd/cancel.h"
#include "dfd/cleanup.h"
#include "dfd/error.h"
#include "dfd/focus_measure.h"
#include "dfd/memory.h"
#include "dfd/noise.h"
#include "dfd/solver.h"
#include "solver/steps.h"
#include "util/clock.h"

namespace dfd {

namespace {

using Clock = std::chrono::steady_clock;

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
  // What solve() allocates: x, Z, loss, Z_old, loss_old, the AIF step's work, and the depth
  // prior's work (counted whenever the options may turn the priors on: auto decides later).
  const bool maybe_prior = opt.regularizer != Regularizer::None;
  p.solver_floats = p.image_size() + 4 * p.pixels() + aif_work_floats(p, maybe_prior && opt.aif_smoothness > 0) +
                    (maybe_prior && opt.depth_smoothness > 0 ? depth_prior_work_floats(p) : 0);
  return p;
}

bool regularized(const Options& opt, const NoiseEstimate& noise, double range) {
  if (opt.regularizer == Regularizer::None) return false;
  if (opt.regularizer == Regularizer::Tv) return true;
  return noise.step > 0 || noise.source_step > 0 || noise.sigma > kNoisyFraction * range;
}

namespace {

// The objective's weights for this stack (Options' regularisation fields against its noise).
PriorWeights prior_weights(const Options& opt, const Problem& prob, double sigma, bool on) {
  PriorWeights pw;
  pw.sigma = sigma;
  if (!on) return pw;
  const double s2 = sigma * sigma;
  pw.depth = opt.depth_smoothness > 0 && prob.candidates.size() >= 2;
  pw.aif = opt.aif_smoothness > 0;
  pw.mu = 2.0 * s2 * opt.depth_smoothness / (static_cast<double>(prob.frames) * prob.channels);
  pw.step = prob.candidates.size() >= 2
                ? (prob.candidates.back() - prob.candidates.front()) / (prob.candidates.size() - 1)
                : 1.0;
  pw.eps = opt.depth_huber;
  pw.edge_scale = opt.edge_scale * prob.range;
  pw.edge_floor = opt.edge_floor;
  pw.iterations = opt.prior_iterations;
  pw.rho = 2.0 * s2 * opt.aif_smoothness / (0.02 * prob.range);
  pw.delta = std::max(opt.aif_huber * sigma, 1e-6 * prob.range);
  if (!(pw.mu > 0)) pw.depth = false;
  if (!(pw.rho > 0)) pw.aif = false;
  return pw;
}

// The weights for an effective noise variance s2 (>= pw.sigma^2): mu and rho scale with it; the
// Huber corners stay those of the sensor noise.
PriorWeights scaled_weights(const PriorWeights& pw, double s2) {
  PriorWeights out = pw;
  const double base = pw.sigma * pw.sigma;
  if (base > 0 && s2 > base) {
    out.mu *= s2 / base;
    out.rho *= s2 / base;
  }
  return out;
}

}  // namespace

Result solve(const FocalStack& input, const Options& requested, Backend& be, const ProgressFn& progress) {
  const auto t_solve = Clock::now();
  throw_if_stopped("before the solve");
  // The noise level the regularised objective scales with.
  NoiseEstimate noise = estimate_noise(input);
  const bool noise_given = requested.noise_sigma > 0;
  if (noise_given) noise.sigma = requested.noise_sigma;
  const bool regularize = regularized(requested, noise, input.range);
  // The uncalibrated model: a estimated from the stack unless given, then its range and window.
  BlurScaleEstimate estimate;
  Options resolved = requested;
  if (resolved.blur_model == BlurModel::FocusIndex && !(resolved.blur_scale > 0)) {
    // The trials compare how well each a fits the data: the pure objective.
    Options trial = resolved.resolved_for(input);
    trial.regularizer = Regularizer::None;
    estimate = estimate_blur_scale(input, trial, be, progress);
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
  {
    // Before anything large is allocated: the host copy staged below, the padded copy, the
    // result images, and on the CPU the backend's whole working set, beside the input stack the
    // caller holds.
    const double fb = sizeof(float);
    double need = fb * static_cast<double>(input.count()) * input.frames[0].data.size() +  // the caller's stack
                  fb * static_cast<double>(prob.stack_size()) +                            // the staged copy
                  (stack != &input ? fb * static_cast<double>(prob.stack_size()) : 0.0) +  // the padded copy
                  fb * static_cast<double>(prob.pixels()) * (prob.channels + 4);           // depth, AIF, confidence
    if (be.uses_host_memory()) need += static_cast<double>(be.memory_estimate(prob));
    check_host_memory(static_cast<size_t>(std::min(need, 9e18)),
                      "solving " + std::to_string(prob.width) + "x" + std::to_string(prob.height) + "x" +
                          std::to_string(prob.channels) + ", " + std::to_string(prob.frames) + " frames, " +
                          std::to_string(prob.levels.count()) + " blur levels on " + be.name());
  }
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
  const PriorWeights pw = prior_weights(opt, prob, noise.sigma, regularize);
  const AifWork work = alloc_aif_work(be, prob, pw.aif);
  const DepthPriorWork dwork = pw.depth ? alloc_depth_prior_work(be, prob) : DepthPriorWork{};
  be.scalar_set(kOne, 1.0);

  Result res;
  res.options = opt;
  res.blur_scale_estimate = estimate;
  res.noise = noise;
  res.noise_given = noise_given;
  res.depth_prior = pw.depth;
  res.aif_prior = pw.aif;
  res.depth_prior_weight = pw.depth ? pw.mu : 0.0;
  res.aif_prior_weight = pw.aif ? pw.rho : 0.0;
  res.backend = be.name();
  res.device = be.device();
  res.kernel_size = prob.K;
  res.levels = prob.levels.count();
  res.level_kernel_error =
      prob.levels.max_kernel_error(max_blur_sigma(prob.camera, prob.focus_distances, opt.depth_min, opt.depth_max));

  auto log_step = [&](const StepLog& s) {
    res.log.push_back(s);
    if (progress) progress(res.log.back(), opt.epochs);
    throw_if_stopped("between solver steps");
  };

  bool have_depth = false;
  auto t0 = Clock::now();
  // A dense sweep starts from the focus-measure depth (Options::depth_init), then runs the AIF
  // step first: the first AIF is fitted to a depth that is already close, and every depth step
  // is guarded against it.
  const bool focus_start = opt.focus_init(*stack);
  const StepOrder order = focus_start ? StepOrder::AifFirst : opt.order;
  if (focus_start) {
    FocusMeasureOptions fm;
    fm.sigma = opt.focus_init_sigma;
    Image z = index_to_focus_distance(focus_measure_depth(*stack, fm, opt.threads), stack->focus_distances);
    const float lo = static_cast<float>(std::min(opt.depth_min, opt.depth_max));
    const float hi = static_cast<float>(std::max(opt.depth_min, opt.depth_max));
    for (float& v : z.data) v = std::clamp(v, lo, hi);
    be.upload(z.data.data(), Z);
    be.init_aif(x);
    have_depth = true;
  } else if (order == StepOrder::DepthFirst) {
    be.init_aif(x);
  } else {
    // AIF first: the depth starts constant at the middle candidate.
    const auto& c = prob.candidates;
    be.fill(Z, static_cast<float>(c[c.size() / 2]));
    be.init_aif(x);
  }
  double scalars[Backend::kScalarSlots];
  be.read_scalars(scalars, 1);  // synchronise so the init time is the init's
  const double nan = std::numeric_limits<double>::quiet_NaN();
  log_step({-1, "init", nan, seconds_since(t0), 0, false, nan, nan});
  // The depth prior's term of the objective per pixel: mu TV_g(Z) / HW (the edge weights g are
  // those of the depth step's AIF).
  bool warm_prior = false;
  // The variance the prior weights are scaled with: sigma^2, or with residual scaling the larger
  // of sigma^2 and the data loss the latest step left (L: the mean squared residual per stack
  // element, the units of sigma^2).
  const double s2_noise = noise.sigma * noise.sigma;
  double s2_step = s2_noise;
  auto step_weights = [&]() { return scaled_weights(pw, s2_step); };
  // Only a settled residual counts: while a step still lowers L by more than kSettled (the
  // first epochs of any stack, before the AIF and depth agree), the misfit is transient and a
  // prior at its level would freeze an early, wrong depth (measured: a 64x48 8-bit scene at 4
  // epochs went from AbsRel 0.06 to 0.37); once L settles, above sigma^2 on a real stack, it is
  // the level the model fits the data to.
  constexpr double kSettled = 0.9;
  double L_last = nan;
  bool settled = false;  // from the first settled step on, the weights follow L
  auto after_step = [&](double L) {
    if (!opt.prior_residual_scaling || !std::isfinite(L)) return;
    settled = settled || (std::isfinite(L_last) && L >= kSettled * L_last);
    if (settled) s2_step = std::max(s2_noise, L);
    L_last = L;
  };

  auto depth_step = [&](int epoch) {
    const auto ts = Clock::now();
    const bool guard = have_depth && (epoch > 0 || focus_start);
    if (!pw.depth) {
      be.blur_levels(x);
      if (guard) {
        be.copy(Z, Z_old);
        be.pixel_loss(Z_old, loss_old);
        be.sum(loss_old, kLossOld);
      }
      be.grid_search(Z, loss);
      be.golden_section(Z, loss);
      if (guard) be.keep_better(Z, loss, Z_old, loss_old);
      be.sum(loss, kLossDepth);
      be.read_scalars(scalars, Backend::kScalarSlots);
      have_depth = true;
      const double L = scalars[kLossDepth] / static_cast<double>(HW);
      log_step({epoch, "depth", L, seconds_since(ts), 0, false, L,
                guard ? scalars[kLossOld] / static_cast<double>(HW) : nan});
      after_step(L);
      return;
    }
    // Regularised: the objective L + mu TV_g(Z) / HW couples the pixels, so the guard compares
    // whole maps under the same AIF, edge weights and prior weight.
    const PriorWeights pws = step_weights();
    const double tv_scale = pws.mu / static_cast<double>(HW);
    if (guard) be.copy(Z, Z_old);
    depth_prior_step(be, prob, pws, x, Z, loss, dwork, warm_prior);
    warm_prior = true;
    if (guard) {
      be.pixel_loss(Z_old, loss_old);  // the levels of x are current (depth_prior_step)
      be.sum(loss_old, kLossOld);
      be.tv_sum(Z_old, dwork.g, static_cast<float>(pw.step), static_cast<float>(pw.eps), kPriorBefore);
    }
    be.read_scalars(scalars, Backend::kScalarSlots);
    double L = scalars[kLossDepth] / static_cast<double>(HW);
    double J = L + tv_scale * scalars[kPriorAfter];
    const double J_old = guard ? scalars[kLossOld] / static_cast<double>(HW) + tv_scale * scalars[kPriorBefore] : nan;
    bool reverted = false;
    if (guard && !(J <= J_old)) {
      be.copy(Z_old, Z);
      be.copy(loss_old, loss);
      L = scalars[kLossOld] / static_cast<double>(HW);
      J = J_old;
      reverted = true;
    }
    have_depth = true;
    log_step({epoch, "depth", L, seconds_since(ts), 0, reverted, J, J_old, std::sqrt(s2_step)});
    after_step(L);
  };

  auto aif_step = [&](int epoch) {
    const auto ts = Clock::now();
    const int iters = opt.aif_iterations(epoch);
    const PriorWeights pwa = step_weights();
    be.set_depth(Z);
    be.copy(x, work.x_prev);
    if (opt.aif_solver == AifSolver::CG)
      cg_aif_step(be, prob, x, work, iters, kCgRestart, pwa);
    else
      fista_aif_step(be, prob, x, work, iters, opt.power_iters);
    be.read_scalars(scalars, Backend::kScalarSlots);
    // The AIF step's objective: ||A x - b||^2 (+ rho sum huber(|grad x|)), per stack element.
    // FISTA runs the pure least squares (the reference's solver).
    const bool prior = pw.aif && opt.aif_solver == AifSolver::CG;
    double before = scalars[kLossBefore], after = scalars[kLossAfter];
    double J_before = before + (prior ? pwa.rho * scalars[kPriorBefore] : 0.0);
    double J_after = after + (prior ? pwa.rho * scalars[kPriorAfter] : 0.0);
    bool reverted = false;
    // The guard of SPEC 3: a step may not increase its objective. CG's final clip and FISTA's
    // restart from zero can; then the previous AIF is kept (its clipped loss, `before`, is the step's).
    if (!(J_after <= J_before)) {
      be.copy(work.x_prev, x);
      be.clip(x, 0.f, static_cast<float>(prob.range));
      after = before;
      J_after = J_before;
      reverted = true;
    }
    log_step({epoch, "aif", after / n_stack, seconds_since(ts), iters, reverted, J_after / n_stack, J_before / n_stack,
              prior ? std::sqrt(s2_step) : nan});
    after_step(after / n_stack);
  };

  for (int e = 0; e < opt.epochs; ++e) {
    if (order == StepOrder::DepthFirst) {
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
