// Sweeps as Slurm job arrays, against a real single-node Slurm started by
// scripts/slurm_local.sh (skipped, saying why, where its daemons cannot start).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <thread>

#include "tests/support/test_support.h"

namespace odenet {
namespace {
namespace fs = std::filesystem;
using test::metric_lines;
using test::run_odenet;

using test::run_shell;

template <class Condition>
bool wait_for(Condition done, std::chrono::seconds limit) {
  const auto start = std::chrono::steady_clock::now();
  while (!done()) {
    if (std::chrono::steady_clock::now() - start > limit) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

TEST(SlurmSubmit, TheDryRunPrintsOneArrayThatRequeuesItself) {
  test::ScratchDir dir;
  test::write_idx_dataset(dir / "data", 64, 16, 12, 4);
  auto j = test::tiny_experiment(dir / "data", "array", 2);
  j["seeds"] = {0, 1, 2};
  test::write_text(dir / "array.json", j.dump());
  auto dry = run_odenet("submit " + dir / "array.json" + " --slurm --dry-run --max-parallel 2 --time 1:00:00 "
                        "--partition gpu --gpus-per-run 2 --cpus-per-run 4 --results " + dir / "out");
  ASSERT_EQ(dry.status, 0) << dry.output;
  for (const std::string& line : std::vector<std::string>{"#SBATCH --array=0-2%2", "#SBATCH --signal=B:USR1@120", "#SBATCH --requeue",
                                 "#SBATCH --time=1:00:00", "#SBATCH --partition=gpu", "#SBATCH --ntasks=2",
                                 "#SBATCH --gpus-per-task=1", "#SBATCH --cpus-per-task=4",
                                 "--only \"$SLURM_ARRAY_TASK_ID\" --resume --results '" + dir / "out" + "' --threads 4",
                                 "srun '", "scontrol requeue \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\""})
    EXPECT_NE(dry.output.find(line), std::string::npos) << line << "\n" << dry.output;
  EXPECT_FALSE(fs::exists(dir / "out"));  // a dry run writes nothing
  auto refused = run_odenet("submit " + dir / "array.json");
  EXPECT_EQ(refused.status, 2);
  EXPECT_NE(refused.output.find("odenet submit: say where: --slurm"), std::string::npos) << refused.output;
}

class SlurmSweep : public ::testing::Test {
 protected:
  void SetUp() override {
    slurm_ = dir_ / "slurm";
    auto started = run_shell(std::string(ODENET_SOURCE_DIR) + "/scripts/slurm_local.sh start " + slurm_);
    if (started.status != 0) GTEST_SKIP() << "no local Slurm: " << started.output;
    ::setenv("SLURM_CONF", (slurm_ + "/slurm.conf").c_str(), 1);
  }
  void TearDown() override {
    run_shell(std::string(ODENET_SOURCE_DIR) + "/scripts/slurm_local.sh stop " + slurm_);
    ::unsetenv("SLURM_CONF");
  }
  test::ScratchDir dir_;
  std::string slurm_;
};

// A 4-run sweep as one array; run 1's task gets SIGTERM mid-way (USR1, what --signal sends before
// a time limit, takes the same path), checkpoints, requeues itself, and finishes with the metrics of
// an uninterrupted run.
TEST_F(SlurmSweep, AnArrayTrainsEveryRunAndARunSignalledMidWayRequeuesAndResumes) {
  test::write_idx_dataset(dir_ / "data", 2048, 64, 12, 4);
  auto j = test::tiny_experiment(dir_ / "data", "sweep", 12);
  j["seeds"] = {0, 1, 2, 3};
  test::write_text(dir_ / "sweep.json", j.dump());
  const std::string results = dir_ / "results";
  auto submitted = run_odenet("submit " + dir_ / "sweep.json" + " --slurm --max-parallel 2 --results " + results);
  ASSERT_EQ(submitted.status, 0) << submitted.output;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(submitted.output, m, std::regex("submitted job array ([0-9]+) \\(4 run\\(s\\)\\)")))
      << submitted.output;
  const std::string job = m[1], task = job + "_1";

  ASSERT_TRUE(wait_for([&] { return fs::exists(results + "/sweep/s1/checkpoint.pt"); }, std::chrono::seconds(120)))
      << run_shell("squeue; cat " + results + "/sweep/slurm-*.out").output;
  // scancel may report "Job can not be altered now" after delivering the signal: judged by the requeue below.
  auto signalled = run_shell("scancel --signal=TERM --batch " + task);
  // Slurm holds a requeued task back for two minutes; the test lets it start at once.
  ASSERT_TRUE(wait_for([&] { return run_shell("scontrol show job " + task).output.find("Restarts=1") != std::string::npos; },
                       std::chrono::seconds(60)))
      << signalled.output << run_shell("scontrol show job " + task + "; cat " + results + "/sweep/slurm-" + task + ".out").output;
  run_shell("scontrol update JobId=" + task + " StartTime=now");
  ASSERT_TRUE(wait_for([&] { return run_shell("squeue -h -j " + job).output.empty(); }, std::chrono::seconds(240)))
      << run_shell("squeue; cat " + results + "/sweep/slurm-*.out").output;

  const std::string log = test::read_text(results + "/sweep/slurm-" + task + ".out");
  EXPECT_NE(log.find("sweep/s1: paused, stopped by SIGUSR1 at epoch"), std::string::npos) << log;  // forwarded by the script
  EXPECT_NE(log.find("odenet: requeueing " + task + "; it resumes from its checkpoint"), std::string::npos) << log;
  EXPECT_NE(log.find("sweep/s1: resuming at epoch"), std::string::npos) << log;
  auto status = run_odenet("status " + dir_ / "sweep.json" + " --results " + results);
  EXPECT_NE(status.output.find("4 run(s): 4 finished"), std::string::npos) << status.output;
  for (int seed = 0; seed < 4; ++seed)
    EXPECT_TRUE(fs::exists(results + "/sweep/s" + std::to_string(seed) + "/summary.json")) << seed;
  auto table = run_odenet("table " + results + "/sweep");  // one row: 12 epochs, 4 runs (the seeds)
  EXPECT_EQ(table.status, 0) << table.output;
  EXPECT_NE(table.output.find("| linear_multistep | 5118 | 0.1 | 12 | 4 |"), std::string::npos) << table.output;

  auto reference = run_odenet("run " + dir_ / "sweep.json" + " --only 1 --threads 1 --device cpu --results " + dir_ / "ref");
  ASSERT_EQ(reference.status, 0) << reference.output;
  auto a = metric_lines(results + "/sweep/s1/metrics.jsonl"), b = metric_lines(dir_ / "ref/sweep/s1/metrics.jsonl");
  ASSERT_EQ(a.size(), 12u);
  ASSERT_EQ(b.size(), 12u);
  for (size_t e = 0; e < a.size(); ++e)
    for (const char* key : {"train_loss", "train_error", "test_loss", "test_error", "lr"})
      EXPECT_EQ(a[e][key].get<double>(), b[e][key].get<double>()) << "epoch " << e + 1 << " " << key;
}

}  // namespace
}  // namespace odenet
