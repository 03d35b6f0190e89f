// Translation of foreign error types into absl::Status, done once at the edge.
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rocksdb/status.h"

namespace aigov::storage {

// Maps a RocksDB status to the abseil code an operator would act on:
// Corruption → kDataLoss, Busy/TimedOut/TryAgain → kUnavailable, a held
// lock (IOError "lock") → kFailedPrecondition, other IO → kUnavailable.
// `context` prefixes the message.
absl::Status FromRocksDb(const rocksdb::Status& status,
                         absl::string_view context);

}  // namespace aigov::storage
