// The paper's ImageNet experiment pointed at a tiny folder in ImageNet's layout: ResNet-50 and
// LM-ResNet-50 (reduced widths, small crops) train an epoch end to end from the folder, and again
// from the packs `odenet pack` writes of it.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "tests/support/test_support.h"

namespace odenet {
namespace {

namespace fs = std::filesystem;

// An experiment extending experiments/paper/imagenet.json, reduced to fit a test.
std::string reduced_experiment(const test::ScratchDir& dir, const std::string& name) {
  const nlohmann::json j = {
      {"extends", std::string(ODENET_SOURCE_DIR) + "/experiments/paper/imagenet.json"},
      {"name", name},
      {"dataset", {{"root", dir / "imagenet"}, {"crop", 32}, {"resize", 36}, {"workers", 2}}},
      {"model", {{"width", 4}}},
      {"train",
       {{"epochs", 1}, {"batch_size", 8}, {"eval_batch_size", 8}, {"schedule", {{"name", "cosine"}, {"milestones", nullptr}, {"gamma", nullptr}}}}},
      {"sweep", {{"model.preset", {"resnet50", "lm_resnet50"}}}},
      {"reference", nullptr}};
  test::write_text(dir / (name + ".json"), j.dump(2));
  return dir / (name + ".json");
}

TEST(ImageNet, TheReducedPaperExperimentTrainsFromAFolderAndFromItsPacks) {
  test::ScratchDir dir;
  test::write_jpeg_folder(dir / "imagenet", "train", 3, 8, 40, 120, 1);
  test::write_jpeg_folder(dir / "imagenet", "val", 3, 3, 40, 120, 2);
  const std::string cache_dir = dir / "cache";
  test::ScopedEnv cache("ODENET_CACHE", cache_dir.c_str());
  const auto folder = test::run_odenet("run --results " + dir / "results " + reduced_experiment(dir, "folder"));
  ASSERT_EQ(folder.status, 0) << folder.output;
  for (const char* run : {"resnet50_s0", "lm_resnet50_s0"}) {
    const auto summary = nlohmann::json::parse(test::read_text(dir / "results/folder/" + run + "/summary.json"));
    EXPECT_EQ(summary["epochs"], 1) << run;
    EXPECT_TRUE(summary.contains("final_test_top5_error")) << "1000 classes: top-5 recorded";
  }
  EXPECT_NE(folder.output.find("24 train / 9 test images 3x32x32"), std::string::npos) << folder.output;

  const auto pack = test::run_odenet("pack " + dir / "imagenet " + dir / "imagenet --max-side 100 --threads 2");
  ASSERT_EQ(pack.status, 0) << pack.output;
  EXPECT_NE(pack.output.find("train.odenet-pack: 24 images"), std::string::npos) << pack.output;
  fs::rename(dir / "imagenet/train", dir / "train-folder");  // only the packs are left to read
  fs::rename(dir / "imagenet/val", dir / "val-folder");
  const auto packed = test::run_odenet("run --results " + dir / "results " + reduced_experiment(dir, "packed"));
  ASSERT_EQ(packed.status, 0) << packed.output;
  EXPECT_TRUE(fs::exists(dir / "results/packed/lm_resnet50_s0/summary.json"));
}

}  // namespace
}  // namespace odenet
