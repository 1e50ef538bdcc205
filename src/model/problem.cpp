// The checks and the candidate table every backend's setup shares (Problem, dfd/backend.h).
#include <cmath>
#include <string>
#include <vector>

#include "dfd/backend.h"
#include "dfd/error.h"

namespace dfd {

void Problem::validate(const std::string& who) const {
  auto bad = [&](const std::string& what) { throw_input(who + ": " + what); };
  if (width < 1 || height < 1 || channels < 1 || frames < 1)
    bad("bad problem size " + std::to_string(width) + "x" + std::to_string(height) + "x" + std::to_string(channels) +
        ", " + std::to_string(frames) + " frames");
  if (!stack) bad("no stack");
  if (static_cast<int>(focus_distances.size()) != frames)
    bad(std::to_string(focus_distances.size()) + " focus distances for " + std::to_string(frames) + " frames");
  if (K < 1 || K % 2 == 0) bad("window K must be odd and positive (got " + std::to_string(K) + ")");
  if (levels.count() < 1 || levels.kernel_size() != K)
    bad("the blur-level plan (" + std::to_string(levels.count()) +
        " levels, K=" + std::to_string(levels.kernel_size()) + ") does not match the window K=" + std::to_string(K));
  if (candidates.empty()) bad("no depth candidates");
  for (size_t j = 0; j < candidates.size(); ++j)
    if (!(candidates[j] > 0 || (camera.model == BlurModel::FocusIndex && std::isfinite(candidates[j]))) ||
        (j > 0 && !(candidates[j] > candidates[j - 1])))
      bad("depth candidates must be positive (finite for the uncalibrated model) and strictly increasing (candidate " +
          std::to_string(j) + " is " + std::to_string(candidates[j]) + ")");
  if (!(range > 0) || !std::isfinite(range)) bad("range must be positive (got " + std::to_string(range) + ")");
  if (gs_bracket < 0 || !(gs_tol > 0) || gs_max_iters < 0)
    bad("golden section needs bracket >= 0, tol > 0, max iterations >= 0 (got " + std::to_string(gs_bracket) + ", " +
        std::to_string(gs_tol) + ", " + std::to_string(gs_max_iters) + ")");
}

std::vector<LevelWeights> Problem::candidate_weights() const {
  std::vector<LevelWeights> table(candidates.size() * static_cast<size_t>(frames));
  for (size_t j = 0; j < candidates.size(); ++j)
    for (int i = 0; i < frames; ++i)
      table[j * frames + i] = levels.weights(blur_sigma(camera, focus_distances[i], candidates[j]));
  return table;
}

}  // namespace dfd
