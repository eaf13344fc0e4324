// End-to-end tests of the odenet executable on tiny generated data sets.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <torch/cuda.h>

#include "core/version.h"
#include "core/version.h"
#include "tests/support/test_support.h"
#include "training/precision.h"
#include "training/run_directory.h"

namespace odenet {
namespace {
namespace fs = std::filesystem;
using test::metric_lines;
using test::run_odenet;
using test::tiny_experiment;

class Cli : public ::testing::Test {
 protected:
  void SetUp() override { test::write_idx_dataset(dir_ / "data", 256, 64, 12, 4); }
  std::string write_experiment(const nlohmann::json& j, const std::string& file = "exp.json") {
    test::write_text(dir_ / file, j.dump(2));
    return dir_ / file;
  }
  test::ScratchDir dir_;
};

// More than 5 classes: the top-5 test error beside top-1 in the progress line, metrics.jsonl,
// summary.json and the table.
TEST_F(Cli, TopFiveErrorIsRecordedForMoreThanFiveClasses) {
  test::write_idx_dataset(dir_ / "data8", 128, 32, 12, 8);
  auto j = tiny_experiment(dir_ / "data8", "top5", 1);
  const std::string file = write_experiment(j, "top5.json");
  auto run = run_odenet("run " + file + " --threads 1 --device cpu --results " + dir_ / "results");
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("% top-5 "), std::string::npos) << run.output;
  const auto epochs = metric_lines(dir_ / "results/top5/s0/metrics.jsonl");
  ASSERT_EQ(epochs.size(), 1u);
  const double top5 = epochs[0]["test_top5_error"].get<double>();
  EXPECT_LE(top5, epochs[0]["test_error"].get<double>());
  const auto summary = nlohmann::json::parse(test::read_text(dir_ / "results/top5/s0/summary.json"));
  EXPECT_EQ(summary["final_test_top5_error"].get<double>(), top5);
  EXPECT_EQ(summary["best_test_top5_error"].get<double>(), top5);
  auto table = run_odenet("table " + dir_ / "results/top5");
  ASSERT_EQ(table.status, 0) << table.output;
  EXPECT_NE(table.output.find("final top-5 error (%)"), std::string::npos) << table.output;
}

TEST_F(Cli, RunTrainsAndWritesResultsThenTableComparesSchemes) {
  auto j = tiny_experiment(dir_ / "data", "e2e", 3);
  j["seeds"] = {0, 1};
  j["sweep"] = {{"model.scheme", {{{"name", "forward_euler"}}, {{"name", "linear_multistep"}}}}};
  std::string file = write_experiment(j);
  auto validate = run_odenet("validate " + file);
  ASSERT_EQ(validate.status, 0) << validate.output;
  EXPECT_NE(validate.output.find("4 run(s)"), std::string::npos) << validate.output;

  auto run = run_odenet("run " + file + " --threads 1 --results " + dir_ / "results");
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("epoch 3/3"), std::string::npos) << run.output;
  std::string run_dir = dir_ / "results/e2e/linear_multistep_s0";
  for (const char* f : {"config.json", "metrics.jsonl", "summary.json", "checkpoint.pt"})
    EXPECT_TRUE(fs::exists(run_dir + "/" + f)) << f;
  EXPECT_EQ(metric_lines(run_dir + "/metrics.jsonl").size(), 3u);
  auto summary = nlohmann::json::parse(test::read_text(run_dir + "/summary.json"));
  EXPECT_EQ(summary["epochs"], 3);
  EXPECT_EQ(summary["device"], torch::cuda::is_available() ? "cuda:0" : "cpu");
  EXPECT_EQ(summary["odenet_version"], ODENET_VERSION);  // provenance
  EXPECT_TRUE(summary["source_commit"].is_string() && !summary["source_commit"].get<std::string>().empty());
  EXPECT_EQ(summary["run_index"], 2);  // after forward_euler s0 and s1
  auto epochs = metric_lines(run_dir + "/metrics.jsonl");
  ASSERT_FALSE(epochs[0]["steps"].empty());  // per-step training loss every 10 steps and at the epoch's end
  EXPECT_EQ(epochs[0]["steps"][0][0], 8);    // 256 images / batch 32: the epoch's last step
  std::string events;
  for (const auto& entry : fs::directory_iterator(run_dir))
    if (entry.path().filename().string().rfind("events.out.tfevents.", 0) == 0) events = test::read_text(entry.path().string());
  for (const char* tag : {"_hparams_/session_start_info", "_hparams_/session_end_info", "step/train_loss", "linear_multistep"})
    EXPECT_NE(events.find(tag), std::string::npos) << tag;
  // Four classes of bright squares are easy: the model must learn something.
  EXPECT_LT(summary["best_test_error"].get<double>(), 60.0);
  EXPECT_EQ(nlohmann::json::parse(test::read_text(run_dir + "/config.json"))["model"]["scheme"]["name"],
            "linear_multistep");

