#include "core/suggest.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace odenet {

size_t edit_distance(const std::string& a, const std::string& b) {
  auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  const size_t n = a.size(), m = b.size();
  // d[i][j]: distance between the first i characters of a and the first j of b.
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1, 0));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i)
    for (size_t j = 1; j <= m; ++j) {
      const bool same = lower(a[i - 1]) == lower(b[j - 1]);
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (same ? 0 : 1)});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1]))
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[n][m];
}

std::vector<std::string> nearest_choices(const std::string& word, const std::vector<std::string>& choices) {
  const size_t limit = std::max<size_t>(2, word.size() / 3);
  size_t best = limit + 1;
  std::vector<std::string> out;
  for (const auto& choice : choices) {
    const size_t d = edit_distance(word, choice);
    if (d > limit || d > best || choice == word) continue;
    if (d < best) best = d, out.clear();
    out.push_back(choice);
  }
  if (out.size() > 3) out.resize(3);
  return out;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& choices) {
  const auto near = nearest_choices(word, choices);
  if (near.empty()) return "";
  std::string text = "did you mean ";
  for (size_t i = 0; i < near.size(); ++i)
    text += (i == 0 ? "" : i + 1 == near.size() ? " or " : ", ") + ("'" + near[i] + "'");
  return text + "?";
}

std::string misplaced_key_home(const std::string& path) {
  // Keys users put one level off: the optimiser's and the schedule's keys directly under train,
  // the model's under the top level, train's under the top level.
  static const std::map<std::string, std::string> homes{
      {"/train/lr", "/train/optimizer/lr"},
      {"/train/momentum", "/train/optimizer/momentum"},
      {"/train/nesterov", "/train/optimizer/nesterov"},
      {"/train/weight_decay", "/train/optimizer/weight_decay"},
      {"/train/milestones", "/train/schedule/milestones"},
      {"/train/gamma", "/train/schedule/gamma"},
      {"/train/warmup_epochs", "/train/schedule/warmup_epochs"},
      {"/train/min_lr", "/train/schedule/min_lr"},
      {"/train/scheme", "/model/scheme"},
      {"/scheme", "/model/scheme"},
      {"/preset", "/model/preset"},
      {"/depth", "/model/depth"},
      {"/width", "/model/width"},
      {"/epochs", "/train/epochs"},
      {"/batch_size", "/train/batch_size"},
      {"/precision", "/train/precision"},
      {"/optimizer", "/train/optimizer"},
      {"/schedule", "/train/schedule"},
      {"/lr", "/train/optimizer/lr"},
      {"/model/epochs", "/train/epochs"},
      {"/model/lr", "/train/optimizer/lr"},
      {"/augment", "/dataset/augment"},
      {"/train/augment", "/dataset/augment"},
  };
  auto it = homes.find(path);
  return it == homes.end() ? "" : it->second;
}

}  // namespace odenet
