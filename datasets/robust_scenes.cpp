// The robustness bench's scene table: names to the scene makers.
#include "dfd/robust_scenes.h"

#include "dfd/error.h"

namespace dfd {

const std::vector<std::string>& robust_scene_names() {
  static const std::vector<std::string> names = {"aloe", "indoor"};
  return names;
}

void require_robust_scene_data(const std::string& name, const std::string& opencv_data_dir) {
  if (name == "aloe") require_aloe_data(opencv_data_dir);
}

RobustScene make_robust_scene(const std::string& name, int width, int height, uint64_t seed,
                              const std::string& opencv_data_dir, const std::string& skimage_data_dir) {
  if (width < 8 || height < 8)
    throw_usage("robustness scene " + name + ": size " + std::to_string(width) + "x" + std::to_string(height) +
                " is too small (at least 8x8)");
  if (name == "aloe") return make_aloe_scene(width, height, opencv_data_dir);
  if (name == "indoor") return make_indoor_scene(width, height, seed, skimage_data_dir);
  std::string names;
  for (const std::string& n : robust_scene_names()) names += (names.empty() ? "" : ", ") + n;
  throw_usage("unknown robustness scene '" + name + "' (choose from " + names + ")");
}

}  // namespace dfd
