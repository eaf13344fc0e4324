// Experiment files written to break odenet: each gets one ConfigError naming the file and the
// JSON path (exit 2 from the command line), never a crash, a hang or unbounded memory.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "core/error.h"
#include "core/version.h"
#include "experiments/experiment.h"
#include "tests/support/test_support.h"

namespace odenet {
namespace {

class HostileInput : public ::testing::Test {
 protected:
  // A valid experiment with `fragment` spliced in as more top-level keys.
  std::string write(const std::string& name, const std::string& fragment) {
    std::string text = R"({"name": "h", "dataset": {"name": "fashion_mnist"}, "model": {"preset": "resnet20"},
                          "train": {"epochs": 1})" + fragment + "}";
    test::write_text(dir_ / name, text);
    return dir_ / name;
  }
  std::string error_of(const std::string& file) {
    return test::error_message<ConfigError>([&] { load_experiment(file); });
  }
  test::ScratchDir dir_;
};

TEST_F(HostileInput, HugeNamesAndDeepNestingAreRefusedWithoutRecursion) {
  std::string long_name = dir_ / "long.json";
  test::write_text(long_name, R"({"name": ")" + std::string(50000, 'a') + R"(", "dataset": {"name": "fashion_mnist"},
                   "model": {"preset": "resnet20"}, "train": {"epochs": 1}})");
  EXPECT_NE(error_of(long_name).find(long_name + ": /name: 'aaaa"), std::string::npos);
  EXPECT_NE(error_of(long_name).find("is not a valid directory name (1 to 128 letters"), std::string::npos);

  auto deep = write("deep.json", R"(, "description": )" + std::string(100000, '[') + std::string(100000, ']'));
  EXPECT_EQ(error_of(deep), deep + ": /description/0/0/0" +
                                [] { std::string s; for (int i = 0; i < 196; ++i) s += "/0"; return s; }() +
                                ": nested deeper than 200 levels");
  auto sweep = write("sweep.json", R"(, "sweep": {"train.epochs": )" + std::string(300000, '[') + std::string(300000, ']') + "}");
  EXPECT_NE(error_of(sweep).find(": nested deeper than 200 levels"), std::string::npos);
  std::string root = dir_ / "root.json";  // a 200,000-character path of '$'s: expanded without std::regex
  test::write_text(root, R"({"name": "h", "dataset": {"name": "mnist", "root": ")" + std::string(200000, '$') +
                             R"("}, "model": {"preset": "resnet20"}, "train": {"epochs": 1}})");
  EXPECT_EQ(error_of(root), "(no error)");
}

TEST_F(HostileInput, JsonSemanticsAreStrict) {
  auto duplicate = write("dup.json", R"(, "seeds": [0], "seeds": [1])");
  EXPECT_EQ(error_of(duplicate), duplicate + ": /seeds: duplicate key (strict JSON: each key once)");
  auto nested_duplicate = write("dup2.json", R"(, "sweep": {"model.preset": ["resnet20"], "model.preset": ["resnet56"]})");
  EXPECT_EQ(error_of(nested_duplicate), nested_duplicate + ": /sweep/model.preset: duplicate key (strict JSON: each key once)");
  auto overflow = write("big.json", R"(, "description": "x", "seeds": [1e400])");
  EXPECT_NE(error_of(overflow).find(overflow + ": invalid JSON near /seeds/0: number overflow"), std::string::npos)
      << error_of(overflow);
  auto seed = write("seed.json", R"(, "seeds": [9223372036854775808])");
  EXPECT_EQ(error_of(seed), seed + ": /seeds/0: 9223372036854775808 is out of range [0, 2147483648]");
  EXPECT_EQ(error_of(dir_.path()), dir_.path() + ": is a directory, not a JSON file");
  auto tilde = write("tilde.json", R"(, "sweep": {"model.scheme.nam~e": ["rk4"]})");  // found by fuzz_experiment
  EXPECT_EQ(error_of(tilde), tilde + ": /sweep/model.scheme.nam~e: expected a dotted path of names such as \"model.preset\"");
  auto swept_seeds = write("swept.json", R"(, "sweep": {"seeds": [[0], [1]]})");
  EXPECT_EQ(error_of(swept_seeds), swept_seeds + ": /sweep/seeds: seeds are not swept: list them in the top-level \"seeds\"");
}

