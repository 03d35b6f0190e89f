// How raw values become bins: the one definition of a reference profile's
// bins and of a window's counts in them, shared by aigovctl (`drift
// profile`) and, in Python, by the agent (agents/python/aigov_agent/
// profile.py); a test holds the two to the same counts on the same data.
// Pure functions: no I/O, no state; thread-safe.
//
// Numeric: the reference's finite values sorted, v[0..n-1]; the edges are
// v[floor(q*n/10)] for q = 0..9 (the minimum and the deciles, nearest rank
// below) and the double just above v[n-1] (the maximum), repeats removed, so
// that the first bin holds values below the reference minimum and the last
// those above its maximum (drift_stats.h's "out of range"). No finite value:
// the edges are {0}. A value x is in bin #{edges <= x}; NaN is null.
//
// Categorical: the top `max_categories` reference categories by count, ties
// by byte order, then `other` (the reference's remaining categories) and
// `unseen`.
//
// Text cells (CSV): null when empty or one of "NA", "N/A", "NaN", "nan",
// "null", "NULL", "None"; a number is a decimal ([+-]digits[.digits][e±d])
// or inf, case-insensitive.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace aigov::monitoring {

inline constexpr size_t kDefaultMaxCategories = 20;

// The edges of a numeric feature whose finite reference values, ascending,
// are `sorted`.
std::vector<double> NumericEdges(absl::Span<const double> sorted);

// The bin of `x` (not NaN) among `edges` (len(edges) + 1 bins).
size_t NumericBin(absl::Span<const double> edges, double x);

// Population standard deviation of finite values (0 when none), computed
// on the values scaled by their largest magnitude (no overflow).
double StandardDeviation(absl::Span<const double> finite);

// A categorical feature's reference bins.
struct CategoricalReference {
  std::vector<std::string> categories;  // the top ones, in bin order
  std::vector<uint64_t> counts;         // categories, then other, unseen
  std::set<std::string> other;          // the remaining reference categories

  // The bin of a non-null value.
  size_t BinOf(absl::string_view value) const;
};

// The reference bins of non-null `values`.
CategoricalReference TopCategories(absl::Span<const std::string> values,
                                   size_t max_categories);

bool IsNullCell(absl::string_view cell);
bool IsNumberCell(absl::string_view cell);

}  // namespace aigov::monitoring
