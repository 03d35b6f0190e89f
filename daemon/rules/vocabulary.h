// The closed vocabulary of the obligation catalog (daemon/rules/catalog):
// the names a catalog record may use for conditions (when an obligation
// applies, which clock variant runs), events (what starts and stops a
// clock, what evidence must exist) and attributes (what must be recorded).
// The catalog loader refuses any other name, so a typo in a catalog stops
// aigovd at startup instead of silently never applying. Each name's
// meaning over the record (REGULATION.md §1.1) is its description here; the
// evaluator binds every name to code, and a test checks that none is left
// unbound.
//
// Immutable data; thread-safe.
#pragma once

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace aigov::rules {

struct Term {
  absl::string_view name;
  absl::string_view description;
};

// Conditions over a system's profile and its record, true or false at an
// instant.
absl::Span<const Term> Conditions();
// Events of the record: instants that start or stop a clock, or whose
// existence is evidence.
absl::Span<const Term> Events();
// Attributes that must be recorded on the system, its model versions or
// its datasets.
absl::Span<const Term> Attributes();

// The term named `name` in `terms`, or nullptr.
const Term* Find(absl::Span<const Term> terms, absl::string_view name);

}  // namespace aigov::rules
