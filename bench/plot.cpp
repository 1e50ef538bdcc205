// The bench plot: solve time per epoch and throughput against megapixels, log-log, one line
// per backend, drawn with OpenCV into a PNG.
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "dfd/bench.h"
#include "dfd/error.h"
#include "io/atomic_file.h"

namespace dfd {

namespace {

const cv::Scalar kBlack(0, 0, 0), kGrid(225, 225, 225), kMinorGrid(242, 242, 242), kText(40, 40, 40),
    kMinorText(120, 120, 120);
constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;

cv::Scalar backend_colour(const std::string& b) {
  return b == "cpu" ? cv::Scalar(180, 100, 30) : b == "cuda" ? cv::Scalar(40, 160, 60) : cv::Scalar(60, 60, 200);
}

struct Series {
  std::string backend, label;
  std::vector<cv::Point2d> points;  // (megapixels, value)
  std::vector<std::string> names;   // the workload of each point
};

// One log-log panel: data range widened to whole decades.
class Panel {
 public:
  Panel(cv::Rect area, const std::vector<Series>& series) : area_(area) {
    double x0 = std::numeric_limits<double>::infinity(), x1 = 0, y0 = x0, y1 = 0;
    for (const Series& s : series)
      for (const cv::Point2d& p : s.points) {
        x0 = std::min(x0, p.x), x1 = std::max(x1, p.x);
        y0 = std::min(y0, p.y), y1 = std::max(y1, p.y);
      }
    if (!(x1 > 0)) x0 = 0.05, x1 = 20, y0 = 0.01, y1 = 10;  // no data: a neutral frame
    lx0_ = std::floor(std::log10(x0)), lx1_ = std::ceil(std::log10(x1));
    ly0_ = std::floor(std::log10(y0)), ly1_ = std::ceil(std::log10(y1));
    if (lx1_ <= lx0_) lx1_ = lx0_ + 1;
    if (ly1_ <= ly0_) ly1_ = ly0_ + 1;
  }

  cv::Point map(double x, double y) const {
    const double u = (std::log10(x) - lx0_) / (lx1_ - lx0_), v = (std::log10(y) - ly0_) / (ly1_ - ly0_);
    return {area_.x + static_cast<int>(std::lround(u * area_.width)),
            area_.y + area_.height - static_cast<int>(std::lround(v * area_.height))};
  }

  void draw_axes(cv::Mat& img, const std::string& title, const std::string& xlabel, const std::string& ylabel) const {
    // Minor grid at 2..9 x 10^k, major grid and labels at the decades.
    // Over two decades or fewer, 2 and 5 x 10^k are labelled too.
    const bool label_x = lx1_ - lx0_ <= 2, label_y = ly1_ - ly0_ <= 2;
    for (double k = lx0_; k < lx1_; ++k)
      for (int m = 2; m <= 9; ++m) {
        const cv::Point p = map(m * std::pow(10.0, k), std::pow(10.0, ly0_));
        cv::line(img, {p.x, area_.y}, {p.x, area_.y + area_.height}, kMinorGrid, 1);
        if (label_x && (m == 2 || m == 5)) {
          const std::string s = number(m * std::pow(10.0, k));
          const cv::Size ts = cv::getTextSize(s, kFont, 0.4, 1, nullptr);
          cv::putText(img, s, {p.x - ts.width / 2, p.y + 20}, kFont, 0.4, kMinorText, 1, cv::LINE_AA);
        }
      }
    for (double k = ly0_; k < ly1_; ++k)
      for (int m = 2; m <= 9; ++m) {
        const cv::Point p = map(std::pow(10.0, lx0_), m * std::pow(10.0, k));
        cv::line(img, {area_.x, p.y}, {area_.x + area_.width, p.y}, kMinorGrid, 1);
        if (label_y && (m == 2 || m == 5)) {
          const std::string s = number(m * std::pow(10.0, k));
          const cv::Size ts = cv::getTextSize(s, kFont, 0.4, 1, nullptr);
          cv::putText(img, s, {p.x - ts.width - 10, p.y + ts.height / 2}, kFont, 0.4, kMinorText, 1, cv::LINE_AA);
        }
      }
    for (double k = lx0_; k <= lx1_; ++k) {
      const cv::Point p = map(std::pow(10.0, k), std::pow(10.0, ly0_));
      cv::line(img, {p.x, area_.y}, {p.x, area_.y + area_.height}, kGrid, 1);
      cv::line(img, {p.x, p.y}, {p.x, p.y + 6}, kBlack, 1);
      const std::string s = number(std::pow(10.0, k));
      const cv::Size ts = cv::getTextSize(s, kFont, 0.45, 1, nullptr);
      cv::putText(img, s, {p.x - ts.width / 2, p.y + 22}, kFont, 0.45, kText, 1, cv::LINE_AA);
    }
    for (double k = ly0_; k <= ly1_; ++k) {
      const cv::Point p = map(std::pow(10.0, lx0_), std::pow(10.0, k));
      cv::line(img, {area_.x, p.y}, {area_.x + area_.width, p.y}, kGrid, 1);
      cv::line(img, {p.x - 6, p.y}, {p.x, p.y}, kBlack, 1);
      const std::string s = number(std::pow(10.0, k));
      const cv::Size ts = cv::getTextSize(s, kFont, 0.45, 1, nullptr);
      cv::putText(img, s, {p.x - ts.width - 10, p.y + ts.height / 2}, kFont, 0.45, kText, 1, cv::LINE_AA);
    }
    cv::rectangle(img, area_, kBlack, 1);
    const cv::Size tt = cv::getTextSize(title, kFont, 0.6, 1, nullptr);
    cv::putText(img, title, {area_.x + (area_.width - tt.width) / 2, area_.y - 12}, kFont, 0.6, kBlack, 1, cv::LINE_AA);
    const cv::Size xs = cv::getTextSize(xlabel, kFont, 0.5, 1, nullptr);
    cv::putText(img, xlabel, {area_.x + (area_.width - xs.width) / 2, area_.y + area_.height + 48}, kFont, 0.5, kText,
                1, cv::LINE_AA);
    // The y label, rotated: drawn on its own strip, turned, and pasted left of the ticks.
    const cv::Size ys = cv::getTextSize(ylabel, kFont, 0.5, 1, nullptr);
    cv::Mat strip(ys.height + 8, ys.width + 4, CV_8UC3, cv::Scalar(255, 255, 255));
    cv::putText(strip, ylabel, {2, ys.height + 2}, kFont, 0.5, kText, 1, cv::LINE_AA);
    cv::rotate(strip, strip, cv::ROTATE_90_COUNTERCLOCKWISE);
    const int x = std::max(0, area_.x - 78), y = std::max(0, area_.y + (area_.height - strip.rows) / 2);
    if (x + strip.cols <= img.cols && y + strip.rows <= img.rows) strip.copyTo(img(cv::Rect(x, y, strip.cols, strip.rows)));
  }

