#include "data/dataset.h"

#include <gtest/gtest.h>

namespace odenet {
namespace {

TEST(Dataset, SubsetIsFixedOrderedAndDrawsFromAllOfASortedFile) {
  // 1000 examples sorted by class (as an image folder is): 500 of class 0 then 500 of class 1.
  auto images = torch::arange(1000, torch::kInt64).remainder(256).to(torch::kUInt8).reshape({1000, 1, 1, 1});
  auto labels = torch::cat({torch::zeros({500}, torch::kInt64), torch::ones({500}, torch::kInt64)});
  Dataset d{images, labels, {"a", "b"}};
  Dataset s = d.subset(100), again = d.subset(100);
  ASSERT_EQ(s.size(), 100);
  EXPECT_TRUE(torch::equal(s.images, again.images));
  int64_t ones = s.labels.sum().item<int64_t>();
  EXPECT_GT(ones, 30);
  EXPECT_LT(ones, 70);
  EXPECT_TRUE(torch::equal(s.labels, std::get<0>(s.labels.sort())));  // original order kept
  EXPECT_EQ(d.subset(0).size(), 1000);
  EXPECT_EQ(d.subset(5000).size(), 1000);
}

}  // namespace
}  // namespace odenet
