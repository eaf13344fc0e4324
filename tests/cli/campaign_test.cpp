// Campaigns over several allocations: time-limited runs that pause and resume
// to the uninterrupted result, `odenet status` over every state a run can be
// in, and sweeps run as parallel jobs equal to the sequential run.
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
using test::tiny_experiment;

class Campaign : public ::testing::Test {
 protected:
  void SetUp() override { test::write_idx_dataset(dir_ / "data", 256, 64, 12, 4); }
  std::string write_experiment(const nlohmann::json& j, const std::string& file) {
    test::write_text(dir_ / file, j.dump(2));
    return dir_ / file;
  }
  void expect_same_metrics(const std::string& a_path, const std::string& b_path, size_t epochs) {
    auto a = metric_lines(a_path), b = metric_lines(b_path);
    ASSERT_EQ(a.size(), epochs);
    ASSERT_EQ(b.size(), epochs);
    for (size_t e = 0; e < epochs; ++e)
      for (const char* key : {"train_loss", "train_error", "test_loss", "test_error", "lr"})
        EXPECT_EQ(a[e][key].get<double>(), b[e][key].get<double>()) << "epoch " << e + 1 << " " << key;
  }
  test::ScratchDir dir_;
};

TEST_F(Campaign, TimeLimitPausesAtAnEpochBoundaryAndResumeEndsLikeAnUninterruptedRun) {
  test::write_idx_dataset(dir_ / "big", 4096, 64, 12, 4);  // an epoch takes longer than the 0.3 s budget
  auto j = tiny_experiment(dir_ / "big", "budget", 4);
  j["seeds"] = {0, 1};
  std::string file = write_experiment(j, "budget.json"), paused_root = dir_ / "paused", clean_root = dir_ / "clean";
  // The first epoch starts (nothing is measured before it) and takes longer than the budget:
  // the run pauses after it, and the second run does not start.
  auto first = run_odenet("run " + file + " --time-limit 0.3s --threads 1 --device cpu --results " + paused_root);
  ASSERT_EQ(first.status, 0) << first.output;
  EXPECT_NE(first.output.find("budget/s0: paused after epoch 1/4 (time limit 0.3s); continue with --resume"),
            std::string::npos) << first.output;
  EXPECT_NE(first.output.find("budget/s1: not started (time limit 0.3s reached)"), std::string::npos) << first.output;
  EXPECT_NE(first.output.find("1 run(s) paused by the time limit; continue with: odenet run " + file + " --resume"),
            std::string::npos) << first.output;
  EXPECT_FALSE(fs::exists(paused_root + "/budget/s0/summary.json"));
  EXPECT_TRUE(fs::exists(paused_root + "/budget/s0/checkpoint.pt"));

  auto status = run_odenet("status " + file + " --results " + paused_root);
  ASSERT_EQ(status.status, 0) << status.output;
  EXPECT_NE(status.output.find("budget/s0  paused           1/4      time limit 0.3s"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("budget/s1  not started      0/4"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("2 run(s): 1 not started, 1 paused"), std::string::npos) << status.output;

  auto refused = run_odenet("run " + file + " --threads 1 --results " + paused_root);
  EXPECT_EQ(refused.status, 2);
  EXPECT_NE(refused.output.find("paused after epoch 1/4 (time limit 0.3s); pass --resume to continue it"),
            std::string::npos) << refused.output;

  auto resumed = run_odenet("run " + file + " --resume --threads 1 --device cpu --results " + paused_root);
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("budget/s0: resuming after epoch 1/4"), std::string::npos) << resumed.output;
  EXPECT_FALSE(fs::exists(paused_root + "/budget/s0/status.json"));
  auto clean = run_odenet("run " + file + " --threads 1 --device cpu --results " + clean_root);
  ASSERT_EQ(clean.status, 0) << clean.output;
  for (const char* run : {"/budget/s0/metrics.jsonl", "/budget/s1/metrics.jsonl"})
    expect_same_metrics(paused_root + run, clean_root + run, 4);

  auto done = run_odenet("status " + paused_root + " --json");
  ASSERT_EQ(done.status, 0) << done.output;
  auto list = nlohmann::json::parse(done.output);
  ASSERT_EQ(list.size(), 2u);
  for (const auto& r : list) {
    EXPECT_EQ(r["status"], "finished");
    EXPECT_EQ(r["epochs_done"], 4);
  }
}

TEST_F(Campaign, StatusNamesFailedInterruptedAndMissingRuns) {
  std::string root = dir_ / "results";
  auto write_run = [&](const std::string& name, int epochs_done) {
    std::string dir = root + "/exp/" + name;
    fs::create_directories(dir);
    test::write_text(dir + "/config.json", R"({"experiment": "exp", "train": {"epochs": 5}})");
    std::string lines;
    for (int e = 1; e <= epochs_done; ++e) lines += "{\"epoch\": " + std::to_string(e) + "}\n";
    test::write_text(dir + "/metrics.jsonl", lines);
    return dir;
  };
  test::write_text(write_run("failed", 2) + "/status.json",
                   R"({"status": "failed", "reason": "exp/failed: loss is nan at epoch 3 steps 10-12", "epochs_done": 2})");
  write_run("killed", 3);
  test::write_text(write_run("done", 5) + "/summary.json", "{}");
  auto r = run_odenet("status " + root);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("exp/failed  failed           2/5      exp/failed: loss is nan at epoch 3 steps 10-12"),
            std::string::npos) << r.output;
  EXPECT_NE(r.output.find("exp/killed  interrupted      3/5"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("exp/done    finished         5/5"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("3 run(s): 1 failed, 1 finished, 1 interrupted"), std::string::npos) << r.output;
  auto missing = run_odenet("status " + dir_ / "nowhere");
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.output.find("nowhere: no such directory or experiment file"), std::string::npos) << missing.output;
}

TEST_F(Campaign, ParallelJobsGiveTheSequentialResults) {
  auto j = tiny_experiment(dir_ / "data", "jobs", 2);
  j["seeds"] = {0, 1, 2};
  std::string file = write_experiment(j, "jobs.json"), parallel = dir_ / "parallel", sequential = dir_ / "sequential";
  auto a = run_odenet("run " + file + " --jobs 2 --threads 1 --device cpu --results " + parallel);
  ASSERT_EQ(a.status, 0) << a.output;
  EXPECT_NE(a.output.find("jobs: 3 run(s), 2 at a time, 1 thread(s) each"), std::string::npos) << a.output;
  auto b = run_odenet("run " + file + " --threads 1 --device cpu --results " + sequential);
  ASSERT_EQ(b.status, 0) << b.output;
  for (const char* run : {"/jobs/s0/metrics.jsonl", "/jobs/s1/metrics.jsonl", "/jobs/s2/metrics.jsonl"})
    expect_same_metrics(parallel + run, sequential + run, 2);
  // One run by its index, as a job array task would.
  auto only = run_odenet("run " + file + " --only 1 --threads 1 --device cpu --results " + dir_ / "only");
  ASSERT_EQ(only.status, 0) << only.output;
  EXPECT_TRUE(fs::exists(dir_ / "only/jobs/s1/summary.json"));
  EXPECT_FALSE(fs::exists(dir_ / "only/jobs/s0"));
  auto bad = run_odenet("run " + file + " --only 3 --results " + dir_ / "only");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.output.find("--only 3: the experiment has 3 run(s) (0-2)"), std::string::npos) << bad.output;
}

