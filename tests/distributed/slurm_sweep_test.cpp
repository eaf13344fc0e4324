// Sweeps as Slurm job arrays, against a real single-node Slurm started by
// scripts/slurm_local.sh (skipped, saying why, where its daemons cannot start).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <thread>

#include "core/error.h"
#include "core/shell_command.h"
#include "experiments/slurm_array.h"
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

// Hostile values for every option that reaches the script: refused with one line where the script
// could not carry them safely (control characters anywhere; blanks, quotes, $() and backticks on
// #SBATCH lines; a --time not in Slurm's formats), else carried single-quoted: the script passes
// bash -n and, run under a fake srun and scontrol, hands odenet exactly the values given.
// The script writer checks the experiment's name itself (it stands on #SBATCH lines); found by
// fuzz_slurm_script with a name holding a blank and a NUL (load_experiment allows neither).
TEST(SlurmSubmit, TheExperimentNameIsCheckedByTheWriterToo) {
  SlurmArrayOptions o;
  o.experiment_file = "/e.json", o.results_root = "/r", o.working_directory = "/w", o.odenet_command = {"/odenet"};
  o.runs = 2;
  o.experiment_name = "ok_name-1.0";
  EXPECT_NO_THROW(slurm_array_script(o));
  o.experiment_name = "a --uid=0";
  EXPECT_EQ(test::error_message<ConfigError>([&] { slurm_array_script(o); }),
            "the experiment name: 'a --uid=0' holds ' '; on an #SBATCH line only letters, digits and _.- are safe");
  o.experiment_name = std::string("a\0b", 3);
  EXPECT_THROW(slurm_array_script(o), ConfigError);
}

TEST(SlurmSubmit, HostileValuesAreRefusedOrQuotedExactly) {
  test::ScratchDir dir;
  test::write_idx_dataset(dir / "data", 64, 16, 12, 4);
  const auto j = test::tiny_experiment(dir / "data", "hostile", 1);
  const std::vector<std::string> hostile{"a\nb", "a b", "a'b", "a\"b", "$(touch PWNED)", "`touch PWNED`", "a;b", "#x"};
  auto submit = [&](const std::string& file, const std::string& options) {
    return run_shell("cd " + shell_quoted(dir.path()) + " && " + ODENET_BINARY + " submit " + shell_quoted(file) +
                     " --slurm --dry-run " + options);
  };
  test::write_text(dir / "plain.json", j.dump());
  for (const auto& value : hostile) {
    for (const std::string option : {"--results", "--partition", "--time"}) {
      auto r = submit(dir / "plain.json", option + " " + shell_quoted(value));
      EXPECT_EQ(r.status, 2) << option << " " << value << ": " << r.output;
      EXPECT_EQ(r.output.rfind("odenet: error: " + option + ": ", 0), 0u) << r.output;
      EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;  // one line
    }
  }
  EXPECT_NE(submit(dir / "plain.json", "--partition 'p --uid=0'").output.find("on an #SBATCH line only"), std::string::npos);
  EXPECT_EQ(submit(dir / "plain.json", "--time 2-12:30 --partition gpu,debug").status, 0);

  // A hostile experiment file name: single-quoted on the shell's lines, so carried exactly.
  for (const auto& value : hostile) {
    const std::string file = dir / ("exp " + value + ".json");
    test::write_text(file, j.dump());
    auto r = submit(file, "--gpus-per-run 2 --results " + dir / "out");
    if (value.find('\n') != std::string::npos) {
      EXPECT_EQ(r.status, 2) << r.output;
      EXPECT_NE(r.output.find("holds a control character"), std::string::npos) << r.output;
      continue;
    }
    ASSERT_EQ(r.status, 0) << value << ": " << r.output;
    test::write_text(dir / "script.sh", r.output);
    auto syntax = run_shell("bash -n " + shell_quoted(dir / "script.sh"));
    EXPECT_EQ(syntax.status, 0) << value << ": " << syntax.output;
    // Fake srun / scontrol that record their arguments one per line.
    fs::create_directories(dir / "bin");
    for (const char* tool : {"srun", "scontrol"}) {
      test::write_text(dir / (std::string("bin/") + tool), "#!/bin/bash\nprintf '%s\\n' \"$@\" > \"$(dirname \"$0\")/" +
                                                              std::string(tool) + ".args\"\n");
      fs::permissions(dir / (std::string("bin/") + tool), fs::perms::owner_all);
    }
    fs::remove(dir / "bin/srun.args");
    auto ran = run_shell("cd " + shell_quoted(dir.path()) + " && PATH=" + shell_quoted(dir / "bin") +
                         ":$PATH SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_JOB_ID=7 bash " + shell_quoted(dir / "script.sh"));
    EXPECT_EQ(ran.status, 0) << value << ": " << ran.output;
    const std::string args = test::read_text(dir / "bin/srun.args");
    EXPECT_NE(args.find("\nrun\n" + file + "\n--only\n0\n--resume\n--results\n" + dir / "out" + "\n"), std::string::npos)
        << value << ": " << args;
    EXPECT_FALSE(fs::exists(dir / "PWNED"));
  }
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
