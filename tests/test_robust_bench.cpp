// The robustness bench end to end on a tiny size: rows solved with the overrides applied,
// metrics finite, the input's measured noise, and the table, JSON fields, plot and --save images.
#ifdef DFD_HAVE_BENCH
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "dfd/error.h"
#include "dfd/robust_bench.h"
#include "test_io_util.h"

namespace dfd {
namespace {

RobustConfig tiny_config(const std::string& save_dir) {
  RobustConfig cfg;
  cfg.custom_sizes = {{64, 48}};
  cfg.scenes = {"indoor"};
  cfg.conditions = {"float", "8bit+n1"};
  cfg.backends = {"cpu"};
  cfg.threads = 1;  // a tiny problem: one thread, no OpenMP waits on a busy machine
  cfg.overrides = {"epochs=2", "window-size=3"};
  cfg.apply_overrides = [](Options& o) {
    o.epochs = 2;
    o.window = 3;
  };
  cfg.save_dir = save_dir;
  cfg.command_line = "test";
  return cfg;
}

TEST(RobustBench, TinyRowsEndToEnd) {
  const std::string dir = testing::fresh_dir();
  const RobustReport rep = run_robust_bench(tiny_config(testing::path_in(dir, "save")));
  ASSERT_EQ(rep.rows.size(), 2u);
  ASSERT_EQ(rep.scenes.size(), 1u);
  EXPECT_GT(rep.scenes[0].flat_fraction, 0.1) << "wall and floor (9 x 9 windows are a large part of 64 x 48)";
  for (const RobustRow& r : rep.rows) {
    EXPECT_EQ(r.epochs, 2) << "the override reached the solve";
    for (double v : {r.absrel, r.rmse, r.aif_psnr, r.seconds, r.final_loss, r.absrel_flat, r.absrel_textured})
      EXPECT_TRUE(std::isfinite(v) && v > 0) << r.condition << ": " << v;
    EXPECT_GE(r.delta1, 0.0);
    EXPECT_LE(r.delta1, 1.0);
    EXPECT_EQ(r.kernel_size, 7);
  }
  EXPECT_TRUE(std::isinf(rep.rows[0].input_psnr)) << "float: the stack as rendered";
  // 8bit+n1 adds sigma^2 = 1 + 1/12 (rounding) DN^2: 20 log10(255 / 1.041) = 47.8 dB.
  EXPECT_NEAR(rep.rows[1].input_psnr, 47.8, 0.3);

  const auto j = nlohmann::json::parse(robust_json(rep));
  EXPECT_EQ(j.at("schema"), "dfd-bench-robustness-1");
  for (const char* k : {"date", "commit", "host", "command", "options", "overrides", "conditions", "scenes", "rows"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["overrides"], (std::vector<std::string>{"epochs=2", "window-size=3"}));
  EXPECT_EQ(j["options"]["64x48"]["depth"]["window"], 3) << "the options as solved";
  ASSERT_EQ(j["rows"].size(), 2u);
  for (const auto& row : j["rows"]) {
    for (const char* k :
         {"scene", "condition", "size", "backend", "absrel", "rmse", "delta1", "delta2", "delta3", "absrel_flat",
          "absrel_textured", "aif_psnr_db", "input_psnr_db", "solve_seconds", "epochs", "final_loss", "solve_report"})
      EXPECT_TRUE(row.contains(k)) << k;
    EXPECT_TRUE(std::isfinite(row["absrel"].get<double>()));
    EXPECT_EQ(row["solve_report"]["options"]["epochs"], 2);
  }
  EXPECT_TRUE(j["rows"][0]["input_psnr_db"].is_null());
  EXPECT_NEAR(j["rows"][1]["absrel"].get<double>(), rep.rows[1].absrel, 1e-12);

  const std::string table = robust_table(rep);
  for (const char* s : {"indoor", "64x48", "8bit+n1", "AbsRel", "epochs=2"})
    EXPECT_NE(table.find(s), std::string::npos) << s;

  const std::string png = testing::path_in(dir, "robust.png");
  write_robust_plot(rep, png);
  const cv::Mat img = cv::imread(png, cv::IMREAD_COLOR);
  ASSERT_FALSE(img.empty());
  EXPECT_EQ(img.cols, 1400);
  for (const char* f : {"indoor_64x48_float_cpu_depth.png", "indoor_64x48_8bit+n1_cpu_aif.png"}) {
    const cv::Mat saved = cv::imread(testing::path_in(testing::path_in(dir, "save"), f), cv::IMREAD_COLOR);
    ASSERT_FALSE(saved.empty()) << f;
    EXPECT_GE(saved.cols, 2 * 64) << f << ": ground truth | estimate";
  }
  std::filesystem::remove_all(dir);
}

TEST(RobustBench, BadNamesAreRefusedBeforeAnyWork) {
  RobustConfig cfg;
  cfg.sizes = {"1920x1080"};
  EXPECT_THROW(check_robust_config(cfg), Error);
  cfg.sizes = {};
  cfg.scenes = {"kitchen"};
  EXPECT_THROW(check_robust_config(cfg), Error);
  cfg.scenes = {"aloe"};
  cfg.opencv_data_dir = "/nonexistent-bench-data";
  try {
    check_robust_config(cfg);
    FAIL() << "missing aloe data must be refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Input);
    EXPECT_NE(std::string(e.what()).find("/nonexistent-bench-data/aloeL.jpg"), std::string::npos) << e.what();
  }
  EXPECT_EQ(robust_sizes(), (std::vector<std::string>{"320x240", "640x480"}));
}

}  // namespace
}  // namespace dfd
#endif  // DFD_HAVE_BENCH