TEST_F(Campaign, ADivergingRunFailsAndStaysOutOfTheTable) {
  auto j = tiny_experiment(dir_ / "data", "diverge", 3);
  j["seeds"] = {0, 1};
  j["sweep"] = {{"train.optimizer.lr", {0.05, 100.0}}};
  j["train"]["divergence"] = 10.0;  // a step loss above 10 ln(10) ≈ 23 is divergence; lr 100 gets there
  std::string file = write_experiment(j, "diverge.json"), root = dir_ / "results";
  auto r = run_odenet("run " + file + " --threads 1 --device cpu --results " + root);
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("above the divergence bound 10 x ln(10) = 23.03 at epoch 1"), std::string::npos) << r.output;
  auto status = run_odenet("status " + file + " --results " + root + " --json");
  ASSERT_EQ(status.status, 0) << status.output;
  auto list = nlohmann::json::parse(status.output);
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[0]["status"], "finished");  // lr 0.05, seed 0
  EXPECT_EQ(list[1]["status"], "finished");
  EXPECT_EQ(list[2]["status"], "failed");  // lr 100: both seeds fail, the sweep goes on past the first
  EXPECT_NE(list[2]["reason"].get<std::string>().find("divergence bound"), std::string::npos);
  EXPECT_EQ(list[3]["status"], "failed");
  EXPECT_NE(r.output.find("2 run(s) failed (diverge/lr-100.0_s0, diverge/lr-100.0_s1); status.json in each run directory says why"),
            std::string::npos) << r.output;
  auto table = run_odenet("table " + root + "/diverge");
  ASSERT_EQ(table.status, 0) << table.output;
  EXPECT_NE(table.output.find("lr-100.0_s0: failed ("), std::string::npos) << table.output;
  EXPECT_NE(table.output.find("left out of the means"), std::string::npos) << table.output;
  EXPECT_EQ(table.output.find("| lr-100 |"), std::string::npos) << table.output;
}

