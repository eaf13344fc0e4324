#include "analysis/significance.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.h"

namespace odenet {
namespace {

TableRow row(const std::string& preset, const std::string& scheme, int depth, std::vector<double> errors) {
  TableRow r;
  r.group = preset;
  r.scheme = scheme;
  r.config = {{"dataset", {{"name", "cifar10"}}},
              {"train", {{"epochs", 15}}},
              {"model", {{"preset", preset}, {"depth", depth}, {"scheme", {{"name", scheme}}}}}};
  r.final_errors = errors;
  r.runs = static_cast<int>(errors.size());
  r.final_mean = 0;
  for (double e : errors) r.final_mean += e / errors.size();
  return r;
}

std::vector<TableRow> table() {
  return {row("resnet20", "forward_euler", 20, {10, 12, 14}), row("lm_resnet20", "linear_multistep", 20, {9, 9.5}),
          row("resnet56", "forward_euler", 56, {7}), row("lm_resnet56", "linear_multistep", 56, {6})};
}

TEST(Significance, PairsRowsOfEqualDepthAndTestsTheDifference) {
  auto rows = table();
  auto pairs = compare_rows(rows, "forward_euler", "linear_multistep");
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].depth, "20");
  EXPECT_EQ(pairs[0].a->group, "resnet20");
  EXPECT_EQ(pairs[0].b->group, "lm_resnet20");
  EXPECT_TRUE(pairs[0].welch.defined);  // 3 and 2 seeds
  EXPECT_DOUBLE_EQ(pairs[0].welch.difference, 9.25 - 12.0);
  EXPECT_FALSE(pairs[1].welch.defined);  // one seed each
  std::string md = format_comparison(pairs, "forward_euler", "linear_multistep", TableFormat::kMarkdown);
  EXPECT_NE(md.find("| 56 | resnet56 | lm_resnet56 | 1 / 1 | 7.00 | 6.00 | -1.00 | n/a | n/a (needs 2 or more seeds on each side) | n/a |"),
            std::string::npos) << md;
  EXPECT_NE(md.find("| 20 | resnet20 | lm_resnet20 | 3 / 2 |"), std::string::npos) << md;
  std::string csv = format_comparison(pairs, "forward_euler", "linear_multistep", TableFormat::kCsv);
  EXPECT_NE(csv.find("56,resnet56,lm_resnet56,1,1,7.0000,0.0000,6.0000,0.0000,-1.0000,,,,,,\n"), std::string::npos) << csv;
}

// Four schemes at one depth: every other one against the baseline, with Holm's correction over the
// three tests (p̃_(i) = max_{j ≤ i} min(1, (m − j + 1) p_(j)) over the sorted raw p-values).
TEST(Significance, EverySchemeAgainstTheBaselineWithHolmsCorrection) {
  std::vector<TableRow> rows{row("fe", "forward_euler", 20, {10, 10.5, 11}), row("lm", "linear_multistep", 20, {9, 9.2, 9.4}),
                             row("rk2", "runge_kutta", 20, {10.2, 10.9, 11.1}), row("sd", "stochastic_depth", 20, {8, 8.1, 8.3})};
  rows[0].run_index = 3, rows[1].run_index = 0, rows[2].run_index = 6, rows[3].run_index = 9;
  EXPECT_EQ(default_baseline(rows), "linear_multistep");  // the experiment's first run
  rows[1].run_index = -1;
  EXPECT_EQ(default_baseline(rows), "forward_euler");
  auto pairs = compare_with_baseline(rows, "forward_euler");
  ASSERT_EQ(pairs.size(), 3u);
  std::vector<double> raw;
  for (const auto& p : pairs) {
    EXPECT_EQ(p.a->group, "fe");
    raw.push_back(p.welch.p);
  }
  EXPECT_EQ(pairs[0].b->group, "lm");
  EXPECT_EQ(pairs[2].b->group, "sd");
  std::vector<size_t> order{0, 1, 2};
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return raw[a] < raw[b]; });
  double running = 0;
  for (size_t rank = 0; rank < 3; ++rank) {
    running = std::max(running, std::min(1.0, (3.0 - rank) * raw[order[rank]]));
    EXPECT_DOUBLE_EQ(pairs[order[rank]].p_holm, running) << rank;
    EXPECT_GE(pairs[order[rank]].p_holm, raw[order[rank]]);
  }
  std::string md = format_comparison(pairs, "forward_euler", "compared", TableFormat::kMarkdown);
  EXPECT_NE(md.find("| p (Welch) | p (Holm, 3 tests) |"), std::string::npos) << md;
  EXPECT_THROW(compare_with_baseline(rows, "rk4"), DataError);
}

TEST(Significance, PresetFamiliesMatchEveryDepthAndAmbiguityIsAnError) {
  auto rows = table();
  EXPECT_EQ(compare_rows(rows, "resnet", "lm_resnet").size(), 2u);
  EXPECT_EQ(compare_rows(rows, "resnet56", "lm_resnet56").size(), 1u);
  EXPECT_THROW(compare_rows(rows, "rk4", "linear_multistep"), DataError);
  rows.push_back(row("preact_resnet20", "forward_euler", 20, {11, 11.5}));
  try {
    compare_rows(rows, "forward_euler", "linear_multistep");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("rows 'resnet20' and 'preact_resnet20' both match at depth 20"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(compare_rows(rows, "preact_resnet", "lm_resnet").size(), 1u);
}

// Training by depth refinement against training the final depth from scratch: the rows pair at
// the depth the refined runs ended at, whatever depth they started from and whatever train.refine says.
TEST(Significance, RefinedRunsPairWithUnrefinedOnesAtTheDepthTheyEndedAt) {
  TableRow scratch = row("preact_resnet20", "forward_euler", 38, {10, 11, 12});
  TableRow refined = row("preact_resnet20", "forward_euler", 14, {9, 10, 11});
  refined.group = "refined";
  refined.refined = true;
  refined.depth = "38";
  refined.config["train"]["refine"] = {{"at_epochs", {2, 4}}, {"factor", 2}};
  TableRow shallow = row("preact_resnet20", "forward_euler", 14, {20, 21});  // depth 14 throughout: no partner
  std::vector<TableRow> rows{scratch, refined, shallow};
  auto pairs = compare_rows(rows, "unrefined", "refined");
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_EQ(pairs[0].depth, "38");
  EXPECT_EQ(pairs[0].a->group, "preact_resnet20");
  EXPECT_EQ(pairs[0].b->group, "refined");
  EXPECT_DOUBLE_EQ(pairs[0].welch.difference, -1.0);
}

}  // namespace
}  // namespace odenet
