// Dense focus sweeps with known depth (dfd/sweep_scenes.h): a photo texture on a slanted,
// domed or stepped surface, rendered as F frames by per-pixel interpolation between blur
// levels of a canvas larger than the frame, 8-bit or JPEG.
#include "dfd/sweep_scenes.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "dfd/error.h"
#include "dfd/synthetic.h"
#include "scene_images.h"

namespace dfd {

namespace {

// The level blurs: fine steps at small blur, where the image changes fastest with it.
std::vector<double> blur_levels_upto(double lo, double hi) {
  std::vector<double> l;
  for (double b = lo; b < hi + 0.1; b += b < 2.0 ? 0.05 : 0.1) l.push_back(b);
  return l;
}

cv::Mat gaussian_level(const cv::Mat& src, double sigma) {
  const int r = static_cast<int>(std::ceil(3.0 * sigma));
  const cv::Mat k = cv::getGaussianKernel(2 * r + 1, sigma, CV_32F);
  cv::Mat out;
  cv::sepFilter2D(src, out, CV_32F, k, k, cv::Point(-1, -1), 0, cv::BORDER_REFLECT_101);
  return out;
}

// A disc of radius r with antialiased rim (pixel weight clamp(r + 0.5 - distance, 0, 1)),
// normalised.
cv::Mat disc_level(const cv::Mat& src, double r) {
  const int R = static_cast<int>(std::ceil(r + 0.5));
  cv::Mat k(2 * R + 1, 2 * R + 1, CV_32F);
  for (int v = -R; v <= R; ++v)
    for (int u = -R; u <= R; ++u)
      k.at<float>(v + R, u + R) = static_cast<float>(std::clamp(r + 0.5 - std::hypot(u, v), 0.0, 1.0));
  k /= cv::sum(k)[0];
  cv::Mat out;
  cv::filter2D(src, out, CV_32F, k, cv::Point(-1, -1), 0, cv::BORDER_REFLECT_101);
  return out;
}

}  // namespace

const std::vector<std::string>& sweep_surfaces() {
  static const std::vector<std::string> s = {"slant", "dome", "steps"};
  return s;
}

SweepScene make_sweep_scene(const SweepSpec& spec) {
  const auto& surf = sweep_surfaces();
  if (std::find(surf.begin(), surf.end(), spec.surface) == surf.end())
    throw_usage("sweep scene: unknown surface '" + spec.surface + "' (choose slant, dome or steps)");
  if (spec.blur != "gaussian" && spec.blur != "disc")
    throw_usage("sweep scene: unknown blur '" + spec.blur + "' (choose gaussian or disc)");
  if (spec.width < 16 || spec.height < 16 || spec.frames < 3 || !(spec.a > 0))
    throw_usage("sweep scene: needs at least 16x16 pixels, 3 frames and a > 0");
  const int W = spec.width, H = spec.height, F = spec.frames;
  const bool disc = spec.blur == "disc";
  // Blur b of a pixel |s - i| frames from focus: Gaussian sigma (floor 0.5 px) or disc radius
  // (the same second moment: radius 2 sigma; floor 1 px, about a pixel's own spread).
  const double floor_b = disc ? 1.0 : 0.5, slope = disc ? 2.0 * spec.a : spec.a;
  const double b_max = std::max(floor_b, slope * (F - 1));
  const int M = static_cast<int>(std::ceil(disc ? b_max + 0.5 : 3.0 * b_max)) + 1;
  const int CW = W + 2 * M, CH = H + 2 * M;

  SweepScene sc;
  sc.spec = spec;
  // Texture on the canvas.
  Image tex;
  const std::string photo = spec.photo_dir + "/gravel.png";
  if (!spec.colour && scene_images::exists(photo)) {
    Image g = scene_images::read_8bit(photo);
    if (g.channels == 3) {  // the channel mean
      Image m(g.width, g.height, 1);
      for (size_t p = 0; p < m.pixels(); ++p)
        m.data[p] = (g.data[p] + g.data[g.pixels() + p] + g.data[2 * g.pixels() + p]) / 3.f;
      g = m;
    }
    if (g.width >= CW && g.height >= CH) {
      tex = Image(CW, CH, 1);
      const int ox = (g.width - CW) / 2, oy = (g.height - CH) / 2;
      for (int y = 0; y < CH; ++y)
        for (int x = 0; x < CW; ++x) tex.at(x, y) = g.at(x + ox, y + oy);
    } else {
      tex = scene_images::resize_area(g, scene_images::centred_crop(g.width, g.height, CW, CH), CW, CH);
      sc.notes.push_back("gravel.png resized to the " + std::to_string(CW) + "x" + std::to_string(CH) + " canvas");
    }
    sc.notes.push_back("texture: " + photo);
  } else {
    tex = synthetic_texture(CW, CH, spec.seed);
    if (!spec.colour) {
      Image m(CW, CH, 1);
      for (size_t p = 0; p < m.pixels(); ++p) m.data[p] = tex.data[tex.pixels() + p];  // green
      tex = m;
    }
    sc.notes.push_back(spec.colour ? "texture: synthetic_texture (colour)"
                                   : "texture: synthetic_texture, green channel (" + photo + " not found)");
  }
  const int C = tex.channels;

  // Depth on the canvas (the surface continues past the frame).
  Image depth(CW, CH, 1);
  for (int y = 0; y < CH; ++y)
    for (int x = 0; x < CW; ++x) {
      const double u = static_cast<double>(x - M) / (W - 1), v = static_cast<double>(y - M) / (H - 1);
      double t;  // fraction of the sweep, 0 .. 1
      if (spec.surface == "slant") {
        t = 0.05 + 0.9 * (0.8 * u + 0.2 * v);
      } else if (spec.surface == "dome") {
        const double r2 = ((u - 0.5) * (u - 0.5) + (v - 0.5) * (v - 0.5)) / 0.5;
        t = 0.1 + 0.8 * (1.0 - r2);
      } else {  // four steps across, each slightly tilted downwards
        const double band = std::clamp(std::floor(4.0 * u), 0.0, 3.0);
        t = 0.12 + 0.24 * band + 0.04 * v;
      }
      depth.at(x, y) = static_cast<float>(std::clamp(t, 0.0, 1.0) * (F - 1));
    }

  // The blur levels of every channel.
  const std::vector<double> lv = blur_levels_upto(floor_b, b_max);
  std::vector<std::vector<cv::Mat>> level(C);
  for (int c = 0; c < C; ++c) {
    cv::Mat src(CH, CW, CV_32F, tex.plane(c));
    for (double b : lv) level[c].push_back(disc ? disc_level(src, b) : gaussian_level(src, b));
  }
  auto level_at = [&](double b, int& k, double& w) {  // b between lv[k] and lv[k + 1], weight w on k + 1
    k = static_cast<int>(std::upper_bound(lv.begin(), lv.end(), b) - lv.begin()) - 1;
    k = std::clamp(k, 0, static_cast<int>(lv.size()) - 2);
    w = std::clamp((b - lv[k]) / (lv[k + 1] - lv[k]), 0.0, 1.0);
  };

  sc.aif = Image(W, H, C);
  sc.depth = Image(W, H, 1);
  for (int c = 0; c < C; ++c)
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) sc.aif.at(x, y, c) = tex.at(x + M, y + M, c);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) sc.depth.at(x, y) = depth.at(x + M, y + M);

  sc.stack.range = 255;
  sc.stack.sample_step = 1;
  for (int i = 0; i < F; ++i) {
    Image f(W, H, C);
#pragma omp parallel for schedule(static)
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) {
        const double b = std::max(floor_b, slope * std::fabs(depth.at(x + M, y + M) - i));
        int k;
        double w;
        level_at(b, k, w);
        for (int c = 0; c < C; ++c) {
          const double v = (1 - w) * level[c][k].at<float>(y + M, x + M) + w * level[c][k + 1].at<float>(y + M, x + M);
          f.at(x, y, c) = static_cast<float>(std::clamp(std::round(v), 0.0, 255.0));
        }
      }
    if (spec.jpeg) {
      cv::Mat m8;
      if (C == 1) {
        cv::Mat(H, W, CV_32F, f.plane(0)).convertTo(m8, CV_8U);
      } else {
        std::vector<cv::Mat> ch;
        for (int c = 2; c >= 0; --c) ch.emplace_back(H, W, CV_32F, f.plane(c));  // BGR
        cv::Mat bgr;
        cv::merge(ch, bgr);
        bgr.convertTo(m8, CV_8UC3);
      }
      std::vector<uchar> buf;
      if (!cv::imencode(".jpg", m8, buf, {cv::IMWRITE_JPEG_QUALITY, spec.jpeg_quality}))
        throw_runtime("sweep scene: JPEG encoding failed");
      const cv::Mat d = cv::imdecode(buf, C == 1 ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
      for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x)
          for (int c = 0; c < C; ++c) f.at(x, y, c) = C == 1 ? d.at<uchar>(y, x) : d.at<cv::Vec3b>(y, x)[2 - c];
    }
    sc.stack.frames.push_back(std::move(f));
    sc.stack.focus_distances.push_back(i);
    sc.stack.sources.push_back("sweep frame " + std::to_string(i));
  }
  return sc;
}

