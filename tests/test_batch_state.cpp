// Batch output folder: completion markers, cleanup of interrupted attempts, atomic commit, status log.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "dfd/batch.h"
#include "dfd/error.h"
#include "test_batch_util.h"

namespace dfd {
namespace {

namespace fs = std::filesystem;
using batch_testing::list_dir;
using batch_testing::path_in;
using batch_testing::read_text;
using batch_testing::write_text;

// A staging folder with two output files, as a worker leaves it before the commit.
std::string staged(const BatchLayout& layout, const std::string& id, int worker, const std::string& content) {
  const std::string dir = layout.staging_dir(id, worker);
  fs::create_directories(dir);
  write_text(path_in(dir, "depth.tiff"), content);
  write_text(path_in(dir, "report.json"), "{}");
  return dir;
}

TEST(BatchState, LayoutNamesAreStableAndShardNamesSortable) {
  const BatchLayout layout("/out");
  EXPECT_EQ(layout.item_dir("a"), "/out/items/a");
  EXPECT_EQ(layout.marker("a"), "/out/items/a/done.json");
  EXPECT_EQ(layout.status_log(Shard{3, 12, "flags"}), "/out/logs/shard-0003-of-0012.jsonl");
  EXPECT_EQ(layout.summary(Shard{3, 12, "flags"}), "/out/logs/shard-0003-of-0012.summary.json");
  const std::string s = layout.staging_dir("a.b", 2);
  EXPECT_EQ(s.rfind("/out/staging/a.b@", 0), 0u) << s;
  EXPECT_EQ(s.substr(s.size() - 3), ".w2") << s;
}

TEST(BatchState, CommitMakesTheItemFinishedAtOnce) {
  const BatchLayout layout(batch_testing::fresh_dir());
  std::string why;
  EXPECT_FALSE(item_finished(layout, "a", &why));
  EXPECT_NE(why.find("done.json"), std::string::npos) << why;

  const std::string dir = staged(layout, "a", 0, "depth");
  fs::create_directories(layout.items_dir());
  ASSERT_TRUE(commit_item(layout, "a", dir, {"depth.tiff", "report.json"}, "{\"seconds\": 1.5}"));
  EXPECT_FALSE(fs::exists(dir));
  EXPECT_TRUE(item_finished(layout, "a"));
  EXPECT_EQ(list_dir(layout.item_dir("a")), (std::vector<std::string>{"depth.tiff", "done.json", "report.json"}));
  const auto marker = nlohmann::json::parse(read_text(layout.marker("a")));
  EXPECT_EQ(marker["id"], "a");
  EXPECT_EQ(marker["seconds"], 1.5);

  // A listed output that disappears makes the item unfinished again (to be redone).
  fs::remove(path_in(layout.item_dir("a"), "depth.tiff"));
  EXPECT_FALSE(item_finished(layout, "a", &why));
  EXPECT_NE(why.find("depth.tiff is missing"), std::string::npos) << why;
  // A marker of another id, or a corrupt one, does not count either.
  write_text(layout.marker("a"), "{\"id\": \"b\", \"files\": []}");
  EXPECT_FALSE(item_finished(layout, "a"));
  write_text(layout.marker("a"), "{\"id\": \"a\", \"fil");
  EXPECT_FALSE(item_finished(layout, "a"));
}

TEST(BatchState, CommitReplacesAnUnfinishedFolderButKeepsAFinishedOne) {
  const BatchLayout layout(batch_testing::fresh_dir());
  fs::create_directories(layout.item_dir("a"));
  write_text(path_in(layout.item_dir("a"), "junk.tmp"), "half");
  ASSERT_TRUE(commit_item(layout, "a", staged(layout, "a", 0, "first"), {"depth.tiff"}, ""));
  EXPECT_FALSE(fs::exists(path_in(layout.item_dir("a"), "junk.tmp")));
  EXPECT_EQ(read_text(path_in(layout.item_dir("a"), "depth.tiff")), "first");

  // A second attempt of a finished item (e.g. two processes on one shard) is discarded.
  const std::string second = staged(layout, "a", 1, "second");
  EXPECT_FALSE(commit_item(layout, "a", second, {"depth.tiff"}, ""));
  EXPECT_FALSE(fs::exists(second));
  EXPECT_EQ(read_text(path_in(layout.item_dir("a"), "depth.tiff")), "first");
}

TEST(BatchState, CleanPartialRemovesOnlyTheGivenIdsLeftovers) {
  const BatchLayout layout(batch_testing::fresh_dir());
  fs::create_directories(layout.items_dir());
  // Leftovers of killed attempts: staging folders of "a" (two attempts) and of "a.b", whose id
  // starts like "a"; an item folder of "c" without its marker; a finished "d".
  staged(layout, "a", 0, "x");
  fs::create_directories(path_in(layout.staging_root(), "a@otherhost.17.w3"));
  staged(layout, "a.b", 0, "x");
  fs::create_directories(layout.item_dir("c"));
  write_text(path_in(layout.item_dir("c"), "depth.tiff"), "partial");
  ASSERT_TRUE(commit_item(layout, "d", staged(layout, "d", 0, "x"), {"depth.tiff"}, ""));

  const auto removed = clean_partial(layout, {"a", "c", "d"});
  EXPECT_EQ(removed.size(), 3u);
  const auto left = list_dir(layout.staging_root());
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].rfind("a.b@", 0), 0u) << left[0];  // another item's attempt is untouched
  EXPECT_FALSE(fs::exists(layout.item_dir("c")));
  EXPECT_TRUE(item_finished(layout, "d"));
  EXPECT_TRUE(clean_partial(layout, {"a", "c", "d"}).empty());
}

TEST(BatchState, StatusLogLinesStayWholeUnderConcurrentWriters) {
  const std::string dir = batch_testing::fresh_dir();
  const std::string path = path_in(dir, "log.jsonl");
  {
    StatusLog log(path);
    std::vector<std::thread> threads;
    const std::string pad(300, 'x');  // long lines: a torn write would show up as invalid JSON
    for (int t = 0; t < 8; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < 25; ++i) log.append(nlohmann::json{{"thread", t}, {"i", i}, {"pad", pad}}.dump());
      });
    for (auto& th : threads) th.join();
  }
  {
    StatusLog again(path);  // a resumed run appends
    again.append("{\"resumed\": true}");
  }
  const auto lines = batch_testing::read_jsonl(path);
  ASSERT_EQ(lines.size(), 201u);
  std::vector<int> per_thread(8, 0);
  for (size_t k = 0; k + 1 < lines.size(); ++k) per_thread[lines[k]["thread"].get<int>()]++;
  for (int c : per_thread) EXPECT_EQ(c, 25);
  EXPECT_TRUE(lines.back()["resumed"].get<bool>());
  EXPECT_THROW(StatusLog(path_in(dir, "no/such/folder/log.jsonl")), Error);
}

}  // namespace
}  // namespace dfd
