// summary.png: one page with stack thumbnails, AIF, colourised depth, confidence and the loss curve.
#include "io/summary_sheet.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "dfd/error.h"
#include "dfd/io.h"
#include "dfd/report.h"
#include "dfd/solver.h"
#include "io/cv_image.h"
#include "io/depth_colormap.h"
#include "util/atomic_file.h"
#include "util/number_text.h"

namespace dfd {

namespace {

constexpr int kMargin = 16, kGap = 12, kLabel = 22;
const int kFont = cv::FONT_HERSHEY_SIMPLEX;
const cv::Scalar kBlack = cv::Scalar::all(0), kGrey = cv::Scalar::all(150), kWhite = cv::Scalar::all(255);

// An image in [0, range] as 8-bit BGR.
cv::Mat to_bgr8(const Image& im, double range) {
  cv::Mat f = mat_from_image(im), q;
  f.convertTo(q, CV_MAKETYPE(CV_8U, im.channels), 255.0 / range);
  if (q.channels() == 1) cv::cvtColor(q, q, cv::COLOR_GRAY2BGR);
  return q;
}

// Draws `src` scaled to fit inside `box` (aspect kept, centred); returns where it landed.
cv::Rect place(cv::Mat& canvas, const cv::Mat& src, const cv::Rect& box) {
  const double s = std::min(static_cast<double>(box.width) / src.cols, static_cast<double>(box.height) / src.rows);
  const int w = std::max(1, static_cast<int>(src.cols * s)), h = std::max(1, static_cast<int>(src.rows * s));
  const cv::Rect r(box.x + (box.width - w) / 2, box.y + (box.height - h) / 2, w, h);
  cv::Mat scaled;
  cv::resize(src, scaled, r.size(), 0, 0, s < 1 ? cv::INTER_AREA : cv::INTER_NEAREST);
  scaled.copyTo(canvas(r));
  return r;
}

// A 1-channel map resampled (nearest: no blending across depth edges, NaN kept) to fit
// `box` less `legend_w` columns, so that a legend drawn beside it keeps its natural size.
Image fit_map(const Image& m, const cv::Size& box, int legend_w) {
  const double s =
      std::min(static_cast<double>(box.width - legend_w) / m.width, static_cast<double>(box.height) / m.height);
  const int w = std::max(1, static_cast<int>(m.width * s)), h = std::max(1, static_cast<int>(m.height * s));
  cv::Mat src(m.height, m.width, CV_32F, const_cast<float*>(m.data.data())), dst;
  cv::resize(src, dst, {w, h}, 0, 0, cv::INTER_NEAREST);
  Image out(w, h, 1);
  std::memcpy(out.data.data(), dst.ptr<float>(), out.data.size() * sizeof(float));
  return out;
}

void label(cv::Mat& canvas, const std::string& text, cv::Point at, double scale = 0.5, int thick = 1) {
  cv::putText(canvas, text, at, kFont, scale, kBlack, thick, cv::LINE_AA);
}

// Confidence in [0, 1] as viridis with a small 0..1 legend bar.
cv::Mat confidence_image(const Image& conf) {
  cv::Mat idx(conf.height, conf.width, CV_8U);
  for (int y = 0; y < conf.height; ++y)
    for (int x = 0; x < conf.width; ++x) {
      const float c = conf.at(x, y);
      idx.at<uchar>(y, x) = std::isfinite(c) ? cv::saturate_cast<uchar>(255.0 * std::clamp(c, 0.f, 1.f)) : 0;
    }
  cv::Mat col;
  cv::applyColorMap(idx, col, cv::COLORMAP_VIRIDIS);
  const int bar_w = 12, pad = 4, text_w = 18;
  cv::Mat canvas(conf.height, conf.width + 3 * pad + bar_w + text_w, CV_8UC3, kWhite);
  col.copyTo(canvas(cv::Rect(0, 0, conf.width, conf.height)));
  cv::Mat bar_idx(conf.height, bar_w, CV_8U);
  for (int r = 0; r < conf.height; ++r)
    bar_idx.row(r).setTo(cv::saturate_cast<uchar>(255.0 * (conf.height - 1 - r) / std::max(1, conf.height - 1)));
  cv::Mat bar;
  cv::applyColorMap(bar_idx, bar, cv::COLORMAP_VIRIDIS);
  bar.copyTo(canvas(cv::Rect(conf.width + pad, 0, bar_w, conf.height)));
  const double s = conf.height >= 200 ? 0.45 : 0.35;
  cv::putText(canvas, "1", {conf.width + 2 * pad + bar_w, 14}, kFont, s, kBlack, 1, cv::LINE_AA);
  cv::putText(canvas, "0", {conf.width + 2 * pad + bar_w, conf.height - 4}, kFont, s, kBlack, 1, cv::LINE_AA);
  return canvas;
}

// The loss log on a log10 y axis; x = epoch (+ 0.5 for an epoch's second step).
void draw_loss(cv::Mat& canvas, const cv::Rect& box, const std::vector<StepLog>& log) {
  cv::rectangle(canvas, box, kGrey, 1);
  struct P {
    double x, y;
    bool depth;
  };
  std::vector<P> pts;
  int last_epoch = -2, in_epoch = 0, epochs = 0;
  for (const StepLog& s : log) {
    if (s.epoch != last_epoch) in_epoch = 0;
    last_epoch = s.epoch;
    const double x = s.epoch + 0.5 * in_epoch++;
    epochs = std::max(epochs, s.epoch + 1);
    if (std::isfinite(s.loss) && s.loss > 0) pts.push_back({x, std::log10(s.loss), s.step == "depth"});
  }
  if (pts.empty()) {
    label(canvas, "no loss log", {box.x + box.width / 2 - 50, box.y + box.height / 2});
    return;
  }
  // Plot area inside the box: room for tick labels left and below.
  const cv::Rect a(box.x + 80, box.y + 12, box.width - 100, box.height - 56);
  double x0 = pts.front().x, x1 = pts.back().x, y0 = pts[0].y, y1 = pts[0].y;
  for (const P& p : pts) {
    y0 = std::min(y0, p.y);
    y1 = std::max(y1, p.y);
  }
  if (x1 <= x0) x1 = x0 + 1;
  if (y1 - y0 < 1e-6) {
    y0 -= 0.05;
    y1 += 0.05;
  }
  const double ypad = 0.05 * (y1 - y0);
  y0 -= ypad;
  y1 += ypad;
  auto X = [&](double x) { return a.x + static_cast<int>(std::lround((x - x0) / (x1 - x0) * a.width)); };
  auto Y = [&](double y) { return a.y + a.height - static_cast<int>(std::lround((y - y0) / (y1 - y0) * a.height)); };
  cv::rectangle(canvas, a, kBlack, 1);
  // y ticks: the decades when the curve spans at least one (every k-th of many), else 5 evenly
  // spaced in log space; labelled with the loss.
  std::vector<double> ticks;
  if (std::floor(y1) - std::ceil(y0) >= 1) {
    const int lo = static_cast<int>(std::ceil(y0)), hi = static_cast<int>(std::floor(y1));
    const int every = std::max(1, (hi - lo + 7) / 8);
    for (int k = lo; k <= hi; k += every) ticks.push_back(k);
  } else {
    for (int t = 0; t <= 4; ++t) ticks.push_back(y0 + (y1 - y0) * t / 4.0);
  }
  for (double y : ticks) {
    cv::line(canvas, {a.x - 4, Y(y)}, {a.x, Y(y)}, kBlack, 1);
    cv::line(canvas, {a.x + 1, Y(y)}, {a.x + a.width - 1, Y(y)}, cv::Scalar::all(225), 1);
    label(canvas, format_printf("%.3g", std::pow(10.0, y)), {box.x + 6, Y(y) + 5}, 0.4);
  }
  // x ticks: epochs (1-based), at most ~10 labels.
  const int step = std::max(1, static_cast<int>(std::ceil((x1 - x0) / 10.0)));
  for (int e = static_cast<int>(std::ceil(x0)); e <= static_cast<int>(x1); e += step) {
    cv::line(canvas, {X(e), a.y + a.height}, {X(e), a.y + a.height + 4}, kBlack, 1);
    label(canvas, std::to_string(e + 1), {X(e) - 5, a.y + a.height + 18}, 0.4);
  }
  label(canvas, "epoch", {a.x + a.width / 2 - 20, box.y + box.height - 6}, 0.45);
  label(canvas, "loss (log)", {box.x + 6, box.y + box.height - 6}, 0.45);
  for (size_t i = 1; i < pts.size(); ++i)
    cv::line(canvas, {X(pts[i - 1].x), Y(pts[i - 1].y)}, {X(pts[i].x), Y(pts[i].y)}, cv::Scalar(90, 90, 90), 1,
             cv::LINE_AA);
  const cv::Scalar depth_col(200, 90, 30), aif_col(30, 120, 240);  // BGR: blue, orange
  for (const P& p : pts)
    cv::circle(canvas, {X(p.x), Y(p.y)}, 3, p.depth ? depth_col : aif_col, cv::FILLED, cv::LINE_AA);
  // Legend, top right.
  const int lx = a.x + a.width - 150, ly = a.y + 16;
  cv::circle(canvas, {lx, ly - 4}, 4, depth_col, cv::FILLED);
  label(canvas, "depth step", {lx + 10, ly}, 0.4);
  cv::circle(canvas, {lx, ly + 14}, 4, aif_col, cv::FILLED);
  label(canvas, "AIF step", {lx + 10, ly + 18}, 0.4);
}

}  // namespace

std::vector<int> summary_frames(int count, int max_shown) {
  std::vector<int> idx;
  const int n = std::min(count, max_shown);
  for (int i = 0; i < n; ++i)
    idx.push_back(n == 1 ? 0 : static_cast<int>(std::lround(static_cast<double>(i) * (count - 1) / (n - 1))));
  return idx;
}

cv::Mat render_summary(const FocalStack& stack, const Result& r, SummaryLayout* layout,
                       const std::string& depth_label) {
  if (stack.count() == 0 || r.depth.empty() || r.aif.empty()) throw_runtime("summary: no stack or no result to draw");
  const int W = kSummaryWidth, inner = W - 2 * kMargin;
  const double aspect = static_cast<double>(stack.height()) / stack.width();
  const bool relative = r.options.blur_model == BlurModel::FocusIndex;
  SummaryLayout L;

  // Row heights.
  const int title_h = 40;
  L.frames = summary_frames(stack.count());
  const int n = static_cast<int>(L.frames.size());
  const int thumb_w = (inner - (n - 1) * kGap) / n;
  const int thumb_h = std::min(240, std::max(24, static_cast<int>(thumb_w * aspect)));
  const int panel_w = (inner - 2 * kGap) / 3;
  const int panel_h = std::min(440, std::max(60, static_cast<int>(panel_w * aspect)));
  const int loss_h = 300;
  const int H = kMargin + title_h + kLabel + thumb_h + kGap + kLabel + panel_h + kGap + kLabel + loss_h + kMargin;
  cv::Mat canvas(H, W, CV_8UC3, kWhite);

  // Title.
  int y = kMargin;
  L.title = cv::Rect(kMargin, y, inner, title_h);
  std::string title = "dfd  " + std::to_string(stack.width()) + "x" + std::to_string(stack.height()) + ", " +
                      std::to_string(stack.count()) + " frames, " + std::to_string(r.options.epochs) + " epochs, " +
                      r.backend + (r.device.empty() ? "" : " (" + r.device + ")") + ", " +
                      format_printf("%.1f s", r.seconds);
  if (!r.log.empty() && std::isfinite(r.log.back().loss))
    title += ", final loss " + format_printf("%.4g", r.log.back().loss);
  label(canvas, title, {kMargin, y + 26}, 0.7, 2);
  y += title_h;

  // Stack thumbnails, labelled with their focus distances.
  for (int i = 0; i < n; ++i) {
    const int f = L.frames[i];
    const int x = kMargin + i * (thumb_w + kGap);
    std::string text = "frame " + std::to_string(f);
    if (f < static_cast<int>(stack.focus_distances.size()) && !relative)
      text += format_printf(", focus %.3g", stack.focus_distances[f]);
    label(canvas, text, {x, y + 16}, 0.45);
    L.thumbnails.push_back(place(canvas, to_bgr8(stack.frames[f], stack.range), {x, y + kLabel, thumb_w, thumb_h}));
  }
  y += kLabel + thumb_h + kGap;

  // AIF, depth, confidence.
  const int x0 = kMargin, x1 = kMargin + panel_w + kGap, x2 = kMargin + 2 * (panel_w + kGap);
  label(canvas, "all-in-focus", {x0, y + 16});
  L.aif = place(canvas, to_bgr8(r.aif, stack.range), {x0, y + kLabel, panel_w, panel_h});
  label(canvas,
        !depth_label.empty() ? depth_label
        : relative           ? "depth (relative, frame index)"
                             : "depth (near = warm)",
        {x1, y + 16});
  const cv::Rect depth_box(x1, y + kLabel, panel_w, panel_h);
  L.depth = place(canvas, depth_color_image(fit_map(r.depth, depth_box.size(), 80)), depth_box);
  label(canvas, "confidence", {x2, y + 16});
  const cv::Rect conf_box(x2, y + kLabel, panel_w, panel_h);
  if (r.confidence.empty() || r.confidence.channels != 1) {
    cv::rectangle(canvas, conf_box, kGrey, 1);
    label(canvas, "n/a", {conf_box.x + conf_box.width / 2 - 18, conf_box.y + conf_box.height / 2}, 0.8, 2);
    L.confidence = conf_box;
  } else {
    L.confidence = place(canvas, confidence_image(fit_map(r.confidence, conf_box.size(), 40)), conf_box);
  }
  y += kLabel + panel_h + kGap;

  // Loss curve.
  label(canvas, "loss per step", {kMargin, y + 16});
  L.loss = cv::Rect(kMargin, y + kLabel, inner, loss_h);
  draw_loss(canvas, L.loss, r.log);

  if (layout) *layout = L;
  return canvas;
}

void write_summary(const std::string& path, const FocalStack& stack, const Result& r, const std::string& depth_label) {
  cv::Mat sheet;
  try {
    sheet = render_summary(stack, r, nullptr, depth_label);
  } catch (const cv::Exception& e) {
    throw_runtime(path + ": cannot draw the summary: " + e.what());
  }
  std::vector<uchar> buf;
  if (!cv::imencode(".png", sheet, buf)) throw_runtime(path + ": cannot encode the summary sheet");
  write_file_atomic(path, buf.data(), buf.size());
}

}  // namespace dfd
