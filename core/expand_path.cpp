#include "core/expand_path.h"

#include <cctype>
#include <cstdlib>

namespace odenet {

std::string expand_path(const JsonReader& r, const std::string& key, const std::string& value) {
  std::string out = value;
  if (!out.empty() && out[0] == '~') {
    const char* home = std::getenv("HOME");
    out = std::string(home ? home : "") + out.substr(1);
  }
  // $NAME or ${NAME} (NAME: a letter or _, then letters, digits, _); scanned by hand (std::regex
  // recurses per character and overflows the stack on long strings).
  auto name_char = [](char c, bool first) {
    return c == '_' || std::isalpha(static_cast<unsigned char>(c)) || (!first && std::isdigit(static_cast<unsigned char>(c)));
  };
  std::string result;
  for (size_t i = 0; i < out.size();) {
    const bool braced = out[i] == '$' && i + 1 < out.size() && out[i + 1] == '{';
    const size_t start = i + (braced ? 2 : 1);
    size_t end = start;
    while (end < out.size() && name_char(out[end], end == start)) ++end;
    if (out[i] != '$' || end == start || (braced && (end >= out.size() || out[end] != '}'))) {
      result += out[i++];
      continue;
    }
    const std::string name = out.substr(start, end - start);
    const char* v = std::getenv(name.c_str());
    if (!v) r.fail(key, "environment variable $" + name + " is not set");
    result += v;
    i = end + (braced ? 1 : 0);
  }
  return result;
}

}  // namespace odenet
