#include "daemon/journal/entry_scanner.h"

#include "absl/strings/str_cat.h"

#include "daemon/common/status_macros.h"
#include "daemon/journal/column_families.h"
#include "daemon/journal/journal_keys.h"
#include "daemon/storage/rocksdb_status.h"

namespace aigov::journal {

EntryScanner::EntryScanner(rocksdb::DB* db,
                           rocksdb::ColumnFamilyHandle* entries,
                           const Retention& retention, uint64_t start,
                           uint64_t end)
    : retention_(retention), end_(end), next_(start) {
  rocksdb::ReadOptions read;
  read.fill_cache = false;
  read.verify_checksums = true;
  it_.reset(db->NewIterator(read, entries));
  it_->Seek(EncodeSequence(start));
}

absl::StatusOr<bool> EntryScanner::Next() {
  if (on_current_) {
    it_->Next();
    on_current_ = false;
  }
  bytes_ = absl::string_view();
  if (next_ >= end_) {
    AIGOV_RETURN_IF_ERROR(
        storage::FromRocksDb(it_->status(), "reading entries"));
    return false;
  }
  index_ = next_++;
  uint64_t stored = ~uint64_t{0};
  if (it_->Valid() && !DecodeSequence(ToView(it_->key()), &stored)) {
    return absl::DataLossError("journal holds a malformed entry key");
  }
  if (stored == index_) {
    pruned_ = false;
    bytes_ = ToView(it_->value());
    on_current_ = true;
    return true;
  }
  AIGOV_RETURN_IF_ERROR(storage::FromRocksDb(it_->status(), "reading entries"));
  if (!retention_.IsPruned(index_)) {
    return absl::DataLossError(absl::StrCat(
        "entry ", index_, " is missing and was not pruned by retention"));
  }
  pruned_ = true;
  return true;
}

}  // namespace aigov::journal