double affine_rmse(const Image& pred, const Image& truth) {
  if (pred.data.size() != truth.data.size() || truth.data.empty()) throw_input("affine_rmse: size mismatch");
  const size_t n = truth.data.size();
  double sp = 0, st = 0, spp = 0, spt = 0, lo = truth.data[0], hi = truth.data[0];
  for (size_t i = 0; i < n; ++i) {
    const double p = pred.data[i], t = truth.data[i];
    sp += p, st += t, spp += p * p, spt += p * t;
    lo = std::min(lo, t), hi = std::max(hi, t);
  }
  const double mp = sp / n, mt = st / n, vpp = spp / n - mp * mp, vpt = spt / n - mp * mt;
  const double alpha = vpp > 0 ? vpt / vpp : 0.0, beta = mt - alpha * mp;
  double e = 0;
  for (size_t i = 0; i < n; ++i) {
    const double r = alpha * pred.data[i] + beta - truth.data[i];
    e += r * r;
  }
  return hi > lo ? std::sqrt(e / n) / (hi - lo) : 0.0;
}

namespace {
std::vector<double> ranks(const std::vector<float>& v) {
  std::vector<size_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (size_t i = 0; i < idx.size();) {
    size_t j = i;
    while (j + 1 < idx.size() && v[idx[j + 1]] == v[idx[i]]) ++j;
    const double mean = 0.5 * (static_cast<double>(i) + j);
    for (size_t k = i; k <= j; ++k) r[idx[k]] = mean;
    i = j + 1;
  }
  return r;
}
}  // namespace

double spearman(const Image& pred, const Image& truth) {
  if (pred.data.size() != truth.data.size() || truth.data.empty()) throw_input("spearman: size mismatch");
  const std::vector<double> a = ranks(pred.data), b = ranks(truth.data);
  const double n = static_cast<double>(a.size());
  double ma = 0, mb = 0;
  for (size_t i = 0; i < a.size(); ++i) ma += a[i], mb += b[i];
  ma /= n, mb /= n;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0.0;
}

}  // namespace dfd
