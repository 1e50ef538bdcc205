// Batch manifests: the three input kinds, path resolution, overrides, and every up-front error.
#include <gtest/gtest.h>

#include "dfd/batch.h"
#include "dfd/error.h"
#include "test_batch_util.h"

namespace dfd {
namespace {

// The message of the Error(Input) that parsing `text` throws ("" if none).
std::string parse_error(const std::string& text) {
  try {
    parse_batch_manifest(text, "m.jsonl", "/data");
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Input) << e.what();
    return e.what();
  }
  return "";
}

TEST(BatchManifest, ParsesTheThreeInputKindsAndResolvesPaths) {
  const std::string text =
      "{\"id\": \"s1\", \"stack\": \"scenes/1/STACK.json\"}\n"
      "\n"
      "{\"id\": \"s2\", \"frames\": [\"f/a.png\", \"/abs/b.png\"], \"focus_distances\": [1, 2.5],"
      " \"preset\": \"make3d\"}\r\n"
      "   \n"
      "{\"id\": \"s3\", \"folder\": \"../other/3\", \"overrides\": {\"epochs\": 2, \"depth-range\": [0.5, 8],"
      " \"--aif-solver\": \"fista\", \"quiet\": true}}\n";
  const std::vector<BatchItem> items = parse_batch_manifest(text, "m.jsonl", "/data/run");
  ASSERT_EQ(items.size(), 3u);

  EXPECT_EQ(items[0].id, "s1");
  EXPECT_EQ(items[0].line, 1);
  EXPECT_EQ(items[0].stack, "/data/run/scenes/1/STACK.json");
  EXPECT_TRUE(items[0].frames.empty());
  EXPECT_FALSE(items[0].focus_distances);

  EXPECT_EQ(items[1].line, 3);
  EXPECT_EQ(items[1].frames, (std::vector<std::string>{"/data/run/f/a.png", "/abs/b.png"}));
  EXPECT_EQ(*items[1].focus_distances, (std::vector<double>{1.0, 2.5}));
  EXPECT_EQ(*items[1].preset, "make3d");

  EXPECT_EQ(items[2].line, 5);
  EXPECT_EQ(items[2].folder, "/data/other/3");
  ASSERT_EQ(items[2].overrides.size(), 4u);
  // nlohmann keeps object keys sorted; leading dashes are dropped.
  EXPECT_EQ(items[2].overrides[0].first, "aif-solver");
  EXPECT_EQ(items[2].overrides[0].second, (std::vector<std::string>{"fista"}));
  EXPECT_EQ(items[2].overrides[1].first, "depth-range");
  EXPECT_EQ(items[2].overrides[1].second, (std::vector<std::string>{"0.5", "8"}));
  EXPECT_EQ(items[2].overrides[2].first, "epochs");
  EXPECT_EQ(items[2].overrides[2].second, (std::vector<std::string>{"2"}));
  EXPECT_EQ(items[2].overrides[3].second, (std::vector<std::string>{"true"}));
  EXPECT_EQ(items[2].describe_inputs(), "folder /data/other/3");
}

TEST(BatchManifest, ReadsAFileRelativeToItsFolder) {
  const std::string dir = batch_testing::fresh_dir();
  const std::string path = batch_testing::path_in(dir, "m.jsonl");
  batch_testing::write_text(path, "{\"id\": \"a\", \"stack\": \"x/STACK.json\"}\n");
  const auto items = read_batch_manifest(path);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].stack, batch_testing::path_in(dir, "x/STACK.json"));
  EXPECT_THROW(read_batch_manifest(batch_testing::path_in(dir, "missing.jsonl")), Error);
}

TEST(BatchManifest, DuplicateIdsAreAnErrorNamingBothLines) {
  const std::string msg = parse_error(
      "{\"id\": \"a\", \"stack\": \"1.json\"}\n{\"id\": \"b\", \"stack\": \"2.json\"}\n"
      "{\"id\": \"a\", \"stack\": \"3.json\"}\n");
  EXPECT_NE(msg.find("m.jsonl:3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("line 1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("\"a\""), std::string::npos) << msg;
}

TEST(BatchManifest, MalformedLinesAreErrorsNamingTheLine) {
  EXPECT_NE(parse_error("{\"id\": \"a\", \"stack\": \"1.json\"}\n{\"id\": \"b\", \"stack\": }\n")
                .find("m.jsonl:2: not valid JSON"),
            std::string::npos);
  EXPECT_NE(parse_error("[1, 2]\n").find("must be a JSON object"), std::string::npos);
  EXPECT_NE(parse_error("{\"stack\": \"1.json\"}\n").find("missing \"id\""), std::string::npos);
  EXPECT_NE(parse_error("{\"id\": 7, \"stack\": \"1.json\"}\n").find("\"id\" must be a string"), std::string::npos);
  EXPECT_NE(parse_error("{\"id\": \"a\", \"stack\": \"1.json\", \"epochs\": 3}\n").find("unknown key \"epochs\""),
            std::string::npos);
  EXPECT_NE(parse_error("{\"id\": \"a\"}\n").find("exactly one of"), std::string::npos);
  EXPECT_NE(parse_error("{\"id\": \"a\", \"stack\": \"1.json\", \"folder\": \"f\"}\n").find("exactly one of"),
            std::string::npos);
  EXPECT_NE(parse_error("{\"id\": \"a\", \"frames\": [\"x.png\"]}\n").find("at least 2"), std::string::npos);
  EXPECT_NE(parse_error("{\"id\": \"a\", \"frames\": [\"x.png\", 3]}\n").find("\"frames\" must be a non-empty string"),
            std::string::npos);
  EXPECT_NE(parse_error("{\"id\": \"a\", \"frames\": [\"x.png\", \"y.png\"], \"focus_distances\": [1]}\n")
                .find("1 focus distances for 2 frames"),
            std::string::npos);
  EXPECT_NE(parse_error("{\"id\": \"a\", \"stack\": \"s.json\", \"focus_distances\": [1, \"2\"]}\n").find("numbers"),
            std::string::npos);
  EXPECT_NE(parse_error("{\"id\": \"a\", \"stack\": \"s.json\", \"overrides\": [\"--epochs\", \"2\"]}\n")
                .find("\"overrides\" must be an object"),
            std::string::npos);
  EXPECT_NE(parse_error("{\"id\": \"a\", \"stack\": \"s.json\", \"overrides\": {\"epochs\": {\"x\": 1}}}\n")
                .find("override \"epochs\""),
            std::string::npos);
  EXPECT_NE(parse_error("\n  \n").find("no items"), std::string::npos);
}

TEST(BatchManifest, IdsMustBeSafeFolderNames) {
  for (const char* bad : {"", ".hidden", "a/b", "a b", "..", "x\\y", "caf\xc3\xa9"}) {
    EXPECT_THROW(check_item_id(bad, "here"), Error) << bad;
  }
  EXPECT_THROW(check_item_id(std::string(129, 'a'), "here"), Error);
  for (const std::string& good : {std::string("a"), std::string("scene-0001"), std::string("NYU_v2.0045"),
                                  std::string("a..b"), std::string(128, 'z')}) {
    EXPECT_NO_THROW(check_item_id(good, "here")) << good;
  }
  EXPECT_NE(parse_error("{\"id\": \"../escape\", \"stack\": \"s.json\"}\n").find("m.jsonl:1: id \"../escape\""),
            std::string::npos);
}

}  // namespace
}  // namespace dfd