  auto table = run_odenet("table " + dir_ / "results/e2e");
  ASSERT_EQ(table.status, 0) << table.output;
  EXPECT_NE(table.output.find("| forward_euler | tiny | cifar_resnet-pre-8 | forward_euler |"), std::string::npos)
      << table.output;
  EXPECT_NE(table.output.find("| linear_multistep |"), std::string::npos);
  EXPECT_NE(table.output.find(" ± "), std::string::npos);  // two seeds
  auto csv = run_odenet("table --format csv " + dir_ / "results/e2e");
  EXPECT_EQ(csv.output.rfind("run,dataset,model,scheme,params,macs,epochs,runs,", 0), 0u) << csv.output;
  auto latex = run_odenet("table --format latex --sort final " + dir_ / "results/e2e");
  EXPECT_EQ(latex.output.rfind("\\begin{tabular}", 0), 0u) << latex.output;

  // Running again: finished runs are skipped, nothing is retrained or overwritten.
  auto before = test::read_text(run_dir + "/metrics.jsonl");
  auto again = run_odenet("run " + file + " --threads 1 --results " + dir_ / "results");
  ASSERT_EQ(again.status, 0) << again.output;
  EXPECT_NE(again.output.find("finished earlier, skipped"), std::string::npos);
  EXPECT_EQ(test::read_text(run_dir + "/metrics.jsonl"), before);

  // The same experiment name with another config is refused, not overwritten.
  j["train"]["optimizer"]["lr"] = 0.01;
  auto changed = run_odenet("run " + write_experiment(j, "changed.json") + " --results " + dir_ / "results");
  EXPECT_EQ(changed.status, 2);
  EXPECT_NE(changed.output.find("holds a run with a different config (/train/optimizer/lr: 0.05 here, 0.01 in the experiment)"),
            std::string::npos)
      << changed.output;
}

// A finished run continues to more epochs when only train.epochs grew and the schedule allows it,
// ending exactly where an uninterrupted run of that length ends; a cosine schedule refuses.
TEST_F(Cli, AFinishedRunExtendsToMoreEpochs) {
  auto j = tiny_experiment(dir_ / "data", "extend", 2);
  j["train"]["schedule"]["milestones"] = {2};
  ASSERT_EQ(run_odenet("run " + write_experiment(j) + " --threads 1 --results " + dir_ / "short").status, 0);
  j["train"]["epochs"] = 3;
  const std::string longer = write_experiment(j, "longer.json");
  auto refused = run_odenet("run " + longer + " --threads 1 --results " + dir_ / "short");
  EXPECT_EQ(refused.status, 2);
  EXPECT_NE(refused.output.find("trained for 2 epochs; the experiment asks for 3: pass --resume to continue it"),
            std::string::npos) << refused.output;
  auto extended = run_odenet("run " + longer + " --resume --threads 1 --results " + dir_ / "short");
  ASSERT_EQ(extended.status, 0) << extended.output;
  EXPECT_NE(extended.output.find("extend/s0: trained for 2 epochs; extended to 3 (the multistep schedule continues"),
            std::string::npos) << extended.output;
  ASSERT_EQ(run_odenet("run " + longer + " --threads 1 --results " + dir_ / "whole").status, 0);
  const auto a = metric_lines(dir_ / "short/extend/s0/metrics.jsonl"), b = metric_lines(dir_ / "whole/extend/s0/metrics.jsonl");
  ASSERT_EQ(a.size(), 3u);
  ASSERT_EQ(b.size(), 3u);
  for (const char* key : {"train_loss", "test_loss", "test_error", "lr"})
    EXPECT_EQ(a[2][key], b[2][key]) << key;
  EXPECT_EQ(nlohmann::json::parse(test::read_text(dir_ / "short/extend/s0/summary.json"))["epochs"], 3);

  j["train"]["schedule"] = {{"name", "cosine"}};
  j["train"]["epochs"] = 2;
  ASSERT_EQ(run_odenet("run " + write_experiment(j, "cosine.json") + " --threads 1 --results " + dir_ / "cos").status, 0);
  j["train"]["epochs"] = 3;
  auto cosine = run_odenet("run " + write_experiment(j, "cosine3.json") + " --resume --threads 1 --results " + dir_ / "cos");
  EXPECT_EQ(cosine.status, 2);
  EXPECT_NE(cosine.output.find("the cosine schedule's rates depend on the total"), std::string::npos) << cosine.output;
}

