// Keeps a signed checkpoint of the journal's head current.
//
// While entries arrive, a new checkpoint is signed at least every
// `interval`. Before signing, the new head is checked consistent with the
// previous checkpoint (RFC 6962 consistency proof from stored nodes,
// verified as an outside auditor would); a failure is never signed over.
// The latest note is stored durably in the journal, so the first checkpoint
// after a restart is checked against the last one before it.
//
// Thread-safe. `journal`, `signer` and `clock` must outlive the checkpointer.
#pragma once

#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#include "daemon/common/clock.h"
#include "daemon/journal/rocksdb_journal.h"
#include "daemon/tlog/checkpoint.h"

namespace aigov::journal {

struct SignedCheckpoint {
  tlog::Checkpoint checkpoint;
  std::string note;
  // When it was signed, on the checkpointer's clock; for the checkpoint
  // stored by an earlier run, when this run loaded it (notes carry no time).
  absl::Time signed_at = absl::InfinitePast();
};

class Checkpointer {
 public:
  // Rounds are `interval` apart on `clock`.
  Checkpointer(RocksDbJournal& journal, const tlog::NoteSigner& signer,
               const common::Clock& clock, absl::Duration interval);
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;
  ~Checkpointer();

  // Loads and verifies the stored checkpoint, signs one for the current head
  // and starts the periodic thread. Returns kDataLoss when the stored
  // checkpoint is not signed by this key, or when the journal is not
  // consistent with it (the history was rewritten).
  absl::Status Start();

  // Stops the thread after signing a last checkpoint of the head. Idempotent.
  void Stop();

  // The latest signed checkpoint.
  SignedCheckpoint Latest() const;

  // Signs (if needed) and returns a checkpoint of exactly the current head.
  absl::StatusOr<SignedCheckpoint> Current();

 private:
  // Signs the current head if it moved; checks consistency first.
  absl::Status Advance() ABSL_EXCLUSIVE_LOCKS_REQUIRED(sign_mu_);
  void Run();

  RocksDbJournal& journal_;
  const tlog::NoteSigner& signer_;
  const common::Clock& clock_;
  const absl::Duration interval_;

  absl::Mutex sign_mu_ ABSL_ACQUIRED_BEFORE(mu_);  // serializes signing
  mutable absl::Mutex mu_;
  SignedCheckpoint latest_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace aigov::journal
