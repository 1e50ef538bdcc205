// Registration of a focal stack's frames onto a reference frame (ECC, coarse to fine), before solving.
#pragma once

#include <array>
#include <functional>
#include <string>
#include <vector>

#include "dfd/image.h"

namespace dfd {

// The motion model of one frame relative to the reference.
enum class AlignMotion {
  Translation,  // shift only
  Similarity,   // rotation + uniform scale + shift: focus breathing plus hand-held drift (default)
  Homography,   // full perspective (a tilted or moving camera)
};
std::string to_string(AlignMotion m);
// "translation" | "similarity" | "homography"; else Error(Usage) naming the value.
AlignMotion parse_align_motion(const std::string& name);

struct AlignOptions {
  AlignMotion motion = AlignMotion::Similarity;  // motion model estimated per frame
  int reference = -1;              // frame the others are warped onto (0-based); -1 = the middle one (count / 2)
  bool crop = false;               // crop every frame to the largest rectangle where all frames have data
  int max_width = 1024;            // registration works on copies at most this wide (speed); warps apply at full size
  int min_width = 96;              // coarsest pyramid level is at least this wide
  int max_iterations = 60;         // ECC iterations per pyramid level, at most
  double stop_px = 0.01;           // a level converged when an iteration moves no image corner by more than this
  double min_ecc = 0.6;            // a frame whose final correlation with its neighbour is lower failed to register
  double max_scale_change = 0.15;  // |scale - 1| above this between neighbours = failure (not focus breathing)
  double max_shift = 0.2;          // neighbour shift above this fraction of the width = failure

  // Error(Usage) naming the setting when a value is out of range (reference checked by align_stack).
  void validate() const;
};

// What was estimated for one frame.
struct FrameAlignment {
  // Maps reference pixel coordinates (x, y, 1) to this frame's pixel coordinates (full size,
  // pixel centres at integers), row-major 3x3; the frame is resampled through it.
  std::array<double, 9> matrix{1, 0, 0, 0, 1, 0, 0, 0, 1};
  int neighbour = -1;         // frame it was registered against (toward the reference); -1 for the reference
  double ecc = 1.0;           // final ECC correlation with the neighbour, in [-1, 1] (1 = identical up to gain/offset)
  int iterations = 0;         // ECC iterations over all pyramid levels
  double scale = 1.0;         // uniform scale of the nearest similarity (to the reference), > 1 = frame magnified
  double rotation_deg = 0.0;  // rotation of the nearest similarity, degrees
  std::array<double, 2> shift_px{0, 0};  // where the reference's image centre lies in this frame, minus the centre
};

// An axis-aligned pixel rectangle.
struct PixelRect {
  int x = 0, y = 0, width = 0, height = 0;
};

struct AlignmentReport {
  AlignMotion motion = AlignMotion::Similarity;
  int reference = 0;
  int levels = 0;                      // pyramid levels used
  double work_scale = 1.0;             // working size / full size
  std::vector<FrameAlignment> frames;  // one per frame, in stack order
  PixelRect valid;                     // largest rectangle where every warped frame has data (reference pixels)
  double valid_fraction = 1;           // share of the reference's pixels where every warped frame has data
  bool cropped = false;                // frames were cropped to `valid`
  double seconds = 0;                  // wall time of estimation and warping
};

// Registers every frame to its neighbour toward the reference (chaining the transforms, so frames
// focused far apart are never compared directly), then warps each frame onto the reference in
// place (bilinear, edges replicated) and optionally crops the stack to the common valid region.
// Error(Usage) for a bad option or reference, Error(Input) naming the frame when it cannot be
// registered (ECC fails or the motion found is implausible). `note` (optional) gets a line a frame.
AlignmentReport align_stack(FocalStack& stack, const AlignOptions& options,
                            const std::function<void(const std::string&)>& note = nullptr);

}  // namespace dfd
