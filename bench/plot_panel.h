// The bench plots' drawing pieces (OpenCV): a panel with logarithmic axes (or categories along
// x), series drawn as lines and markers, a legend, and the PNG writer. `dfd bench` (plot.cpp)
// and `dfd bench --robustness` (robust_plot.cpp) draw with these.
#pragma once

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <string>
#include <vector>

namespace dfd::plot {

inline const cv::Scalar kBlack(0, 0, 0), kGrid(225, 225, 225), kMinorGrid(242, 242, 242), kText(40, 40, 40),
    kMinorText(120, 120, 120), kNote(110, 110, 110);
constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;

// The i-th of 8 distinguishable colours (BGR), cycling.
cv::Scalar palette(size_t i);

struct Series {
  std::string label;  // legend text
  cv::Scalar colour;
  std::vector<cv::Point2d> points;  // (x, y); x is the category index on a categorical panel
  std::vector<std::string> names;   // a label per point drawn beside it (empty: none)
  bool dashed = false;              // dashed connecting lines (a second style for the same colour)
};

// A plot area whose y axis is logarithmic (data range widened to whole decades); x is
// logarithmic too, or, when `x_categories` is given, the index of a category: evenly spaced
// and labelled with the categories' names.
class Panel {
 public:
  Panel(cv::Rect area, const std::vector<Series>& series, std::vector<std::string> x_categories = {});

  cv::Point map(double x, double y) const;
  void draw_axes(cv::Mat& img, const std::string& title, const std::string& xlabel, const std::string& ylabel) const;
  // Lines between the points in increasing x, a marker at each point, its name beside it.
  void draw_series(cv::Mat& img, const std::vector<Series>& series) const;

 private:
  int y_of(double y) const;
  void draw_log_x(cv::Mat& img) const;
  void draw_categories(cv::Mat& img) const;
  void draw_log_y(cv::Mat& img) const;
  void draw_labels(cv::Mat& img, const std::string& title, const std::string& xlabel, const std::string& ylabel) const;

  cv::Rect area_;
  std::vector<std::string> categories_;
  double lx0_ = 0, lx1_ = 1, ly0_ = 0, ly1_ = 1;
};

// Legend entries from (x, y) rightwards, wrapping onto a new row 22 px lower before `right`; a
// series without points is listed in grey. Returns the baseline of the last row.
int draw_legend(cv::Mat& img, const std::vector<Series>& series, int x, int y, int right);

// s cut to n characters with "..." at the end.
std::string shorten(std::string s, size_t n);

// Encodes img as PNG and writes it atomically; Error(Runtime) naming `path` and `what`.
void write_png(const cv::Mat& img, const std::string& path, const std::string& what);

}  // namespace dfd::plot
