// Google Benchmark micro-benchmarks of the CPU backend's primitives on the bench workloads
// (argument 0: 320x240, 1: 640x480); bytes/s counts each phase's minimal traffic (CostModel).
// Wall time throughout: the main thread's CPU time misses the OpenMP workers.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>

#include "dfd/backends.h"
#include "dfd/bench.h"
#include "dfd/solver.h"

namespace dfd {
namespace {

// One workload staged on a CPU backend, with the vectors the primitives work on; built once
// per workload and shared by every benchmark of the process.
struct Fixture {
  Problem prob;
  std::unique_ptr<Backend> be;
  DVec x, Z, loss, Zg, lossg, y, xt;
  std::unique_ptr<CostModel> cost;
};

Fixture& fixture(int index) {
  static std::map<int, std::unique_ptr<Fixture>> cache;
  auto& slot = cache[index];
  if (slot) return *slot;
  const Workload& w = find_workload(index == 0 ? "320x240" : "640x480");
  const Options opt = workload_options(w);
  const BenchScene sc = make_bench_scene(w, opt);
  auto f = std::make_unique<Fixture>();
  f->prob = make_problem(sc.stack, opt);
  std::vector<float> staged;
  for (const Image& im : sc.stack.frames) staged.insert(staged.end(), im.data.begin(), im.data.end());
  f->prob.stack = staged.data();
  f->be = make_cpu_backend();
  f->be->setup(f->prob);
  f->prob.stack = nullptr;
  Backend& be = *f->be;
  const size_t img = f->prob.image_size(), HW = f->prob.pixels();
  f->x = be.alloc(img);
  f->xt = be.alloc(img);
  f->Z = be.alloc(HW);
  f->loss = be.alloc(HW);
  f->Zg = be.alloc(HW);
  f->lossg = be.alloc(HW);
  f->y = be.alloc(f->prob.stack_size());
  be.init_aif(f->x);
  be.blur_levels(f->x);
  be.grid_search(f->Zg, f->lossg);
  be.copy(f->Zg, f->Z);
  be.set_depth(f->Z);
  f->cost = std::make_unique<CostModel>(f->prob);
  slot = std::move(f);
  return *slot;
}

void sync(Backend& be) {
  double s[1];
  be.read_scalars(s, 1);
}

void finish(benchmark::State& st, const Fixture& f, const PhaseCost& c) {
  st.SetItemsProcessed(static_cast<int64_t>(st.iterations() * f.prob.pixels() * f.prob.frames));
  st.SetBytesProcessed(static_cast<int64_t>(st.iterations() * c.bytes));
  st.counters["GFLOP/s"] = benchmark::Counter(st.iterations() * c.flops / 1e9, benchmark::Counter::kIsRate);
}

void BM_Axpby(benchmark::State& st) {
  Fixture& f = fixture(static_cast<int>(st.range(0)));
  for (auto _ : st) f.be->axpby(Coef::constant(0.5f), f.be->stack(), Coef::constant(0.5f), f.y);
  finish(st, f, f.cost->axpby(f.prob.stack_size()));
}

void BM_Dot(benchmark::State& st) {
  Fixture& f = fixture(static_cast<int>(st.range(0)));
  for (auto _ : st) {
    f.be->dot(f.y, f.be->stack(), 1);
    sync(*f.be);
  }
  finish(st, f, f.cost->dot(f.prob.stack_size()));
}

void BM_Clip(benchmark::State& st) {
  Fixture& f = fixture(static_cast<int>(st.range(0)));
  for (auto _ : st) f.be->clip(f.x, 0.f, static_cast<float>(f.prob.range));
  finish(st, f, f.cost->unary(f.prob.image_size()));
}

void BM_InitAif(benchmark::State& st) {
  Fixture& f = fixture(static_cast<int>(st.range(0)));
  for (auto _ : st) f.be->init_aif(f.xt);
  finish(st, f, f.cost->init_aif());
}

void BM_BlurLevels(benchmark::State& st) {
  Fixture& f = fixture(static_cast<int>(st.range(0)));
  for (auto _ : st) f.be->blur_levels(f.x);
  finish(st, f, f.cost->blur_levels());
}

void BM_GridSearch(benchmark::State& st) {
  Fixture& f = fixture(static_cast<int>(st.range(0)));
  f.be->blur_levels(f.x);
  for (auto _ : st) f.be->grid_search(f.Zg, f.lossg);
  finish(st, f, f.cost->grid_search());
}

void BM_GoldenSection(benchmark::State& st) {
  Fixture& f = fixture(static_cast<int>(st.range(0)));
  f.be->blur_levels(f.x);
  for (auto _ : st) {
    st.PauseTiming();
    f.be->copy(f.Zg, f.Z);
    f.be->copy(f.lossg, f.loss);
    st.ResumeTiming();
    f.be->golden_section(f.Z, f.loss);
  }
  finish(st, f, f.cost->golden_section());
}

void BM_ApplyA(benchmark::State& st) {
  Fixture& f = fixture(static_cast<int>(st.range(0)));
  f.be->set_depth(f.Zg);
  for (auto _ : st) f.be->apply_A(f.x, f.y);
  finish(st, f, f.cost->apply_A());
}

void BM_ApplyAt(benchmark::State& st) {
  Fixture& f = fixture(static_cast<int>(st.range(0)));
  f.be->set_depth(f.Zg);
  for (auto _ : st) f.be->apply_At(f.be->stack(), f.xt);
  finish(st, f, f.cost->apply_At());
}

void BM_LevelPlan(benchmark::State& st) {
  // Planning the levels of the 640x480 nyuv2 problem (K = 23, thresh 2) with verification.
  const Fixture& f = fixture(1);
  for (auto _ : st)
    benchmark::DoNotOptimize(LevelPlan::make(f.prob.levels.sigma_lo(), f.prob.levels.sigma_hi(), f.prob.K, 1e-3));
}

BENCHMARK(BM_Axpby)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_Dot)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_Clip)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_InitAif)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_BlurLevels)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_GridSearch)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_GoldenSection)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ApplyA)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ApplyAt)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_LevelPlan)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace dfd

BENCHMARK_MAIN();
