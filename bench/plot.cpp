// The bench plot: solve time per epoch and throughput against megapixels, log-log, one line
// per backend, drawn with the bench's plot panels (plot_panel.h) into a PNG.
#include <opencv2/core.hpp>

#include "dfd/bench.h"
#include "plot_panel.h"

namespace dfd {

namespace {

cv::Scalar backend_colour(const std::string& b) {
  return b == "cpu" ? cv::Scalar(180, 100, 30) : b == "cuda" ? cv::Scalar(40, 160, 60) : cv::Scalar(60, 60, 200);
}

}  // namespace

void write_bench_plot(const BenchReport& r, const std::string& path) {
  using plot::Series;
  std::vector<Series> time, rate;
  const std::string title =
      "dfd bench " + r.date.substr(0, 10) + ", commit " + r.commit + ": whole solve per workload, one line per backend";
  for (const std::string& name : r.backends) {
    Series t{"", backend_colour(name), {}, {}, false}, q = t;
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
    t.label = q.label = t.points.empty() ? name + ": not measured" : name + ": " + plot::shorten(device, 60);
    time.push_back(t);
    rate.push_back(q);
  }

  cv::Mat img(620, 1400, CV_8UC3, cv::Scalar(255, 255, 255));
  cv::putText(img, plot::shorten(title, 140), {20, 30}, plot::kFont, 0.6, plot::kBlack, 1, cv::LINE_AA);
  plot::draw_legend(img, time, 20, 60, img.cols - 20);
  const plot::Panel left(cv::Rect(110, 105, 550, 425), time), right(cv::Rect(800, 105, 550, 425), rate);
  left.draw_axes(img, "whole solve: time per epoch (median)", "image size (megapixels)", "seconds per epoch");
  left.draw_series(img, time);
  right.draw_axes(img, "throughput", "image size (megapixels)", "megapixel-planes x epochs / s");
  right.draw_series(img, rate);
  cv::putText(img, "log-log; one point per workload whose whole solve ran; see bench.json for phases and floors",
              {20, 605}, plot::kFont, 0.45, plot::kNote, 1, cv::LINE_AA);
  plot::write_png(img, path, "bench plot");
}

}  // namespace dfd
