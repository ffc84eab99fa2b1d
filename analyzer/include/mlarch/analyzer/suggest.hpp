// "Did you mean ...?" suggestions for misspelt keys, values and references.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlarch {

// Damerau-Levenshtein (optimal string alignment) distance.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if it is close enough to be a likely typo.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or an empty string.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace mlarch
