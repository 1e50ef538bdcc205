// Drawing pieces of the bench plots: log axes or categories, series, legend, PNG output.
#include "plot_panel.h"

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "dfd/error.h"
#include "util/atomic_file.h"

namespace dfd::plot {

namespace {

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

void put_centred(cv::Mat& img, const std::string& s, cv::Point at, double scale, const cv::Scalar& col) {
  const cv::Size ts = cv::getTextSize(s, kFont, scale, 1, nullptr);
  cv::putText(img, s, {at.x - ts.width / 2, at.y}, kFont, scale, col, 1, cv::LINE_AA);
}

void dashed_line(cv::Mat& img, cv::Point a, cv::Point b, const cv::Scalar& col) {
  const double len = std::hypot(b.x - a.x, b.y - a.y);
  const int dashes = std::max(1, static_cast<int>(len / 8.0));
  for (int k = 0; k < dashes; k += 2) {
    const double t0 = double(k) / dashes, t1 = std::min(1.0, double(k + 1) / dashes);
    cv::line(img, a + (b - a) * t0, a + (b - a) * t1, col, 2, cv::LINE_AA);
  }
}

}  // namespace

cv::Scalar palette(size_t i) {
  static const cv::Scalar colours[] = {{180, 100, 30}, {40, 160, 60},  {40, 40, 200}, {160, 60, 160},
                                       {20, 140, 220}, {150, 150, 20}, {90, 90, 90},  {200, 120, 200}};
  return colours[i % 8];
}

Panel::Panel(cv::Rect area, const std::vector<Series>& series, std::vector<std::string> x_categories)
    : area_(area), categories_(std::move(x_categories)) {
  double x0 = std::numeric_limits<double>::infinity(), x1 = 0, y0 = x0, y1 = 0;
  for (const Series& s : series)
    for (const cv::Point2d& p : s.points) {
      x0 = std::min(x0, p.x), x1 = std::max(x1, p.x);
      if (p.y > 0) y0 = std::min(y0, p.y), y1 = std::max(y1, p.y);
    }
  if (!(y1 > 0)) x0 = 0.05, x1 = 20, y0 = 0.01, y1 = 10;  // no data: a neutral frame
  if (categories_.empty()) {
    lx0_ = std::floor(std::log10(x0)), lx1_ = std::ceil(std::log10(x1));
    if (lx1_ <= lx0_) lx1_ = lx0_ + 1;
  }
  ly0_ = std::floor(std::log10(y0)), ly1_ = std::ceil(std::log10(y1));
  if (ly1_ <= ly0_) ly1_ = ly0_ + 1;
}

int Panel::y_of(double y) const {
  const double v = (std::log10(y) - ly0_) / (ly1_ - ly0_);
  return area_.y + area_.height - static_cast<int>(std::lround(v * area_.height));
}

cv::Point Panel::map(double x, double y) const {
  const double u = categories_.empty() ? (std::log10(x) - lx0_) / (lx1_ - lx0_)
                                       : (x + 0.5) / static_cast<double>(categories_.size());
  return {area_.x + static_cast<int>(std::lround(u * area_.width)), y_of(y)};
}

// Minor grid at 2..9 x 10^k, major grid and labels at the decades; over two decades or fewer,
// 2 and 5 x 10^k are labelled too.
void Panel::draw_log_x(cv::Mat& img) const {
  const bool label = lx1_ - lx0_ <= 2;
  const int bottom = area_.y + area_.height;
  for (double k = lx0_; k < lx1_; ++k)
    for (int m = 2; m <= 9; ++m) {
      const int x = map(m * std::pow(10.0, k), std::pow(10.0, ly0_)).x;
      cv::line(img, {x, area_.y}, {x, bottom}, kMinorGrid, 1);
      if (label && (m == 2 || m == 5))
        put_centred(img, number(m * std::pow(10.0, k)), {x, bottom + 20}, 0.4, kMinorText);
    }
  for (double k = lx0_; k <= lx1_; ++k) {
    const int x = map(std::pow(10.0, k), std::pow(10.0, ly0_)).x;
    cv::line(img, {x, area_.y}, {x, bottom}, kGrid, 1);
    cv::line(img, {x, bottom}, {x, bottom + 6}, kBlack, 1);
    put_centred(img, number(std::pow(10.0, k)), {x, bottom + 22}, 0.45, kText);
  }
}

void Panel::draw_categories(cv::Mat& img) const {
  const int bottom = area_.y + area_.height;
  for (size_t i = 0; i < categories_.size(); ++i) {
    const int x = map(static_cast<double>(i), std::pow(10.0, ly0_)).x;
    cv::line(img, {x, area_.y}, {x, bottom}, kGrid, 1);
    cv::line(img, {x, bottom}, {x, bottom + 6}, kBlack, 1);
    put_centred(img, categories_[i], {x, bottom + 22}, 0.45, kText);
  }
}

void Panel::draw_log_y(cv::Mat& img) const {
  const bool label = ly1_ - ly0_ <= 2;
  auto label_at = [&](double v, int y, double scale, const cv::Scalar& col) {
    const std::string s = number(v);
    const cv::Size ts = cv::getTextSize(s, kFont, scale, 1, nullptr);
    cv::putText(img, s, {area_.x - ts.width - 10, y + ts.height / 2}, kFont, scale, col, 1, cv::LINE_AA);
  };
  for (double k = ly0_; k < ly1_; ++k)
    for (int m = 2; m <= 9; ++m) {
      const int y = y_of(m * std::pow(10.0, k));
      cv::line(img, {area_.x, y}, {area_.x + area_.width, y}, kMinorGrid, 1);
      if (label && (m == 2 || m == 5)) label_at(m * std::pow(10.0, k), y, 0.4, kMinorText);
    }
  for (double k = ly0_; k <= ly1_; ++k) {
    const int y = y_of(std::pow(10.0, k));
    cv::line(img, {area_.x, y}, {area_.x + area_.width, y}, kGrid, 1);
    cv::line(img, {area_.x - 6, y}, {area_.x, y}, kBlack, 1);
    label_at(std::pow(10.0, k), y, 0.45, kText);
  }
}

void Panel::draw_labels(cv::Mat& img, const std::string& title, const std::string& xlabel,
                        const std::string& ylabel) const {
  cv::rectangle(img, area_, kBlack, 1);
  put_centred(img, title, {area_.x + area_.width / 2, area_.y - 12}, 0.6, kBlack);
  put_centred(img, xlabel, {area_.x + area_.width / 2, area_.y + area_.height + 48}, 0.5, kText);
  // The y label, rotated: drawn on its own strip, turned, and pasted left of the ticks.
  const cv::Size ys = cv::getTextSize(ylabel, kFont, 0.5, 1, nullptr);
  cv::Mat strip(ys.height + 8, ys.width + 4, CV_8UC3, cv::Scalar(255, 255, 255));
  cv::putText(strip, ylabel, {2, ys.height + 2}, kFont, 0.5, kText, 1, cv::LINE_AA);
  cv::rotate(strip, strip, cv::ROTATE_90_COUNTERCLOCKWISE);
  const int x = std::max(0, area_.x - 78), y = std::max(0, area_.y + (area_.height - strip.rows) / 2);
  if (x + strip.cols <= img.cols && y + strip.rows <= img.rows)
    strip.copyTo(img(cv::Rect(x, y, strip.cols, strip.rows)));
}

void Panel::draw_axes(cv::Mat& img, const std::string& title, const std::string& xlabel,
                      const std::string& ylabel) const {
  if (categories_.empty())
    draw_log_x(img);
  else
    draw_categories(img);
  draw_log_y(img);
  draw_labels(img, title, xlabel, ylabel);
}

void Panel::draw_series(cv::Mat& img, const std::vector<Series>& series) const {
  for (const Series& s : series) {
    const std::vector<cv::Point2d>& pts = s.points;
    std::vector<size_t> order;  // by increasing x, whatever order the points came in; y > 0 only
    for (size_t i = 0; i < pts.size(); ++i)
      if (pts[i].y > 0) order.push_back(i);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return pts[a].x < pts[b].x; });
    for (size_t k = 1; k < order.size(); ++k) {
      const cv::Point a = map(pts[order[k - 1]].x, pts[order[k - 1]].y), b = map(pts[order[k]].x, pts[order[k]].y);
      if (s.dashed)
        dashed_line(img, a, b, s.colour);
      else
        cv::line(img, a, b, s.colour, 2, cv::LINE_AA);
    }
    for (size_t i : order) {
      const cv::Point c = map(pts[i].x, pts[i].y);
      cv::circle(img, c, 5, s.colour, cv::FILLED, cv::LINE_AA);
      if (i < s.names.size()) cv::putText(img, s.names[i], {c.x - 30, c.y - 10}, kFont, 0.38, s.colour, 1, cv::LINE_AA);
    }
  }
}

