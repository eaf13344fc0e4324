// A full disk while a run writes its epoch: one line naming the file and "No space left on
// device", a non-zero exit, no temp file left, the previous checkpoint and metrics intact, and
// --resume finishing the run once there is space. Shown twice: on a real 1 MiB tmpfs filled to
// the last byte (where this process may mount, e.g. as root), and — everywhere — with the
// checkpoint's temp file pointing at /dev/full, whose writes fail with ENOSPC.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cstdio>
#include <filesystem>
#include <vector>

#include "tests/support/test_support.h"

namespace odenet {
namespace {
namespace fs = std::filesystem;
using test::run_odenet;

class DiskFull : public ::testing::Test {
 protected:
  void SetUp() override { test::write_idx_dataset(dir_ / "data", 4096, 64, 12, 4); }  // an epoch outlasts 0.3 s
  // Trains epoch 1 of 2 and pauses (time limit), leaving a checkpoint to resume from.
  std::string start(const std::string& results) {
    test::write_text(dir_ / "full.json", test::tiny_experiment(dir_ / "data", "full", 2).dump());
    auto first = run_odenet("run " + dir_ / "full.json" + " --time-limit 0.3s --threads 1 --device cpu --results " + results);
    EXPECT_EQ(first.status, 0) << first.output;
    EXPECT_NE(first.output.find("paused after epoch 1/2"), std::string::npos) << first.output;
    return results + "/full/s0";
  }
  // The run after the disk filled: refused with one line, nothing lost, nothing left behind.
  void expect_clean_failure(const test::CommandResult& r, const std::string& run, const std::string& checkpoint_before) {
    EXPECT_NE(r.status, 0) << r.output;
    const bool named = r.output.find("odenet: error: " + run + "/checkpoint.pt: cannot write (No space left on device)\n") !=
                           std::string::npos ||
                       r.output.find("odenet: error: " + run + "/metrics.jsonl: cannot write (No space left on device)\n") !=
                           std::string::npos;
    EXPECT_TRUE(named) << r.output;
    EXPECT_EQ(test::read_text(run + "/checkpoint.pt"), checkpoint_before);
    EXPECT_GE(test::metric_lines(run + "/metrics.jsonl").size(), 1u);
    EXPECT_LE(test::metric_lines(run + "/metrics.jsonl").size(), 2u);  // epoch 2's, if the checkpoint failed
    for (const auto& entry : fs::directory_iterator(run))
      EXPECT_NE(entry.path().extension(), ".tmp") << entry.path();
  }
  void expect_resumes_to_the_end(const std::string& results, const std::string& run) {
    auto resumed = run_odenet("run " + dir_ / "full.json" + " --resume --threads 1 --device cpu --results " + results);
    ASSERT_EQ(resumed.status, 0) << resumed.output;
    EXPECT_NE(resumed.output.find("full/s0: resuming after epoch 1/2"), std::string::npos) << resumed.output;
    EXPECT_EQ(test::metric_lines(run + "/metrics.jsonl").size(), 2u);
    EXPECT_TRUE(fs::exists(run + "/summary.json"));
  }
  test::ScratchDir dir_;
};

TEST_F(DiskFull, ACheckpointThatCannotBeWrittenLosesNothing) {
  std::string results = dir_ / "results", run = start(results);
  const std::string before = test::read_text(run + "/checkpoint.pt");
  fs::create_symlink("/dev/full", run + "/checkpoint.pt.tmp");
  auto failed = run_odenet("run " + dir_ / "full.json" + " --resume --threads 1 --device cpu --results " + results);
  expect_clean_failure(failed, run, before);
  expect_resumes_to_the_end(results, run);
}

TEST_F(DiskFull, AFullFilesystemLosesNothing) {
  std::string results = dir_ / "tmpfs";
  fs::create_directories(results);
  if (::mount("tmpfs", results.c_str(), "tmpfs", 0, "size=1m") != 0)
    GTEST_SKIP() << "mount not permitted here; ACheckpointThatCannotBeWrittenLosesNothing covers ENOSPC";
  struct Unmount {
    std::string path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{results};
  std::string run = start(results);
  const std::string before = test::read_text(run + "/checkpoint.pt");
  {
    std::FILE* filler = std::fopen((results + "/filler").c_str(), "wb");
    ASSERT_TRUE(filler);
    std::vector<char> block(4096, 'x');
    while (std::fwrite(block.data(), 1, block.size(), filler) == block.size() && std::fflush(filler) == 0) {
    }
    std::fclose(filler);
  }
  auto failed = run_odenet("run " + dir_ / "full.json" + " --resume --threads 1 --device cpu --results " + results);
  expect_clean_failure(failed, run, before);
  fs::remove(results + "/filler");
  expect_resumes_to_the_end(results, run);
}

}  // namespace
}  // namespace odenet