// A directory whose runs all failed: the table lists them with their reasons and exits 0; a
// directory without runs stays an error.
TEST_F(Cli, TableOfFailedRunsListsThemWithTheirReasons) {
  for (const char* run : {"a_s0", "b_s0"}) {
    fs::create_directories(dir_ / (std::string("failed/") + run));
    test::write_text(dir_ / (std::string("failed/") + run + "/config.json"), R"({"experiment": "x"})");
    RunDirectory(dir_ / (std::string("failed/") + run)).write_status(RunStatus::kFailed, "loss is nan at epoch 2, step 7", 1, 3);
  }
  auto table = run_odenet("table " + dir_ / "failed");
  EXPECT_EQ(table.status, 0) << table.output;
  EXPECT_NE(table.output.find("no finished runs under " + dir_ / "failed" + "; 2 run(s) left out:"), std::string::npos)
      << table.output;
  EXPECT_NE(table.output.find("a_s0: failed (loss is nan at epoch 2, step 7)"), std::string::npos) << table.output;
  fs::create_directories(dir_ / "empty");
  EXPECT_EQ(run_odenet("table " + dir_ / "empty").status, 1);
}

// bf16 on the CPU keeps channels-last only where this CPU's channels-last bf16 convolution computes
// weight gradients to bf16 accuracy (LibTorch 1.13 without native bf16 does not), and says so.
TEST_F(Cli, Bf16OnTheCpuDropsChannelsLastWhereItsWeightGradientsAreInaccurate) {
  auto j = tiny_experiment(dir_ / "data", "bf16", 1);
  j["train"]["precision"] = "bf16";
  auto run = run_odenet("run " + write_experiment(j) + " --threads 1 --device cpu --results " + dir_ / "results");
  ASSERT_EQ(run.status, 0) << run.output;
  const bool dropped = run.output.find("bf16 with contiguous tensors") != std::string::npos;
  EXPECT_EQ(dropped, !cpu_channels_last_bf16_weight_gradients_accurate()) << run.output;
  EXPECT_NE(run.output.find("epoch 1/1"), std::string::npos) << run.output;
  // `odenet speed` builds its runs the same way and says so too.
  auto speed = run_odenet("speed " + dir_ / "exp.json" + " --steps 2 --warmup 1 --rounds 1 --threads 1 --device cpu");
  ASSERT_EQ(speed.status, 0) << speed.output;
  EXPECT_EQ(speed.output.find("bf16 with contiguous tensors") != std::string::npos, dropped) << speed.output;
}

