// The CPU backend's setup, memory accounting, vector algebra, scalars and transfers.
#include "cpu/cpu_backend.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>

#include "dfd/backends.h"
#include "dfd/ceilings.h"
#include "dfd/error.h"
#include "model/window_mean.h"

namespace dfd {

namespace {

// Candidates per loss slab of the windowed grid search: slabs of up to 4 Mi floats (16 MiB,
// two of them), but at least two candidates per thread for the window-mean pass.
int windowed_chunk(int candidates, int threads, size_t pixels) {
  const size_t budget = (size_t(4) << 20) / std::max<size_t>(pixels, 1);
  return static_cast<int>(std::min<size_t>(candidates, std::max<size_t>(budget, 2 * threads)));
}

}  // namespace

CpuBackend::CpuBackend(int threads) : threads_(threads > 0 ? threads : std::max(1, omp_get_max_threads())) {}

std::string CpuBackend::device() const {
  return "CPU: " + cpu_model_name() + ", " + std::to_string(threads_) + " thread" + (threads_ == 1 ? "" : "s");
}

CpuBackend::BufferPlan CpuBackend::buffer_plan(const Problem& p) const {
  BufferPlan b;
  const size_t hw = p.pixels(), F = static_cast<size_t>(p.frames);
  b.stack = p.stack_size();
  b.levels = static_cast<size_t>(std::max(p.levels.count(), 4)) * p.image_size();  // 4 levels at least: see apply_At
  b.first = F * hw;
  b.weight = 4 * F * hw;
  b.table = p.candidates.size() * F;
  b.weighted_field = 2 * p.image_size();
  if (p.window > 1) {
    b.chunk = windowed_chunk(static_cast<int>(p.candidates.size()), threads_, hw);
    b.slab = static_cast<size_t>(b.chunk) * hw;
    b.best_win = hw;
    b.window_scratch = static_cast<size_t>(threads_) * window_mean_scratch(p.height, p.width);
  }
  b.blur_bytes =
      BlurEngine::bytes_for(p.height, p.width, p.channels, p.K, std::max(p.levels.count(), 1), threads_, forced_path_);
  return b;
}

size_t CpuBackend::BufferPlan::bytes() const {
  return sizeof(float) * (stack + levels + weight + 2 * slab + best_win + weighted_field) + sizeof(int32_t) * first +
         sizeof(double) * window_scratch + sizeof(LevelWeights) * table + blur_bytes;
}

size_t CpuBackend::memory_estimate(const Problem& p) const {
  // What setup allocates (the plan it allocates from) and what the solver allocates on top
  // (Problem::solver_floats).
  return buffer_plan(p).bytes() + sizeof(float) * p.solver_floats;
}

void CpuBackend::track(size_t bytes) {
  in_use_ += bytes;
  peak_ = std::max(peak_, in_use_);
}

void CpuBackend::do_setup(const Problem& p) {
  // Free the previous problem's buffers before allocating this one's.
  allocations_.clear();
  for (auto* v : {&stack_, &levels_, &weight_, &slab_raw_, &slab_win_, &best_win_, &weighted_field_})
    std::vector<float>().swap(*v);
  std::vector<int32_t>().swap(first_);
  std::vector<double>().swap(window_scratch_);
  blur_.release();
  in_use_ = peak_ = 0;

  prob_ = p;
  prob_.stack = nullptr;  // the staged copy lives in stack_
  F_ = p.frames;
  C_ = p.channels;
  L_ = p.levels.count();
  N_ = static_cast<int>(p.candidates.size());
  hw_ = p.pixels();
  ls_ = p.image_size();
  const BufferPlan b = buffer_plan(p);
  try {
    stack_.assign(p.stack, p.stack + b.stack);
    levels_.assign(b.levels, 0.f);
    first_.assign(b.first, 0);
    weight_.assign(b.weight, 0.f);
    weighted_field_.assign(b.weighted_field, 0.f);
    blur_.setup(p.height, p.width, p.channels, p.K, p.levels.sigmas(), threads_, forced_path_);
    chunk_ = b.chunk;
    slab_raw_.assign(b.slab, 0.f);
    slab_win_.assign(b.slab, 0.f);
    best_win_.assign(b.best_win, 0.f);
    window_scratch_.assign(b.window_scratch, 0.0);
    table_ = prob_.candidate_weights();
  } catch (const std::bad_alloc&) {
    throw Error(ErrorKind::OutOfMemory, "cpu backend: out of memory staging a " + std::to_string(p.width) + "x" +
                                            std::to_string(p.height) + " problem (about " +
                                            std::to_string(memory_estimate(p) >> 20) + " MiB needed)");
  }
  pixel_weights_.setup(prob_.levels, prob_.camera, prob_.focus_distances);
  all_levels_.resize(L_);
  for (int l = 0; l < L_; ++l) all_levels_[l] = l;
  used_levels_.clear();
  used_levels_.reserve(L_);
  used_mask_.assign(static_cast<size_t>(threads_) * L_, 0);
  // What the buffers hold (the plan's bytes but for the blur engine's, which it reports itself).
  track(sizeof(float) * (stack_.size() + levels_.size() + weight_.size() + slab_raw_.size() + slab_win_.size() +
                         best_win_.size() + weighted_field_.size()) +
        sizeof(int32_t) * first_.size() + sizeof(double) * window_scratch_.size() + blur_.bytes() +
        sizeof(LevelWeights) * table_.size());
}

DVec CpuBackend::do_stack() { return DVec{stack_.data(), stack_.size()}; }

DVec CpuBackend::do_alloc(size_t n) {
  try {
    allocations_.emplace_back(n, 0.f);
  } catch (const std::bad_alloc&) {
    throw Error(ErrorKind::OutOfMemory, "cpu backend: cannot allocate a vector of " + std::to_string(n) + " floats");
  }
  track(n * sizeof(float));
  return DVec{allocations_.back().data(), n};
}

// ---- Vector algebra ------------------------------------------------------------------------

void CpuBackend::do_fill(DVec x, float v) {
  float* __restrict p = x.ptr;
#pragma omp parallel for simd num_threads(threads_) schedule(static)
  for (size_t k = 0; k < x.size; ++k) p[k] = v;
}

void CpuBackend::do_copy(DVec src, DVec dst) {
  if (src.ptr == dst.ptr) return;
  const float* __restrict s = src.ptr;
  float* __restrict d = dst.ptr;
#pragma omp parallel for simd num_threads(threads_) schedule(static)
  for (size_t k = 0; k < src.size; ++k) d[k] = s[k];
}

double CpuBackend::coef(Coef c) const {  // the slot is checked by Backend::axpby
  return c.scale * (c.slot >= 0 ? scalars_[c.slot] : 1.0);
}

void CpuBackend::do_axpby(Coef ca, DVec x, Coef cb, DVec y) {
  const float a = static_cast<float>(coef(ca)), b = static_cast<float>(coef(cb));
  const float* xp = x.ptr;  // x may alias y (y = (a + b) y)
  float* yp = y.ptr;
  if (b == 0.f) {  // y = a x: stale (even non-finite) y must not leak through 0 * y
#pragma omp parallel for simd num_threads(threads_) schedule(static)
    for (size_t k = 0; k < x.size; ++k) yp[k] = a * xp[k];
  } else {
#pragma omp parallel for simd num_threads(threads_) schedule(static)
    for (size_t k = 0; k < x.size; ++k) yp[k] = a * xp[k] + b * yp[k];
  }
}

void CpuBackend::do_multiply(DVec m, DVec y) {
  const float* mp = m.ptr;
  float* yp = y.ptr;
#pragma omp parallel for simd num_threads(threads_) schedule(static)
  for (size_t k = 0; k < m.size; ++k) yp[k] *= mp[k];
}

void CpuBackend::do_clip(DVec x, float lo, float hi) {
  float* __restrict p = x.ptr;
#pragma omp parallel for simd num_threads(threads_) schedule(static)
  for (size_t k = 0; k < x.size; ++k) p[k] = std::min(std::max(p[k], lo), hi);
}

void CpuBackend::do_free_mask(DVec x, DVec g, float lo, float hi, DVec m) {
  const float* xp = x.ptr;
  const float* gp = g.ptr;
  float* mp = m.ptr;
#pragma omp parallel for simd num_threads(threads_) schedule(static)
  for (size_t k = 0; k < x.size; ++k) {
    // Descent direction -g: leaves the box through lo when g > 0, through hi when g < 0.
    const bool held = (xp[k] <= lo && gp[k] > 0.f) || (xp[k] >= hi && gp[k] < 0.f);
    mp[k] = held ? 0.f : 1.f;
  }
}

void CpuBackend::do_dot(DVec a, DVec b, int slot) {
  const float* ap = a.ptr;
  const float* bp = b.ptr;
  double s = 0.0;
#pragma omp parallel for simd num_threads(threads_) schedule(static) reduction(+ : s)
  for (size_t k = 0; k < a.size; ++k) s += double(ap[k]) * bp[k];
  scalars_[slot] = s;
}

void CpuBackend::do_sum(DVec a, int slot) {
  const float* ap = a.ptr;
  double s = 0.0;
#pragma omp parallel for simd num_threads(threads_) schedule(static) reduction(+ : s)
  for (size_t k = 0; k < a.size; ++k) s += ap[k];
  scalars_[slot] = s;
}

// ---- Scalars -------------------------------------------------------------------------------

void CpuBackend::do_scalar_set(int slot, double v) { scalars_[slot] = v; }

void CpuBackend::do_scalar_ratio(int num, int den, int out) {
  scalars_[out] = scalars_[den] == 0.0 ? 0.0 : scalars_[num] / scalars_[den];
}

void CpuBackend::do_scalar_sqrt(int in, int out) { scalars_[out] = std::sqrt(std::max(0.0, scalars_[in])); }

void CpuBackend::do_read_scalars(double* out, int count) { std::copy(scalars_, scalars_ + count, out); }

// ---- Transfers -----------------------------------------------------------------------------

void CpuBackend::do_download(DVec v, float* host) {
  if (v.size) std::memcpy(host, v.ptr, v.size * sizeof(float));
}

void CpuBackend::do_upload(const float* host, DVec v) {
  if (v.size) std::memcpy(v.ptr, host, v.size * sizeof(float));
}

std::unique_ptr<Backend> make_cpu_backend(int threads) { return std::make_unique<CpuBackend>(threads); }

}  // namespace dfd
