#include "daemon/journal/retention.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "rocksdb/write_batch.h"

#include "aigov/v1/journal.pb.h"
#include "daemon/common/status_macros.h"
#include "daemon/journal/column_families.h"
#include "daemon/journal/journal_keys.h"
#include "daemon/storage/rocksdb_status.h"

namespace aigov::journal {

absl::Status ValidateRetention(const RetentionPolicy& policy) {
  if (policy.operational < absl::Hours(24 * 183)) {
    return absl::InvalidArgumentError(
        "journal.retention.operational: at least 183 days (6 months, AI Act "
        "Art. 19 "
        "and 26(6))");
  }
  if (policy.documentation < absl::Hours(24 * 3653)) {
    return absl::InvalidArgumentError(
        "journal.retention.documentation: at least 3653 days (10 years, AI Act "
        "Art. 18)");
  }
  return absl::OkStatus();
}

absl::Status Retention::Load() {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), meta_));
  absl::MutexLock lock(&mu_);
  for (it->Seek(kPrunedPrefix);
       it->Valid() && it->key().starts_with(kPrunedPrefix); it->Next()) {
    uint64_t first = 0;
    uint64_t end = 0;
    if (!DecodeSequence(ToView(it->key()).substr(sizeof(kPrunedPrefix) - 1),
                        &first) ||
        !DecodeSequence(ToView(it->value()), &end) || end <= first) {
      return absl::DataLossError("a pruned-range record is malformed");
    }
    pruned_[first] = end;
  }
  return storage::FromRocksDb(it->status(), "reading pruned ranges");
}

bool Retention::IsPruned(uint64_t index) const {
  absl::MutexLock lock(&mu_);
  auto it = pruned_.upper_bound(index);
  if (it == pruned_.begin()) return false;
  --it;
  return index >= it->first && index < it->second;
}

absl::StatusOr<uint64_t> Retention::Prune(absl::Time now,
                                          const RetentionPolicy& policy,
                                          uint64_t size) {
  AIGOV_RETURN_IF_ERROR(ValidateRetention(policy));
  const absl::Time newest_prunable =
      now - std::min(policy.operational, policy.documentation);
  std::vector<std::pair<uint64_t, uint64_t>> runs;
  uint64_t pruned = 0;
  // Stored entries only, oldest first: pruned payloads are not visited
  // again, and the scan ends at the first entry too young for any class.
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), entries_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint64_t seq = 0;
    if (!DecodeSequence(ToView(it->key()), &seq) || seq >= size) break;
    aigov::v1::JournalEntry e;
    if (!e.ParseFromArray(it->value().data(),
                          static_cast<int>(it->value().size()))) {
      return absl::DataLossError(
          absl::StrCat("entry ", seq, " does not parse"));
    }
    const absl::Time recorded =
        absl::FromUnixSeconds(e.recorded_at().seconds()) +
        absl::Nanoseconds(e.recorded_at().nanos());
    if (recorded > newest_prunable) break;  // later entries are newer still
    const absl::Duration keep =
        RetentionClassOf(e) == aigov::v1::RETENTION_CLASS_DOCUMENTATION
            ? policy.documentation
            : policy.operational;
    if (recorded + keep > now) continue;
    if (!runs.empty() && runs.back().second == seq) {
      runs.back().second = seq + 1;
    } else {
      runs.emplace_back(seq, seq + 1);
    }
    ++pruned;
  }
  AIGOV_RETURN_IF_ERROR(
      storage::FromRocksDb(it->status(), "scanning for retention"));
  if (runs.empty()) return uint64_t{0};
  rocksdb::WriteBatch batch;
  for (const auto& [first, end] : runs) {
    batch.DeleteRange(entries_, EncodeSequence(first), EncodeSequence(end));
    batch.Put(meta_, std::string(kPrunedPrefix) + EncodeSequence(first),
              EncodeSequence(end));
  }
  rocksdb::WriteOptions sync;
  sync.sync = true;
  AIGOV_RETURN_IF_ERROR(
      storage::FromRocksDb(db_->Write(sync, &batch), "pruning"));
  absl::MutexLock lock(&mu_);
  for (const auto& [first, end] : runs) pruned_[first] = end;
  return pruned;
}

}  // namespace aigov::journal
