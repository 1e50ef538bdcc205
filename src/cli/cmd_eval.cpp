// `dfd eval`: depth (and AIF) error metrics of a prediction against ground truth, as JSON.
#include <cstdio>
#include <filesystem>
#include <memory>

#include "cli/cli.h"
#include "dfd/error.h"
#include "dfd/io.h"
#include "dfd/metrics.h"
#include "dfd/report.h"

namespace dfd::cli {

namespace {

struct EvalArgs {
  std::string pred, gt, aif_pred, aif_gt;
  double pred_scale = 1.0, gt_scale = 1.0, range = 0.0;
  CLI::Option *aif_pred_opt = nullptr, *range_opt = nullptr;
};

bool is_raw(const std::string& path) { return std::filesystem::path(path).extension() == ".f32"; }

// Reads two depth maps; a raw .f32 array takes its size from the other one.
void read_depths(const EvalArgs& a, Image& pred, Image& gt) {
  if (is_raw(a.pred) && is_raw(a.gt))
    throw_usage("both depth maps are raw .f32 arrays: give one of them as an image so the size is known");
  if (is_raw(a.gt)) {
    pred = read_depth(a.pred, a.pred_scale);
    gt = read_raw_f32(a.gt, pred.width, pred.height, 1);
    for (float& v : gt.data) v = static_cast<float>(v / a.gt_scale);
  } else if (is_raw(a.pred)) {
    gt = read_depth(a.gt, a.gt_scale);
    pred = read_raw_f32(a.pred, gt.width, gt.height, 1);
    for (float& v : pred.data) v = static_cast<float>(v / a.pred_scale);
  } else {
    pred = read_depth(a.pred, a.pred_scale);
    gt = read_depth(a.gt, a.gt_scale);
  }
  if (pred.width != gt.width || pred.height != gt.height)
    throw_input(a.pred + " (" + std::to_string(pred.width) + "x" + std::to_string(pred.height) + ") and " + a.gt +
                " (" + std::to_string(gt.width) + "x" + std::to_string(gt.height) + ") differ in size");
}

// PSNR of two AIF images, each normalised by its own natural range (or both by --range).
double aif_psnr(const EvalArgs& a) {
  LoadedImage p = read_image(a.aif_pred), g = read_image(a.aif_gt);
  if (p.image.width != g.image.width || p.image.height != g.image.height || p.image.channels != g.image.channels)
    throw_input(a.aif_pred + " and " + a.aif_gt + " differ in size or channels");
  const double rp = *a.range_opt ? a.range : p.range, rg = *a.range_opt ? a.range : g.range;
  if (rp != rg)
    for (float& v : p.image.data) v = static_cast<float>(v * (rg / rp));
  return psnr(p.image, g.image, rg);
}

int run_eval(const EvalArgs& a) {
  Image pred, gt;
  read_depths(a, pred, gt);
  const DepthMetrics m = depth_metrics(pred, gt);
  std::optional<double> p;
  if (*a.aif_pred_opt) p = aif_psnr(a);
  std::fputs(metrics_json(m, p).c_str(), stdout);
  return 0;
}

}  // namespace

Command add_eval_command(CLI::App& root) {
  auto a = std::make_shared<EvalArgs>();
  CLI::App* app = root.add_subcommand("eval", "Compare a depth map (and an AIF image) with ground truth");
  app->add_option("pred", a->pred, "Predicted depth: float TIFF, 16-bit PNG or raw .f32")->required();
  app->add_option("gt", a->gt, "Ground-truth depth: float TIFF, 16-bit PNG or raw .f32")->required();
  app->add_option("--pred-scale", a->pred_scale, "Predicted depth = value / this")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app->add_option("--gt-scale", a->gt_scale, "Ground-truth depth = value / this (1000 for millimetre PNGs)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  a->aif_pred_opt = app->add_option("--aif-pred", a->aif_pred, "Predicted all-in-focus image (adds PSNR)");
  CLI::Option* gt_opt = app->add_option("--aif-gt", a->aif_gt, "Ground-truth all-in-focus image");
  a->aif_pred_opt->needs(gt_opt);
  gt_opt->needs(a->aif_pred_opt);
  a->range_opt = app->add_option("--range", a->range, "Intensity range R of both AIF images (default: bit depth)")
                     ->check(CLI::PositiveNumber)
                     ->needs(a->aif_pred_opt);
  app->footer("Prints JSON: rmse, absrel, delta1..3 (over all pixels) and psnr when AIF images are given.");
  return {app, [a] { return run_eval(*a); }};
}

}  // namespace dfd::cli
