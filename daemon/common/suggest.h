// "Did you mean": the known word closest to a misspelt one, for error
// messages (an unknown field of a document, an enum value, a system id).
//
//   Closest("retention_dys", {"retention_days", "lawful_basis"})
//     -> "retention_days"
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace aigov::common {

// The edit distance (insertions, deletions, substitutions; letters compared
// without case) between `a` and `b`.
size_t EditDistance(absl::string_view a, absl::string_view b);

// The candidate closest to `word` when it is near enough to be a typo (at
// most 2 edits, and at most a third of the word's length, rounded up), the
// first such on ties; "" otherwise.
std::string Closest(absl::string_view word,
                    const std::vector<std::string>& candidates);

// " (did you mean \"X\"?)" for the closest candidate, or "".
std::string DidYouMean(absl::string_view word,
                       const std::vector<std::string>& candidates);

}  // namespace aigov::common
