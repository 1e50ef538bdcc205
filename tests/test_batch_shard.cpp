// Shard assignment covers every item exactly once for several N; shard and device selection.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "dfd/batch.h"
#include "dfd/error.h"

namespace dfd {
namespace {

std::vector<BatchItem> items_named(int n) {
  std::vector<BatchItem> items(n);
  for (int i = 0; i < n; ++i) {
    char id[32];
    std::snprintf(id, sizeof(id), "scene-%05d", i);
    items[i].id = id;
    items[i].line = i + 1;
  }
  return items;
}

TEST(BatchShard, HashIsFnv1a64ThenFmix64) {
  // fmix64 applied to the published FNV-1a 64-bit test vectors (cbf29ce484222325 for "",
  // af63dc4c8601ec8c for "a", 85944171f73967e8 for "foobar"), computed independently: the
  // assignment must not depend on the platform or the compiler.
  EXPECT_EQ(item_hash(""), 0xefd01f60ba992926ull);
  EXPECT_EQ(item_hash("a"), 0x82a2a958a9bece5bull);
  EXPECT_EQ(item_hash("foobar"), 0x2c22194922d1672bull);
}

TEST(BatchShard, IdsDifferingOnlyInHighBitsStillSpread) {
  // "img-a", "img-c", ..., "img-y": the varying byte always has the same low bit, which raw
  // FNV-1a carries straight into the hash's low bit (all 13 would be in shard 0 of 2).
  std::vector<BatchItem> items;
  for (char c = 'a'; c <= 'z'; c += 2) {
    items.emplace_back();
    items.back().id = std::string("img-") + c;
  }
  for (int n : {2, 4}) {
    int used = 0;
    for (int i = 0; i < n; ++i) used += !shard_items(items, Shard{i, n, "flags"}).empty();
    EXPECT_EQ(used, n) << n << " shards";
  }
}

TEST(BatchShard, EveryItemLandsInExactlyOneShard) {
  const std::vector<BatchItem> items = items_named(1000);
  for (int n : {1, 2, 3, 4, 7, 8, 16, 64}) {
    std::map<std::string, int> seen;
    size_t largest = 0, smallest = items.size();
    for (int i = 0; i < n; ++i) {
      const auto mine = shard_items(items, Shard{i, n, "flags"});
      largest = std::max(largest, mine.size());
      smallest = std::min(smallest, mine.size());
      for (const BatchItem* it : mine) {
        EXPECT_EQ(shard_of(it->id, n), i);
        seen[it->id]++;
      }
    }
    ASSERT_EQ(seen.size(), items.size()) << n << " shards";
    for (const auto& [id, count] : seen) EXPECT_EQ(count, 1) << id << " in " << n << " shards";
    // Balance: a shard's size is ~ Binomial(1000, 1/n); 6 standard deviations around the mean
    // would be crossed by chance with probability ~1e-9, while a broken hash (e.g. one that
    // ignores the digits) lands everything in a few shards.
    const double mean = 1000.0 / n, sd = std::sqrt(1000.0 * (1.0 / n) * (1.0 - 1.0 / n));
    EXPECT_LE(largest, mean + 6 * sd + 1) << n << " shards";
    EXPECT_GE(smallest, mean - 6 * sd - 1) << n << " shards";
  }
}

TEST(BatchShard, AssignmentDependsOnTheIdAloneNotTheOrder) {
  std::vector<BatchItem> items = items_named(200);
  std::map<std::string, int> before;
  for (const auto& it : items) before[it.id] = shard_of(it.id, 5);
  std::mt19937 rng(3);
  std::shuffle(items.begin(), items.end(), rng);
  items.resize(150);  // and dropping or appending lines moves nothing either
  for (int i = 0; i < 5; ++i)
    for (const BatchItem* it : shard_items(items, Shard{i, 5, "flags"})) EXPECT_EQ(before[it->id], i);
}

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

void expect_usage_error(const std::function<void()>& f, const std::string& fragment) {
  try {
    f();
    ADD_FAILURE() << "no error; expected one mentioning " << fragment;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(BatchShard, ResolvesFromFlagsKubernetesAndSlurm) {
  const EnvLookup none = env_of({});
  Shard s = resolve_shard(std::nullopt, std::nullopt, none);
  EXPECT_EQ(s.index, 0);
  EXPECT_EQ(s.count, 1);
  EXPECT_EQ(s.source, "default");

  s = resolve_shard(2, 4, none);
  EXPECT_EQ(s.index, 2);
  EXPECT_EQ(s.count, 4);
  EXPECT_EQ(s.source, "flags");

  // Kubernetes Indexed Job: the index from the pod, the count from the flag; flags win.
  s = resolve_shard(std::nullopt, 8, env_of({{"JOB_COMPLETION_INDEX", "5"}}));
  EXPECT_EQ(s.index, 5);
  EXPECT_EQ(s.count, 8);
  EXPECT_EQ(s.source, "kubernetes");
  s = resolve_shard(1, 8, env_of({{"JOB_COMPLETION_INDEX", "5"}}));
  EXPECT_EQ(s.index, 1);

  // Slurm: --array=0-9 -> 10 tasks; --array=1-8 -> MIN 1; --array=0-14:2 -> STEP 2.
  s = resolve_shard(std::nullopt, std::nullopt,
                    env_of({{"SLURM_ARRAY_TASK_ID", "3"}, {"SLURM_ARRAY_TASK_COUNT", "10"}}));
  EXPECT_EQ(s.index, 3);
  EXPECT_EQ(s.count, 10);
  EXPECT_EQ(s.source, "slurm");
  s = resolve_shard(
      std::nullopt, std::nullopt,
      env_of({{"SLURM_ARRAY_TASK_ID", "8"}, {"SLURM_ARRAY_TASK_MIN", "1"}, {"SLURM_ARRAY_TASK_COUNT", "8"}}));
  EXPECT_EQ(s.index, 7);
  EXPECT_EQ(s.count, 8);
  s = resolve_shard(std::nullopt, std::nullopt,
                    env_of({{"SLURM_ARRAY_TASK_ID", "14"},
                            {"SLURM_ARRAY_TASK_MIN", "0"},
                            {"SLURM_ARRAY_TASK_STEP", "2"},
                            {"SLURM_ARRAY_TASK_COUNT", "8"}}));
  EXPECT_EQ(s.index, 7);
  // An explicit count wins over Slurm's.
  s = resolve_shard(std::nullopt, 20, env_of({{"SLURM_ARRAY_TASK_ID", "3"}, {"SLURM_ARRAY_TASK_COUNT", "10"}}));
  EXPECT_EQ(s.count, 20);
}

TEST(BatchShard, RejectsInconsistentShards) {
  const EnvLookup none = env_of({});
  expect_usage_error([&] { resolve_shard(4, 4, none); }, "outside 0..3");
  expect_usage_error([&] { resolve_shard(-1, 4, none); }, "outside 0..3");
  expect_usage_error([&] { resolve_shard(0, 0, none); }, "at least 1");
  expect_usage_error([&] { resolve_shard(1, std::nullopt, none); }, "needs --shard-count");
  expect_usage_error([&] { resolve_shard(std::nullopt, 4, none); }, "without --shard-index");
  expect_usage_error(
      [&] {
        resolve_shard(std::nullopt, std::nullopt, env_of({{"JOB_COMPLETION_INDEX", "2"}}));
      },
      "--shard-count");
  expect_usage_error(
      [&] {
        resolve_shard(std::nullopt, 4, env_of({{"JOB_COMPLETION_INDEX", "x2"}}));
      },
      "JOB_COMPLETION_INDEX=\"x2\"");
  expect_usage_error([&] { resolve_shard(std::nullopt, 4, env_of({{"JOB_COMPLETION_INDEX", "4"}})); }, "outside 0..3");
  expect_usage_error(
      [&] {
        resolve_shard(std::nullopt, std::nullopt, env_of({{"SLURM_ARRAY_TASK_ID", "3"}}));
      },
      "SLURM_ARRAY_TASK_COUNT is not set");
  expect_usage_error(
      [&] {
        resolve_shard(
            std::nullopt, std::nullopt,
            env_of({{"SLURM_ARRAY_TASK_ID", "3"}, {"SLURM_ARRAY_TASK_STEP", "2"}, {"SLURM_ARRAY_TASK_COUNT", "8"}}));
      },
      "not on the array's grid");
}

TEST(BatchShard, ParsesDeviceLists) {
  auto d = parse_devices("0,1, 3");
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].kind, DeviceSpec::Cuda);
  EXPECT_EQ(d[2].index, 3);
  EXPECT_EQ(d[2].name(), "cuda:3");
  d = parse_devices("cpu,cpu");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[1].kind, DeviceSpec::Cpu);
  d = parse_devices("cuda:2");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].index, 2);
  EXPECT_EQ(parse_devices("auto")[0].kind, DeviceSpec::Auto);
  expect_usage_error([] { parse_devices("gpu0"); }, "\"gpu0\" is not a device");
  expect_usage_error([] { parse_devices(""); }, "is not a device");
  expect_usage_error([] { parse_devices("0,,1"); }, "is not a device");
  expect_usage_error([] { parse_devices("1,cuda:1"); }, "listed twice");
}