TEST_F(Campaign, SigtermCheckpointsMidEpochAndResumeEndsLikeAnUninterruptedRun) {
  test::write_idx_dataset(dir_ / "big", 3072, 128, 12, 4);
  std::string file = write_experiment(tiny_experiment(dir_ / "big", "signal", 4), "signal.json");
  std::string stopped_root = dir_ / "stopped", clean_root = dir_ / "clean";
  pid_t pid = test::spawn_odenet({"run", file, "--threads", "1", "--device", "cpu", "--results", stopped_root},
                                 dir_ / "out.txt");
  std::string metrics = stopped_root + "/signal/s0/metrics.jsonl";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (std::chrono::steady_clock::now() < deadline && (!fs::exists(metrics) || metric_lines(metrics).empty()))
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(150));  // into epoch 2
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  std::string output = test::read_text(dir_ / "out.txt");
  ASSERT_TRUE(WIFEXITED(status)) << output;
  if (metric_lines(metrics).size() == 4u) GTEST_SKIP() << "the run finished before the signal arrived";
  EXPECT_EQ(WEXITSTATUS(status), 143) << output;
  EXPECT_NE(output.find("signal/s0: paused, stopped by SIGTERM at epoch "), std::string::npos) << output;
  EXPECT_NE(output.find("odenet: stopped by SIGTERM; the run is checkpointed mid-epoch"), std::string::npos) << output;

  auto state = nlohmann::json::parse(run_odenet("status " + file + " --results " + stopped_root + " --json").output);
  EXPECT_EQ(state[0]["status"], "paused");
  EXPECT_NE(state[0]["reason"].get<std::string>().find("stopped by SIGTERM at epoch"), std::string::npos);

  auto resumed = run_odenet("run " + file + " --resume --threads 1 --device cpu --results " + stopped_root);
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("signal/s0: resuming at epoch "), std::string::npos) << resumed.output;
  auto clean = run_odenet("run " + file + " --threads 1 --device cpu --results " + clean_root);
  ASSERT_EQ(clean.status, 0) << clean.output;
  expect_same_metrics(metrics, clean_root + "/signal/s0/metrics.jsonl", 4);
}

}  // namespace
}  // namespace odenet
