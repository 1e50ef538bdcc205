// Shard assignment (stable hash of the item id), shard selection from cluster variables, devices.
#include <cerrno>
#include <climits>
#include <cstdlib>

#include "dfd/batch.h"
#include "dfd/error.h"

namespace dfd {

namespace {

// A whole non-negative decimal number, or nullopt.
std::optional<long> parse_count(const std::string& s) {
  if (s.empty() || s.size() > 12) return std::nullopt;
  for (char c : s)
    if (c < '0' || c > '9') return std::nullopt;
  return std::strtol(s.c_str(), nullptr, 10);
}

long env_number(const EnvLookup& env, const std::string& name, bool required, long fallback) {
  const std::optional<std::string> v = env(name);
  if (!v) {
    if (required) throw_usage(name + " is not set");
    return fallback;
  }
  const std::optional<long> n = parse_count(*v);
  if (!n) throw_usage(name + "=\"" + *v + "\" is not a non-negative whole number");
  return *n;
}

}  // namespace

uint64_t item_hash(const std::string& id) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a 64-bit offset basis
  for (unsigned char c : id) {
    h ^= c;
    h *= 0x100000001b3ull;  // FNV prime
  }
  // MurmurHash3's fmix64 finaliser: FNV-1a's low bits depend only on the bytes' low bits (ids
  // "img-a", "img-c", "img-e", ... would all land in shard 0 of 2), and `mod N` reads low bits.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

int shard_of(const std::string& id, int count) {
  if (count < 1) throw_usage("the shard count must be at least 1, got " + std::to_string(count));
  return static_cast<int>(item_hash(id) % static_cast<uint64_t>(count));
}

std::vector<const BatchItem*> shard_items(const std::vector<BatchItem>& items, const Shard& shard) {
  std::vector<const BatchItem*> mine;
  for (const auto& it : items)
    if (shard_of(it.id, shard.count) == shard.index) mine.push_back(&it);
  return mine;
}

std::optional<std::string> process_env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

Shard resolve_shard(std::optional<int> index, std::optional<int> count, const EnvLookup& env) {
  Shard s;
  if (index || count) s.source = "flags";
  if (count) {
    if (*count < 1) throw_usage("--shard-count must be at least 1, got " + std::to_string(*count));
    s.count = *count;
  }
  if (index) {
    if (!count) throw_usage("--shard-index needs --shard-count (the number of shards)");
    s.index = *index;
  } else if (env("JOB_COMPLETION_INDEX")) {
    // Kubernetes Indexed Job: the pod's index; the Job's completions are not exported.
    if (!count)
      throw_usage(
          "JOB_COMPLETION_INDEX is set (Kubernetes Indexed Job) but the shard count is not: pass "
          "--shard-count equal to the Job's completions");
    s.index = static_cast<int>(env_number(env, "JOB_COMPLETION_INDEX", true, 0));
    s.source = "kubernetes";
  } else if (env("SLURM_ARRAY_TASK_ID")) {
    // Slurm job array: --array=MIN-MAX[:STEP] gives tasks MIN, MIN+STEP, ...; shard = position.
    const long id = env_number(env, "SLURM_ARRAY_TASK_ID", true, 0);
    const long min = env_number(env, "SLURM_ARRAY_TASK_MIN", false, 0);
    const long step = env_number(env, "SLURM_ARRAY_TASK_STEP", false, 1);
    if (step < 1) throw_usage("SLURM_ARRAY_TASK_STEP must be at least 1");
    if (id < min || (id - min) % step != 0)
      throw_usage("SLURM_ARRAY_TASK_ID=" + std::to_string(id) + " is not on the array's grid (min " +
                  std::to_string(min) + ", step " + std::to_string(step) +
                  "); use --array=MIN-MAX[:STEP] or pass --shard-index/--shard-count");
    if (id - min > INT_MAX) throw_usage("SLURM_ARRAY_TASK_ID=" + std::to_string(id) + " is too large");
    s.index = static_cast<int>((id - min) / step);
    if (!count) {
      const long n = env_number(env, "SLURM_ARRAY_TASK_COUNT", true, 1);
      if (n < 1 || n > INT_MAX) throw_usage("SLURM_ARRAY_TASK_COUNT=" + std::to_string(n) + " is out of range");
      s.count = static_cast<int>(n);
    }
    s.source = "slurm";
  } else if (count && !index && s.count > 1) {
    throw_usage("--shard-count " + std::to_string(s.count) +
                " without --shard-index (and no JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID to take it from)");
  }
  if (s.index < 0 || s.index >= s.count)
    throw_usage("shard index " + std::to_string(s.index) + " (from " + s.source + ") is outside 0.." +
                std::to_string(s.count - 1) + " for " + std::to_string(s.count) + " shards");
  return s;
}

std::string DeviceSpec::name() const {
  switch (kind) {
    case Cpu: return "cpu";
    case Cuda: return "cuda:" + std::to_string(index);
    default: return "auto";
  }
}

std::vector<DeviceSpec> parse_devices(const std::string& list) {
  std::vector<DeviceSpec> out;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = list.find(',', start);
    std::string tok = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!tok.empty() && tok.front() == ' ') tok.erase(0, 1);
    while (!tok.empty() && tok.back() == ' ') tok.pop_back();
    DeviceSpec d;
    if (tok == "cpu") {
      d.kind = DeviceSpec::Cpu;
    } else if (tok == "auto") {
      d.kind = DeviceSpec::Auto;
    } else {
      std::string digits = tok.rfind("cuda:", 0) == 0 ? tok.substr(5) : tok;
      const std::optional<long> n = parse_count(digits);
      if (!n || *n > 1024)
        throw_usage("--devices \"" + list + "\": \"" + tok +
                    "\" is not a device (CUDA device numbers like 0,1 or cuda:0, \"cpu\", or \"auto\")");
      d.kind = DeviceSpec::Cuda;
      d.index = static_cast<int>(*n);
    }
    out.push_back(d);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  for (size_t i = 0; i < out.size(); ++i)
    for (size_t k = 0; k < i; ++k)
      if (out[i].kind == DeviceSpec::Cuda && out[k].kind == DeviceSpec::Cuda && out[i].index == out[k].index)
        throw_usage("--devices \"" + list + "\": CUDA device " + std::to_string(out[i].index) +
                    " is listed twice (one worker per GPU)");
  return out;
}

