#include "analysis/comparison_table.h"
#include "analysis/report.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "core/error.h"
#include "tests/support/test_support.h"

namespace odenet {
namespace {

void make_run(const std::string& dir, const std::string& preset, int seed, double final_error, bool finished = true,
              const std::string& experiment = "e") {
  std::filesystem::create_directories(dir);
  nlohmann::json config{{"experiment", experiment},
                        {"seed", seed},
                        {"dataset", {{"name", "fashion_mnist"}}},
                        {"model", {{"preset", preset}, {"depth", preset == "resnet20" ? 20 : 56}, {"scheme", {{"name", "forward_euler"}}}}}};
  test::write_text(dir + "/config.json", config.dump());
  if (!finished) return;
  nlohmann::json summary{{"final_test_error", final_error}, {"best_test_error", final_error - 1},
                         {"params", 100},                   {"macs_per_image", 2500000},
                         {"epochs", 3},                     {"mean_epoch_seconds", 2.0 + seed},
                         {"mean_images_per_second", 100.0 * (seed + 1)},
                         {"peak_memory_mib", 300.0 + seed}, {"reference", preset == "resnet20" ? nlohmann::json(8.75) : nlohmann::json()}};
  test::write_text(dir + "/summary.json", summary.dump());
  std::string metrics;
  for (int e = 1; e <= 3; ++e)
    metrics += nlohmann::json{{"epoch", e},          {"lr", 0.1},         {"train_loss", 1.0 / e},
                              {"train_error", 50.0 / e}, {"test_loss", 1.0}, {"test_error", final_error + 3 - e},
                              {"train_seconds", 1.0}, {"epoch_seconds", 1.5}, {"images_per_second", 100.0}}
                   .dump() +
               "\n";
  test::write_text(dir + "/metrics.jsonl", metrics);
}

std::vector<std::vector<std::string>> split_rows(const std::string& text, const std::string& row_end, char separator) {
  std::vector<std::vector<std::string>> rows;
  size_t start = 0, end;
  while ((end = text.find(row_end, start)) != std::string::npos) {
    std::vector<std::string> cells;
    std::string line = text.substr(start, end - start);
    size_t from = 0;
    while (true) {  // every separator ends a cell, so a trailing empty cell is kept
      size_t to = line.find(separator, from);
      std::string cell = line.substr(from, to == std::string::npos ? std::string::npos : to - from);
      cell.erase(0, cell.find_first_not_of(' '));
      cell.erase(cell.find_last_not_of(" \n") + 1);
      cells.push_back(cell);
      if (to == std::string::npos) break;
      from = to + 1;
    }
    rows.push_back(cells);
    start = end + row_end.size();
  }
  return rows;
}

class ComparisonTable : public ::testing::Test {
 protected:
  void SetUp() override {
    make_run(dir_ / "e/a_s0", "resnet20", 0, 10.0);
    make_run(dir_ / "e/a_s1", "resnet20", 1, 12.0);
    make_run(dir_ / "e/a_s2", "resnet20", 2, 14.0);
    make_run(dir_ / "e/b_s0", "resnet56", 0, 9.0);
    make_run(dir_ / "e/b_s1", "resnet56", 1, 9.5, /*finished=*/false);
  }
  std::vector<TableRow> rows(const TableOptions& options = {}) {
    std::vector<std::string> skipped;
    auto out = build_table(collect_runs({dir_ / "e"}, skipped), options);
    EXPECT_EQ(skipped.size(), 1u);
    return out;
  }
  test::ScratchDir dir_;
};

TEST_F(ComparisonTable, GroupsBySeedAndAggregatesMeanAndSampleStd) {
  auto r = rows();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].group, "a");
  EXPECT_EQ(r[0].runs, 3);
  EXPECT_DOUBLE_EQ(r[0].final_mean, 12.0);
  EXPECT_DOUBLE_EQ(r[0].final_std, 2.0);
  EXPECT_DOUBLE_EQ(r[0].best_mean, 11.0);
  EXPECT_DOUBLE_EQ(r[0].seconds_per_epoch, 3.0);
  EXPECT_DOUBLE_EQ(r[0].images_per_second, 200.0);
  EXPECT_DOUBLE_EQ(r[0].peak_memory_mib, 302.0);
  EXPECT_EQ(r[0].reference, 8.75);
  EXPECT_FALSE(r[1].reference.has_value());
  EXPECT_EQ(r[1].runs, 1);
  std::string md = format_table(r, TableFormat::kMarkdown);
  EXPECT_NE(md.find("| a | fashion_mnist | resnet20 | forward_euler | 100 | 2.5 | 3 | 3 | 12.00 ± 2.00 | 11.00 ± 2.00 | 3.0 | 200 | 302 | 8.75 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| 9.00 | 8.00 | 2.0 | 100 | 300 | – |"), std::string::npos) << md;
}

