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

  // Adds this projection's writes for `entries` to `batch`, using `family`
  // (the handle of column_family()). Called on the sequencer thread only,
  // before the batch is written; an error fails the whole group and nothing
  // of it is written.
  virtual absl::Status Apply(absl::Span<const SequencedEntry> entries,
                             rocksdb::ColumnFamilyHandle* family,
                             rocksdb::WriteBatch* batch) = 0;
};

}  // namespace aigov::journal
