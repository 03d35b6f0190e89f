// The keys of data subjects (crypto-shredding, pii.h): the journal's HMAC
// secret that turns a subject into its pseudonymous id, and one AES key per
// subject id in the `subject_keys` column family, created when a subject's
// first sealed field is sequenced and deleted by its SubjectErasure.
//
// Thread-safety: Read, SubjectIdOf and Unseal are safe from any thread;
// Group is used by the one writer (the sequencer) for one group at a time.
// Does not own the database or handles.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

#include "aigov/v1/journal.pb.h"
#include "daemon/journal/pii.h"

namespace aigov::journal {

class SubjectKeys {
 public:
  // `meta` holds the secret (journal_keys.h kPiiSecretKey), `keys` is the
  // subject_keys family.
  SubjectKeys(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* meta,
              rocksdb::ColumnFamilyHandle* keys)
      : db_(db), meta_(meta), keys_(keys) {}

  SubjectKeys(const SubjectKeys&) = delete;
  SubjectKeys& operator=(const SubjectKeys&) = delete;

  // Reads the secret, or creates and durably stores one (once, at Open).
  absl::Status LoadOrCreateSecret();
  const SecretKey& secret() const { return secret_; }

  // The pseudonymous id of a data subject (HMAC under the secret).
  std::string SubjectIdOf(absl::string_view subject) const {
    return SubjectId(secret_, subject);
  }

  // The stored key of a subject id, or std::nullopt (never created, or
  // erased).
  absl::StatusOr<std::optional<SecretKey>> Read(
      const std::string& subject_id) const;

  // Decrypts the sealed fields of `entry` whose keys exist (UnsealPii).
  absl::Status Unseal(aigov::v1::JournalEntry* entry) const;

  // The keys one group creates and deletes, written into its batch: later
  // events of the group see the earlier ones' keys before the batch is
  // written.
  class Group {
   public:
    Group(const SubjectKeys& keys, rocksdb::WriteBatch* batch)
        : keys_(keys), batch_(batch) {}
    // A SubjectKeyFn for SealPii: reads, or creates into the batch.
    SubjectKeyFn KeyFn();
    // Deletes the key of `subject_id` in the batch; returns whether one
    // existed.
    absl::StatusOr<bool> Erase(const std::string& subject_id);

   private:
    absl::StatusOr<std::optional<SecretKey>> Key(const std::string& subject_id,
                                                 bool create);
    const SubjectKeys& keys_;
    rocksdb::WriteBatch* batch_;
    // Keys created (or deleted: nullopt) by this group.
    std::unordered_map<std::string, std::optional<SecretKey>> changed_;
  };

  // Completes erasures: flushes the WAL buffer and every family in
  // `families` (so no WAL file still holds a deleted key) and compacts the
  // subject keys to the bottom (so no SST file does). Slow.
  absl::Status Purge(
      const std::vector<rocksdb::ColumnFamilyHandle*>& families) const;

 private:
  rocksdb::DB* const db_;
  rocksdb::ColumnFamilyHandle* const meta_;
  rocksdb::ColumnFamilyHandle* const keys_;
  // Set by LoadOrCreateSecret, immutable afterwards.
  SecretKey secret_{};
};

}  // namespace aigov::journal