TEST_F(Cli, InvalidExperimentExitsTwoAndWritesNothing) {
  auto j = tiny_experiment(dir_ / "data", "bad", 2);
  j["train"]["optimizer"]["momentun"] = 0.9;
  std::string file = write_experiment(j);
  for (const std::string& command : {std::string("validate "), "run --results " + dir_ / "results "}) {
    auto r = run_odenet(command + file);
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_EQ(r.output, "odenet: error: " + file + ": /train/optimizer/momentun: unknown key; did you mean 'momentum'?\n");
  }
  EXPECT_FALSE(fs::exists(dir_ / "results"));

  // A device the machine cannot serve is refused before any data is read or directory made.
  std::string valid = write_experiment(tiny_experiment(dir_ / "data", "devices", 1), "valid.json");
  auto tpu = run_odenet("run " + valid + " --device tpu --results " + dir_ / "results");
  EXPECT_EQ(tpu.status, 2);
  EXPECT_EQ(tpu.output, "odenet: error: device 'tpu' is not one of: auto, cpu, cuda, cuda:N\n");
  if (!torch::cuda::is_available()) {
    auto cuda = run_odenet("run " + valid + " --device cuda --results " + dir_ / "results");
    EXPECT_EQ(cuda.status, 2);
    EXPECT_NE(cuda.output.find("device 'cuda': this LibTorch"), std::string::npos) << cuda.output;
  }
  EXPECT_FALSE(fs::exists(dir_ / "results"));

  auto missing_data = tiny_experiment(dir_ / "nodata", "bad", 2);  // checked before anything runs
  auto r = run_odenet("run " + write_experiment(missing_data) + " --results " + dir_ / "results");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("/dataset/root: " + dir_ / "nodata: no such directory"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "results"));
}

TEST_F(Cli, ResumeAfterKillEndsWithTheSameMetricsAsAnUninterruptedRun) {
  test::write_idx_dataset(dir_ / "big", 3072, 128, 12, 4);  // long enough epochs to kill mid-run
  std::string file = write_experiment(tiny_experiment(dir_ / "big", "resume", 6));
  std::string killed_root = dir_ / "killed", clean_root = dir_ / "clean";

  // On the CPU: bit-for-bit equality needs deterministic kernels (cuDNN's autotuned ones are not).
  pid_t pid = test::spawn_odenet({"run", file, "--threads", "1", "--device", "cpu", "--results", killed_root}, "/dev/null");
  std::string metrics = killed_root + "/resume/s0/metrics.jsonl";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  int status = 0;
  bool exited = false;
  while (std::chrono::steady_clock::now() < deadline && (!fs::exists(metrics) || metric_lines(metrics).size() < 2)) {
    if ((exited = waitpid(pid, &status, WNOHANG) == pid)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!exited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // into epoch 3
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before it could be killed";
  ASSERT_FALSE(fs::exists(killed_root + "/resume/s0/summary.json"));
  size_t done = metric_lines(metrics).size();
  ASSERT_GE(done, 2u);
  ASSERT_LT(done, 6u);

  auto refused = run_odenet("run " + file + " --threads 1 --results " + killed_root);
  EXPECT_EQ(refused.status, 2);
  EXPECT_NE(refused.output.find("unfinished run exists; pass --resume"), std::string::npos) << refused.output;

  auto resumed = run_odenet("run " + file + " --resume --threads 1 --device cpu --results " + killed_root);
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("resuming after epoch " + std::to_string(done) + "/6"), std::string::npos)
      << resumed.output;
  auto clean = run_odenet("run " + file + " --threads 1 --device cpu --results " + clean_root);
  ASSERT_EQ(clean.status, 0) << clean.output;

  auto a = metric_lines(metrics), b = metric_lines(clean_root + "/resume/s0/metrics.jsonl");
  ASSERT_EQ(a.size(), 6u);
  ASSERT_EQ(b.size(), 6u);
  for (size_t e = 0; e < 6; ++e)
    for (const char* key : {"train_loss", "train_error", "test_loss", "test_error", "lr"})
      EXPECT_EQ(a[e][key].get<double>(), b[e][key].get<double>()) << "epoch " << e + 1 << " " << key;
}

// "auto" is resolved once per run: a run started where it meant bf16 and resumed where it means
// fp32 keeps bf16, says so, and ends as the uninterrupted run ends (ODENET_CPU_BF16 plays the CPUs).
TEST_F(Cli, AResumedRunKeepsThePrecisionAutoChoseWhenItStarted) {
  std::string file = write_experiment(tiny_experiment(dir_ / "data", "auto", 2));
  const std::string native = "ODENET_CPU_BF16=native " + std::string(ODENET_BINARY) + " run " + file +
                             " --threads 1 --device cpu --results ";
  auto paused = test::run_shell(native + dir_ / "paused" + " --time-limit 1s");
  ASSERT_EQ(paused.status, 0) << paused.output;
  EXPECT_NE(paused.output.find("1 thread(s), cpu, bf16"), std::string::npos) << paused.output;
  EXPECT_NE(paused.output.find("paused after epoch 1/2"), std::string::npos) << paused.output;

  auto resumed = test::run_shell("ODENET_CPU_BF16=emulated " + std::string(ODENET_BINARY) + " run " + file +
                                 " --resume --threads 1 --device cpu --results " + dir_ / "paused");
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("auto/s0: keeps bf16, the precision \"auto\" chose when the run started "
                                "(auto: fp32, ODENET_CPU_BF16=emulated here)"),
            std::string::npos)
      << resumed.output;
  auto whole = test::run_shell(native + dir_ / "whole");
  ASSERT_EQ(whole.status, 0) << whole.output;
  auto a = metric_lines(dir_ / "paused/auto/s0/metrics.jsonl"), b = metric_lines(dir_ / "whole/auto/s0/metrics.jsonl");
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u);
  for (const char* key : {"train_loss", "test_loss"}) EXPECT_EQ(a[1][key].get<double>(), b[1][key].get<double>()) << key;
  EXPECT_EQ(nlohmann::json::parse(test::read_text(dir_ / "paused/auto/s0/summary.json"))["precision"], "bf16");
}

