// Progress of a solve: remaining-time estimate from the AIF schedule and the progress line's text.
#pragma once

#include <string>

#include "dfd/options.h"
#include "dfd/solver.h"

namespace dfd {

// Estimates the time left in a solve from the steps seen so far. An epoch costs one depth
// step (about constant) plus an AIF step whose cost grows with its iteration count, which the
// schedule (Options::aif_iterations) fixes in advance; so the remaining time is
//   (depth steps left) * (mean depth-step time) + (AIF iterations left) * (seconds per iteration),
// both rates measured on the steps done. Feed every StepLog in order.
class ProgressEstimate {
 public:
  explicit ProgressEstimate(const Options& opt);
  void add(const StepLog& s);
  // Seconds left after the last step added; negative when not yet known (no depth and AIF
  // step seen), 0 once the last epoch's last step is in.
  double remaining() const;

 private:
  Options opt_;
  int epoch_ = -1;                              // epoch of the last step added
  bool depth_done_ = false, aif_done_ = false;  // in epoch_
  double depth_seconds_ = 0, aif_seconds_ = 0;
  long depth_steps_ = 0, aif_iterations_ = 0;
};

// "1.2 s", "42 s", "3m05s", "1h02m" (for elapsed and remaining times); "?" when negative.
std::string format_duration(double seconds);

// One progress line (no prefix, no newline), e.g.
//   "epoch  3/40  aif    loss 12.3456   step 0.41 s  elapsed 2.3 s  left 41 s  (25 iterations)"
// `remaining` < 0 prints "left ?".
std::string format_progress(const StepLog& s, int epochs, double elapsed, double remaining);

}  // namespace dfd
