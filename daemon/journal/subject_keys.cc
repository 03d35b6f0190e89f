#include "daemon/journal/subject_keys.h"

#include <cstring>

#include "daemon/common/status_macros.h"
#include "daemon/journal/journal_keys.h"
#include "daemon/storage/rocksdb_status.h"

namespace aigov::journal {
namespace {

rocksdb::Slice KeySlice(const SecretKey& key) {
  return rocksdb::Slice(reinterpret_cast<const char*>(key.data()), key.size());
}

}  // namespace

absl::Status SubjectKeys::LoadOrCreateSecret() {
  std::string value;
  const rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), meta_, kPiiSecretKey, &value);
  if (s.ok()) {
    if (value.size() != secret_.size()) {
      return absl::DataLossError("the journal's PII secret is malformed");
    }
    std::memcpy(secret_.data(), value.data(), secret_.size());
    return absl::OkStatus();
  }
  if (!s.IsNotFound()) return storage::FromRocksDb(s, "reading the PII secret");
  secret_ = RandomKey();
  rocksdb::WriteOptions sync;
  sync.sync = true;
  return storage::FromRocksDb(
      db_->Put(sync, meta_, kPiiSecretKey, KeySlice(secret_)),
      "storing the PII secret");
}

absl::StatusOr<std::optional<SecretKey>> SubjectKeys::Read(
    const std::string& subject_id) const {
  std::string value;
  const rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), keys_, subject_id, &value);
  if (s.IsNotFound()) return std::optional<SecretKey>();
  AIGOV_RETURN_IF_ERROR(storage::FromRocksDb(s, "reading a subject key"));
  SecretKey key{};
  if (value.size() != key.size())
    return absl::DataLossError("a subject key is malformed");
  std::memcpy(key.data(), value.data(), key.size());
  return std::optional<SecretKey>(key);
}

absl::Status SubjectKeys::Unseal(aigov::v1::JournalEntry* entry) const {
  return UnsealPii(entry,
                   [this](const std::string& id, bool) { return Read(id); });
}

absl::StatusOr<std::optional<SecretKey>> SubjectKeys::Group::Key(
    const std::string& subject_id, bool create) {
  auto it = changed_.find(subject_id);
  std::optional<SecretKey> key;
  if (it != changed_.end()) {
    key = it->second;
  } else {
    AIGOV_ASSIGN_OR_RETURN(key, keys_.Read(subject_id));
  }
  if (!key && create) {
    key = RandomKey();
    batch_->Put(keys_.keys_, subject_id, KeySlice(*key));
    changed_[subject_id] = key;
  }
  return key;
}

SubjectKeyFn SubjectKeys::Group::KeyFn() {
  return [this](const std::string& id, bool create) { return Key(id, create); };
}

absl::StatusOr<bool> SubjectKeys::Group::Erase(const std::string& subject_id) {
  AIGOV_ASSIGN_OR_RETURN(const std::optional<SecretKey> existing,
                         Key(subject_id, false));
  batch_->Delete(keys_.keys_, subject_id);
  changed_[subject_id] = std::nullopt;
  return existing.has_value();
}

absl::Status SubjectKeys::Purge(
    const std::vector<rocksdb::ColumnFamilyHandle*>& families) const {
  AIGOV_RETURN_IF_ERROR(
      storage::FromRocksDb(db_->FlushWAL(/*sync=*/false), "flushing the WAL"));
  rocksdb::FlushOptions flush;
  flush.wait = true;
  AIGOV_RETURN_IF_ERROR(
      storage::FromRocksDb(db_->Flush(flush, families), "flushing"));
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction =
      rocksdb::BottommostLevelCompaction::kForce;
  return storage::FromRocksDb(
      db_->CompactRange(compact, keys_, nullptr, nullptr),
      "compacting subject keys");
}

}  // namespace aigov::journal