TEST_F(Cli, ExternalPluginIsListedVerifiedAndUsedInAnExperiment) {
  const std::string plugin = std::string("--plugin ") + ODENET_EXAMPLE_PLUGIN + " ";
  auto schemes = run_odenet(plugin + "schemes --json");
  ASSERT_EQ(schemes.status, 0) << schemes.output;
  bool listed = false;
  for (const auto& entry : nlohmann::json::parse(schemes.output))
    if (entry["name"] == "ssprk3") listed = entry["order"] == 3;
  EXPECT_TRUE(listed);

  auto verify = run_odenet(plugin + "verify-scheme --scheme ssprk3 --problem rotation --steps 200,400,800,1600 --json");
  ASSERT_EQ(verify.status, 0) << verify.output;
  auto v = nlohmann::json::parse(verify.output);
  EXPECT_EQ(v["expected_order"], 3);
  EXPECT_NEAR(v["observed_order"].get<double>(), 3.0, 0.3);

  auto j = tiny_experiment(dir_ / "data", "plugin", 2);
  j["model"]["scheme"] = {{"name", "ssprk3"}};
  std::string file = write_experiment(j);
  auto without = run_odenet("validate " + file);
  EXPECT_EQ(without.status, 2);
  EXPECT_NE(without.output.find("unknown scheme 'ssprk3'"), std::string::npos) << without.output;
  auto run = run_odenet(plugin + "run " + file + " --threads 1 --results " + dir_ / "results");
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_TRUE(fs::exists(dir_ / "results/plugin/s0/summary.json"));

  // The run records its plugin: commands that read the run directory load it without --plugin.
  auto config = nlohmann::json::parse(test::read_text(dir_ / "results/plugin/s0/config.json"));
  ASSERT_TRUE(config.contains("plugins")) << config.dump();
  EXPECT_EQ(config["plugins"][0], fs::absolute(ODENET_EXAMPLE_PLUGIN).lexically_normal().string());
  auto analyze = run_odenet("analyze " + dir_ / "results/plugin/s0");
  EXPECT_EQ(analyze.status, 0) << analyze.output;
  auto table = run_odenet("table " + dir_ / "results/plugin");
  EXPECT_NE(table.output.find("| ssprk3 |"), std::string::npos) << table.output;

  // An experiment may name its plugins itself, and ODENET_PLUGINS loads them for any command.
  j["name"] = "plugin_named";
  j["plugins"] = {ODENET_EXAMPLE_PLUGIN};
  EXPECT_EQ(run_odenet("validate " + write_experiment(j, "named.json")).status, 0);
  auto from_environment = test::run_shell(std::string("ODENET_PLUGINS=") + ODENET_EXAMPLE_PLUGIN + " " + ODENET_BINARY +
                                          " verify-scheme --scheme ssprk3 --problem decay --steps 20,40,80 --tolerance 0.15");
  EXPECT_EQ(from_environment.status, 0) << from_environment.output;

  auto missing = run_odenet("--plugin " + dir_ / "missing.so schemes");
  EXPECT_EQ(missing.status, 2);
  EXPECT_EQ(missing.output, "odenet: error: " + dir_ / "missing.so" + ": cannot load plugin: no such file\n");
  auto no_symbol = run_odenet(std::string("--plugin ") + NOT_A_PLUGIN + " schemes");
  EXPECT_EQ(no_symbol.status, 2);
  EXPECT_EQ(no_symbol.output,
            std::string("odenet: error: ") + NOT_A_PLUGIN + ": not an odenet plugin, or one without an ABI stamp (section "
                ".odenet_abi: built without ODENET_PLUGIN_ABI_STAMP or for an odenet before " ODENET_VERSION
                "); rebuild it against this odenet\n");
}

