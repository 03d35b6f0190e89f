// Applies the retention policy periodically: every `interval`, prunes the
// payloads of entries whose retention has passed (RocksDbJournal::Prune).
//
// Thread-safe. `journal` and `clock` must outlive the sweeper.
#pragma once

#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#include "daemon/common/clock.h"
#include "daemon/journal/rocksdb_journal.h"

namespace aigov::journal {

class RetentionSweeper {
 public:
  // Starts the thread; the first sweep runs after one `interval` on
  // `clock`, each next one an `interval` after the previous one ended.
  RetentionSweeper(RocksDbJournal& journal, const common::Clock& clock,
                   const RetentionPolicy& policy, absl::Duration interval);
  RetentionSweeper(const RetentionSweeper&) = delete;
  RetentionSweeper& operator=(const RetentionSweeper&) = delete;
  ~RetentionSweeper();

  // Stops the thread (a sweep in progress finishes first). Idempotent.
  void Stop();

 private:
  void Run();

  RocksDbJournal& journal_;
  const common::Clock& clock_;
  const RetentionPolicy policy_;
  const absl::Duration interval_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace aigov::journal
