// `dfd batch` speaks `dfd solve`'s flags: --backend like solve (with --devices), every solve option
// as a manifest override with solve's validation and messages, and zero-config folders.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "dfd/batch.h"
#include "test_batch_e2e.h"

namespace dfd {
namespace {

namespace fs = std::filesystem;
using namespace batch_testing;
using nlohmann::json;

// The long flags `dfd solve --help` lists (without dashes), --help itself left out.
std::set<std::string> solve_flags(const std::string& dir) {
  const std::string log = path_in(dir, "help.log");
  EXPECT_EQ(run_dfd({"solve", "--help"}, {}, log), 0);
  std::set<std::string> flags;
  std::istringstream in(read_text(log));
  std::string line;
  const std::regex opt(R"(^\s+(?:-\w,)?--([a-z0-9][a-z0-9-]*))");
  for (std::smatch m; std::getline(in, line);)
    if (std::regex_search(line, m, opt) && m[1] != "help") flags.insert(m[1]);
  return flags;
}

std::map<std::string, json> status_by_id(const std::string& out) {
  std::map<std::string, json> by_id;
  for (const auto& l : read_jsonl(BatchLayout(out).status_log(Shard{0, 1, ""})))
    if (l.contains("id")) by_id[l["id"]] = l;
  return by_id;
}

// Every option of `dfd solve --help` is a valid override (or refused with its reason, for the
// few a batch decides itself); the items solve, and their outputs show the overrides took.
TEST(BatchFlags, EveryDfdSolveOptionIsAManifestOverride) {
  const std::string dir = fresh_dir();
  const auto scenes = make_scenes(dir, 1);
  const std::string stack = fs::relative(scenes[0].stack, dir).string();
  const std::string sdir = fs::path(scenes[0].stack).parent_path().string();
  write_text(path_in(dir, "focus.csv"), "1\n1.5\n2.5\n4\n6\n");
  std::string frames;
  for (int f = 0; f < 5; ++f)
    frames += std::string(f ? ", " : "") + "\"" +
              fs::relative(path_in(sdir, "frame_" + std::to_string(f) + ".tiff"), dir).string() + "\"";

  // id -> (inputs, overrides); "epochs": 1 and small searches keep each item fast.
  const std::vector<std::pair<std::string, std::string>> items = {
      {"camera", "\"stack\": \"" + stack +
                     "\", \"overrides\": {\"epochs\": 1, \"focal-length\": 0.05, \"f-number\": 8, "
                     "\"pixel-size\": 5.6e-6, \"thresh\": 0.6, \"kernel-size\": 7, \"window-size\": 3, "
                     "\"depth-candidates\": 8, \"aif-solver\": \"fista\", \"order\": \"aif-first\", \"range\": 255, "
                     "\"quiet\": true}"},
      {"search", "\"stack\": \"" + stack +
                     "\", \"overrides\": {\"epochs\": 1, \"aperture\": 0.006, \"depth-range\": "
                     "[0.5, 8], \"cg-iters\": [2, 3], \"scale\": 0.75, \"no-confidence\": true, \"exr\": true}"},
      {"cleanup", "\"stack\": \"" + stack +
                      "\", \"overrides\": {\"epochs\": 1, \"cleanup\": \"all\", "
                      "\"cleanup-tv-factor\": 3, \"cleanup-constant-std\": 0.01, \"cleanup-patch\": 1, "
                      "\"min-confidence\": 0.05, \"ply\": true, \"ply-min-confidence\": 0.1}"},
      {"prior", "\"stack\": \"" + stack +
                    "\", \"overrides\": {\"epochs\": 1, \"regularizer\": \"tv\", "
                    "\"noise-sigma\": 1, \"depth-smoothness\": 0.1, \"depth-huber\": 0.5, \"edge-scale\": 0.05, "
                    "\"edge-floor\": 0.1, \"prior-iterations\": 2, \"aif-smoothness\": 0.1, \"aif-huber\": 2, "
                    "\"prior-scaling\": \"noise\"}"},
      {"align", "\"stack\": \"" + stack +
                    "\", \"overrides\": {\"epochs\": 1, \"align\": \"translation\", "
                    "\"align-reference\": 1, \"align-crop\": true}"},
      {"uncal", "\"frames\": [" + frames +
                    "], \"overrides\": {\"epochs\": 1, \"range\": 255, \"uncalibrated\": true, "
                    "\"blur-scale\": 1, \"ply\": true, \"ply-z-scale\": 2, \"z-step\": 0.5, \"xy-step\": 0.25, "
                    "\"z-unit\": \"um\"}"},
      {"csv",
       "\"frames\": [" + frames + "], \"overrides\": {\"epochs\": 1, \"range\": 255, \"focus-csv\": \"focus.csv\"}"},
  };
  // What a batch sets itself: refused per item, each with its reason.
  const std::map<std::string, std::string> refused = {
      {"out", "outputs go"},         {"force", "outputs go"},
      {"preset", "\"preset\""},      {"focus-distances", "\"focus_distances\""},
      {"backend", "--backend"},      {"threads", "--threads"},
      {"max-memory", "--max-memory"}};

  std::set<std::string> covered;
  for (const auto& [id, body] : items) {
    const json j = json::parse("{" + body + "}");
    for (const auto& kv : j["overrides"].items()) covered.insert(kv.key());
  }
  for (const std::string& flag : solve_flags(dir))
    EXPECT_TRUE(covered.count(flag) || refused.count(flag))
        << "dfd solve --" << flag << " is neither tested as a batch override nor refused with a reason";

  std::string text;
  for (const auto& [id, body] : items) text += "{\"id\": \"" + id + "\", " + body + "}\n";
  for (const auto& [flag, why] : refused)
    text += "{\"id\": \"refused-" + flag + "\", \"stack\": \"" + stack + "\", \"overrides\": {\"" + flag + "\": \"" +
            (flag == "force"     ? "true"
             : flag == "backend" ? "cpu"
             : flag == "preset"  ? "nyuv2"
                                 : "1") +
            "\"}}\n";
  write_text(path_in(dir, "m.jsonl"), text);
  const std::string out = path_in(dir, "out");
  const int rc = run_dfd({"batch", path_in(dir, "m.jsonl"), "--out", out, "--backend", "cpu", "--threads", "1"}, {},
                         path_in(dir, "run.log"));
  EXPECT_EQ(rc, 3) << read_text(path_in(dir, "run.log"));  // the refused items fail on bad input
  const auto st = status_by_id(out);
  const BatchLayout layout(out);
  for (const auto& [id, body] : items) {
    ASSERT_TRUE(st.count(id)) << id;
    EXPECT_EQ(st.at(id)["status"], "ok") << id << ": " << st.at(id).dump();
  }
  for (const auto& [flag, why] : refused) {
    const json& l = st.at("refused-" + flag);
    EXPECT_EQ(l["status"], "failed") << flag;
    EXPECT_NE(l.value("error", "").find(why), std::string::npos) << flag << ": " << l.dump();
  }
  auto report = [&](const std::string& id) {
    return json::parse(read_text(path_in(layout.item_dir(id), "report.json")));
  };
  EXPECT_TRUE(fs::exists(path_in(layout.item_dir("search"), "depth.exr")));
  EXPECT_FALSE(fs::exists(path_in(layout.item_dir("search"), "confidence.tiff")));
  EXPECT_DOUBLE_EQ(report("search")["input"]["scale"].get<double>(), 0.75);
  EXPECT_TRUE(fs::exists(path_in(layout.item_dir("cleanup"), "points.ply")));
  EXPECT_TRUE(fs::exists(path_in(layout.item_dir("uncal"), "points.ply")));
  EXPECT_EQ(report("uncal")["model"]["blur_model"], "focus-index");
  EXPECT_EQ(report("csv")["input"]["focus_source"], "csv");  // the CSV, relative to the manifest
  EXPECT_EQ(report("camera")["options"]["aif"]["solver"], "fista");
  EXPECT_TRUE(report("align").contains("alignment"));
  EXPECT_EQ(report("prior")["regularizer"]["scaling"].get<std::string>().rfind("noise", 0), 0u);
}

// An override is checked as `dfd solve` checks the flag, and fails with solve's message (the
// batch names the item's line before it; option fields are named by their flags).
TEST(BatchFlags, BadOverridesFailWithTheMessagesOfDfdSolve) {
  const std::string dir = fresh_dir();
  const auto scenes = make_scenes(dir, 1);
  const std::string stack = fs::relative(scenes[0].stack, dir).string();
  const std::vector<std::pair<std::string, std::string>> cases = {{"epochs", "0"},     {"aif-solver", "\"sgd\""},
                                                                  {"edge-floor", "0"}, {"ply-min-confidence", "0.5"},
                                                                  {"blur-scale", "1"}, {"no-such-flag", "1"}};
  std::string text;
  for (size_t i = 0; i < cases.size(); ++i)
    text += "{\"id\": \"bad" + std::to_string(i) + "\", \"stack\": \"" + stack + "\", \"overrides\": {\"" +
            cases[i].first + "\": " + cases[i].second + "}}\n";
  write_text(path_in(dir, "m.jsonl"), text);
  const std::string out = path_in(dir, "out");
  EXPECT_EQ(run_dfd({"batch", path_in(dir, "m.jsonl"), "--out", out, "--backend", "cpu", "--threads", "1"}, {},
                    path_in(dir, "run.log")),
            3)
      << read_text(path_in(dir, "run.log"));
  const auto st = status_by_id(out);
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& [flag, value] = cases[i];
    std::string v = value;
    if (v.front() == '"') v = v.substr(1, v.size() - 2);
    // The same flag on `dfd solve`'s command line: its message, less the "dfd: " prefix.
    const std::string log = path_in(dir, "solve" + std::to_string(i) + ".log");
    EXPECT_NE(run_dfd({"solve", scenes[0].stack, "--out", path_in(dir, "s" + std::to_string(i)), "--" + flag + "=" + v},
                      {}, log),
              0);
    std::string said = read_text(log);
    said = said.substr(0, said.find('\n'));
    ASSERT_EQ(said.rfind("dfd: ", 0), 0u) << said;
    said = said.substr(5);
    const json& l = st.at("bad" + std::to_string(i));
    EXPECT_EQ(l["status"], "failed") << flag;
    EXPECT_NE(l.value("error", "").find(said), std::string::npos)
        << "--" << flag << ": solve says \"" << said << "\"; the batch item: " << l.value("error", "");
  }
}

// --backend as `dfd solve` takes it; with --devices both must agree.
TEST(BatchFlags, BackendFlagLikeSolveAndContradictionsWithDevices) {
  const std::string dir = fresh_dir();
  const auto scenes = make_scenes(dir, 1);
  const std::string manifest = write_batch_manifest(dir, scenes);
  const std::string out = path_in(dir, "out");
  EXPECT_EQ(run_dfd({"batch", manifest, "--out", out, "--backend", "cpu", "--threads", "1"}, {}, path_in(dir, "a.log")),
            0)
      << read_text(path_in(dir, "a.log"));
  EXPECT_EQ(status_by_id(out).at(scenes[0].id)["device"].get<std::string>().rfind("cpu", 0), 0u);
  const std::string bad = path_in(dir, "bad");
  EXPECT_EQ(
      run_dfd({"batch", manifest, "--out", bad, "--backend", "cpu", "--devices", "0,1"}, {}, path_in(dir, "b.log")), 2);
  EXPECT_NE(read_text(path_in(dir, "b.log")).find("--backend cpu contradicts --devices \"0,1\""), std::string::npos)
      << read_text(path_in(dir, "b.log"));
  EXPECT_EQ(run_dfd({"batch", manifest, "--out", bad, "--backend", "gpu"}, {}, path_in(dir, "c.log")), 2);
  EXPECT_NE(read_text(path_in(dir, "c.log")).find("--backend"), std::string::npos);
  EXPECT_FALSE(fs::exists(bad));
}

// Zero configuration in a batch: a folder of frames with no focus distances and no preset is
// solved uncalibrated; the progress line and the status log say so, report.json says why.
TEST(BatchFlags, AFolderWithoutFocusDistancesIsSolvedUncalibrated) {
  const std::string dir = fresh_dir();
  SceneSpec spec;
  spec.width = 32;
  spec.height = 24;
  const SyntheticScene sc = make_synthetic_scene(spec);
  fs::create_directories(path_in(dir, "photos"));
  for (int f = 0; f < sc.stack.count(); ++f)
    write_png8(path_in(dir, "photos/p" + std::to_string(f) + ".png"), sc.stack.frames[f], 255);
  write_text(path_in(dir, "m.jsonl"),
             "{\"id\": \"auto\", \"folder\": \"photos\", \"overrides\": {\"epochs\": 1}}\n"
             "{\"id\": \"asked\", \"folder\": \"photos\", \"preset\": \"make3d\", \"overrides\": {\"epochs\": 1}}\n");
  const std::string out = path_in(dir, "out");
  EXPECT_EQ(run_dfd({"batch", path_in(dir, "m.jsonl"), "--out", out, "--backend", "cpu", "--threads", "1"}, {},
                    path_in(dir, "run.log")),
            3);
  const std::string log = read_text(path_in(dir, "run.log"));
  EXPECT_NE(log.find("auto ok"), std::string::npos) << log;
  EXPECT_NE(log.find("solved uncalibrated"), std::string::npos) << log;
  const auto st = status_by_id(out);
  EXPECT_NE(st.at("auto").value("remark", "").find("solved uncalibrated"), std::string::npos) << st.at("auto").dump();
  const json rep = json::parse(read_text(path_in(BatchLayout(out).item_dir("auto"), "report.json")));
  EXPECT_TRUE(rep["model"]["auto_selected"].get<bool>());
  EXPECT_EQ(rep["input"]["focus_source"], "frame-index");
  // A calibrated preset asked for without focus distances still fails, naming --uncalibrated.
  EXPECT_EQ(st.at("asked")["status"], "failed");
  EXPECT_NE(st.at("asked").value("error", "").find("--uncalibrated"), std::string::npos) << st.at("asked").dump();
}

}  // namespace
}  // namespace dfd
