// The one-page summary of a solve (thumbnails, AIF, depth, confidence, loss curve) as an image.
#pragma once

#include <opencv2/core.hpp>
#include <vector>

#include "dfd/image.h"
#include "dfd/solver.h"

namespace dfd {

// Where each panel's content was drawn (for tests and callers that crop the sheet).
struct SummaryLayout {
  cv::Rect title;
  std::vector<cv::Rect> thumbnails;  // the frames shown, in stack order
  std::vector<int> frames;           // their indices in the stack
  cv::Rect aif, depth, confidence, loss;
};

constexpr int kSummaryWidth = 1600;

// 8-bit BGR, kSummaryWidth wide. `layout` (optional) receives the panels' rectangles.
// `depth_label` (optional) titles the depth panel, e.g. "focus position (um)" for a z step.
cv::Mat render_summary(const FocalStack& stack, const Result& r, SummaryLayout* layout = nullptr,
                       const std::string& depth_label = "");

// Evenly chosen frame indices, all when count <= max_shown: round(i (F-1) / (n-1)).
std::vector<int> summary_frames(int count, int max_shown = 8);

}  // namespace dfd
