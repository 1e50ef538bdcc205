// The fast operator on the CPU: level blurs, A(Z) x by per-pixel Catmull-Rom interpolation
// between levels, and its exact transpose (weights scattered per level, then one blur each).
#include <omp.h>

#include <algorithm>
#include <cstring>

#include "cpu/cpu_backend.h"

namespace dfd {

namespace {

constexpr size_t kPixelBlock = 4096;  // pixels per OpenMP work item of the pointwise loops

// Splits [p0, p1) into runs of pixels with the same first level: run r is
// [starts[r], starts[r + 1]). Depth maps are piecewise smooth, so runs are long and the
// interpolation reads and writes whole level rows (gathers and scatters, slow on many CPUs,
// are left to random depth maps' runs of length 1, which run as scalar code).
inline int level_runs(const int32_t* first, size_t p0, size_t p1, uint32_t* starts) {
  int runs = 0;
  starts[0] = static_cast<uint32_t>(p0);
  for (size_t p = p0 + 1; p < p1; ++p)
    if (first[p] != first[p - 1]) starts[++runs] = static_cast<uint32_t>(p);
  starts[++runs] = static_cast<uint32_t>(p1);
  return runs;
}

}  // namespace

void CpuBackend::do_blur_levels(DVec x) { blur_.blur(x.ptr, all_levels_, levels_.data(), ls_); }

void CpuBackend::do_set_depth(DVec Z) {
  const size_t HW = hw_;
  const int F = F_, L = L_;
  const float* z = Z.ptr;
#pragma omp parallel num_threads(threads_)
  {
    unsigned char* used = &used_mask_[static_cast<size_t>(omp_get_thread_num()) * L];
    std::fill(used, used + L, 0);
    const long blocks = static_cast<long>((HW + kPixelBlock - 1) / kPixelBlock);
#pragma omp for schedule(static)
    for (long blk = 0; blk < blocks; ++blk) {
      const size_t p0 = blk * kPixelBlock;
      const int n = static_cast<int>(std::min(kPixelBlock, HW - p0));
      for (int i = 0; i < F; ++i) {
        int32_t* fi = &first_[i * HW + p0];
        float* w0 = &weight_[(i * 4 + 0) * HW + p0];
        pixel_weights_.eval(i, z + p0, n, fi, w0, w0 + HW, w0 + 2 * HW, w0 + 3 * HW);
        for (int k = 0; k < n; ++k) used[fi[k]] = 1;  // marks `first`; expanded to first .. first + 3 below
      }
    }
  }
  // The levels some pixel reads (first .. first + 3): apply_A / apply_At blur only these.
  used_levels_.clear();
  for (int l = 0; l < L; ++l) {
    bool read = false;
    for (int t = 0; t < threads_ && !read; ++t)
      for (int f = std::max(0, l - 3); f <= l && !read; ++f) read = used_mask_[static_cast<size_t>(t) * L + f];
    if (read) used_levels_.push_back(l);
  }
}

void CpuBackend::do_apply_A(DVec x, DVec y) {
  blur_.blur(x.ptr, used_levels_, levels_.data(), ls_);
  const size_t HW = hw_, LS = ls_;
  const int F = F_, C = C_;
  const float* X = levels_.data();
  const long blocks = static_cast<long>((HW + kPixelBlock - 1) / kPixelBlock);
#pragma omp parallel for num_threads(threads_) schedule(static)
  for (long blk = 0; blk < blocks; ++blk) {
    const size_t p0 = blk * kPixelBlock, p1 = std::min(HW, p0 + kPixelBlock);
    uint32_t starts[kPixelBlock + 1];
    for (int i = 0; i < F; ++i) {
      const int32_t* fi = &first_[i * HW];
      const float* __restrict w0 = &weight_[(i * 4 + 0) * HW];
      const float* __restrict w1 = w0 + HW;
      const float* __restrict w2 = w1 + HW;
      const float* __restrict w3 = w2 + HW;
      const int runs = level_runs(fi, p0, p1, starts);
      for (int c = 0; c < C; ++c) {
        float* __restrict yo = y.ptr + (static_cast<size_t>(i) * C + c) * HW;
        for (int r = 0; r < runs; ++r) {
          const float* __restrict x0 = X + fi[starts[r]] * LS + c * HW;
          const float* __restrict x1 = x0 + LS;
          const float* __restrict x2 = x1 + LS;
          const float* __restrict x3 = x2 + LS;
#pragma omp simd
          for (size_t p = starts[r]; p < starts[r + 1]; ++p)
            yo[p] = w0[p] * x0[p] + w1[p] * x1[p] + w2[p] * x2[p] + w3[p] * x3[p];
        }
      }
    }
  }
}

void CpuBackend::do_apply_At(DVec y, DVec x) {
  const size_t HW = hw_, LS = ls_;
  const int F = F_, C = C_;
  float* T = levels_.data();  // T_l, accumulated in the level buffer
  const long used = static_cast<long>(used_levels_.size());
#pragma omp parallel num_threads(threads_)
  {
#pragma omp for schedule(static)
    for (long k = 0; k < used; ++k) std::memset(T + used_levels_[k] * LS, 0, LS * sizeof(float));
      // A single-level plan pads the buffer to 4 levels; their weights are 0, keep them 0 too.
#pragma omp single
    if (L_ < 4) std::memset(T + L_ * LS, 0, (4 - L_) * LS * sizeof(float));
    // T_l(p) += w_{i,m}(p) y_i(p) for l = first_i(p) + m: the transpose of the interpolation.
    // Each pixel writes only its own position in every plane, so pixel blocks never collide.
    const long blocks = static_cast<long>((HW + kPixelBlock - 1) / kPixelBlock);
#pragma omp for schedule(static)
    for (long blk = 0; blk < blocks; ++blk) {
      const size_t p0 = blk * kPixelBlock, p1 = std::min(HW, p0 + kPixelBlock);
      uint32_t starts[kPixelBlock + 1];
      for (int i = 0; i < F; ++i) {
        const int32_t* fi = &first_[i * HW];
        const float* __restrict w0 = &weight_[(i * 4 + 0) * HW];
        const float* __restrict w1 = w0 + HW;
        const float* __restrict w2 = w1 + HW;
        const float* __restrict w3 = w2 + HW;
        const int runs = level_runs(fi, p0, p1, starts);
        for (int c = 0; c < C; ++c) {
          const float* __restrict yi = y.ptr + (static_cast<size_t>(i) * C + c) * HW;
          for (int r = 0; r < runs; ++r) {
            float* __restrict t0 = T + fi[starts[r]] * LS + c * HW;  // four distinct planes
            float* __restrict t1 = t0 + LS;
            float* __restrict t2 = t1 + LS;
            float* __restrict t3 = t2 + LS;
#pragma omp simd
            for (size_t p = starts[r]; p < starts[r + 1]; ++p) {
              const float v = yi[p];
              t0[p] += w0[p] * v;
              t1[p] += w1[p] * v;
              t2[p] += w2[p] * v;
              t3[p] += w3[p] * v;
            }
          }
        }
      }
    }
  }
  blur_.blur_sum(T, LS, used_levels_, x.ptr);
}

}  // namespace dfd
