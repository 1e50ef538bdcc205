// Options: presets of SPEC 6, derived quantities, and validation before any heavy work.
#include "dfd/options.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "dfd/error.h"
#include "dfd/image.h"
#include "util/number_text.h"

namespace dfd {

namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw_input(what);
}

}  // namespace

Camera Options::camera() const {
  Camera c;
  c.focal_length = focal_length;
  c.aperture = effective_aperture();
  c.pixel_pitch = pixel_pitch;
  c.thresh = thresh;
  c.model = blur_model;
  c.index_scale = blur_scale > 0 ? blur_scale : 1.0;
  return c;
}

int Options::window_for(int height, int width) const {
  return kernel_size > 0 ? kernel_size : default_kernel_size(height, width);
}

int Options::aif_iterations(int epoch) const {
  if (aif_solver == AifSolver::CG) {
    const double it = cg_iters_first * std::pow(cg_growth, epoch);
    return static_cast<int>(std::min<double>(cg_iters_max, std::round(it)));
  }
  long t = fista_iters0;  // T_{e+1} = floor(alpha T_e)
  for (int e = 0; e < epoch && t < (1L << 24); ++e) t = static_cast<long>(std::floor(fista_alpha * t));
  return static_cast<int>(std::max(1L, std::min(t, 1L << 24)));
}

std::vector<double> Options::candidates() const {
  std::vector<double> z(depth_candidates);
  if (depth_candidates == 1) {
    z[0] = depth_min;
    return z;
  }
  for (int j = 0; j < depth_candidates; ++j) z[j] = depth_min + (depth_max - depth_min) * j / (depth_candidates - 1);
  return z;
}

bool Options::auto_index_range() const {
  return blur_model == BlurModel::FocusIndex && depth_min == 0 && depth_max == 0;
}

Options Options::resolved_for(const FocalStack& stack) const {
  Options o = *this;
  if (o.auto_index_range() && !stack.focus_distances.empty()) {
    const auto [lo, hi] = std::minmax_element(stack.focus_distances.begin(), stack.focus_distances.end());
    o.depth_min = *lo;
    o.depth_max = *hi > *lo ? *hi : *lo + 1.0;
  }
  return o;
}

