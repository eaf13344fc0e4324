// State dicts: a network's weights out to a torch.save-format file and back in,
// and the strict checks that name what does not fit.
#include "core/state_dict.h"

#include <gtest/gtest.h>

#include "architectures/presets.h"
#include "architectures/torchvision_names.h"
#include "core/error.h"
#include "tests/support/test_support.h"

namespace odenet {
namespace {

std::shared_ptr<ClassifierImpl> lm_resnet(int seed) {
  torch::manual_seed(seed);
  auto options = preset_options("lm_resnet20");
  auto scheme = options.scheme;
  return build_model(options, *scheme, 3, 10);
}

TEST(StateDict, HoldsEveryParameterAndBufferUnderItsModulePath) {
  auto model = lm_resnet(0);
  StateDict dict = state_dict(*model);
  EXPECT_EQ(dict.size(), model->named_parameters().size() + model->named_buffers().size());
  int64_t scalars = 0;
  for (const auto& p : model->parameters()) scalars += p.numel();
  int64_t in_dict = 0;
  for (const auto& item : model->named_parameters()) in_dict += dict.at(item.key()).numel();
  EXPECT_EQ(in_dict, scalars);
  EXPECT_TRUE(dict.contains("fc.weight") || dict.contains("classifier.weight"));
}

TEST(StateDict, AFileRoundTripGivesTheSameNetwork) {
  test::ScratchDir dir;
  auto a = lm_resnet(1), b = lm_resnet(2);
  a->eval(), b->eval();
  auto x = torch::randn({2, 3, 32, 32});
  ASSERT_FALSE(torch::allclose(a->forward(x), b->forward(x)));
  save_state_dict(dir / "a.pt", state_dict(*a));
  load_state_dict(*b, read_state_dict(dir / "a.pt"), dir / "a.pt");
  EXPECT_TRUE(torch::equal(a->forward(x), b->forward(x)));
}

TEST(StateDict, WhatDoesNotFitIsNamed) {
  test::ScratchDir dir;
  auto model = lm_resnet(0);
  StateDict dict = state_dict(*model);
  StateDict missing = dict.copy();
  ASSERT_EQ(missing.erase("stage1.block1.f.conv1.weight"), 1u);
  EXPECT_NE(test::error_message<DataError>([&] { load_state_dict(*model, missing, "w.pt"); })
                .find("w.pt: no tensor 'stage1.block1.f.conv1.weight'"),
            std::string::npos);
  StateDict extra = dict.copy();
  extra.insert("stray", torch::zeros({1}));
  EXPECT_EQ(test::error_message<DataError>([&] { load_state_dict(*model, extra, "w.pt"); }),
            "w.pt: tensor 'stray' has no place in the network");
  StateDict wrong = dict.copy();
  wrong.insert_or_assign("stage1.block1.f.conv1.weight", torch::zeros({3}));
  EXPECT_NE(test::error_message<DataError>([&] { load_state_dict(*model, wrong, "w.pt"); }).find("has shape [3] where"),
            std::string::npos);

  test::write_text(dir / "junk.pt", "not a pickle");
  EXPECT_NE(test::error_message<DataError>([&] { read_state_dict(dir / "junk.pt"); }).find("junk.pt: not a state dict"),
            std::string::npos);
  std::vector<char> list = torch::pickle_save(c10::IValue(std::vector<int64_t>{1, 2}));
  test::write_text(dir / "list.pt", std::string(list.begin(), list.end()));
  EXPECT_NE(test::error_message<DataError>([&] { read_state_dict(dir / "list.pt"); }).find("not a dict of tensors"),
            std::string::npos);
}

TEST(StateDict, TorchvisionNamesMapEveryResnetTensorAndNoLmCoefficient) {
  EXPECT_EQ(torchvision_name("stem.weight"), "conv1.weight");
  EXPECT_EQ(torchvision_name("stem_bn.running_var"), "bn1.running_var");
  EXPECT_EQ(torchvision_name("stage3.block6.f.conv2.weight"), "layer3.5.conv2.weight");
  EXPECT_EQ(torchvision_name("stage2.block1.projection.conv.weight"), "layer2.0.downsample.0.weight");
  EXPECT_EQ(torchvision_name("stage2.block1.projection.bn.num_batches_tracked"), "layer2.0.downsample.1.num_batches_tracked");
  EXPECT_EQ(torchvision_name("fc.bias"), "fc.bias");
  EXPECT_EQ(torchvision_name("stage1.block2.s"), "");
  EXPECT_EQ(torchvision_name("stage1.blockx.f.conv1.weight"), "");

  // A torchvision-named ResNet-50 dict into LM-ResNet-50 (as train.init_names "torchvision" does):
  // every ResNet tensor arrives, each k keeps its initialisation.
  auto build = [](const std::string& preset) {
    auto options = preset_options(preset);
    return build_model(options, *options.scheme, 3, 1000);
  };
  torch::manual_seed(3);
  StateDict resnet = state_dict(*build("resnet50")), torchvision;
  for (const auto& e : resnet) torchvision.insert(torchvision_name(e.key()), e.value());
  auto lm = build("lm_resnet50");
  StateDict before = state_dict(*lm);
  load_state_dict(*lm, torchvision, "tv.pt", torchvision_name);
  int kept = 0;
  for (const auto& e : state_dict(*lm)) {
    const std::string tv = torchvision_name(e.key());
    EXPECT_TRUE(torch::equal(e.value(), tv.empty() ? before.at(e.key()) : torchvision.at(tv))) << e.key();
    kept += tv.empty();
  }
  EXPECT_GT(kept, 0);
}

}  // namespace
}  // namespace odenet
