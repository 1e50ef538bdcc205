// The alternating minimisation of SPEC 3, written once over the Backend primitives.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dfd/backend.h"
#include "dfd/image.h"
#include "dfd/options.h"

namespace dfd {

// One entry of the loss log: L(x, Z) after a step.
struct StepLog {
  int epoch = 0;            // 0-based; -1 for the initialisation
  std::string step;         // "init", "depth", "aif"
  double loss = 0.0;        // L(x, Z) after the step (SPEC 2), in intensity units squared
  double seconds = 0.0;     // wall time of the step
  int iterations = 0;       // AIF iterations (0 for depth steps)
  bool reverted = false;    // the step's result was worse and the previous one was kept
};

struct Result {
  Image depth;                 // 1 channel, depth units
  Image aif;                   // stack channels, [0, R]
  Image loss;                  // per-pixel un-windowed loss at the final depth
  // How sharply each pixel's loss over the depth candidates is minimised, in [0, 1] (1 channel;
  // empty when not computed), and 1 where that loss profile has a single local minimum, else 0.
  Image confidence;
  Image unimodal;
  double confidence_seconds = 0.0;  // time of the confidence pass (blur levels + loss profiles)
  CleanupStats cleanup;        // what the outlier clean-up (Options::cleanup) flagged and replaced
  std::vector<StepLog> log;
  std::string backend, device;
  int kernel_size = 0;
  int levels = 0;              // blur levels of the fast operator
  double level_kernel_error = 0.0;  // its verified implied-kernel L1 error
  double seconds = 0.0;        // solve wall time, staging and download included
  size_t peak_memory = 0;      // backend bytes
};

// Called after every step (for progress output).
using ProgressFn = std::function<void(const StepLog&, int epochs)>;

// Builds the Problem of a stack under options (window, levels, candidates).
Problem make_problem(const FocalStack& stack, const Options& opt);

// Solves on the given backend. The stack must be validated (opt.validate(&stack)).
Result solve(const FocalStack& stack, const Options& opt, Backend& backend,
             const ProgressFn& progress = nullptr);

// Picks the backend of opt.backend (auto: CUDA when available, else CPU with a log line).
std::unique_ptr<Backend> make_backend(const Options& opt, std::string* note = nullptr);

// Edge-replicate padding and cropping (for presets with edge_pad).
Image pad_edge(const Image& im, int pad);
Image crop(const Image& im, int pad);

}  // namespace dfd
