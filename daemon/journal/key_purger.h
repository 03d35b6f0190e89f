// The one thread that completes subject erasures: it runs the purge
// (RocksDbJournal::PurgeErasedKeys: flush every column family, compact the
// subject keys to the bottom) on behalf of the RPCs that erased a key, so
// that their answer means "no file on disk still holds the key".
//
// Requests coalesce: every request made before a purge starts is answered by
// that purge, so a burst of erasures costs one or two purges, not one each.
// A request is only answered by a purge that started after it was made (a
// purge already running may have flushed before the request's key deletion).
//
//   KeyPurger purger([&journal] { return journal.PurgeErasedKeys(); });
//   purger.Request([done](absl::Status s) { done(s); });   // any thread
//   purger.Stop();   // answers what is queued, then joins
//
// Thread-safe. Callbacks run on the purger's thread (or, after Stop(), on
// the caller's); they must not call Stop().
#pragma once

#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace aigov::journal {

class KeyPurger {
 public:
  using Purge = std::function<absl::Status()>;
  using Done = std::function<void(const absl::Status&)>;

  // Starts the thread. `purge` must stay callable until Stop() returns.
  explicit KeyPurger(Purge purge);
  KeyPurger(const KeyPurger&) = delete;
  KeyPurger& operator=(const KeyPurger&) = delete;
  ~KeyPurger();

  // Calls `done` with the status of the next purge to start. After Stop(),
  // calls it at once with kUnavailable.
  void Request(Done done);

  // Runs one last purge for the requests already made, then joins the
  // thread. Idempotent.
  void Stop();

  // Purges run so far.
  uint64_t purges() const;

 private:
  void Run();

  const Purge purge_;
  mutable absl::Mutex mu_;
  std::vector<Done> waiting_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t purges_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace aigov::journal
