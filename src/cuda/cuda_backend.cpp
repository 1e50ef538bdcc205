// The CUDA backend's construction, setup (memory check, staging, tables), vector algebra,
// scalars and transfers; the model's primitives are in cuda_model.cpp, the regularised steps' in
// cuda_prior.cpp.
#include "cuda/cuda_backend.h"
#include "model/model_params.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "cuda/cuda_check.h"
#include "dfd/camera.h"
#include "dfd/error.h"
#include "vector_ops.cuh"

namespace dfd::cuda {

namespace {

std::string describe_device(int device) {
  cudaDeviceProp prop{};
  DFD_CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
  char buf[512];
  std::snprintf(buf, sizeof buf, "CUDA device %d: %s (sm_%d%d, %d SMs, %.1f GiB)", device, prop.name, prop.major,
                prop.minor, prop.multiProcessorCount,
                static_cast<double>(prop.totalGlobalMem) / (1024.0 * 1024.0 * 1024.0));
  return buf;
}

}  // namespace

CudaBackend::CudaBackend(const CudaBackendConfig& cfg) : cfg_(cfg) {
  DFD_CUDA_CHECK(cudaSetDevice(cfg_.device));
  description_ = describe_device(cfg_.device);
  DFD_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
  void* pinned = nullptr;
  const cudaError_t r = cudaMallocHost(&pinned, sizeof(double) * kScalarSlots);
  host_scalars_ = static_cast<double*>(pinned);
  if (r != cudaSuccess) {
    host_scalars_ = nullptr;
    DFD_CUDA_CHECK_NOTHROW(cudaStreamDestroy(stream_));
    DFD_CUDA_CHECK(r);
  }
}

CudaBackend::~CudaBackend() {
  // Work still queued may use the buffers: finish it before they go.
  if (stream_) DFD_CUDA_CHECK_NOTHROW(cudaStreamSynchronize(stream_));
  release_problem();
  if (host_scalars_) DFD_CUDA_CHECK_NOTHROW(cudaFreeHost(host_scalars_));
  if (stream_) DFD_CUDA_CHECK_NOTHROW(cudaStreamDestroy(stream_));
}

// ---- Memory plan ---------------------------------------------------------------------------

int CudaBackend::default_chunk(const Problem& p) const {
  if (p.window <= 1) return 0;
  const size_t per_candidate = 2 * sizeof(float) * std::max<size_t>(p.pixels(), 1);
  const size_t n = std::max<size_t>(1, cfg_.search_slab_bytes / per_candidate);
  return static_cast<int>(std::min<size_t>({n, p.candidates.size(), 65535}));
}

CudaBackend::BufferPlan CudaBackend::buffer_plan(const Problem& p, int chunk) const {
  const size_t HW = p.pixels(), F = p.frames, C = p.channels, N = p.candidates.size();
  const size_t L = static_cast<size_t>(std::max(p.levels.count(), 1));
  BufferPlan b;
  b.scalars = kScalarSlots;
  b.partials = kMaxReducePartials;
  b.focus = F;
  b.stack = p.stack_size();
  b.levels = L * C * HW;
  b.level_used = L;
  b.pixel_first = F * HW;
  b.pixel_weight = 4 * F * HW;
  b.cand_depth = N;
  b.cand_first = N * F;
  b.cand_weight = 4 * N * F;
  if (p.window > 1) {
    b.chunk = chunk;
    b.slab = static_cast<size_t>(chunk) * HW;
    b.best = HW;
  }
  b.init = HW;
  b.prior_field = 2 * C * HW;
  b.blur_bytes = DeviceLevelBlur::bytes_for(p.height, p.width, p.channels, p.K, static_cast<int>(L), cfg_.blur);
  return b;
}

std::vector<CudaBackend::BufferSize> CudaBackend::buffer_sizes(const Problem& p, int chunk) const {
  const BufferPlan b = buffer_plan(p, chunk);
  std::vector<BufferSize> s;
  s.push_back({"focal stack", sizeof(float) * b.stack});
  s.push_back({"blur levels", sizeof(float) * b.levels});
  s.push_back({"per-pixel level weights",
               sizeof(int) * b.pixel_first + sizeof(float) * b.pixel_weight + sizeof(int) * b.level_used});
  s.push_back(
      {"candidate table", sizeof(int) * b.cand_first + sizeof(float) * b.cand_weight + sizeof(double) * b.cand_depth});
  s.push_back({"scalars and reduction scratch", sizeof(double) * (b.scalars + b.partials + b.focus)});
  if (b.chunk > 0)
    s.push_back({"windowed search slabs", 2 * sizeof(float) * b.slab + (sizeof(float) + sizeof(int)) * b.best});
  s.push_back({"initial AIF scratch", (3 * sizeof(float) + sizeof(int)) * b.init});
  s.push_back({"level-blur buffers", b.blur_bytes});
  s.push_back({"AIF prior scratch", sizeof(float) * b.prior_field});
  // What the solver allocates (alloc) on top, counted by the solver itself (make_problem).
  s.push_back({"solver vectors", sizeof(float) * p.solver_floats});
  return s;
}

size_t CudaBackend::memory_estimate(const Problem& p) const {
  size_t total = 0;
  for (const BufferSize& b : buffer_sizes(p, default_chunk(p))) total += b.bytes;
  return total;
}

// ---- Setup ---------------------------------------------------------------------------------

void CudaBackend::release_problem() noexcept {
  vectors_.clear();
  blur_.release();
  for (DeviceBuffer<float>* b : {&stack_, &levels_, &pixel_weight_, &cand_weight_, &slab_, &slab_tmp_, &best_,
                                 &init_sharp_, &init_tmp_, &init_best_, &prior_field_})
    b->release();
  for (DeviceBuffer<int>* b : {&level_used_, &pixel_first_, &cand_first_, &best_j_, &init_frame_}) b->release();
  for (DeviceBuffer<double>* b : {&scalars_, &partials_, &focus_, &cand_depth_}) b->release();
}

void CudaBackend::do_setup(const Problem& p) {  // p is valid (Backend::setup validated it)
  auto bad = [](const std::string& what) { throw_input("cuda backend: " + what); };
  // Grid limits of the 2-D launches (at most 65535 blocks of 4 rows) and int coordinates.
  if (p.height > 200000 || p.width > 200000)
    bad("image side " + std::to_string(std::max(p.width, p.height)) + " exceeds the supported 200000 pixels");
  if (p.channels > 65535) bad("too many channels (" + std::to_string(p.channels) + ")");
  if (p.candidates.size() > 1000000) bad("too many depth candidates (" + std::to_string(p.candidates.size()) + ")");

  DFD_CUDA_CHECK(cudaSetDevice(cfg_.device));
  DFD_CUDA_CHECK(cudaStreamSynchronize(stream_));
  release_problem();
  tracker_.reset_peak();

  // Fit check before any allocation; a windowed search shrinks its chunk to fit first.
  size_t free_b = 0, total_b = 0;
  DFD_CUDA_CHECK(cudaMemGetInfo(&free_b, &total_b));
  int chunk = default_chunk(p);
  auto need_for = [&](int c) {
    size_t t = 0;
    for (const BufferSize& b : buffer_sizes(p, c)) t += b.bytes;
    return t;
  };
  while (chunk > 1 && need_for(chunk) > free_b) chunk = std::max(1, chunk / 2);
  const size_t need = need_for(chunk);
  if (need > free_b) {
    std::string parts;
    for (const BufferSize& b : buffer_sizes(p, chunk))
      parts += (parts.empty() ? "" : ", ") + b.what + " " + format_gib(b.bytes);
    throw Error(ErrorKind::OutOfMemory, "cuda backend: a " + std::to_string(p.width) + "x" + std::to_string(p.height) +
                                            "x" + std::to_string(p.channels) + " stack of " + std::to_string(p.frames) +
                                            " frames needs " + format_gib(need) + ", device has " + format_gib(free_b) +
                                            " free of " + format_gib(total_b) + " (" + parts +
                                            "); try a smaller image or the CPU backend");
  }

  const size_t HW = p.pixels(), F = p.frames, N = p.candidates.size();
  const int L = p.levels.count();
  geo_ = Geometry{p.width, p.height, p.channels, p.frames, L, HW};
  cam_ = CameraParams{p.camera.focal_length,
                      p.camera.aperture,
                      p.camera.pixel_pitch,
                      p.camera.thresh,
                      p.camera.model == BlurModel::FocusIndex ? 1 : 0,
                      p.camera.index_scale};
  plan_ = model::level_grid(p.levels);
  golden_ = GoldenParams{p.gs_bracket, p.gs_tol, p.gs_max_iters};
  window_ = p.window;
  range_ = p.range;
  chunk_ = p.window > 1 ? chunk : 0;
  candidates_ = static_cast<int>(N);

  // The candidate table on the host: LevelWeights of sigma_i(Z_j), entry j F + i.
  std::vector<int> t_first(N * F);
  std::vector<float> t_weight(4 * N * F);
  const std::vector<LevelWeights> table = p.candidate_weights();
  for (size_t j = 0; j < N; ++j)
    for (size_t i = 0; i < F; ++i) {
      const LevelWeights& lw = table[j * F + i];
      if (lw.first < 0 || lw.first + std::min(4, L) > L)
        throw_runtime("cuda backend: level weights of candidate " + std::to_string(j) + " start at level " +
                      std::to_string(lw.first) + " of " + std::to_string(L));
      t_first[j * F + i] = lw.first;
      for (int m = 0; m < 4; ++m) t_weight[4 * (j * F + i) + m] = lw.weight[m];
    }

  try {
    // Sized by the plan the fit check above summed (buffer_plan), buffer for buffer.
    const BufferPlan b = buffer_plan(p, chunk_);
    scalars_ = DeviceBuffer<double>(b.scalars, &tracker_, "the scalar slots");
    partials_ = DeviceBuffer<double>(b.partials, &tracker_, "reduction scratch");
    focus_ = DeviceBuffer<double>(b.focus, &tracker_, "the focus distances");
    stack_ = DeviceBuffer<float>(b.stack, &tracker_, "the focal stack");
    levels_ = DeviceBuffer<float>(b.levels, &tracker_, "the blur levels");
    level_used_ = DeviceBuffer<int>(b.level_used, &tracker_, "the operator's level flags");
    pixel_first_ = DeviceBuffer<int>(b.pixel_first, &tracker_, "the per-pixel level weights");
    pixel_weight_ = DeviceBuffer<float>(b.pixel_weight, &tracker_, "the per-pixel level weights");
    cand_depth_ = DeviceBuffer<double>(b.cand_depth, &tracker_, "the depth candidates");
    cand_first_ = DeviceBuffer<int>(b.cand_first, &tracker_, "the candidate table");
    cand_weight_ = DeviceBuffer<float>(b.cand_weight, &tracker_, "the candidate table");
    if (b.chunk > 0) {
      slab_ = DeviceBuffer<float>(b.slab, &tracker_, "the windowed search's loss slab");
      slab_tmp_ = DeviceBuffer<float>(b.slab, &tracker_, "the windowed search's scratch");
      best_ = DeviceBuffer<float>(b.best, &tracker_, "the windowed search's running minimum");
      best_j_ = DeviceBuffer<int>(b.best, &tracker_, "the windowed search's running argmin");
    }
    init_sharp_ = DeviceBuffer<float>(b.init, &tracker_, "the initial AIF's sharpness map");
    init_tmp_ = DeviceBuffer<float>(b.init, &tracker_, "the initial AIF's scratch");
    init_best_ = DeviceBuffer<float>(b.init, &tracker_, "the initial AIF's best sharpness");
    init_frame_ = DeviceBuffer<int>(b.init, &tracker_, "the initial AIF's sharpest frame");
    prior_field_ = DeviceBuffer<float>(b.prior_field, &tracker_, "the AIF prior's weighted field");
    blur_.setup(p.height, p.width, p.channels, p.K, p.levels.sigmas(), cfg_.blur, &tracker_, stream_);

    DFD_CUDA_CHECK(cudaMemsetAsync(scalars_.data(), 0, scalars_.bytes(), stream_));
    DFD_CUDA_CHECK(
        cudaMemcpyAsync(focus_.data(), p.focus_distances.data(), focus_.bytes(), cudaMemcpyHostToDevice, stream_));
    DFD_CUDA_CHECK(cudaMemcpyAsync(stack_.data(), p.stack, stack_.bytes(), cudaMemcpyHostToDevice, stream_));
    DFD_CUDA_CHECK(
        cudaMemcpyAsync(cand_depth_.data(), p.candidates.data(), cand_depth_.bytes(), cudaMemcpyHostToDevice, stream_));
    DFD_CUDA_CHECK(
        cudaMemcpyAsync(cand_first_.data(), t_first.data(), cand_first_.bytes(), cudaMemcpyHostToDevice, stream_));
    DFD_CUDA_CHECK(
        cudaMemcpyAsync(cand_weight_.data(), t_weight.data(), cand_weight_.bytes(), cudaMemcpyHostToDevice, stream_));
    // The level buffer starts defined (zeros), so no kernel can read uninitialised memory.
    DFD_CUDA_CHECK(cudaMemsetAsync(levels_.data(), 0, levels_.bytes(), stream_));
    DFD_CUDA_CHECK(cudaStreamSynchronize(stream_));  // the host tables are temporaries
  } catch (...) {
    (void)cudaStreamSynchronize(stream_);
    (void)cudaGetLastError();
    release_problem();
    throw;
  }
}

// ---- Views -----------------------------------------------------------------------

ModelView CudaBackend::model() const {
  ModelView m;
  m.geo = geo_;
  m.cam = cam_;
  m.plan = plan_;
  m.focus = focus_.data();
  m.stack = stack_.data();
  m.levels = levels_.data();
  return m;
}

CandidateTable CudaBackend::table() const {
  return CandidateTable{cand_first_.data(), cand_weight_.data(), cand_depth_.data(), candidates_};
}

PixelWeightsView CudaBackend::pixel_weights() const {
  return PixelWeightsView{pixel_first_.data(), pixel_weight_.data()};
}

DVec CudaBackend::do_stack() { return DVec{stack_.data(), stack_.size()}; }

DVec CudaBackend::do_alloc(size_t n) {
  vectors_.emplace_back(n, &tracker_, "a solver vector of " + std::to_string(n) + " floats");
  DeviceBuffer<float>& v = vectors_.back();
  if (n) DFD_CUDA_CHECK(cudaMemsetAsync(v.data(), 0, v.bytes(), stream_));
  return DVec{v.data(), n};
}

// ---- Vector algebra ------------------------------------------------------------------------

void CudaBackend::do_fill(DVec x, float v) { launch_fill(x.ptr, x.size, v, stream_); }

void CudaBackend::do_copy(DVec src, DVec dst) {
  if (src.ptr == dst.ptr || src.size == 0) return;
  DFD_CUDA_CHECK(cudaMemcpyAsync(dst.ptr, src.ptr, src.size * sizeof(float), cudaMemcpyDeviceToDevice, stream_));
}

void CudaBackend::do_axpby(Coef a, DVec x, Coef b, DVec y) {
  launch_axpby(ScalarCoef{a.slot, a.scale}, x.ptr, ScalarCoef{b.slot, b.scale}, y.ptr, x.size, scalars_.data(),
               stream_);
}

void CudaBackend::do_multiply(DVec m, DVec y) { launch_multiply(m.ptr, y.ptr, m.size, stream_); }

void CudaBackend::do_clip(DVec x, float lo, float hi) { launch_clip(x.ptr, x.size, lo, hi, stream_); }

void CudaBackend::do_free_mask(DVec x, DVec g, float lo, float hi, DVec m) {
  launch_free_mask(x.ptr, g.ptr, lo, hi, m.ptr, x.size, stream_);
}

void CudaBackend::do_dot(DVec a, DVec b, int slot) {
  launch_reduce(a.ptr, b.ptr, a.size, partials_.data(), scalars_.data() + slot, stream_);
}

void CudaBackend::do_sum(DVec a, int slot) {
  launch_reduce(a.ptr, nullptr, a.size, partials_.data(), scalars_.data() + slot, stream_);
}

// ---- Scalars -------------------------------------------------------------------------------

void CudaBackend::do_scalar_set(int slot, double v) { launch_scalar_set(scalars_.data(), slot, v, stream_); }

void CudaBackend::do_scalar_ratio(int num, int den, int out) {
  launch_scalar_ratio(scalars_.data(), num, den, out, stream_);
}

void CudaBackend::do_scalar_sqrt(int in, int out) { launch_scalar_sqrt(scalars_.data(), in, out, stream_); }

void CudaBackend::do_read_scalars(double* out, int count) {
  if (count > 0)
    DFD_CUDA_CHECK(
        cudaMemcpyAsync(host_scalars_, scalars_.data(), sizeof(double) * count, cudaMemcpyDeviceToHost, stream_));
  // Also the point where faults of earlier kernels surface (checked, not swallowed).
  DFD_CUDA_CHECK(cudaStreamSynchronize(stream_));
  std::copy(host_scalars_, host_scalars_ + count, out);
}

// ---- Transfers -----------------------------------------------------------------------------

void CudaBackend::do_download(DVec v, float* host) {
  if (v.size) DFD_CUDA_CHECK(cudaMemcpyAsync(host, v.ptr, v.size * sizeof(float), cudaMemcpyDeviceToHost, stream_));
  DFD_CUDA_CHECK(cudaStreamSynchronize(stream_));
}

void CudaBackend::do_upload(const float* host, DVec v) {
  if (v.size) DFD_CUDA_CHECK(cudaMemcpyAsync(v.ptr, host, v.size * sizeof(float), cudaMemcpyHostToDevice, stream_));
  DFD_CUDA_CHECK(cudaStreamSynchronize(stream_));
}

}  // namespace dfd::cuda
