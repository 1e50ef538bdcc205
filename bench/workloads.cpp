// The fixed benchmark workloads (one table) and their in-memory synthetic scenes.
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "dfd/backends.h"
#include "dfd/bench.h"
#include "dfd/error.h"
#include "dfd/solver.h"
#include "dfd/synthetic.h"
#include "util/clock.h"

namespace dfd {

namespace {

// The make3d preset's camera is for 460-pixel-wide images; a make3d-like workload keeps the
// sensor (pitch x width) and so scales the pitch with the width.
constexpr int kMake3dWidth = 460;

// Rendering with the exact K x K model costs P F K^2 multiply-adds per channel on one thread;
// above this many (a few seconds) the stack is rendered by the CPU backend's fast operator.
constexpr double kExactRenderBudget = 2e9;

// The texture generator's cost grows with pixels x patches (patches ~ pixels); above this
// width the texture is generated at a fraction of the size and upsampled (bilinear).
constexpr int kTextureMaxWidth = 1000;

const std::vector<Workload> kWorkloads = {
    // name, W, H, C, F, config, epochs, epochs note, cpu solve, cpu note, quick, repeat caps
    {"320x240", 320, 240, 3, 5, "nyuv2", 40, "", true, "", true, 100, 100, 100},
    {"640x480", 640, 480, 3, 5, "nyuv2", 10, "10 of the preset's 40 epochs (time per epoch is what is compared)", true,
     "", false, 100, 2, 100},
    {"1920x1080", 1920, 1080, 3, 10, "make3d-like", 2,
     "2 of the preset's 5 epochs (time per epoch is what is compared)", true, "", false, 3, 1, 3},
    {"4000x3000", 4000, 3000, 3, 10, "make3d-like", 1, "1 of the preset's 5 epochs", false,
     "a whole solve takes too long on a small CPU: phases only", false, 1, 1, 1},
};

// synthetic_texture at 1/s of the size, upsampled bilinearly by s per axis.
Image bench_texture(int W, int H, uint64_t seed) {
  const int s = (W + kTextureMaxWidth - 1) / kTextureMaxWidth;
  if (s <= 1) return synthetic_texture(W, H, seed);
  const Image small = synthetic_texture((W + s - 1) / s, (H + s - 1) / s, seed);
  Image out(W, H, small.channels);
  for (int c = 0; c < small.channels; ++c) {
    const cv::Mat src(small.height, small.width, CV_32F, const_cast<float*>(small.plane(c)));
    cv::Mat dst(H, W, CV_32F, out.plane(c));
    cv::resize(src, dst, dst.size(), 0, 0, cv::INTER_LINEAR);
  }
  return out;
}

// Rows [y0, y1) of every channel of an image.
Image rows_of(const Image& im, int y0, int y1) {
  Image out(im.width, y1 - y0, im.channels);
  for (int c = 0; c < im.channels; ++c)
    std::copy(im.plane(c) + static_cast<size_t>(y0) * im.width, im.plane(c) + static_cast<size_t>(y1) * im.width,
              out.plane(c));
  return out;
}

}  // namespace

// The operator reads x only within K / 2 of each output pixel, so a strip widened by that margin
// gives its own rows exactly as the whole image would (the image's edges stay zero-padded).
FocalStack render_stack_fast(const Image& aif, const Image& depth, const Options& opt, const std::vector<double>& focus,
                             double range, double strip_pixels) {
  const int W = aif.width, H = aif.height, C = aif.channels, F = static_cast<int>(focus.size());
  Options o = opt;
  o.kernel_size = opt.window_for(H, W);  // the whole image's K, whatever the strip's size
  const int margin = o.kernel_size / 2;
  const int rows = std::max(1, static_cast<int>(strip_pixels / W));
  FocalStack s;
  s.focus_distances = focus;
  s.range = range;
  s.frames.assign(F, Image(W, H, C));
  auto be = make_cpu_backend(opt.threads);
  for (int y0 = 0; y0 < H; y0 += rows) {
    const int y1 = std::min(H, y0 + rows), a = std::max(0, y0 - margin), b = std::min(H, y1 + margin);
    const Image x = rows_of(aif, a, b), z = rows_of(depth, a, b);
    FocalStack strip;
    strip.focus_distances = focus;
    strip.range = range;
    strip.frames.resize(F);
    for (Image& f : strip.frames) f.width = W, f.height = b - a, f.channels = C;  // dimensions only
    Problem p = make_problem(strip, o);
    std::vector<float> zeros(p.stack_size(), 0.f);
    p.stack = zeros.data();
    be->setup(p);
    zeros = {};
    DVec xv = be->alloc(p.image_size()), Z = be->alloc(p.pixels()), y = be->alloc(p.stack_size());
    be->upload(x.data.data(), xv);
    be->upload(z.data.data(), Z);
    be->set_depth(Z);
    be->apply_A(xv, y);
    std::vector<float> host(p.stack_size());
    be->download(y, host.data());
    for (int i = 0; i < F; ++i)
      for (int c = 0; c < C; ++c) {
        const float* src =
            host.data() + (static_cast<size_t>(i) * C + c) * p.pixels() + static_cast<size_t>(y0 - a) * W;
        std::copy(src, src + static_cast<size_t>(y1 - y0) * W, s.frames[i].plane(c) + static_cast<size_t>(y0) * W);
      }
  }
  for (int i = 0; i < F; ++i) s.sources.push_back("bench frame " + std::to_string(i));
  return s;
}

const std::vector<Workload>& standard_workloads() { return kWorkloads; }

const Workload& find_workload(const std::string& name) {
  std::string names;
  for (const Workload& w : kWorkloads) {
    if (w.name == name) return w;
    names += (names.empty() ? "" : ", ") + w.name;
  }
  throw_usage("unknown bench size '" + name + "' (choose from " + names + ")");
}

std::vector<double> workload_focus_distances(const Workload& w) {
  if (w.config == "nyuv2") {
    std::vector<double> f = preset_focus_distances("nyuv2");
    if (w.frames != static_cast<int>(f.size()))
      throw_input("workload " + w.name + ": the nyuv2 preset has " + std::to_string(f.size()) + " planes, not " +
                  std::to_string(w.frames));
    return f;
  }
  if (w.config == "make3d-like") {
    // Log-spaced over make3d's 1 .. 64 m.
    std::vector<double> f(w.frames);
    for (int i = 0; i < w.frames; ++i) f[i] = std::pow(64.0, w.frames > 1 ? double(i) / (w.frames - 1) : 0.0);
    return f;
  }
  throw_input("workload " + w.name + ": unknown configuration '" + w.config + "' (nyuv2 or make3d-like)");
}

Options workload_options(const Workload& w) {
  Options o;
  if (w.config == "nyuv2") {
    o = preset_options("nyuv2");
  } else if (w.config == "make3d-like") {
    o = preset_options("make3d");
    o.pixel_pitch *= static_cast<double>(kMake3dWidth) / w.width;
  } else {
    throw_input("workload " + w.name + ": unknown configuration '" + w.config + "' (nyuv2 or make3d-like)");
  }
  o.epochs = w.epochs;
  o.backend = BackendKind::Cpu;
  return o;
}

BenchScene make_bench_scene(const Workload& w, const Options& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  if (w.channels != 3 && w.channels != 1)
    throw_input("workload " + w.name + ": channels must be 1 or 3 (got " + std::to_string(w.channels) + ")");
  BenchScene sc;
  const uint64_t seed = 2024;
  sc.aif = bench_texture(w.width, w.height, seed);
  if (w.channels == 1) {  // luminance of the RGB texture
    Image g(w.width, w.height, 1);
    for (size_t p = 0; p < g.pixels(); ++p)
      g.data[p] = 0.299f * sc.aif.plane(0)[p] + 0.587f * sc.aif.plane(1)[p] + 0.114f * sc.aif.plane(2)[p];
    sc.aif = std::move(g);
  }
  // Scene depths inside the search range with a margin: 0.5..8 m indoors, 2..60 m outdoors.
  const bool indoor = w.config == "nyuv2";
  sc.depth = synthetic_depth(w.width, w.height, indoor ? 0.5 : 2.0, indoor ? 8.0 : 60.0, seed);
  const std::vector<double> focus = workload_focus_distances(w);
  const int K = opt.window_for(w.height, w.width);
  const double work = static_cast<double>(w.width) * w.height * w.frames * K * K;
  if (work <= kExactRenderBudget) {
    sc.stack = render_stack(sc.aif, sc.depth, opt.camera(), focus, K, 255.0);
    sc.stack_model = "exact K x K model (render_stack)";
  } else {
    sc.stack = render_stack_fast(sc.aif, sc.depth, opt, focus, 255.0);
    sc.stack_model = "CPU backend fast operator (apply_A, in strips)";
  }
  opt.validate(&sc.stack);
  sc.seconds = seconds_since(t0);
  return sc;
}

}  // namespace dfd