TEST_F(HostileInput, AnEnormousSweepIsRefusedBeforeExpanding) {
  std::string axis = "[";
  for (int i = 0; i < 1000; ++i) axis += (i ? "," : "") + std::to_string(i + 1);
  axis += "]";
  auto file = write("grid.json", R"(, "sweep": {"train.epochs": )" + axis + R"(, "train.batch_size": )" + axis +
                                     R"(, "train.eval_batch_size": )" + axis + R"(, "train.optimizer.lr": )" + axis + "}");
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(error_of(file), file + ": /sweep: more than 10000 runs (the axes' sizes times 1 seed(s)); split the experiment");
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5.0);
}

TEST_F(HostileInput, APluginThrowingAnythingIsRefusedNamingIt) {
  auto r = test::run_odenet(std::string("--plugin ") + ODENET_THROWING_PLUGIN + " schemes");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.output, std::string("odenet: error: ") + ODENET_THROWING_PLUGIN +
                          ": plugin registration failed: it threw something that is not a std::exception\n");
}

TEST_F(HostileInput, APluginBuiltForAnotherOdenetIsRefusedBeforeItRuns) {
  auto r = test::run_odenet(std::string("--plugin ") + ODENET_FOREIGN_ABI_PLUGIN + " schemes");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.output, std::string("odenet: error: ") + ODENET_FOREIGN_ABI_PLUGIN +
                          ": plugin built for odenet 0.1.0 / LibTorch 1.12 / C++11 ABI 0, this is " ODENET_PLUGIN_ABI
                          ": rebuild it against this odenet\n");
  r = test::run_odenet(std::string("--plugin ") + ODENET_UNSTAMPED_PLUGIN + " schemes");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find(": not an odenet plugin, or one without an ABI stamp"), std::string::npos) << r.output;
  // Both test plugins abort in a static constructor: the stamp is read from the file, before dlopen.
  EXPECT_EQ(r.output.find("Aborted"), std::string::npos) << r.output;
}

TEST_F(HostileInput, APluginFileThatIsNoSharedLibraryIsNamed) {
  const std::string text = dir_ / "text.so";
  test::write_text(text, std::string(100, 'x'));  // a file as long as an ELF header, but no ELF
  auto r = test::run_odenet("--plugin " + text + " schemes");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.output, "odenet: error: " + text + ": not a shared library odenet can load: no ELF header\n");
  // An ELF file cut after its header: its section headers point past the end.
  const std::string whole = test::read_text(ODENET_EXAMPLE_PLUGIN);
  const std::string cut = dir_ / "cut.so";
  test::write_text(cut, whole.substr(0, 200));
  r = test::run_odenet("--plugin " + cut + " schemes");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.output, "odenet: error: " + cut + ": not a shared library odenet can load: section headers outside the file\n");
}

TEST_F(HostileInput, CommandLineValuesOutOfRangeAreErrors) {
  auto file = write("ok.json", "");
  for (const char* args : {"verify-scheme --scheme rk4 --problem decay --t1 0", "verify-scheme --scheme rk4 --problem decay --t1 nan",
                           "verify-scheme --scheme rk4 --problem decay --t1 inf", "verify-scheme --scheme rk4 --problem decay --steps 10,20,10",
                           "verify-scheme --scheme rk4 --problem decay --steps 10,2000000000"}) {
    auto r = test::run_odenet(args);
    EXPECT_EQ(r.status, 2) << args << ": " << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << args << ": " << r.output;
  }
  auto threads = test::run_odenet("run " + file + " --threads 100000");
  EXPECT_EQ(threads.status, 2);
  EXPECT_NE(threads.output.find("--threads: 100000 is not between 0 (all cores) and"), std::string::npos) << threads.output;
  EXPECT_EQ(test::run_odenet("run " + file + " --threads -1").status, 2);
  auto long_value = write("long.json", R"(, "sweep": {"dataset.root": ["/tmp/)" + std::string(300, 'x') + R"("]})");
  EXPECT_NE(error_of(long_value).find("longer than a file name may safely be (200)"), std::string::npos) << error_of(long_value);
}

}  // namespace
}  // namespace odenet
