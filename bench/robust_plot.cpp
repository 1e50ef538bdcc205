// The robustness plot: AbsRel per input condition (log scale), over all pixels and over the
// textureless ones, one line per scene, size and backend.
#include <opencv2/core.hpp>

#include <algorithm>

#include "dfd/robust_bench.h"
#include "plot_panel.h"

namespace dfd {

namespace {

template <class T>
size_t index_of(std::vector<T>& list, const T& v) {
  const auto it = std::find(list.begin(), list.end(), v);
  if (it != list.end()) return static_cast<size_t>(it - list.begin());
  list.push_back(v);
  return list.size() - 1;
}

}  // namespace

void write_robust_plot(const RobustReport& r, const std::string& path) {
  using plot::Series;
  // Categories: the conditions that ran, in report order.
  std::vector<std::string> conditions;
  for (const InputCondition& c : robust_conditions())
    for (const RobustRow& row : r.rows)
      if (row.condition == c.name) {
        conditions.push_back(c.name);
        break;
      }
  std::vector<std::string> lines, colours, sizes;  // "scene size backend"; colour key "scene backend"
  std::vector<Series> all, flat;
  for (const RobustRow& row : r.rows) {
    const size_t k = index_of(lines, row.scene + " " + row.size + " " + row.backend);
    if (k == all.size()) {
      const cv::Scalar colour = plot::palette(index_of(colours, row.scene + " " + row.backend));
      const bool dashed = index_of(sizes, row.size) % 2 == 1;
      all.push_back({lines[k], colour, {}, {}, dashed});
      flat.push_back(all.back());
    }
    const double x = static_cast<double>(index_of(conditions, row.condition));
    all[k].points.push_back({x, row.absrel});
    if (row.absrel_flat > 0) flat[k].points.push_back({x, row.absrel_flat});
  }

  cv::Mat img(660, 1400, CV_8UC3, cv::Scalar(255, 255, 255));
  const std::string title = "dfd bench --robustness " + r.date.substr(0, 10) + ", commit " + r.commit +
                            (r.quick ? " (quick)" : "") + ": accuracy of the whole solve per input condition";
  cv::putText(img, plot::shorten(title, 140), {20, 30}, plot::kFont, 0.6, plot::kBlack, 1, cv::LINE_AA);
  const int legend_end = plot::draw_legend(img, all, 20, 60, img.cols - 20);
  const int top = legend_end + 45;
  const cv::Rect left(110, top, 550, 560 - top), right(800, top, 550, 560 - top);
  const plot::Panel pl(left, all, conditions), pr(right, flat, conditions);
  pl.draw_axes(img, "AbsRel, all pixels", "input condition", "AbsRel (log)");
  pl.draw_series(img, all);
  pr.draw_axes(img, "AbsRel, textureless pixels", "input condition", "AbsRel (log)");
  pr.draw_series(img, flat);
  std::string overrides;
  for (const std::string& o : r.overrides) overrides += (overrides.empty() ? "" : ", ") + o;
  cv::putText(img,
              plot::shorten("nyuv2 preset; overrides: " + (overrides.empty() ? std::string("none") : overrides) +
                                "; dashed: the second size; see the JSON for every metric",
                            150),
              {20, 645}, plot::kFont, 0.45, plot::kNote, 1, cv::LINE_AA);
  plot::write_png(img, path, "robustness plot");
}

}  // namespace dfd
