// Remaining-time estimate of a solve (weighted by the AIF iteration schedule) and progress text.
#include "dfd/progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace dfd {

ProgressEstimate::ProgressEstimate(const Options& opt) : opt_(opt) {
  // Auto epochs (the uncalibrated preset): the larger of its two resolutions, an upper bound.
  if (opt_.epochs == kAutoEpochs) opt_.epochs = std::max(kUncalibratedEpochs, kDenseSweepEpochs);
}

void ProgressEstimate::add(const StepLog& s) {
  if (s.epoch < 0) return;  // the initialisation is not part of the epoch schedule
  if (s.epoch != epoch_) {
    epoch_ = s.epoch;
    depth_done_ = aif_done_ = false;
  }
  if (s.step == "depth") {
    depth_done_ = true;
    depth_seconds_ += s.seconds;
    ++depth_steps_;
  } else if (s.step == "aif") {
    aif_done_ = true;
    aif_seconds_ += s.seconds;
    aif_iterations_ += s.iterations > 0 ? s.iterations : opt_.aif_iterations(s.epoch);
  }
}

double ProgressEstimate::remaining() const {
  if (epoch_ < 0) return -1.0;
  long depth_left = depth_done_ ? 0 : 1;
  long iters_left = aif_done_ ? 0 : opt_.aif_iterations(epoch_);
  for (int e = epoch_ + 1; e < opt_.epochs; ++e) {
    ++depth_left;
    iters_left += opt_.aif_iterations(e);
  }
  if (depth_left == 0 && iters_left == 0) return 0.0;
  if (depth_steps_ == 0 || aif_iterations_ == 0) return -1.0;
  const double per_depth = depth_seconds_ / static_cast<double>(depth_steps_);
  const double per_iter = aif_seconds_ / static_cast<double>(aif_iterations_);
  return static_cast<double>(depth_left) * per_depth + static_cast<double>(iters_left) * per_iter;
}

std::string format_duration(double seconds) {
  char buf[32];
  if (!(seconds >= 0) || !std::isfinite(seconds)) return "?";
  if (seconds < 10)
    std::snprintf(buf, sizeof buf, "%.1f s", seconds);
  else if (seconds < 60)
    std::snprintf(buf, sizeof buf, "%.0f s", seconds);
  else if (seconds < 3600) {
    const long s = std::lround(seconds);
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  } else {
    const long m = std::lround(seconds / 60);
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", m / 60, m % 60);
  }
  return buf;
}

std::string format_progress(const StepLog& s, int epochs, double elapsed, double remaining) {
  char epoch[32];
  if (s.epoch == kEstimateEpoch)
    std::snprintf(epoch, sizeof epoch, "blur scale");  // a trial of the uncalibrated model's a
  else if (s.epoch < 0)
    std::snprintf(epoch, sizeof epoch, "init");
  else
    std::snprintf(epoch, sizeof epoch, "epoch %d/%d", s.epoch + 1, epochs);
  char loss[32] = "-";  // the initial AIF has no depth yet, so no loss
  if (std::isfinite(s.loss)) std::snprintf(loss, sizeof loss, "%.6g", s.loss);
  char line[256];
  std::snprintf(line, sizeof line, "%-13s %-5s loss %-12s step %s  elapsed %s  left %s", epoch, s.step.c_str(), loss,
                format_duration(s.seconds).c_str(), format_duration(elapsed).c_str(),
                format_duration(remaining).c_str());
  std::string out = line;
  if (s.iterations > 0) out += "  (" + std::to_string(s.iterations) + " iterations)";
  if (s.reverted) out += "  (reverted)";
  return out;
}

}  // namespace dfd
