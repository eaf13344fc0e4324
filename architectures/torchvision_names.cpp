#include "architectures/torchvision_names.h"

#include <cctype>

namespace odenet {

namespace {

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

// Reads the decimal number at s[pos...], advancing pos; -1 if there is none.
long read_number(const std::string& s, size_t& pos) {
  long n = -1;
  while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos])) && n < 1000000)
    n = (n < 0 ? 0 : n * 10) + (s[pos++] - '0');
  return n;
}

}  // namespace

std::string torchvision_name(const std::string& name) {
  if (starts_with(name, "stem.")) return "conv1." + name.substr(5);
  if (starts_with(name, "stem_bn.")) return "bn1." + name.substr(8);
  if (starts_with(name, "fc.")) return name;
  if (!starts_with(name, "stage")) return "";
  size_t pos = 5;
  const long stage = read_number(name, pos);
  if (stage < 1 || name.compare(pos, 6, ".block") != 0) return "";
  pos += 6;
  const long block = read_number(name, pos);
  if (block < 1 || pos >= name.size() || name[pos] != '.') return "";
  const std::string rest = name.substr(pos + 1), layer = "layer" + std::to_string(stage) + "." + std::to_string(block - 1) + ".";
  if (starts_with(rest, "f.")) return layer + rest.substr(2);
  if (starts_with(rest, "projection.conv.")) return layer + "downsample.0." + rest.substr(16);
  if (starts_with(rest, "projection.bn.")) return layer + "downsample.1." + rest.substr(14);
  return "";  // k or s of an LM step
}

}  // namespace odenet
