// One pass over the journal's entries [start, end) in sequence order, the
// way every full read of the journal sees them (VerifyAll, RebuildViews,
// ReadRange): each index either with its stored bytes, or pruned by
// retention (payload gone, leaf hash still in the tree). An index that is
// neither is kDataLoss: the data directory lost an entry.
//
// Thread-compatible: one scanner per reader. Reads a RocksDB iterator's
// implicit snapshot; `end` must not exceed the published tree size.
#pragma once

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rocksdb/db.h"

#include "daemon/journal/retention.h"

namespace aigov::journal {

class EntryScanner {
 public:
  // Every block read is checksummed; the block cache is bypassed (a scan
  // would evict what readers use).
  EntryScanner(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* entries,
               const Retention& retention, uint64_t start, uint64_t end);

  // Moves to the next index; false past the last one.
  absl::StatusOr<bool> Next();

  // The current index (after Next returned true).
  uint64_t index() const { return index_; }
  // True when the current entry's payload was pruned; bytes() is empty.
  bool pruned() const { return pruned_; }
  // The current entry's stored bytes, valid until the next Next().
  absl::string_view bytes() const { return bytes_; }

 private:
  const Retention& retention_;
  const uint64_t end_;
  std::unique_ptr<rocksdb::Iterator> it_;
  uint64_t next_;
  uint64_t index_ = 0;
  bool pruned_ = false;
  // The iterator stands on the current entry, to be stepped past first.
  bool on_current_ = false;
  absl::string_view bytes_;
};

}  // namespace aigov::journal
