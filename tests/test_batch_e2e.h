// Helpers of the end-to-end batch tests: small synthetic stacks, manifests, dfd processes.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "dfd/backend.h"
#include "dfd/backends.h"
#include "dfd/io.h"
#include "dfd/job.h"
#include "dfd/synthetic.h"
#include "test_batch_util.h"

extern char** environ;

namespace dfd::batch_testing {

// Solver flags of every end-to-end item: small and fast (about 0.1 s per 32x24 item on one
// core). Measured on the demo scene at 32x24: 4 epochs reach AbsRel ~0.14, 2 epochs ~0.46.
inline const char* kItemOverrides = "{\"epochs\": 4}";

struct SceneFiles {
  std::string id, stack;  // item id, STACK.json path
  Image depth;            // ground truth
};

// Renders `n` synthetic 32x24 scenes (seed = first_seed + i) under dir/stacks/<id>/ as float TIFF
// frames + STACK.json (nyuv2 camera, focus 1..6 m, depth 0.5..8 m).
inline std::vector<SceneFiles> make_scenes(const std::string& dir, int n, int first_seed = 1) {
  std::vector<SceneFiles> out;
  for (int i = 0; i < n; ++i) {
    SceneSpec spec;
    spec.width = 32;
    spec.height = 24;
    spec.seed = static_cast<uint64_t>(first_seed + i);
    const SyntheticScene sc = make_synthetic_scene(spec);
    char id[32];
    std::snprintf(id, sizeof id, "scene-%03d", first_seed + i);
    const std::string sdir = path_in(path_in(dir, "stacks"), id);
    std::filesystem::create_directories(sdir);
    StackManifest m;
    for (int f = 0; f < sc.stack.count(); ++f) {
      const std::string name = "frame_" + std::to_string(f) + ".tiff";
      write_float_tiff(path_in(sdir, name), sc.stack.frames[f]);
      m.frames.push_back(name);
    }
    m.focus_distances = sc.stack.focus_distances;
    m.preset = "nyuv2";
    m.range = 255.0;
    write_manifest(path_in(sdir, "STACK.json"), m);
    out.push_back({id, path_in(sdir, "STACK.json"), sc.depth});
  }
  return out;
}

// One manifest line per scene (stack paths relative to the manifest), plus `extra` lines.
inline std::string write_batch_manifest(const std::string& dir, const std::vector<SceneFiles>& scenes,
                                        const std::string& extra = "") {
  std::string text;
  for (const auto& s : scenes) {
    const std::string rel = std::filesystem::relative(s.stack, dir).string();
    text += "{\"id\": \"" + s.id + "\", \"stack\": \"" + rel + "\", \"overrides\": " + kItemOverrides + "}\n";
  }
  text += extra;
  const std::string path = path_in(dir, "manifest.jsonl");
  write_text(path, text);
  return path;
}

// Starts the dfd binary with `args` and extra environment variables; stdout/stderr go to
// `log_path`. Returns the pid.
inline pid_t spawn_dfd(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                       const std::string& log_path) {
  std::vector<std::string> argv_s = {DFD_CLI};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e) {
    const std::string kv = *e;
    const std::string key = kv.substr(0, kv.find('='));
    // A test must not inherit a cluster's shard variables.
    if (env.count(key) || key == "JOB_COMPLETION_INDEX" || key.rfind("SLURM_ARRAY_", 0) == 0) continue;
    env_s.push_back(kv);
  }
  for (const auto& [k, v] : env) env_s.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, DFD_CLI, &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  EXPECT_EQ(rc, 0) << "cannot start " << DFD_CLI;
  return pid;
}

// Waits for a process; its exit code, or 128 + signal.
inline int wait_exit(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

inline int run_dfd(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                   const std::string& log_path) {
  return wait_exit(spawn_dfd(args, env, log_path));
}

// The depth map `dfd solve` computes for a stack with the items' flags, in this process, through
// the same library calls (one CPU thread, as the batch workers of the tests use).
inline Image reference_depth(const std::string& stack, const std::string& dir) {
  SolveRequest req;
  req.inputs = {stack};
  req.apply_flags = [](Options& o) { o.epochs = 4; };  // = kItemOverrides
  const SolveJob job = prepare_solve_job(req);
  std::unique_ptr<Backend> cpu = make_cpu_backend(1);
  std::filesystem::create_directories(dir);
  run_solve_job(job, *cpu, dir, "reference");
  return read_depth(path_in(dir, "depth.tiff"));
}

// Mean |Z - Zgt| / Zgt (SPEC 7).
inline double absrel(const Image& z, const Image& gt) {
  double s = 0;
  for (size_t i = 0; i < gt.data.size(); ++i) s += std::fabs(z.data[i] - gt.data[i]) / gt.data[i];
  return s / static_cast<double>(gt.data.size());
}

}  // namespace dfd::batch_testing