// Runs that recorded a top-5 error (more than 5 classes) get its column after the best error;
// a group whose runs did not all record it shows "–".
TEST_F(ComparisonTable, TopFiveErrorIsAColumnWhereRunsRecordedIt) {
  for (int seed = 0; seed < 2; ++seed) {
    const std::string dir = dir_ / ("t/a_s" + std::to_string(seed));
    make_run(dir, "resnet20", seed, 30.0 + seed, true, "t");
    auto summary = nlohmann::json::parse(test::read_text(dir + "/summary.json"));
    summary["final_test_top5_error"] = 5.0 + 2 * seed;
    test::write_text(dir + "/summary.json", summary.dump());
  }
  make_run(dir_ / "t/b_s0", "resnet56", 0, 20.0, true, "t");
  std::vector<std::string> skipped;
  const auto r = build_table(collect_runs({dir_ / "t"}, skipped));
  ASSERT_EQ(r.size(), 2u);
  ASSERT_TRUE(r[0].final_top5.has_value());
  EXPECT_DOUBLE_EQ(r[0].final_top5->first, 6.0);
  EXPECT_DOUBLE_EQ(r[0].final_top5->second, std::sqrt(2.0));
  EXPECT_FALSE(r[1].final_top5.has_value());
  const std::string md = format_table(r, TableFormat::kMarkdown);
  EXPECT_NE(md.find("| best test error (%) | final top-5 error (%) | s/epoch |"), std::string::npos) << md;
  EXPECT_NE(md.find("| 30.50 ± 0.71 | 29.50 ± 0.71 | 6.00 ± 1.41 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| 20.00 | 19.00 | – |"), std::string::npos) << md;
  const std::string csv = format_table(r, TableFormat::kCsv);
  EXPECT_NE(csv.find("final_test_top5_error_mean,final_test_top5_error_std"), std::string::npos) << csv;
  // Without any top-5 record the table is as before.
  EXPECT_EQ(format_table(rows(), TableFormat::kMarkdown).find("top-5"), std::string::npos);
}

// A preset whose depth or width the experiment changed says so in the model column.
TEST_F(ComparisonTable, ModelColumnShowsWhatDiffersFromThePreset) {
  make_run(dir_ / "d/x_s0", "resnet20", 0, 10.0, true, "d");
  auto config = nlohmann::json::parse(test::read_text(dir_ / "d/x_s0/config.json"));
  config["model"]["depth"] = 14;
  config["model"]["width"] = 32;
  test::write_text(dir_ / "d/x_s0/config.json", config.dump());
  std::vector<std::string> skipped;
  auto r = build_table(collect_runs({dir_ / "d"}, skipped));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].model, "resnet20 depth=14 width=32");
}

TEST_F(ComparisonTable, CsvParsesBack) {
  auto parsed = split_rows(format_table(rows(), TableFormat::kCsv), "\n", ',');
  ASSERT_EQ(parsed.size(), 3u);
  const auto& header = parsed[0];
  auto column = [&](const std::string& name) {
    return static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  ASSERT_LT(column("final_test_error_std"), header.size());
  EXPECT_EQ(parsed[1][column("run")], "a");
  EXPECT_DOUBLE_EQ(std::stod(parsed[1][column("final_test_error_mean")]), 12.0);
  EXPECT_DOUBLE_EQ(std::stod(parsed[1][column("final_test_error_std")]), 2.0);
  EXPECT_DOUBLE_EQ(std::stod(parsed[1][column("macs")]), 2.5);
  EXPECT_DOUBLE_EQ(std::stod(parsed[1][column("reference")]), 8.75);
  EXPECT_EQ(parsed[2][column("reference")], "");
  for (const auto& row : parsed) EXPECT_EQ(row.size(), header.size());
}

TEST_F(ComparisonTable, LatexIsBooktabsAndParsesBack) {
  std::string tex = format_table(rows(), TableFormat::kLatex);
  EXPECT_EQ(tex.rfind("\\begin{tabular}{llllrrrrrrrrrr}\n\\toprule\n", 0), 0u) << tex;
  EXPECT_NE(tex.find("\\midrule"), std::string::npos);
  EXPECT_NE(tex.find("\\bottomrule\n\\end{tabular}\n"), std::string::npos);
  std::string body = tex.substr(tex.find("\\midrule\n") + 9);
  auto parsed = split_rows(body.substr(0, body.find("\\bottomrule")), "\\\\\n", '&');
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0][1], "fashion\\_mnist");
  EXPECT_EQ(parsed[0][8], "12.00 $\\pm$ 2.00");
  EXPECT_EQ(parsed[0][13], "8.75");
  EXPECT_EQ(parsed[1].size(), 14u);
}

