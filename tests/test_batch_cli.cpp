// `dfd batch` end to end with the built binary: shard processes, kill and resume, a corrupt item.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

#include "dfd/batch.h"
#include "test_batch_e2e.h"

namespace dfd {
namespace {

namespace fs = std::filesystem;
using namespace batch_testing;

std::vector<nlohmann::json> with_status(const std::vector<nlohmann::json>& lines, const std::string& status) {
  std::vector<nlohmann::json> out;
  for (const auto& l : lines)
    if (l.value("status", "") == status) out.push_back(l);
  return out;
}

std::string shard_log(const std::string& out, int i, int n) { return BatchLayout(out).status_log(Shard{i, n, ""}); }

TEST(BatchCli, FourShardProcessesFinishEveryItemExactlyOnce) {
  const std::string dir = fresh_dir();
  const auto scenes = make_scenes(dir, 8);
  const std::string manifest = write_batch_manifest(dir, scenes);
  const std::string out = path_in(dir, "out");
  const std::vector<std::string> common = {"batch", manifest, "--out", out, "--devices", "cpu", "--threads", "1"};
  auto args = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = common;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  // All four at once, on one shared output folder; the shard from flags, from a Kubernetes
  // Indexed Job's variable, and from a Slurm array (--array=1-4: task 4 is the last shard).
  std::vector<pid_t> pids = {
      spawn_dfd(args({"--shard-index", "0", "--shard-count", "4"}), {}, path_in(dir, "p0.log")),
      spawn_dfd(args({"--shard-index", "1", "--shard-count", "4"}), {}, path_in(dir, "p1.log")),
      spawn_dfd(args({"--shard-count", "4"}), {{"JOB_COMPLETION_INDEX", "2"}}, path_in(dir, "p2.log")),
      spawn_dfd(args({}),
                {{"SLURM_ARRAY_TASK_ID", "4"}, {"SLURM_ARRAY_TASK_MIN", "1"}, {"SLURM_ARRAY_TASK_COUNT", "4"}},
                path_in(dir, "p3.log"))};
  for (size_t i = 0; i < pids.size(); ++i)
    EXPECT_EQ(wait_exit(pids[i]), 0) << read_text(path_in(dir, "p" + std::to_string(i) + ".log"));

  std::multiset<std::string> ok;
  for (int i = 0; i < 4; ++i) {
    const auto lines = read_jsonl(shard_log(out, i, 4));
    EXPECT_EQ(with_status(lines, "failed").size(), 0u);
    for (const auto& l : with_status(lines, "ok")) {
      ok.insert(l["id"].get<std::string>());
      EXPECT_EQ(shard_of(l["id"], 4), i);
    }
  }
  const BatchLayout layout(out);
  for (const auto& s : scenes) {
    EXPECT_EQ(ok.count(s.id), 1u) << s.id;
    ASSERT_TRUE(item_finished(layout, s.id)) << s.id;
  }
  EXPECT_TRUE(list_dir(layout.staging_root()).empty());

  // Each folder holds its own item's result: the depth `dfd solve` computes for that stack
  // (same code, same flags, one thread: the same float operations, so equal to the bit).
  for (const auto& s : {scenes[0], scenes[7]}) {
    const Image ref = reference_depth(s.stack, path_in(dir, "ref-" + s.id));
    const Image got = read_depth(path_in(layout.item_dir(s.id), "depth.tiff"));
    ASSERT_EQ(got.data.size(), ref.data.size());
    EXPECT_EQ(got.data, ref.data) << s.id;
  }
}

TEST(BatchCli, AKilledBatchResumesWithoutRedoingFinishedItems) {
  const std::string dir = fresh_dir();
  const auto scenes = make_scenes(dir, 6, 20);
  const std::string manifest = write_batch_manifest(dir, scenes);
  const std::string out = path_in(dir, "out");
  const std::vector<std::string> args = {"batch", manifest, "--out", out, "--devices", "cpu", "--threads", "1"};
  const std::string log = shard_log(out, 0, 1);

  // Kill (SIGKILL: no chance to clean up) in the middle of the third item or later; items take
  // ~0.1 s each.
  const pid_t pid = spawn_dfd(args, {}, path_in(dir, "run1.log"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  size_t done_at_kill = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    // Counted on the raw text: the log may be caught mid-append, and a torn last line is fine here.
    const std::string text = fs::exists(log) ? read_text(log) : "";
    done_at_kill = 0;
    for (size_t at = text.find("\"status\":\"ok\""); at != std::string::npos;
         at = text.find("\"status\":\"ok\"", at + 1))
      ++done_at_kill;
    // Once two are done and the next one is being written (its staging folder exists).
    if (done_at_kill >= 2 && !list_dir(BatchLayout(out).staging_root()).empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, SIGKILL);
  ASSERT_EQ(wait_exit(pid), 128 + SIGKILL) << "the batch ended before it could be killed: " << done_at_kill;
  ASSERT_GE(done_at_kill, 2u);

  // After the kill: every item folder is complete (marker and files), none half-written.
  const BatchLayout layout(out);
  std::set<std::string> finished_after_kill;
  for (const auto& name : list_dir(layout.items_dir())) {
    std::string why;
    EXPECT_TRUE(item_finished(layout, name, &why)) << why;
    finished_after_kill.insert(name);
  }
  ASSERT_LT(finished_after_kill.size(), scenes.size());
  // Usually the kill lands inside an item: its staging folder is left behind (cleaned below).
  std::printf("killed after %zu finished items, %zu staging folder(s) left\n", finished_after_kill.size(),
              list_dir(layout.staging_root()).size());
  std::map<std::string, fs::file_time_type> stamps;
  for (const auto& id : finished_after_kill) stamps[id] = fs::last_write_time(layout.marker(id));

  // Restart: finishes, skips what was finished, and leaves no staging folder behind.
  EXPECT_EQ(run_dfd(args, {}, path_in(dir, "run2.log")), 0) << read_text(path_in(dir, "run2.log"));
  const auto lines = read_jsonl(log);
  std::multiset<std::string> ok;
  for (const auto& l : with_status(lines, "ok")) ok.insert(l["id"].get<std::string>());
  std::set<std::string> skipped;
  for (const auto& l : with_status(lines, "skipped")) skipped.insert(l["id"].get<std::string>());
  EXPECT_EQ(skipped, finished_after_kill);
  for (const auto& s : scenes) {
    EXPECT_TRUE(item_finished(layout, s.id)) << s.id;
    EXPECT_EQ(ok.count(s.id), 1u) << s.id << " solved " << ok.count(s.id) << " times";
  }
  for (const auto& [id, t] : stamps) EXPECT_EQ(fs::last_write_time(layout.marker(id)), t) << id << " redone";
  EXPECT_TRUE(list_dir(layout.staging_root()).empty());
  const auto summary = nlohmann::json::parse(read_text(layout.summary(Shard{0, 1, ""})));
  EXPECT_EQ(summary["finished_before"].get<size_t>(), finished_after_kill.size());
  EXPECT_EQ(summary["succeeded"].get<size_t>(), scenes.size() - finished_after_kill.size());
}

TEST(BatchCli, ACorruptItemFailsAloneWithAClearStatusLine) {
  const std::string dir = fresh_dir();
  const auto scenes = make_scenes(dir, 3, 40);
  // A frame that is not an image, and a stack whose file is missing.
  write_text(path_in(dir, "broken/a.png"), "this is not a PNG");
  fs::copy_file(path_in(fs::path(scenes[0].stack).parent_path().string(), "frame_1.tiff"),
                path_in(dir, "broken/b.tiff"));
  const std::string extra =
      "{\"id\": \"corrupt\", \"frames\": [\"broken/a.png\", \"broken/b.tiff\"], \"focus_distances\": [1, 2]}\n"
      "{\"id\": \"missing\", \"stack\": \"nowhere/STACK.json\"}\n";
  const std::string manifest = write_batch_manifest(dir, scenes, extra);
  const std::string out = path_in(dir, "out");
  const int rc =
      run_dfd({"batch", manifest, "--out", out, "--devices", "cpu,cpu", "--threads", "1"}, {}, path_in(dir, "run.log"));
  EXPECT_EQ(rc, 3) << read_text(path_in(dir, "run.log"));  // bad input only: a retry would not help

  const BatchLayout layout(out);
  for (const auto& s : scenes) EXPECT_TRUE(item_finished(layout, s.id)) << s.id;
  EXPECT_FALSE(fs::exists(layout.item_dir("corrupt")));
  EXPECT_FALSE(fs::exists(layout.item_dir("missing")));
  const auto failed = with_status(read_jsonl(shard_log(out, 0, 1)), "failed");
  ASSERT_EQ(failed.size(), 2u);
  std::map<std::string, std::string> errors;
  for (const auto& f : failed) {
    errors[f["id"]] = f["error"];
    EXPECT_EQ(f["exit_code"], 3);
  }
  EXPECT_NE(errors["corrupt"].find("broken/a.png"), std::string::npos) << errors["corrupt"];
  EXPECT_NE(errors["corrupt"].find("not a readable image"), std::string::npos) << errors["corrupt"];
  EXPECT_NE(errors["missing"].find("nowhere/STACK.json"), std::string::npos) << errors["missing"];
  EXPECT_NE(read_text(path_in(dir, "run.log")).find("corrupt FAILED"), std::string::npos);
}

TEST(BatchCli, ManifestAndShardErrorsStopBeforeAnyWork) {
  const std::string dir = fresh_dir();
  write_text(path_in(dir, "dup.jsonl"),
             "{\"id\": \"a\", \"stack\": \"x.json\"}\n{\"id\": \"a\", \"stack\": \"y.json\"}\n");
  const std::string out = path_in(dir, "out");
  EXPECT_EQ(run_dfd({"batch", path_in(dir, "dup.jsonl"), "--out", out}, {}, path_in(dir, "dup.log")), 3);
  EXPECT_NE(read_text(path_in(dir, "dup.log")).find("already used on line 1"), std::string::npos);
  EXPECT_FALSE(fs::exists(out));

  write_text(path_in(dir, "ok.jsonl"), "{\"id\": \"a\", \"stack\": \"x.json\"}\n");
  EXPECT_EQ(run_dfd({"batch", path_in(dir, "ok.jsonl"), "--out", out}, {{"JOB_COMPLETION_INDEX", "1"}},
                    path_in(dir, "k8s.log")),
            2);
  EXPECT_NE(read_text(path_in(dir, "k8s.log")).find("--shard-count"), std::string::npos);
  EXPECT_EQ(run_dfd({"batch", path_in(dir, "ok.jsonl"), "--out", out, "--devices", "gpu"}, {}, path_in(dir, "dev.log")),
            2);
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace dfd
