// Training by depth refinement (train.refine): the network is refined at the declared epochs to
// the declared steps, Δt and parameter count, and a run paused at an epoch boundary before a
// refinement and stopped mid-epoch after one resumes to exactly the uninterrupted run's metrics.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <thread>

#include "tests/support/test_support.h"

namespace odenet {
namespace {
namespace fs = std::filesystem;
using test::metric_lines;
using test::run_odenet;

class RefineTraining : public ::testing::Test {
 protected:
  void SetUp() override { test::write_idx_dataset(dir_ / "data", 2048, 64, 12, 4); }
  std::string experiment(const nlohmann::json& refine, const std::string& name = "refine") {
    auto j = test::tiny_experiment(dir_ / "data", name, 3);
    j["model"]["depth"] = 14;  // 2 steps per stage: stage 1 two, stages 2 and 3 an opening and one
    j["train"]["precision"] = "fp32";
    j["train"]["refine"] = refine;
    test::write_text(dir_ / (name + ".json"), j.dump(2));
    return dir_ / (name + ".json");
  }
  test::ScratchDir dir_;
};

TEST_F(RefineTraining, RefinesAtTheDeclaredEpochsToTheDeclaredStepsAndParameters) {
  const std::string file = experiment({{"at_epochs", {1, 2}}, {"factor", 2}});
  auto whole = run_odenet("run " + file + " --threads 1 --device cpu --results " + dir_ / "whole");
  ASSERT_EQ(whole.status, 0) << whole.output;
  EXPECT_NE(whole.output.find("refine/s0: 11281 params,"), std::string::npos) << whole.output;
  EXPECT_NE(whole.output.find("refine/s0: after epoch 1: refined ×2 (linear interpolation): 4-3-3 steps per stage, Δt = 0.5, "),
            std::string::npos)
      << whole.output;
  EXPECT_NE(whole.output.find("refine/s0: after epoch 2: refined ×2 (linear interpolation): 8-5-5 steps per stage, Δt = 0.25, "),
            std::string::npos)
      << whole.output;
  auto summary = nlohmann::json::parse(test::read_text(dir_ / "whole/refine/s0/summary.json"));
  EXPECT_EQ(summary["refined"]["stage_steps"], (std::vector<int64_t>{8, 5, 5}));
  EXPECT_EQ(summary["refined"]["refinements"], 2);
  EXPECT_EQ(summary["refined"]["dt"], 0.25);
  EXPECT_EQ(summary["refined"]["depth"], 2 * 18 + 2);  // two weighted layers per step, stem and head
  // Widths 4, 8, 16: a field C → C holds 18C² + 4C parameters. The ODE steps go from 2-1-1 to 8-4-4,
  // and LM's one coefficient per LM step from 3 to 13 (each stage's first step is forward Euler).
  const int64_t added = 6 * (18 * 16 + 16) + 3 * (18 * 64 + 32) + 3 * (18 * 256 + 64) + (13 - 3);
  EXPECT_EQ(summary["params"].get<int64_t>(), 11281 + added);
  auto table = run_odenet("table " + dir_ / "whole/refine");
  EXPECT_NE(table.output.find("refined to 38"), std::string::npos) << table.output;

  // Paused before the first refinement, stopped by SIGTERM in epoch 3 (after the second), resumed.
  auto paused = run_odenet("run " + file + " --threads 1 --device cpu --time-limit 1s --results " + dir_ / "parts");
  ASSERT_EQ(paused.status, 0) << paused.output;
  EXPECT_NE(paused.output.find("paused after epoch 1/3"), std::string::npos) << paused.output;
  pid_t pid = test::spawn_odenet({"run", file, "--resume", "--threads", "1", "--device", "cpu", "--results", dir_ / "parts"},
                                 dir_ / "second.log");
  const std::string metrics = dir_ / "parts/refine/s0/metrics.jsonl";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (metric_lines(metrics).size() < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // into epoch 3
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  const std::string second = test::read_text(dir_ / "second.log");
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGTERM) << "the run ended before SIGTERM\n" << second;
  EXPECT_NE(second.find("paused, stopped by SIGTERM at epoch 3"), std::string::npos) << second;
  auto rest = run_odenet("run " + file + " --resume --threads 1 --device cpu --results " + dir_ / "parts");
  ASSERT_EQ(rest.status, 0) << rest.output;
  EXPECT_NE(rest.output.find("resuming at epoch 3, step"), std::string::npos) << rest.output;
  auto a = metric_lines(dir_ / "whole/refine/s0/metrics.jsonl"), b = metric_lines(metrics);
  ASSERT_EQ(a.size(), 3u);
  ASSERT_EQ(b.size(), 3u);
  for (size_t e = 0; e < 3; ++e)
    for (const char* key : {"train_loss", "train_error", "test_loss", "test_error", "lr"})
      EXPECT_EQ(a[e][key].get<double>(), b[e][key].get<double>()) << "epoch " << e + 1 << " " << key;
  EXPECT_EQ(nlohmann::json::parse(test::read_text(dir_ / "parts/refine/s0/summary.json"))["params"], summary["params"]);
}

TEST_F(RefineTraining, ABadScheduleIsAOneLineError) {
  auto late = run_odenet("validate " + experiment({{"at_epochs", {3}}}));
  EXPECT_EQ(late.status, 2);
  EXPECT_NE(late.output.find("/train/refine/at_epochs/0: 3 is out of range [1, 2]"), std::string::npos) << late.output;
  auto order = run_odenet("validate " + experiment({{"at_epochs", {2, 1}}}));
  EXPECT_NE(order.output.find("/train/refine/at_epochs/1: epochs must increase"), std::string::npos) << order.output;
  auto typo = run_odenet("validate " + experiment({{"at_epochs", {1}}, {"factr", 2}}));
  EXPECT_NE(typo.output.find("/train/refine/factr: unknown key"), std::string::npos) << typo.output;
  auto how = run_odenet("validate " + experiment({{"at_epochs", {1}}, {"interpolation", "cubic"}}));
  EXPECT_NE(how.output.find("/train/refine/interpolation: 'cubic' is not one of: piecewise, linear"), std::string::npos)
      << how.output;
}

}  // namespace
}  // namespace odenet
