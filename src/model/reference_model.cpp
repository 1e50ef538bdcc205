// The exact (direct K x K sum) forward model, its adjoint and the grid-search losses:
// slow and plain on purpose, the reference every fast path is tested against.
#include "dfd/reference_model.h"

#include <algorithm>
#include <map>
#include <string>

#include "dfd/error.h"
#include "model/pixel_model.h"
#include "model/window_mean.h"

namespace dfd {

namespace {

void check_window(int K, const char* who) {
  if (K < 1 || K % 2 == 0)
    throw_input(std::string(who) + ": window K must be odd and positive (got " + std::to_string(K) + ")");
}

void check_depth(const Image& aif, const Image& depth, const std::vector<double>& focus, const char* who) {
  if (depth.channels != 1 || depth.width != aif.width || depth.height != aif.height)
    throw_input(std::string(who) + ": depth map " + std::to_string(depth.width) + "x" + std::to_string(depth.height) +
                "x" + std::to_string(depth.channels) + " does not match the image " + std::to_string(aif.width) + "x" +
                std::to_string(aif.height) + " (one channel expected)");
  if (focus.empty()) throw_input(std::string(who) + ": no focus distances");
}

// The full K x K kernel g(u) g(v), row-major.
std::vector<double> kernel_2d(double sigma, int K) {
  const std::vector<double> g = gaussian_factor(sigma, K);
  std::vector<double> k(static_cast<size_t>(K) * K);
  for (int v = 0; v < K; ++v)
    for (int u = 0; u < K; ++u) k[v * K + u] = g[v] * g[u];
  return k;
}

}  // namespace

std::vector<std::vector<double>> sigma_maps(const Camera& cam, const std::vector<double>& focus, const Image& depth) {
  std::vector<std::vector<double>> s(focus.size(), std::vector<double>(depth.pixels()));
  for (size_t i = 0; i < focus.size(); ++i)
    for (size_t p = 0; p < depth.pixels(); ++p) s[i][p] = blur_sigma(cam, focus[i], depth.data[p]);
  return s;
}

std::vector<Image> exact_forward(const Image& aif, const Image& depth, const Camera& cam,
                                 const std::vector<double>& focus, int K) {
  check_window(K, "exact_forward");
  check_depth(aif, depth, focus, "exact_forward");
  const int W = aif.width, H = aif.height, C = aif.channels, r = K / 2;
  const auto sig = sigma_maps(cam, focus, depth);
  std::vector<Image> out;
  for (size_t i = 0; i < focus.size(); ++i) {
    Image y(W, H, C);
    for (int py = 0; py < H; ++py)
      for (int px = 0; px < W; ++px) {
        // Gather: the output pixel uses the kernel of its own depth.
        const std::vector<double> k = kernel_2d(sig[i][static_cast<size_t>(py) * W + px], K);
        for (int c = 0; c < C; ++c) {
          double s = 0.0;
          for (int v = -r; v <= r; ++v) {
            const int yy = py + v;
            if (yy < 0 || yy >= H) continue;  // zero padding, no renormalisation
            for (int u = -r; u <= r; ++u) {
              const int xx = px + u;
              if (xx < 0 || xx >= W) continue;
              s += k[(v + r) * K + (u + r)] * aif.at(xx, yy, c);
            }
          }
          y.at(px, py, c) = static_cast<float>(s);
        }
      }
    out.push_back(std::move(y));
  }
  return out;
}

Image exact_adjoint(const std::vector<Image>& y, const Image& depth, const Camera& cam,
                    const std::vector<double>& focus, int K) {
  check_window(K, "exact_adjoint");
  if (y.size() != focus.size())
    throw_input("exact_adjoint: " + std::to_string(y.size()) + " planes for " + std::to_string(focus.size()) +
                " focus distances");
  check_depth(y.at(0), depth, focus, "exact_adjoint");
  const int W = depth.width, H = depth.height, C = y[0].channels, r = K / 2;
  const auto sig = sigma_maps(cam, focus, depth);
  std::vector<double> acc(static_cast<size_t>(W) * H * C, 0.0);
  for (size_t i = 0; i < y.size(); ++i) {
    if (y[i].width != W || y[i].height != H || y[i].channels != C)
      throw_input("exact_adjoint: plane " + std::to_string(i) + " differs in size from plane 0");
    for (int py = 0; py < H; ++py)
      for (int px = 0; px < W; ++px) {
        // Scatter: pixel p sends y(p) to its neighbours with ITS kernel (the transpose of gather).
        const std::vector<double> k = kernel_2d(sig[i][static_cast<size_t>(py) * W + px], K);
        for (int c = 0; c < C; ++c) {
          const double v0 = y[i].at(px, py, c);
          for (int v = -r; v <= r; ++v) {
            const int yy = py + v;
            if (yy < 0 || yy >= H) continue;
            for (int u = -r; u <= r; ++u) {
              const int xx = px + u;
              if (xx < 0 || xx >= W) continue;
              acc[(static_cast<size_t>(c) * H + yy) * W + xx] += k[(v + r) * K + (u + r)] * v0;
            }
          }
        }
      }
  }
  Image x(W, H, C);
  for (size_t k = 0; k < acc.size(); ++k) x.data[k] = static_cast<float>(acc[k]);
  return x;
}

Image exact_blur(const Image& x, double sigma, int K) {
  check_window(K, "exact_blur");
  const int W = x.width, H = x.height, C = x.channels, r = K / 2;
  const std::vector<double> k = kernel_2d(sigma, K);
  Image y(W, H, C);
  for (int c = 0; c < C; ++c)
    for (int py = 0; py < H; ++py)
      for (int px = 0; px < W; ++px) {
        double s = 0.0;
        for (int v = -r; v <= r; ++v) {
          const int yy = py + v;
          if (yy < 0 || yy >= H) continue;
          for (int u = -r; u <= r; ++u) {
            const int xx = px + u;
            if (xx < 0 || xx >= W) continue;
            s += k[(v + r) * K + (u + r)] * x.at(xx, yy, c);
          }
        }
        y.at(px, py, c) = static_cast<float>(s);
      }
  return y;
}

std::vector<float> exact_grid_losses(const std::vector<Image>& stack, const Image& aif, const Camera& cam,
                                     const std::vector<double>& focus, const std::vector<double>& candidates, int K,
                                     int window) {
  check_window(K, "exact_grid_losses");
  if (stack.size() != focus.size() || stack.empty())
    throw_input("exact_grid_losses: " + std::to_string(stack.size()) + " frames for " + std::to_string(focus.size()) +
                " focus distances");
  const int W = aif.width, H = aif.height, C = aif.channels;
  for (size_t i = 0; i < stack.size(); ++i)
    if (stack[i].width != W || stack[i].height != H || stack[i].channels != C)
      throw_input("exact_grid_losses: frame " + std::to_string(i) + " differs in size from the AIF");
  const size_t P = aif.pixels(), N = candidates.size();
  const double norm = 1.0 / (static_cast<double>(stack.size()) * C);
  std::vector<float> loss(P * N);
  std::map<double, Image> blurred;  // many (frame, candidate) pairs share sigma = thresh
  std::vector<float> map(P);
  for (size_t j = 0; j < N; ++j) {
    std::vector<double> acc(P, 0.0);
    for (size_t i = 0; i < stack.size(); ++i) {
      const double s = blur_sigma(cam, focus[i], candidates[j]);
      auto it = blurred.find(s);
      if (it == blurred.end()) it = blurred.emplace(s, exact_blur(aif, s, K)).first;
      const Image& b = it->second;
      for (int c = 0; c < C; ++c)
        for (size_t p = 0; p < P; ++p) {
          const double d = double(stack[i].plane(c)[p]) - b.plane(c)[p];
          acc[p] += d * d;
        }
    }
    for (size_t p = 0; p < P; ++p) map[p] = static_cast<float>(acc[p] * norm);
    if (window > 1) window_mean(map.data(), H, W, window);
    for (size_t p = 0; p < P; ++p) loss[p * N + j] = map[p];
  }
  return loss;
}

double exact_loss(const std::vector<Image>& stack, const Image& aif, const Image& depth, const Camera& cam,
                  const std::vector<double>& focus, int K) {
  if (stack.size() != focus.size())
    throw_input("exact_loss: " + std::to_string(stack.size()) + " frames for " + std::to_string(focus.size()) +
                " focus distances");
  const std::vector<Image> y = exact_forward(aif, depth, cam, focus, K);
  double s = 0.0;
  for (size_t i = 0; i < y.size(); ++i) {
    if (stack[i].size() != y[i].size()) throw_input("exact_loss: frame " + std::to_string(i) + " differs in size");
    for (size_t k = 0; k < y[i].size(); ++k) {
      const double d = double(y[i].data[k]) - stack[i].data[k];
      s += d * d;
    }
  }
  return s / (static_cast<double>(aif.size()) * stack.size());
}

void window_mean_into(float* map, int height, int width, int w, double* scratch) {
  if (w <= 1) return;
  const int H = height, W = width;
  const int before = model::window_before(w), after = model::window_after(w);  // symmetric for odd w
  double* rows = scratch;                                                      // H x W horizontal window sums
  double* col = rows + static_cast<size_t>(H) * W;                             // W running vertical sums
  double* prefix = col + W;                                                    // W + 1 prefix sums of one row
  // The window's extent and divisor are model::window_mean_at's (model/pixel_model.h); the sums
  // are prefix sums and a running column sum instead of its direct ones.
  for (int y = 0; y < H; ++y) {
    const float* m = map + static_cast<size_t>(y) * W;
    prefix[0] = 0.0;
    for (int x = 0; x < W; ++x) prefix[x + 1] = prefix[x] + m[x];
    double* out = rows + static_cast<size_t>(y) * W;
    for (int x = 0; x < W; ++x) {
      const model::WindowSpan sx = model::window_span(x, W, w);
      out[x] = prefix[sx.hi + 1] - prefix[sx.lo];
    }
  }
  // Vertical: a running sum over the window rows, one row in and one row out per step.
  for (int x = 0; x < W; ++x) col[x] = 0.0;
  for (int y = 0; y <= std::min(H - 1, after); ++y)
    for (int x = 0; x < W; ++x) col[x] += rows[static_cast<size_t>(y) * W + x];
  for (int y = 0; y < H; ++y) {
    const model::WindowSpan sy = model::window_span(y, H, w);
    float* m = map + static_cast<size_t>(y) * W;
    for (int x = 0; x < W; ++x)
      m[x] = static_cast<float>(col[x] / model::window_positions(model::window_span(x, W, w), sy));
    const int in = y + after + 1, out = y - before;
    if (in < H)
      for (int x = 0; x < W; ++x) col[x] += rows[static_cast<size_t>(in) * W + x];
    if (out >= 0)
      for (int x = 0; x < W; ++x) col[x] -= rows[static_cast<size_t>(out) * W + x];
  }
}

void window_mean(float* map, int height, int width, int w) {
  if (w <= 1) return;
  if (height <= 0 || width <= 0) return;
  std::vector<double> scratch(window_mean_scratch(height, width));
  window_mean_into(map, height, width, w, scratch.data());
}

}  // namespace dfd