// The registry's battery on plugins: the SSP-RK3 example passes; a plugin declaring a wrong order fails
// it, and verify-scheme --tolerance fails on it too (a plugin's CI gate).
TEST_F(Cli, TestSchemeRunsTheBatteryOnPlugins) {
  auto ssprk3 = run_odenet(std::string("test-scheme ssprk3 --plugin ") + ODENET_EXAMPLE_PLUGIN);
  EXPECT_EQ(ssprk3.status, 0) << ssprk3.output;
  for (const char* check : {"PASS  round trip", "PASS  gradient", "PASS  order", "PASS  training cifar_resnet"})
    EXPECT_NE(ssprk3.output.find(check), std::string::npos) << check << "\n" << ssprk3.output;
  EXPECT_NE(ssprk3.output.find(" 0 failed"), std::string::npos) << ssprk3.output;

  auto wrong = run_odenet(std::string("test-scheme euler_claiming_order_two --plugin ") + ODENET_WRONG_ORDER_PLUGIN);
  EXPECT_EQ(wrong.status, 1) << wrong.output;
  EXPECT_NE(wrong.output.find("FAIL  order"), std::string::npos) << wrong.output;
  EXPECT_NE(wrong.output.find("odenet: error: test-scheme euler_claiming_order_two: order failed"), std::string::npos)
      << wrong.output;
  auto gate = run_odenet(std::string("--plugin ") + ODENET_WRONG_ORDER_PLUGIN +
                         " verify-scheme --scheme euler_claiming_order_two --problem decay --steps 100,200,400 --tolerance 0.3");
  EXPECT_EQ(gate.status, 1) << gate.output;
  EXPECT_NE(gate.output.find("misses the declared 2 by more than 0.3"), std::string::npos) << gate.output;
  EXPECT_EQ(run_odenet("test-scheme linear_multistp").status, 2);
}

TEST_F(Cli, VerifySchemeAcceptsInlineJsonAndRejectsBadInput) {
  auto ok = run_odenet(R"(verify-scheme --scheme '{"name": "linear_multistep", "k": 1}' --problem decay --steps 100,200,400 --json)");
  ASSERT_EQ(ok.status, 0) << ok.output;
  auto v = nlohmann::json::parse(ok.output);
  EXPECT_EQ(v["expected_order"], 2);
  EXPECT_EQ(v["runs"].size(), 3u);
  EXPECT_EQ(v["runs"][0]["steps"], 100);
  EXPECT_NEAR(v["observed_order"].get<double>(), 2.0, 0.3);
  auto reversible = run_odenet("verify-scheme --scheme reversible --problem oscillator --steps 50,100 --json");
  ASSERT_EQ(reversible.status, 0) << reversible.output;
  EXPECT_LT(nlohmann::json::parse(reversible.output)["runs"][0]["inverse_error"].get<double>(), 1e-10);
  auto stochastic = run_odenet("verify-scheme --scheme euler_maruyama --problem ou --steps 5,10 --json");
  ASSERT_EQ(stochastic.status, 0) << stochastic.output;
  EXPECT_TRUE(nlohmann::json::parse(stochastic.output)["runs"][0].contains("weak_error_variance"));

  EXPECT_EQ(run_odenet("verify-scheme --scheme rk9 --problem decay").output,
            "odenet: error: --scheme: /name: unknown scheme 'rk9'; registered: forward_euler, fractal_expansion, "
            "fractal_rk2, gaussian_noise, hamiltonian, leapfrog_second_order, linear_multistep, momentum, "
            "neumann_fixed_point, polynet_literal, polynet_mpoly, polynet_way, reversible, runge_kutta, shake_shake, "
            "stochastic_depth, stochastic_lm (a plugin's scheme? load it with --plugin PATH or ODENET_PLUGINS)\n");
  EXPECT_EQ(run_odenet("verify-scheme --scheme forward_euler --problem lorenz").output,
            "odenet: error: unknown problem 'lorenz'; problems: decay, rotation, oscillator, vanderpol, ou, second_order\n");
  EXPECT_EQ(run_odenet("verify-scheme --scheme forward_euler --problem decay --steps 10,x").output,
            "odenet: error: --steps: 'x' is not a positive integer\n");
  EXPECT_EQ(run_odenet("verify-scheme --scheme reversible --problem rotation").status, 2);
}

