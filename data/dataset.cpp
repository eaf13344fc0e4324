#include "data/dataset.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "data/image_stream.h"

namespace odenet {

int64_t Dataset::channels() const { return stream ? stream->transform().channels : images.size(1); }
int64_t Dataset::height() const { return stream ? stream->transform().crop : images.size(2); }
int64_t Dataset::width() const { return stream ? stream->transform().crop : images.size(3); }

Dataset Dataset::in_memory(int64_t limit) const {
  if (!stream) return *this;
  const int64_t n = limit > 0 ? std::min(limit, size()) : size();
  const int64_t c = channels(), h = height(), w = width();
  auto interleaved = torch::empty({n, h, w, c}, torch::kUInt8);
  std::vector<uint8_t> bytes;
  for (int64_t i = 0; i < n; ++i) stream->decode(i, nullptr, interleaved[i].data_ptr<uint8_t>(), bytes);
  return Dataset{interleaved.permute({0, 3, 1, 2}).contiguous(), labels.narrow(0, 0, n).clone(), class_names, nullptr};
}

Dataset Dataset::subset(int64_t n) const {
  if (n <= 0 || n >= size()) return *this;
  std::vector<int64_t> order(static_cast<size_t>(size()));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(20181010);  // fixed: the subset is part of the data set, not of the run
  std::shuffle(order.begin(), order.end(), rng);
  order.resize(static_cast<size_t>(n));
  std::sort(order.begin(), order.end());
  auto index = torch::tensor(order, torch::kInt64);
  if (stream) return Dataset{images, labels.index_select(0, index), class_names, stream->subset(order)};
  return Dataset{images.index_select(0, index).contiguous(), labels.index_select(0, index), class_names};
}

std::vector<std::string> numbered_classes(int64_t count) {
  std::vector<std::string> out;
  for (int64_t i = 0; i < count; ++i) out.push_back(std::to_string(i));
  return out;
}

}  // namespace odenet