void Options::validate(const FocalStack* stack) const {
  const bool index_model = blur_model == BlurModel::FocusIndex;
  if (index_model) {
    require(std::isfinite(blur_scale) && blur_scale >= 0,
            "--blur-scale must be positive, or 0 to estimate it (got " + format_number(blur_scale) + ")");
    require(std::isfinite(thresh) && thresh > 0, "--thresh must be positive (got " + format_number(thresh) + ")");
    require(std::isfinite(depth_min) && std::isfinite(depth_max) && (auto_index_range() || depth_max > depth_min),
            "depth range maximum " + format_number(depth_max) + " must exceed the minimum " + format_number(depth_min));
  }
  if (!index_model) {
    require(std::isfinite(focal_length) && focal_length > 0,
            "focal length must be positive (got " + format_number(focal_length) + "): pass --focal-length");
    require(
        aperture > 0 || (std::isfinite(f_number) && f_number > 0),
        "aperture must be positive: pass --f-number N or --aperture D (got f-number " + format_number(f_number) + ")");
    require(std::isfinite(effective_aperture()) && effective_aperture() > 0,
            "aperture must be positive (got " + format_number(effective_aperture()) + ")");
    require(std::isfinite(pixel_pitch) && pixel_pitch > 0,
            "pixel size must be positive (got " + format_number(pixel_pitch) + "): pass --pixel-size");
    require(std::isfinite(thresh) && thresh > 0, "--thresh must be positive (got " + format_number(thresh) + ")");
    require(std::isfinite(depth_min) && depth_min > 0,
            "depth range minimum must be positive (got " + format_number(depth_min) + ")");
    require(std::isfinite(depth_max) && depth_max > depth_min,
            "depth range maximum " + format_number(depth_max) + " must exceed the minimum " + format_number(depth_min));
  }
  require(depth_candidates >= 2,
          "--depth-candidates must be at least 2 (got " + std::to_string(depth_candidates) + ")");
  require(kernel_size == 0 || (kernel_size >= 1 && kernel_size % 2 == 1),
          "--kernel-size must be odd and positive, or 0 for the default (got " + std::to_string(kernel_size) + ")");
  require(window >= 0, "--window-size must be >= 0 (got " + std::to_string(window) + ")");
  require(edge_pad >= 0 || edge_pad == kAutoEdgePad, "edge padding must be >= 0 (or auto)");
  require(std::isfinite(focus_init_sigma) && focus_init_sigma >= 0,
          "the focus-measure smoothing must be >= 0 pixels (got " + format_number(focus_init_sigma) + ")");
  require(gs_bracket >= 1, "golden-section bracket must be >= 1 grid step");
  require(std::isfinite(gs_tol) && gs_tol > 0, "golden-section tolerance must be positive");
  require(gs_max_iters >= 0, "golden-section iteration limit must be >= 0");
  require(epochs >= 1 || (epochs == kAutoEpochs && index_model),
          "--epochs must be at least 1 (got " + std::to_string(epochs) + ")");
  require(cg_iters_first >= 1 && cg_iters_max >= cg_iters_first, "CG iterations must satisfy 1 <= first <= max (got " +
                                                                     std::to_string(cg_iters_first) + "," +
                                                                     std::to_string(cg_iters_max) + ")");
  require(std::isfinite(cg_growth) && cg_growth >= 1.0, "CG iteration growth must be >= 1");
  require(fista_iters0 >= 1, "FISTA T_0 must be >= 1");
  require(std::isfinite(fista_alpha) && fista_alpha > 0, "FISTA alpha must be positive");
  require(power_iters >= 1, "power iterations must be >= 1");
  require(std::isfinite(kernel_tolerance) && kernel_tolerance > 0 && kernel_tolerance <= 0.1,
          "kernel tolerance must lie in (0, 0.1]");
  require(threads >= 0, "--threads must be >= 0");
  require(std::isfinite(range) && range >= 0, "--range must be positive (got " + format_number(range) + ")");
  require(std::isfinite(noise_sigma) && noise_sigma >= 0,
          "noise_sigma must be >= 0 (0 = estimate; got " + format_number(noise_sigma) + ")");
  require(std::isfinite(depth_smoothness) && depth_smoothness >= 0,
          "depth_smoothness must be >= 0 (got " + format_number(depth_smoothness) + ")");
  require(std::isfinite(depth_huber) && depth_huber > 0,
          "depth_huber must be positive (got " + format_number(depth_huber) + ")");
  require(std::isfinite(edge_scale) && edge_scale > 0,
          "edge_scale must be positive (got " + format_number(edge_scale) + ")");
  require(std::isfinite(edge_floor) && edge_floor > 0 && edge_floor <= 1,
          "edge_floor must lie in (0, 1] (got " + format_number(edge_floor) + ")");
  require(prior_iterations >= 1, "prior_iterations must be >= 1 (got " + std::to_string(prior_iterations) + ")");
  require(std::isfinite(aif_smoothness) && aif_smoothness >= 0,
          "aif_smoothness must be >= 0 (got " + format_number(aif_smoothness) + ")");
  require(std::isfinite(aif_huber) && aif_huber > 0,
          "aif_huber must be positive (got " + format_number(aif_huber) + ")");
  cleanup.validate();
  if (cleanup.min_confidence > 0 && !confidence)
    throw_usage("--min-confidence needs the confidence map: drop --no-confidence");

  if (!stack) return;
  const FocalStack& s = *stack;
  auto src = [&](int i) {
    return i < static_cast<int>(s.sources.size()) && !s.sources[i].empty() ? s.sources[i]
                                                                           : "frame " + std::to_string(i);
  };
  require(s.count() >= 2, "a focal stack needs at least 2 frames (got " + std::to_string(s.count()) + ")");
  require(static_cast<int>(s.focus_distances.size()) == s.count(),
          std::to_string(s.focus_distances.size()) + " focus distances given for " + std::to_string(s.count()) +
              " frames: pass one focus distance per frame");
  const Image& f0 = s.frames[0];
  require(f0.width > 0 && f0.height > 0, src(0) + ": empty image");
  require(f0.channels == 1 || f0.channels == 3,
          src(0) + ": " + std::to_string(f0.channels) + " channels; expected 1 (grey) or 3 (colour)");
  require(std::isfinite(s.range) && s.range > 0, "input range R must be positive");
  for (int i = 0; i < s.count(); ++i) {
    const Image& f = s.frames[i];
    require(f.width == f0.width && f.height == f0.height,
            src(i) + ": size " + std::to_string(f.width) + "x" + std::to_string(f.height) + " differs from " + src(0) +
                " (" + std::to_string(f0.width) + "x" + std::to_string(f0.height) + ")");
    require(f.channels == f0.channels, src(i) + ": " + std::to_string(f.channels) + " channels, but " + src(0) +
                                           " has " + std::to_string(f0.channels));
    require(f.data.size() == f.pixels() * f.channels, src(i) + ": pixel buffer size does not match its shape");
    const double zf = s.focus_distances[i];
    if (index_model)
      require(std::isfinite(zf), src(i) + ": focus index " + format_number(zf) + " is not finite");
    else
      require(std::isfinite(zf) && zf > focal_length, src(i) + ": focus distance " + format_number(zf) +
                                                          " must be greater than the focal length " +
                                                          format_number(focal_length));
    for (size_t k = 0; k < f.data.size(); ++k) {
      const float v = f.data[k];
      if (!std::isfinite(v)) throw_input(src(i) + ": contains NaN or infinite values");
      if (v < 0) throw_input(src(i) + ": contains negative values (" + format_number(v) + ")");
    }
  }
}

