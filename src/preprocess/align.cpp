// Focal-stack registration: neighbour-chained, coarse-to-fine ECC (OpenCV), then warping onto the reference.
//
// Similarity motion: ECC has no similarity mode. We run MOTION_AFFINE one Gauss-Newton iteration
// at a time and project the warp onto the nearest similarity (about the image centre) after every
// iteration, so the two extra affine degrees of freedom (shear, anisotropic scale), which defocus
// and low texture leave poorly constrained, can never accumulate; the scale is estimated inside
// the same solve. (MOTION_EUCLIDEAN plus a scale search would need a full ECC run per trial
// scale and would resolve the scale only to the search step.) Stepping one iteration at a time
// also gives the iteration count and a convergence test in pixels, which OpenCV does not report.
//
// Defocus: a frame is registered to its neighbour toward the reference (neighbours differ least
// in blur) and the transforms are chained. Gaussian-like defocus blur is symmetric, so it lowers
// the correlation peak but does not move it: ECC on the (lightly smoothed) intensities is unbiased.
#include "dfd/align.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

#include "dfd/cancel.h"
#include "dfd/error.h"
#include "util/number_text.h"

namespace dfd {

namespace {

using Mat3 = cv::Matx33d;

std::string frame_name(const FocalStack& s, int i) {
  std::string n = "frame " + std::to_string(i);
  if (i < static_cast<int>(s.sources.size()) && !s.sources[i].empty()) n += " (" + s.sources[i] + ")";
  return n;
}

// Grey in [0, 1]: the mean of the channels over the range.
cv::Mat grey_of(const Image& im, double range) {
  cv::Mat g(im.height, im.width, CV_32F, cv::Scalar(0));
  for (int c = 0; c < im.channels; ++c)
    cv::add(g, cv::Mat(im.height, im.width, CV_32F, const_cast<float*>(im.plane(c))), g);
  g *= 1.0 / (im.channels * (range > 0 ? range : 1.0));
  return g;
}

// Pixel coordinates of a full-size image (W x H) in a resized copy (w x h), pixel centres at
// integers, as cv::resize samples: x' = (x + 0.5) w / W - 0.5.
Mat3 level_map(int W, int H, int w, int h) {
  const double sx = static_cast<double>(w) / W, sy = static_cast<double>(h) / H;
  return Mat3(sx, 0, 0.5 * sx - 0.5, 0, sy, 0.5 * sy - 0.5, 0, 0, 1);
}

cv::Point2d apply(const Mat3& m, double x, double y) {
  const double w = m(2, 0) * x + m(2, 1) * y + m(2, 2);
  return {(m(0, 0) * x + m(0, 1) * y + m(0, 2)) / w, (m(1, 0) * x + m(1, 1) * y + m(1, 2)) / w};
}

// Replaces the affine part by its nearest similarity (Frobenius), keeping where the point c maps.
Mat3 project_similarity(const Mat3& m, cv::Point2d c) {
  const double p = 0.5 * (m(0, 0) + m(1, 1)), q = 0.5 * (m(1, 0) - m(0, 1));
  const cv::Point2d mc = apply(m, c.x, c.y);
  return Mat3(p, -q, mc.x - (p * c.x - q * c.y), q, p, mc.y - (q * c.x + p * c.y), 0, 0, 1);
}

// Nearest similarity of a warp's linear part at point c: scale, rotation (degrees).
void similarity_of(const Mat3& m, cv::Point2d c, double* scale, double* rotation_deg) {
  // Linearise a homography at c: the Jacobian of the mapping there.
  const double w = m(2, 0) * c.x + m(2, 1) * c.y + m(2, 2);
  const cv::Point2d mc = apply(m, c.x, c.y);
  const double a = (m(0, 0) - mc.x * m(2, 0)) / w, b = (m(0, 1) - mc.x * m(2, 1)) / w;
  const double d = (m(1, 0) - mc.y * m(2, 0)) / w, e = (m(1, 1) - mc.y * m(2, 1)) / w;
  const double p = 0.5 * (a + e), q = 0.5 * (d - b);
  *scale = std::hypot(p, q);
  *rotation_deg = std::atan2(q, p) * 180.0 / M_PI;
}

double max_corner_move(const Mat3& a, const Mat3& b, int w, int h) {
  double worst = 0;
  for (cv::Point2d c : {cv::Point2d(0, 0), cv::Point2d(w - 1, 0), cv::Point2d(0, h - 1), cv::Point2d(w - 1, h - 1)}) {
    const cv::Point2d pa = apply(a, c.x, c.y), pb = apply(b, c.x, c.y);
    worst = std::max(worst, std::hypot(pa.x - pb.x, pa.y - pb.y));
  }
  return worst;
}

// A pyramid of smoothed grey images, coarsest last; level 0 at most max_width wide.
struct Pyramid {
  std::vector<cv::Mat> levels;
};

Pyramid build_pyramid(const cv::Mat& grey, const AlignOptions& o) {
  Pyramid p;
  cv::Mat cur = grey;
  if (cur.cols > o.max_width) {
    const int w = o.max_width, h = std::max(1, static_cast<int>(std::lround(double(cur.rows) * w / cur.cols)));
    cv::resize(grey, cur, cv::Size(w, h), 0, 0, cv::INTER_AREA);
  }
  for (;;) {
    cv::Mat s;
    // Light smoothing widens ECC's basin and evens out the frames' different sharpness.
    cv::GaussianBlur(cur, s, cv::Size(5, 5), 1.0, 1.0, cv::BORDER_REPLICATE);
    p.levels.push_back(s);
    if (cur.cols / 2 < o.min_width || cur.rows / 2 < 16) break;
    cv::Mat next;
    cv::resize(cur, next, cv::Size((cur.cols + 1) / 2, (cur.rows + 1) / 2), 0, 0, cv::INTER_AREA);
    cur = next;
  }
  return p;
}

int ecc_motion(AlignMotion m) {
  switch (m) {
    case AlignMotion::Translation: return cv::MOTION_TRANSLATION;
    case AlignMotion::Similarity: return cv::MOTION_AFFINE;  // projected each iteration
    case AlignMotion::Homography: return cv::MOTION_HOMOGRAPHY;
  }
  return cv::MOTION_AFFINE;
}

struct PairResult {
  Mat3 warp = Mat3::eye();  // neighbour (template) full-size pixels -> frame pixels
  double ecc = 0;
  int iterations = 0;
  std::string error;  // non-empty when ECC failed
};

// Registers `frame` to `templ` coarse to fine; the warp maps template pixels to frame pixels.
PairResult register_pair(const Pyramid& templ, const Pyramid& frame, int W, int H, const AlignOptions& o) {
  PairResult r;
  const int motion = ecc_motion(o.motion);
  const cv::TermCriteria one_step(cv::TermCriteria::COUNT, 1, 0.0);
  Mat3 full = Mat3::eye();
  for (int l = static_cast<int>(templ.levels.size()) - 1; l >= 0; --l) {
    const cv::Mat& t = templ.levels[l];
    const cv::Mat& f = frame.levels[l];
    const Mat3 C = level_map(W, H, t.cols, t.rows);
    const cv::Point2d centre(0.5 * (t.cols - 1), 0.5 * (t.rows - 1));
    Mat3 m = C * full * C.inv();
    for (int it = 0; it < o.max_iterations; ++it) {
      cv::Mat w =
          motion == cv::MOTION_HOMOGRAPHY ? cv::Mat(cv::Mat(m, true)) : cv::Mat(cv::Mat(m, true).rowRange(0, 2));
      w.convertTo(w, CV_32F);
      try {
        r.ecc = cv::findTransformECC(t, f, w, motion, one_step, cv::noArray(), 1);
      } catch (const cv::Exception& e) {
        r.error = "ECC did not converge (" + e.err + ")";
        return r;
      }
      Mat3 next = Mat3::eye();
      for (int i = 0; i < w.rows; ++i)
        for (int j = 0; j < 3; ++j) next(i, j) = w.at<float>(i, j);
      if (o.motion == AlignMotion::Similarity) next = project_similarity(next, centre);
      ++r.iterations;
      const double moved = max_corner_move(m, next, t.cols, t.rows);
      m = next;
      if (!std::isfinite(moved)) {
        r.error = "ECC diverged (non-finite warp)";
        return r;
      }
      if (moved < o.stop_px) break;
    }
    full = C.inv() * m * C;
  }
  r.warp = full;
  return r;
}

// Largest axis-aligned rectangle of non-zero pixels (row histograms and a monotone stack).
PixelRect largest_rectangle(const cv::Mat& mask) {
  PixelRect best;
  long long best_area = 0;
  std::vector<int> height(mask.cols + 1, 0), stack;
  for (int y = 0; y < mask.rows; ++y) {
    const uchar* row = mask.ptr<uchar>(y);
    for (int x = 0; x < mask.cols; ++x) height[x] = row[x] ? height[x] + 1 : 0;
    stack.clear();
    for (int x = 0; x <= mask.cols; ++x) {
      const int hx = x < mask.cols ? height[x] : 0;
      while (!stack.empty() && height[stack.back()] >= hx) {
        const int h = height[stack.back()];
        stack.pop_back();
        const int left = stack.empty() ? 0 : stack.back() + 1;
        const long long area = static_cast<long long>(h) * (x - left);
        if (area > best_area) {
          best_area = area;
          best = {left, y - h + 1, x - left, h};
        }
      }
      stack.push_back(x);
    }
  }
  return best;
}

}  // namespace

std::string to_string(AlignMotion m) {
  switch (m) {
    case AlignMotion::Translation: return "translation";
    case AlignMotion::Similarity: return "similarity";
    case AlignMotion::Homography: return "homography";
  }
  return "?";
}

AlignMotion parse_align_motion(const std::string& name) {
  if (name == "translation") return AlignMotion::Translation;
  if (name == "similarity") return AlignMotion::Similarity;
  if (name == "homography") return AlignMotion::Homography;
  throw_usage("--align " + name + ": unknown motion (translation, similarity or homography)");
}

void AlignOptions::validate() const {
  if (reference < -1) throw_usage("--align-reference " + std::to_string(reference) + ": must be a frame index >= 0");
  if (max_width < 32) throw_usage("align: working width " + std::to_string(max_width) + " is below 32 pixels");
  if (min_width < 16 || min_width > max_width) throw_usage("align: coarsest width must lie in [16, working width]");
  if (max_iterations < 1) throw_usage("align: at least 1 ECC iteration per level");
  if (!(stop_px > 0)) throw_usage("align: the convergence step must be > 0 pixels");
  if (!(min_ecc >= -1 && min_ecc < 1)) throw_usage("align: the smallest accepted correlation must lie in [-1, 1)");
  if (!(max_scale_change > 0) || !(max_shift > 0)) throw_usage("align: plausibility bounds must be > 0");
}

AlignmentReport align_stack(FocalStack& stack, const AlignOptions& o,
                            const std::function<void(const std::string&)>& note) {
  const auto start = std::chrono::steady_clock::now();
  o.validate();
  const int F = stack.count();
  if (F < 1) throw_usage("align: the stack has no frames");
  const int ref = o.reference < 0 ? F / 2 : o.reference;
  if (ref >= F)
    throw_usage("--align-reference " + std::to_string(ref) + ": the stack has only " + std::to_string(F) +
                " frames (0-based index)");
  const int W = stack.width(), H = stack.height();
  if (W < 16 || H < 16)
    throw_input("align: frames of " + std::to_string(W) + "x" + std::to_string(H) + " are too small to register");

  std::vector<Pyramid> pyr(F);
#pragma omp parallel for schedule(dynamic)
  for (int i = 0; i < F; ++i) pyr[i] = build_pyramid(grey_of(stack.frames[i], stack.range), o);

  AlignmentReport rep;
  rep.motion = o.motion;
  rep.reference = ref;
  rep.levels = static_cast<int>(pyr[0].levels.size());
  rep.work_scale = static_cast<double>(pyr[0].levels[0].cols) / W;
  rep.frames.resize(F);

  // Every frame against its neighbour toward the reference: independent pairs.
  std::vector<PairResult> pairs(F);
#pragma omp parallel for schedule(dynamic)
  for (int i = 0; i < F; ++i) {
    if (i == ref) continue;
    const int n = i < ref ? i + 1 : i - 1;
    pairs[i] = register_pair(pyr[n], pyr[i], W, H, o);
  }
  throw_if_stopped("after registering the frames");

  // Check each pair, then chain: frame i <- neighbour <- ... <- reference.
  const cv::Point2d centre(0.5 * (W - 1), 0.5 * (H - 1));
  std::vector<Mat3> to_frame(F, Mat3::eye());
  auto visit = [&](int i) {
    const int n = i < ref ? i + 1 : i - 1;
    const PairResult& p = pairs[i];
    const std::string who = frame_name(stack, i) + " against " + frame_name(stack, n);
    if (!p.error.empty()) throw_input("align: cannot register " + who + ": " + p.error);
    double s = 1, rot = 0;
    similarity_of(p.warp, centre, &s, &rot);
    const cv::Point2d mc = apply(p.warp, centre.x, centre.y);
    const double shift = std::hypot(mc.x - centre.x, mc.y - centre.y);
    if (p.ecc < o.min_ecc)
      throw_input("align: cannot register " + who + ": correlation " + format_printf("%.3f", p.ecc) + " below " +
                  format_printf("%.2f", o.min_ecc) + " (different scenes, or too little texture)");
    if (std::abs(s - 1) > o.max_scale_change || shift > o.max_shift * W || std::abs(rot) > 20)
      throw_input("align: cannot register " + who + ": implausible motion (scale " + format_printf("%.3f", s) +
                  ", rotation " + format_printf("%.1f", rot) + " deg, shift " + format_printf("%.0f", shift) + " px)");
    to_frame[i] = p.warp * to_frame[n];
    FrameAlignment& fa = rep.frames[i];
    fa.neighbour = n;
    fa.ecc = p.ecc;
    fa.iterations = p.iterations;
  };
  for (int i = ref - 1; i >= 0; --i) visit(i);
  for (int i = ref + 1; i < F; ++i) visit(i);

  for (int i = 0; i < F; ++i) {
    FrameAlignment& fa = rep.frames[i];
    const Mat3 m = to_frame[i] * (1.0 / to_frame[i](2, 2));
    for (int k = 0; k < 9; ++k) fa.matrix[k] = m.val[k];
    similarity_of(m, centre, &fa.scale, &fa.rotation_deg);
    const cv::Point2d mc = apply(m, centre.x, centre.y);
    fa.shift_px = {mc.x - centre.x, mc.y - centre.y};
    if (i == ref) {
      fa.neighbour = -1;
      fa.ecc = 1.0;
    }
    if (note && i != ref)
      note("aligned " + frame_name(stack, i) + " to frame " + std::to_string(ref) + ": scale " +
           format_printf("%.4f", fa.scale) + ", rotation " + format_printf("%.3f", fa.rotation_deg) + " deg, shift (" +
           format_printf("%.2f", fa.shift_px[0]) + ", " + format_printf("%.2f", fa.shift_px[1]) + ") px; via frame " +
           std::to_string(fa.neighbour) + ": ECC " + format_printf("%.4f", fa.ecc) + ", " +
           std::to_string(fa.iterations) + " iterations");
  }

  // Valid region: reference pixels every frame's warp maps inside that frame.
  cv::Mat valid(H, W, CV_8U, cv::Scalar(1));
#pragma omp parallel for schedule(static)
  for (int y = 0; y < H; ++y) {
    uchar* row = valid.ptr<uchar>(y);
    for (int i = 0; i < F; ++i) {
      if (i == ref) continue;
      const Mat3& m = to_frame[i];
      for (int x = 0; x < W; ++x) {
        const cv::Point2d p = apply(m, x, y);
        const double eps = 1e-6;
        if (!(p.x >= -eps && p.x <= W - 1 + eps && p.y >= -eps && p.y <= H - 1 + eps)) row[x] = 0;
      }
    }
  }
  rep.valid_fraction = static_cast<double>(cv::countNonZero(valid)) / (static_cast<double>(W) * H);
  rep.valid = largest_rectangle(valid);
  if (rep.valid.width < 1 || rep.valid.height < 1)
    throw_input("align: the aligned frames share no common region (motion too large)");

  // Warp every frame onto the reference, plane by plane.
  for (int i = 0; i < F; ++i) {
    if (i == ref) continue;
    throw_if_stopped("while warping the frames");
    Image& im = stack.frames[i];
    Image out(W, H, im.channels);
    const Mat3 m = to_frame[i];
    for (int c = 0; c < im.channels; ++c) {
      const cv::Mat src(H, W, CV_32F, im.plane(c));
      cv::Mat dst(H, W, CV_32F, out.plane(c));
      if (o.motion == AlignMotion::Homography)
        cv::warpPerspective(src, dst, cv::Mat(m), dst.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP,
                            cv::BORDER_REPLICATE);
      else
        cv::warpAffine(src, dst, cv::Mat(m).rowRange(0, 2), dst.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP,
                       cv::BORDER_REPLICATE);
    }
    im = std::move(out);
  }

  if (o.crop && (rep.valid.width < W || rep.valid.height < H)) {
    const cv::Rect r(rep.valid.x, rep.valid.y, rep.valid.width, rep.valid.height);
    for (Image& im : stack.frames) {
      Image out(r.width, r.height, im.channels);
      for (int c = 0; c < im.channels; ++c)
        cv::Mat(H, W, CV_32F, im.plane(c))(r).copyTo(cv::Mat(r.height, r.width, CV_32F, out.plane(c)));
      im = std::move(out);
    }
    rep.cropped = true;
  }
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return rep;
}

}  // namespace dfd
