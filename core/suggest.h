// "Did you mean": the registered name, key or choice nearest to a misspelt one
// (case-insensitive edit distance), and the known misplacements of keys
// (train.lr belongs in train.optimizer.lr).
#pragma once
#include <string>
#include <vector>

namespace odenet {

/// Optimal-string-alignment distance (insertions, deletions, substitutions and adjacent
/// transpositions cost 1), ignoring case.
size_t edit_distance(const std::string& a, const std::string& b);

/// The choices nearest to `word` within max(2, |word| / 3) edits (all of those at the least
/// distance, at most three), in the order given; empty when none is near.
std::vector<std::string> nearest_choices(const std::string& word, const std::vector<std::string>& choices);

/// "did you mean 'x'?" (or "'x' or 'y'") for the nearest choices; empty when none is near.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& choices);

/// Where a key found at JSON path `path` (e.g. "/train/lr") belongs when it is a known
/// misplacement ("/train/optimizer/lr"); empty otherwise.
std::string misplaced_key_home(const std::string& path);

}  // namespace odenet
