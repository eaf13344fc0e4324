// Suggestions for misspelt names: the edit distance on known cases, and which choices are near.
#include <gtest/gtest.h>

#include "core/registry.h"
#include "core/suggest.h"

namespace odenet {
namespace {

TEST(Suggest, EditDistanceCountsInsertionsDeletionsSubstitutionsAndTranspositions) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("epochs", "epcohs"), 1u);        // one adjacent transposition
  EXPECT_EQ(edit_distance("LM_ResNet20", "lm_resnet20"), 0u);  // case is ignored
  EXPECT_EQ(edit_distance("ca", "abc"), 3u);               // optimal string alignment, not full Damerau
}

TEST(Suggest, OnlyNearChoicesAreOffered) {
  const std::vector<std::string> choices{"resnet20", "resnet32", "lm_resnet20", "preact_resnet110"};
  EXPECT_EQ(nearest_choices("resnet21", choices), std::vector<std::string>{"resnet20"});
  EXPECT_EQ(nearest_choices("resnet22", choices), (std::vector<std::string>{"resnet20", "resnet32"}));
  EXPECT_TRUE(nearest_choices("vgg16", choices).empty());
  EXPECT_EQ(did_you_mean("resnet22", choices), "did you mean 'resnet20' or 'resnet32'?");
  EXPECT_EQ(did_you_mean("vgg16", choices), "");
}

TEST(Suggest, KnownMisplacementsPointToTheKeysHome) {
  EXPECT_EQ(misplaced_key_home("/train/lr"), "/train/optimizer/lr");
  EXPECT_EQ(misplaced_key_home("/scheme"), "/model/scheme");
  EXPECT_EQ(misplaced_key_home("/train/optimizer/lr"), "");
}

TEST(Suggest, ARegistrySuggestsTheNearNameOrListsAll) {
  Registry<int> registry("widget");
  registry.add("alpha", 1);
  registry.add("beta", 2);
  try {
    registry.get("alpah");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "unknown widget 'alpah'; did you mean 'alpha'?");
  }
  try {
    registry.get("zzzzzz");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "unknown widget 'zzzzzz'; registered: alpha, beta");
  }
}

}  // namespace
}  // namespace odenet
