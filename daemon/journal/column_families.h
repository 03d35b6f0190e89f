// The journal's RocksDB column families: their order in the handle vector,
// their tuned options, and the conversions between RocksDB slices and the
// journal's byte views. Internal to journal/ (rocksdb_journal.cc and the
// stores it is made of); key encodings are in journal_keys.h.
#pragma once

#include <cstddef>
#include <vector>

#include "absl/strings/string_view.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/options.h"

#include "daemon/journal/projection.h"
#include "daemon/tlog/merkle.h"

namespace aigov::journal {

// Positions in the handle vector Open fills: the journal's own families,
// then one per projection, in the order of JournalOptions.projections.
inline constexpr size_t kDefault = 0;
inline constexpr size_t kEntries = 1;
inline constexpr size_t kEventIds = 2;
inline constexpr size_t kIndexes = 3;
inline constexpr size_t kNodes = 4;
inline constexpr size_t kSubjectKeys = 5;
inline constexpr size_t kFirstProjection = 6;

// Database options: created if missing, paranoid checks, one writer. `env`
// may be nullptr (the default, real disk).
rocksdb::DBOptions JournalDbOptions(rocksdb::Env* env);

// Every family with its options, in handle order.
std::vector<rocksdb::ColumnFamilyDescriptor> JournalFamilies(
    const std::vector<Projection*>& projections);

inline absl::string_view ToView(const rocksdb::Slice& s) {
  return absl::string_view(s.data(), s.size());
}

inline rocksdb::Slice ToSlice(const tlog::Hash& h) {
  return rocksdb::Slice(reinterpret_cast<const char*>(h.data()), h.size());
}

}  // namespace aigov::journal
