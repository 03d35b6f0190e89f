// The seam for rules that depend on the state of the record (DESIGN.md:
// checks that depend on current state run inside the sequencer, in order).
//
// A view's Check keeps its own references whole (a deployment names a
// registered model version); an AdmissionRule is a rule of the domain that
// reads the views to decide whether an event may be recorded at all (AI Act
// Art. 14(5): an approval of a remote biometric identification needs two
// verifiers). Rules live with admission (ingest/), not inside a view, and
// the journal runs them for every new event and every derived one, after
// every projection's Check passed and before the event is admitted.
#pragma once

#include "absl/status/status.h"

#include "aigov/v1/journal.pb.h"

namespace aigov::journal {

class AdmissionRule {
 public:
  virtual ~AdmissionRule() = default;

  // Checks a new event against the state as it will be once the entries
  // admitted earlier in this group are written (read it through the
  // projections' group-aware lookups). A non-OK status (FAILED_PRECONDITION
  // naming the field path and the reason) refuses that event alone. Called
  // on the sequencer thread only; `entry` still holds its personal data in
  // clear: keep none of it.
  virtual absl::Status Check(const aigov::v1::JournalEntry& entry) = 0;
};

}  // namespace aigov::journal
