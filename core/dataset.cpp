#include "core/dataset.h"

namespace odenet {

Dataset Dataset::head(int64_t n) const {
  if (n <= 0 || n >= size()) return *this;
  return Dataset{images.narrow(0, 0, n).contiguous(), labels.narrow(0, 0, n).contiguous(), class_names};
}

std::vector<std::string> numbered_classes(int64_t count) {
  std::vector<std::string> out;
  for (int64_t i = 0; i < count; ++i) out.push_back(std::to_string(i));
  return out;
}

}  // namespace odenet