int draw_legend(cv::Mat& img, const std::vector<Series>& series, int x0, int y, int right) {
  int x = x0;
  for (const Series& s : series) {
    const int width = 36 + cv::getTextSize(s.label, kFont, 0.45, 1, nullptr).width + 30;
    if (x > x0 && x + width > right) x = x0, y += 22;
    const bool empty = s.points.empty();
    if (!empty) {
      if (s.dashed)
        dashed_line(img, {x, y - 5}, {x + 28, y - 5}, s.colour);
      else
        cv::line(img, {x, y - 5}, {x + 28, y - 5}, s.colour, 2, cv::LINE_AA);
      cv::circle(img, {x + 14, y - 5}, 4, s.colour, cv::FILLED, cv::LINE_AA);
    }
    cv::putText(img, s.label, {x + 36, y}, kFont, 0.45, empty ? kMinorText : kText, 1, cv::LINE_AA);
    x += width;
  }
  return y;
}

std::string shorten(std::string s, size_t n) {
  if (s.size() > n) s = s.substr(0, n - 3) + "...";
  return s;
}

void write_png(const cv::Mat& img, const std::string& path, const std::string& what) {
  std::vector<uchar> png;
  if (!cv::imencode(".png", img, png)) throw_runtime(path + ": cannot encode the " + what + " as PNG");
  write_file_atomic(path, png.data(), png.size());
}

}  // namespace dfd::plot
