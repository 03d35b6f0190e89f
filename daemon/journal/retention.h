// Retention (DESIGN.md "The journal"): entries' payloads are deleted once
// their retention class's period has passed; their leaf hashes and the tree
// stay, so every proof still verifies. The pruned ranges are recorded in the
// default family (journal_keys.h kPrunedPrefix) and kept in memory here.
//
// Thread-safety: IsPruned is safe from any thread, concurrently with Prune
// (the retention sweeper's thread). Does not own the database or handles.
#pragma once

#include <cstdint>
#include <map>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "rocksdb/db.h"

namespace aigov::journal {

// How long entries of each retention class keep their payload.
struct RetentionPolicy {
  // Default and minimum: 183 days (6 months, AI Act Art. 19/26(6)).
  absl::Duration operational = absl::Hours(24 * 183);
  // Default and minimum: 3653 days (10 years, AI Act Art. 18).
  absl::Duration documentation = absl::Hours(24 * 3653);
};

// Returns kInvalidArgument when `policy` keeps any class for less than its
// legal minimum.
absl::Status ValidateRetention(const RetentionPolicy& policy);

class Retention {
 public:
  // `meta` holds the pruned-range records; `entries` the payloads.
  Retention(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* meta,
            rocksdb::ColumnFamilyHandle* entries)
      : db_(db), meta_(meta), entries_(entries) {}

  Retention(const Retention&) = delete;
  Retention& operator=(const Retention&) = delete;

  // Reads the recorded ranges (once, at Open).
  absl::Status Load();

  // True when entry `index`'s payload was pruned.
  bool IsPruned(uint64_t index) const;

  // Deletes the payload of every entry below `size` whose retention has
  // passed at `now` (DeleteRange over runs of such entries), recording each
  // run in the same synced batch. Returns the number of entries pruned.
  absl::StatusOr<uint64_t> Prune(absl::Time now, const RetentionPolicy& policy,
                                 uint64_t size);

 private:
  rocksdb::DB* const db_;
  rocksdb::ColumnFamilyHandle* const meta_;
  rocksdb::ColumnFamilyHandle* const entries_;
  mutable absl::Mutex mu_;
  // Pruned ranges: first -> end.
  std::map<uint64_t, uint64_t> pruned_ ABSL_GUARDED_BY(mu_);
};

}  // namespace aigov::journal
