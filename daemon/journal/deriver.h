// The seam for derived facts: entries aigovd appends because of entries it
// committed (DESIGN.md: derived facts are journalled with the sequence
// numbers they rest on, so "what did aigov conclude, when, from what" has a
// provable answer).
//
// The journal asks each Deriver, for every new entry it sequences, what
// follows from it. What follows is sequenced right after the entry, in the
// same group and the same synced batch: an entry and what it entails are
// durable together or not at all, so no crash, failure or retry can come
// between them, and each is derived exactly once (a retry of the entry is
// deduplicated before any derivation). Derived entries carry principal
// "aigovd" and `derived_from` = the entry's sequence; they are checked by
// the projections like any event, and when one is refused (or its event_id
// was used for another payload) the entry is refused with it. Derived
// entries are not themselves handed to derivers.
//
// Facts that follow from time rather than from one entry (a drift window
// closing once its lateness passed, a statutory clock running out) are
// derived at a tick (Sequencer::Tick, PendingEvent::tick): the sequencer asks
// each Deriver's DeriveAt with the group's time, and sequences what it
// returns the same way, with the derived_from the deriver set. A component
// submits ticks on the injected clock; what a tick derives depends only on
// the views' state and that time, so repeated ticks derive nothing twice.
#pragma once

#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

#include "aigov/v1/journal.pb.h"

namespace aigov::journal {

class Deriver {
 public:
  virtual ~Deriver() = default;

  // Appends to `derived` the events that follow from `entry`, which will be
  // sequenced at `sequence` (its recorded_at is already set). What
  // `derived` holds on entry was derived from `entry` by the derivers
  // before this one and will be sequenced right after it, in order. Each needs
  // the event oneof and an event_id that is a function of `entry` alone (so
  // that re-deriving finds it). Must be deterministic: a function of `entry`
  // and of the views' committed state. Called on the sequencer thread; `entry`
  // still holds its personal data in clear: keep none of it, and copy none into
  // a derived event.
  virtual absl::Status Derive(
      const aigov::v1::JournalEntry& entry, uint64_t sequence,
      std::vector<aigov::v1::JournalEntry>* derived) = 0;

  // Appends to `derived` the events that follow from the time `now` (the
  // recorded_at of the group), each with its event oneof, a deterministic
  // event_id and the derived_from it rests on. What `derived` holds on
  // entry was derived by the derivers before this one and will be
  // sequenced from `next_sequence` on, in order. Same thread and
  // determinism rules as Derive. By default nothing follows from time.
  virtual absl::Status DeriveAt(absl::Time now, uint64_t next_sequence,
                                std::vector<aigov::v1::JournalEntry>* derived) {
    (void)now;
    (void)next_sequence;
    (void)derived;
    return absl::OkStatus();
  }
};

}  // namespace aigov::journal
