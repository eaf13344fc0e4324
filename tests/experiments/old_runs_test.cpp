// Run directories written by older odenet keep working: the fixture's six runs were paused by
// the code before the scheme registry split, with the scheme spellings of that time; today's
// code resumes them and must finish epoch 2 exactly as the old code did without a pause.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "tests/support/test_support.h"

namespace odenet {
namespace {
namespace fs = std::filesystem;

TEST(OldRuns, RunsPausedBeforeTheSchemeSplitResumeAndEndAsTheOldCodeEnded) {
  test::ScratchDir dir;
  const fs::path fixture = fs::path(ODENET_SOURCE_DIR) / "tests/fixtures/runs_before_scheme_split";
  fs::copy(fixture, dir / "", fs::copy_options::recursive);
  test::write_idx_dataset(dir / "data", 256, 64, 12, 4);  // the data the fixture was trained on
  // The saved configs name the data set's root relatively ("data"): run from the copy. Their
  // "precision": "auto" was resolved on a CPU without native bf16 (fp32), and their checkpoints
  // predate the record of it, so "auto" resolves anew: the command pins that kind of CPU.
  auto resumed = test::run_shell("cd " + dir / "" + " && ODENET_CPU_BF16=emulated " + ODENET_BINARY +
                                 " run old_spellings.json --resume --threads 1 --device cpu --results results");
  ASSERT_EQ(resumed.status, 0) << resumed.output;

  std::ifstream expected(fixture / "expected_epoch2.jsonl");
  int checked = 0;
  for (std::string line; std::getline(expected, line); ++checked) {
    auto want = nlohmann::json::parse(line);
    const std::string run = want["run"];
    EXPECT_NE(resumed.output.find("old_spellings/" + run + ": resuming after epoch 1/2"), std::string::npos)
        << resumed.output;
    auto lines = test::metric_lines(dir / ("results/old_spellings/" + run + "/metrics.jsonl"));
    ASSERT_EQ(lines.size(), 2u) << run;
    for (const char* key : {"train_loss", "train_error", "test_loss", "test_error"})
      EXPECT_NEAR(lines[1][key].get<double>(), want[key].get<double>(), 1e-6 * (1 + std::abs(want[key].get<double>())))
          << run << " " << key;
    // The run directory keeps the config it was started with (its checkpoints are bound to it).
    EXPECT_EQ(test::read_text(dir / ("results/old_spellings/" + run + "/config.json")),
              test::read_text((fixture / "results/old_spellings" / run / "config.json").string()));
  }
  EXPECT_EQ(checked, 6);
}

}  // namespace
}  // namespace odenet