  void draw_series(cv::Mat& img, const std::vector<Series>& series) const {
    for (const Series& s : series) {
      const cv::Scalar col = backend_colour(s.backend);
      const std::vector<cv::Point2d>& pts = s.points;
      std::vector<size_t> order(pts.size());  // by increasing size, whatever order --sizes gave
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return pts[a].x < pts[b].x; });
      for (size_t k = 1; k < order.size(); ++k)
        cv::line(img, map(pts[order[k - 1]].x, pts[order[k - 1]].y), map(pts[order[k]].x, pts[order[k]].y), col, 2,
                 cv::LINE_AA);
      for (size_t i = 0; i < pts.size(); ++i) {
        const cv::Point c = map(pts[i].x, pts[i].y);
        cv::circle(img, c, 5, col, cv::FILLED, cv::LINE_AA);
        cv::putText(img, s.names[i], {c.x - 30, c.y - 10}, kFont, 0.38, col, 1, cv::LINE_AA);
      }
    }
  }

 private:
  static std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
  }

  cv::Rect area_;
  double lx0_, lx1_, ly0_, ly1_;
};

// One row above both panels: a line and marker in each backend's colour, then its label.
void draw_legend(cv::Mat& img, const std::vector<Series>& series, int y) {
  int x = 20;
  for (const Series& s : series) {
    const cv::Scalar col = backend_colour(s.backend);
    const bool empty = s.points.empty();
    if (!empty) {
      cv::line(img, {x, y - 5}, {x + 28, y - 5}, col, 2, cv::LINE_AA);
      cv::circle(img, {x + 14, y - 5}, 4, col, cv::FILLED, cv::LINE_AA);
    }
    cv::putText(img, s.label, {x + 36, y}, kFont, 0.45, empty ? cv::Scalar(120, 120, 120) : kText, 1, cv::LINE_AA);
    x += 36 + cv::getTextSize(s.label, kFont, 0.45, 1, nullptr).width + 30;
  }
}

std::string shorten(std::string s, size_t n) {
  if (s.size() > n) s = s.substr(0, n - 3) + "...";
  return s;
}

}  // namespace

void write_bench_plot(const BenchReport& r, const std::string& path) {
  std::vector<Series> time, rate;
  const std::string title = "dfd bench " + r.date.substr(0, 10) + ", commit " + r.commit +
                            ": whole solve per workload, one line per backend";
  for (size_t b = 0; b < r.backends.size(); ++b) {
    const std::string& name = r.backends[b];
    Series t{name, "", {}, {}}, q{name, "", {}, {}};
    std::string device;
    for (const WorkloadResult& w : r.workloads) {
      const BackendRun* run = w.run(name);
      if (!run) continue;
      if (device.empty() && !run->device.empty()) device = run->device;
      if (!run->solved) continue;
      const double mp = w.workload.width * static_cast<double>(w.workload.height) / 1e6;
      t.points.push_back({mp, run->solve_seconds.median / run->solve_epochs});
      q.points.push_back({mp, run->solve_mpps});
      t.names.push_back(w.workload.name);
      q.names.push_back(w.workload.name);
    }
    const std::string label = t.points.empty() ? name + ": not measured" : name + ": " + shorten(device, 60);
    t.label = q.label = label;
    time.push_back(t);
    rate.push_back(q);
  }

  cv::Mat img(620, 1400, CV_8UC3, cv::Scalar(255, 255, 255));
  cv::putText(img, shorten(title, 140), {20, 30}, kFont, 0.6, kBlack, 1, cv::LINE_AA);
  draw_legend(img, time, 60);
  const Panel left(cv::Rect(110, 105, 550, 425), time), right(cv::Rect(800, 105, 550, 425), rate);
  left.draw_axes(img, "whole solve: time per epoch (median)", "image size (megapixels)", "seconds per epoch");
  left.draw_series(img, time);
  right.draw_axes(img, "throughput", "image size (megapixels)", "megapixel-planes x epochs / s");
  right.draw_series(img, rate);
  cv::putText(img, "log-log; one point per workload whose whole solve ran; see bench.json for phases and floors",
              {20, 605}, kFont, 0.45, cv::Scalar(110, 110, 110), 1, cv::LINE_AA);

  std::vector<uchar> png;
  if (!cv::imencode(".png", img, png)) throw_runtime(path + ": cannot encode the bench plot as PNG");
  write_file_atomic(path, png.data(), png.size());
}

}  // namespace dfd