TEST_F(ComparisonTable, GroupByChosenFieldsAndSort) {
  TableOptions options;
  options.by = {"model.preset"};
  options.sort = "final";
  auto r = rows(options);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].group, "resnet56");  // 9.0 < 12.0
  EXPECT_EQ(r[1].group, "resnet20");
  options.sort = "nonsense";
  EXPECT_THROW(rows(options), ConfigError);
  options.sort = "model.depth";
  EXPECT_EQ(rows(options)[0].group, "resnet20");
  options.by = {"model.nonexistent"};
  EXPECT_THROW(rows(options), DataError);
}

TEST_F(ComparisonTable, MixedExperimentsNeedConsent) {
  make_run(dir_ / "e/other_s0", "resnet20", 0, 11.0, true, "other");
  std::vector<std::string> skipped;
  auto runs = collect_runs({dir_ / "e"}, skipped);
  try {
    build_table(runs);
    FAIL();
  } catch (const DataError& e) {
    EXPECT_STREQ(e.what(), "runs of several experiments (e, other): pass one experiment's directory, or --mixed to compare them in one table");
  }
  TableOptions mixed;
  mixed.mixed = true;
  EXPECT_EQ(build_table(runs, mixed).size(), 3u);
}

TEST_F(ComparisonTable, ReportWritesMarkdownWithTablesAndFigures) {
  std::string path = write_report(dir_ / "e", dir_ / "report");
  EXPECT_EQ(path, dir_ / "report/report.md");
  std::string md = test::read_text(path);
  EXPECT_NE(md.find("| a | fashion_mnist | resnet20 | forward_euler |"), std::string::npos) << md;
  EXPECT_NE(md.find("![Mean training (dashed) and test (solid) error"), std::string::npos);
  EXPECT_NE(md.find("the published figures the experiment declares are the open squares"), std::string::npos) << md;
  EXPECT_NE(md.find("no analysis ("), std::string::npos);  // hand-made runs have no checkpoint
  EXPECT_NE(md.find("Generated by `odenet report " + dir_ / "e" + "`"), std::string::npos) << md;
  EXPECT_NE(md.find("## Significance"), std::string::npos) << md;  // one scheme: says there is nothing to compare
  for (const char* figure : {"curves.png", "error_vs_params.png", "error_vs_macs.png", "error_vs_time.png"})
    EXPECT_EQ(test::read_text(dir_ / (std::string("report/figures/") + figure)).substr(1, 3), "PNG") << figure;
  EXPECT_NE(test::read_text(dir_ / "report/figures/curves.svg").find("<svg"), std::string::npos);
}

TEST(ComparisonTableErrors, DamagedOrEmptyDirectoriesAreClearErrors) {
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

// Time to accuracy: the epochs' wall time until the test error first reaches the target. The
// helper's runs reach final + 2, + 1, + 0 % after epochs 1, 2, 3 of 1.5 s each.
TEST(TimeToAccuracy, SumsEpochsUntilTheTargetAndSaysWhenRunsNeverGetThere) {
  test::ScratchDir dir;
  make_run(dir / "e/a_s0", "resnet20", 0, 10.0);
  make_run(dir / "e/a_s1", "resnet20", 1, 12.0);
  std::vector<std::string> skipped;
  TableOptions options;
  options.by = {"model.preset"};
  options.time_to = 11.0;
  auto rows = build_table(collect_runs({dir / "e"}, skipped), options);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(rows[0].seconds_to_target.size(), 2u);
  EXPECT_DOUBLE_EQ(rows[0].seconds_to_target[0], 3.0);  // 11 % after epoch 2
  EXPECT_TRUE(std::isnan(rows[0].seconds_to_target[1]));  // 12 % at best
  const std::string md = format_table(rows, TableFormat::kMarkdown);
  EXPECT_NE(md.find("| s to ≤ 11 % test error |"), std::string::npos) << md;
  EXPECT_NE(md.find("| 3.00 (1 of 2) |"), std::string::npos) << md;
  options.time_to = 5.0;
  EXPECT_NE(format_table(build_table(collect_runs({dir / "e"}, skipped), options), TableFormat::kMarkdown).find("| not reached |"),
            std::string::npos);
}

}  // namespace
}  // namespace odenet