std::string Options::summary() const {
  std::ostringstream o;
  o << "preset            " << preset << "\n";
  if (blur_model == BlurModel::FocusIndex)
    o << "blur model        uncalibrated: sigma = max(thresh, a |s - i|), a = "
      << (blur_scale > 0 ? format_number(blur_scale) + " px/frame" : std::string("estimated")) << "\n";
  o << "focal length      " << format_number(focal_length) << "\n"
    << "aperture          " << format_number(effective_aperture()) << " (f/"
    << format_number(focal_length / effective_aperture()) << ")\n"
    << "pixel pitch       " << format_number(pixel_pitch) << "\n"
    << "thresh            " << format_number(thresh) << " px\n"
    << "kernel size       " << (kernel_size > 0 ? std::to_string(kernel_size) : std::string("auto")) << "\n"
    << "depth range       "
    << (auto_index_range() ? std::string("0 .. last frame index")
                           : format_number(depth_min) + " .. " + format_number(depth_max))
    << ", " << depth_candidates << " candidates\n"
    << "window            " << (window > 1 ? std::to_string(window) : std::string("none")) << "\n"
    << "golden section    bracket " << gs_bracket << ", tol " << format_number(gs_tol) << ", max " << gs_max_iters
    << "\n"
    << "AIF solver        " << to_string(aif_solver);
  if (aif_solver == AifSolver::CG)
    o << " (" << cg_iters_first << " -> " << cg_iters_max << " iterations, x" << format_number(cg_growth)
      << " per epoch)\n";
  else
    o << " (T0 " << fista_iters0 << ", alpha " << format_number(fista_alpha) << ", " << power_iters
      << " power iterations)\n";
  o << "epochs            " << (epochs == kAutoEpochs ? std::string("auto") : std::to_string(epochs)) << ", "
    << to_string(order) << ", depth init " << to_string(depth_init);
  if (depth_init != DepthInit::None) o << " (focus measure sigma " << format_number(focus_init_sigma) << " px)";
  o << "\n"
    << "regularizer       " << to_string(regularizer);
  if (regularizer != Regularizer::None)
    o << " (noise " << (noise_sigma > 0 ? format_number(noise_sigma) : std::string("estimated")) << ", depth "
      << format_number(depth_smoothness) << ", huber " << format_number(depth_huber) << " steps, edges "
      << format_number(edge_scale) << " R / floor " << format_number(edge_floor) << ", " << prior_iterations
      << " steps; aif " << format_number(aif_smoothness) << ", huber " << format_number(aif_huber) << " sigma)";
  o << "\n"
    << "kernel tolerance  " << format_number(kernel_tolerance) << " (L1)\n"
    << "confidence        " << (confidence ? "yes" : "no") << ", clean-up " << cleanup.rules() << "\n"
    << "backend           " << to_string(backend) << (threads > 0 ? ", " + std::to_string(threads) + " threads" : "")
    << "\n";
  return o.str();
}

const char* to_string(AifSolver s) { return s == AifSolver::CG ? "cg" : "fista"; }
const char* to_string(StepOrder s) { return s == StepOrder::DepthFirst ? "depth-first" : "aif-first"; }
const char* to_string(DepthInit d) {
  switch (d) {
    case DepthInit::None: return "none";
    case DepthInit::Focus: return "focus";
    default: return "auto";
  }
}

DepthInit depth_init_from_string(const std::string& s) {
  if (s == "auto") return DepthInit::Auto;
  if (s == "none") return DepthInit::None;
  if (s == "focus") return DepthInit::Focus;
  throw_usage("depth init must be auto, none or focus (got '" + s + "')");
}

bool Options::focus_init(const FocalStack& stack) const {
  if (depth_init == DepthInit::Auto) return blur_model == BlurModel::FocusIndex && stack.count() >= kDenseSweepFrames;
  return depth_init == DepthInit::Focus;
}
const char* to_string(Regularizer r) {
  switch (r) {
    case Regularizer::None: return "none";
    case Regularizer::Tv: return "tv";
    default: return "auto";
  }
}

Regularizer regularizer_from_string(const std::string& s) {
  if (s == "auto") return Regularizer::Auto;
  if (s == "none") return Regularizer::None;
  if (s == "tv") return Regularizer::Tv;
  throw_usage("regularizer must be auto, none or tv (got '" + s + "')");
}

const char* to_string(BackendKind b) {
  switch (b) {
    case BackendKind::Cpu: return "cpu";
    case BackendKind::Cuda: return "cuda";
    default: return "auto";
  }
}

}  // namespace dfd
