// The encoded images a streamed data set decodes anew every pass, and what its index knows of
// each without decoding it: the image's size (for drawing crop boxes) and its label.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace odenet {

class EncodedImages {
 public:
  virtual ~EncodedImages() = default;
  int64_t size() const { return static_cast<int64_t>(labels.size()); }
  /// Image i's encoded bytes into `bytes` (its capacity reused); errors are DataErrors naming it.
  virtual void read(int64_t i, std::vector<uint8_t>& bytes) const = 0;
  /// What errors call image i: its file, or the pack and record.
  virtual std::string name(int64_t i) const = 0;

  std::vector<std::string> class_names;
  std::vector<int64_t> labels;
  std::vector<int32_t> heights, widths;  ///< as the headers declare (full resolution)
};

}  // namespace odenet
