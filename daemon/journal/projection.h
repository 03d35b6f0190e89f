// The seam between the journal and the views projected from it.
//
// The sequencer hands each committed group of entries, in order, to every
// registered Projection, which adds its own puts to the same WriteBatch, so an
// entry and its views become durable together (DESIGN.md "one journal, many
// projections"). The journal knows nothing else of its projections.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

#include "aigov/v1/journal.pb.h"

namespace aigov::journal {

// One entry as sequenced: the message and the exact stored bytes.
struct SequencedEntry {
  const aigov::v1::JournalEntry* entry;
  const std::string* bytes;
};

class Projection {
 public:
  virtual ~Projection() = default;

  // Stable name of the column family this projection owns.
  virtual std::string column_family() const = 0;

  // Version of what Apply writes. Raise it with any change that makes Apply
  // write something else for the same entries (a key layout, a field, a
  // rule): at open, a view stored under another version is rebuilt from the
  // journal (RocksDbJournal::StaleViews).
  virtual uint32_t version() const = 0;

  // Called once by RocksDbJournal::Open, before any other call, with the
  // database and the handle of column_family(); both outlive the
  // projection's use by the journal. Reads of the projection's own state go
  // through them.
  virtual absl::Status Attach(rocksdb::DB* db,
                              rocksdb::ColumnFamilyHandle* family) {
    (void)db;
    (void)family;
    return absl::OkStatus();
  }

  // Checks a new event against the projection's state as it will be once
  // the entries admitted earlier in this group are written (DESIGN.md: checks
  // that depend on current state run inside the sequencer, in order). Called
  // on the sequencer thread, in sequence order, for each event that is not a
  // retry, before it is sequenced. A non-OK status (FAILED_PRECONDITION
  // naming the missing reference) rejects that event alone. `entry` still
  // holds its personal data in clear: keep none of it.
  virtual absl::Status Check(const aigov::v1::JournalEntry& entry) {
    (void)entry;
    return absl::OkStatus();
  }

  // Called after every projection's Check passed: `entry` will be in the
  // entries handed to Apply unless the group fails. Projections whose Check
  // depends on earlier events of the same group remember what they need.
  virtual void Admitted(const aigov::v1::JournalEntry& entry) { (void)entry; }

  // Called on the sequencer thread once the group's batch, with this
  // projection's Apply writes, is durably written, before EndGroup: state
  // that mirrors what Apply wrote may be kept from here on (a cache of
  // committed state). Not called for a group that failed.
  virtual void GroupWritten() {}
  // Called when a group ends, written or not: state kept for Check within
  // the group is dropped.
  virtual void EndGroup() {}

  // Adds this projection's writes for `entries` to `batch`, using `family`
  // (the handle of column_family()). Called on the sequencer thread only,
  // before the batch is written; an error fails the whole group and nothing
  // of it is written.
  virtual absl::Status Apply(absl::Span<const SequencedEntry> entries,
                             rocksdb::ColumnFamilyHandle* family,
                             rocksdb::WriteBatch* batch) = 0;
};

}  // namespace aigov::journal