// `dfd batch --backend` as `dfd solve --backend`, and with --devices: entries of the backend's
// kind (auto entries take it), contradictions refused naming both flags.
TEST(BatchShard, BackendAloneAndCombinedWithDevices) {
  using S = std::optional<std::string>;
  const S none;
  auto kinds = [](const std::vector<DeviceSpec>& d) {
    std::string k;
    for (const auto& x : d) k += (k.empty() ? "" : ",") + x.name();
    return k;
  };
  EXPECT_EQ(kinds(batch_devices(none, none)), "auto");  // the default: one auto worker
  EXPECT_EQ(kinds(batch_devices(S("cpu"), none)), "cpu");
  EXPECT_EQ(kinds(batch_devices(S("cuda"), none)), "cuda:0");
  EXPECT_EQ(kinds(batch_devices(S("auto"), none)), "auto");
  EXPECT_EQ(kinds(batch_devices(none, S("0,1"))), "cuda:0,cuda:1");
  EXPECT_EQ(kinds(batch_devices(S("cpu"), S("cpu,cpu"))), "cpu,cpu");
  EXPECT_EQ(kinds(batch_devices(S("cpu"), S("auto,cpu"))), "cpu,cpu");
  EXPECT_EQ(kinds(batch_devices(S("cuda"), S("0,cuda:2"))), "cuda:0,cuda:2");
  EXPECT_EQ(kinds(batch_devices(S("cuda"), S("auto,1"))), "cuda:0,cuda:1");
  EXPECT_EQ(kinds(batch_devices(S("auto"), S("cpu,1"))), "cpu,cuda:1");  // auto: as listed
  expect_usage_error([] { batch_devices(S("cpu"), S("0,1")); }, "--backend cpu contradicts --devices \"0,1\"");
  expect_usage_error([] { batch_devices(S("cuda"), S("cpu")); }, "--backend cuda contradicts --devices \"cpu\"");
  expect_usage_error([] { batch_devices(S("cuda"), S("auto,0")); }, "listed twice");
  expect_usage_error([] { batch_devices(S("gpu"), std::nullopt); }, "--backend gpu");
}

}  // namespace
}  // namespace dfd
