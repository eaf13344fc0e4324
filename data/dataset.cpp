#include "data/dataset.h"

#include <algorithm>
#include <numeric>
#include <random>

namespace odenet {

Dataset Dataset::subset(int64_t n) const {
  if (n <= 0 || n >= size()) return *this;
  std::vector<int64_t> order(static_cast<size_t>(size()));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(20181010);  // fixed: the subset is part of the data set, not of the run
  std::shuffle(order.begin(), order.end(), rng);
  order.resize(static_cast<size_t>(n));
  std::sort(order.begin(), order.end());
  auto index = torch::tensor(order, torch::kInt64);
  return Dataset{images.index_select(0, index).contiguous(), labels.index_select(0, index), class_names};
}

std::vector<std::string> numbered_classes(int64_t count) {
  std::vector<std::string> out;
  for (int64_t i = 0; i < count; ++i) out.push_back(std::to_string(i));
  return out;
}

}  // namespace odenet
