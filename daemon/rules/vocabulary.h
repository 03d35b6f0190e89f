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

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace aigov::rules {

struct Term {
  absl::string_view name;
  absl::string_view description;
  // For events, attributes and remedies: what to record so that the term
  // holds, as fix specs separated by "; ", each "Kind.field.path",
  // "Kind.field.path=VALUE" (an enum value's short form) or either followed
  // by " (note)". Kind is a record of aigov.v1 (or DaemonConfig, for
  // aigovd's configuration); a test resolves every path and value against
  // the proto descriptors. Empty for conditions.
  absl::string_view fix = {};
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
// What fixes the findings the evaluator's own code (a catalog record's
// `in_code`) raises, by name.
absl::Span<const Term> Remedies();

// The fix spec of `term` in `terms`; AIGOV_CHECKs that it exists (the
// evaluator names only terms of this file).
absl::string_view FixOf(absl::Span<const Term> terms, absl::string_view term);

// `spec` (Term::fix) in words, one item per spec: "set
// AiSystem.gdpr.retention_days", "record EvidenceDocument.type = ROPA",
// each with its note, and `suffix` (e.g. " covering credit-scoring@2.0")
// after the value.
std::vector<std::string> FixWords(absl::string_view spec,
                                  absl::string_view suffix = "");

// The term named `name` in `terms`, or nullptr.
const Term* Find(absl::Span<const Term> terms, absl::string_view name);

}  // namespace aigov::rules