// A data root that does not hold the format's files fails validate (and run) before anything trains.
TEST_F(Cli, ValidateChecksTheDataRoot) {
  auto j = tiny_experiment(dir_ / "data", "roots", 1);
  EXPECT_EQ(run_odenet("validate " + write_experiment(j)).status, 0);
  j["dataset"]["root"] = dir_ / "nowhere";
  const std::string file = write_experiment(j, "nowhere.json");
  auto missing = run_odenet("validate " + file);
  EXPECT_EQ(missing.status, 2);
  EXPECT_EQ(missing.output, "odenet: error: " + file + ": /dataset/root: " + dir_ / "nowhere" + ": no such directory\n");
  fs::create_directories(dir_ / "empty");
  j["dataset"]["root"] = dir_ / "empty";
  auto empty = run_odenet("run --results " + dir_ / "results " + write_experiment(j, "empty.json"));
  EXPECT_EQ(empty.status, 2);
  EXPECT_NE(empty.output.find("/dataset/root: " + dir_ / "empty" + ": no train-images-idx3-ubyte or train-images-idx3-ubyte.gz"),
            std::string::npos)
      << empty.output;
  EXPECT_FALSE(fs::exists(dir_ / "results/roots"));
  EXPECT_EQ(run_odenet("validate --skip-data " + file).status, 0);
}

// Every experiment and benchmark the repository ships resolves and validates.
TEST_F(Cli, ShippedExperimentsValidate) {
  int files = 0;
  for (const char* folder : {"experiments", "benchmarks"})
    for (const auto& entry : fs::recursive_directory_iterator(std::string(ODENET_SOURCE_DIR) + "/" + folder)) {
      if (entry.path().extension() != ".json") continue;
      // CIFAR-10 and ImageNet may not be on this machine, nor the memory of a GPU campaign's machine.
      auto r = run_odenet("validate --skip-data --memory-limit 1T " + entry.path().string());
      EXPECT_EQ(r.status, 0) << entry.path() << ": " << r.output;
      EXPECT_NE(r.output.find("run(s)"), std::string::npos) << r.output;
      ++files;
    }
  EXPECT_GE(files, 9);  // experiments/paper/ included
}

TEST_F(Cli, ListsSchemesAndModelsAsJson) {
  auto schemes = run_odenet("schemes --json");
  ASSERT_EQ(schemes.status, 0);
  auto s = nlohmann::json::parse(schemes.output);
  bool lm = false;
  for (const auto& entry : s)
    if (entry["name"] == "linear_multistep") lm = entry["history"] == 2 && entry["order"] == 1;
  EXPECT_TRUE(lm) << s.dump();
  auto models = run_odenet("models --json");
  ASSERT_EQ(models.status, 0);
  auto m = nlohmann::json::parse(models.output);
  std::map<std::string, int64_t> params;
  for (const auto& entry : m) params[entry["name"]] = entry["params"].get<int64_t>();
  EXPECT_EQ(params["resnet20"], 269722);
  EXPECT_EQ(params["resnet50"], 25557032);  // at its data set's 1000 classes
  EXPECT_EQ(params["fractalnet_cifar"], 38649034);
  EXPECT_EQ(m.size(), 49u);
  for (const char* command : {"run", "validate", "table", "schemes", "models", "verify-scheme"}) {
    auto help = run_odenet(std::string(command) + " --help");
    EXPECT_EQ(help.status, 0) << command;
    EXPECT_NE(help.output.find("usage: odenet " + std::string(command)), std::string::npos) << help.output;
  }
  EXPECT_EQ(run_odenet("frobnicate").status, 2);
}

}  // namespace
}  // namespace odenet
