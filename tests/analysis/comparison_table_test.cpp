#include "analysis/comparison_table.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/error.h"
#include "tests/support/test_support.h"

namespace odenet {
namespace {

void make_run(const std::string& dir, const std::string& preset, int seed, double final_error, bool finished = true) {
  std::filesystem::create_directories(dir);
  nlohmann::json config{{"experiment", "e"},
                        {"seed", seed},
                        {"dataset", {{"name", "fashion_mnist"}}},
                        {"model", {{"preset", preset}, {"scheme", {{"name", "forward_euler"}}}}}};
  test::write_text(dir + "/config.json", config.dump());
  if (!finished) return;
  nlohmann::json summary{{"final_test_error", final_error}, {"best_test_error", final_error - 1},
                         {"params", 100},                   {"epochs", 3},
                         {"mean_epoch_seconds", 2.0 + seed},
                         {"mean_images_per_second", 100.0 * (seed + 1)}};
  test::write_text(dir + "/summary.json", summary.dump());
}

TEST(ComparisonTable, GroupsBySeedAndAggregatesMeanAndSampleStd) {
  test::ScratchDir dir;
  make_run(dir / "e/a_s0", "resnet20", 0, 10.0);
  make_run(dir / "e/a_s1", "resnet20", 1, 12.0);
  make_run(dir / "e/a_s2", "resnet20", 2, 14.0);
  make_run(dir / "e/b_s0", "lm_resnet20", 0, 9.0);
  make_run(dir / "e/b_s1", "lm_resnet20", 1, 9.5, /*finished=*/false);
  std::vector<std::string> skipped;
  auto rows = build_table(collect_runs({dir / "e"}, skipped));
  ASSERT_EQ(rows.size(), 2u);
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_EQ(rows[0].group, "a");
  EXPECT_EQ(rows[0].seeds, 3);
  EXPECT_DOUBLE_EQ(rows[0].final_mean, 12.0);
  EXPECT_DOUBLE_EQ(rows[0].final_std, 2.0);
  EXPECT_DOUBLE_EQ(rows[0].best_mean, 11.0);
  EXPECT_DOUBLE_EQ(rows[0].seconds_per_epoch, 3.0);
  EXPECT_DOUBLE_EQ(rows[0].images_per_second, 200.0);
  EXPECT_EQ(rows[1].seeds, 1);
  std::string md = format_markdown(rows);
  EXPECT_NE(md.find("| a | fashion_mnist | resnet20 | forward_euler | 100 | 3 | 3 | 12.00 ± 2.00 | 11.00 ± 2.00 | 3.0 | 200 |"),
            std::string::npos)
      << md;
  std::string csv = format_csv(rows);
  EXPECT_NE(csv.find("a,fashion_mnist,resnet20,forward_euler,100,3,3,12.0000,2.0000,11.0000,2.0000,3.000,200.0"),
            std::string::npos)
      << csv;
}

TEST(ComparisonTable, DamagedOrEmptyDirectoriesAreClearErrors) {
  test::ScratchDir dir;
  std::vector<std::string> skipped;
  EXPECT_THROW(collect_runs({dir / "nowhere"}, skipped), DataError);
  EXPECT_THROW(collect_runs({dir.path()}, skipped), DataError);  // no finished runs
  make_run(dir / "r", "resnet20", 0, 1.0);
  test::write_text(dir / "r/summary.json", "{\"final_test_error\": 1");
  try {
    collect_runs({dir.path()}, skipped);
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(dir / "r/summary.json"), std::string::npos);
  }
}

}  // namespace
}  // namespace odenet