std::vector<DeviceSpec> batch_devices(const std::optional<std::string>& backend,
                                      const std::optional<std::string>& devices) {
  if (backend && *backend != "cpu" && *backend != "cuda" && *backend != "auto")
    throw_usage("--backend " + *backend + ": expected cpu, cuda or auto");
  if (!devices) {
    DeviceSpec d;  // auto
    if (backend && *backend == "cpu") d.kind = DeviceSpec::Cpu;
    if (backend && *backend == "cuda") d.kind = DeviceSpec::Cuda;  // device 0
    return {d};
  }
  std::vector<DeviceSpec> out = parse_devices(*devices);
  if (!backend || *backend == "auto") return out;
  const DeviceSpec::Kind kind = *backend == "cpu" ? DeviceSpec::Cpu : DeviceSpec::Cuda;
  for (DeviceSpec& d : out) {
    if (d.kind == DeviceSpec::Auto) {
      d.kind = kind;  // "auto" entries take the backend's kind (CUDA: device 0)
      d.index = 0;
    } else if (d.kind != kind) {
      throw_usage("--backend " + *backend + " contradicts --devices \"" + *devices + "\" (" + d.name() + " is " +
                  (d.kind == DeviceSpec::Cpu ? "the CPU" : "a CUDA device") + "): drop one of the two, or list " +
                  (kind == DeviceSpec::Cpu ? "cpu workers (--devices cpu,cpu)" : "CUDA devices (--devices 0,1)"));
    }
  }
  for (size_t i = 0; i < out.size(); ++i)
    for (size_t k = 0; k < i; ++k)
      if (out[i].kind == DeviceSpec::Cuda && out[k].kind == DeviceSpec::Cuda && out[i].index == out[k].index)
        throw_usage("--backend " + *backend + " with --devices \"" + *devices + "\": CUDA device " +
                    std::to_string(out[i].index) + " is listed twice (one worker per GPU)");
  return out;
}

}  // namespace dfd
