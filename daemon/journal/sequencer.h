// The journal's single writer: group commit over a bounded queue.
//
// gRPC reactors validate requests and Submit() them; Submit never blocks and
// refuses with kResourceExhausted when the queue is full. One sequencer
// thread takes everything queued (up to `max_batch_events`, optionally
// waiting up to `max_batch_delay` for more), appends it as one synced group
// and then runs each event's callback. A callback therefore runs only after
// its entry is durable, or with the error that kept it from being so.
//
// Thread-safe: Submit() may be called from any thread. Callbacks run on the
// sequencer thread and must not block.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#include "daemon/journal/rocksdb_journal.h"

namespace aigov::journal {

class Sequencer {
 public:
  struct Options {
    // Most events in one group. Default: 1024
    size_t max_batch_events = 1024;
    // Wait for a group to fill once it holds an event. Default: 0 (group
    // only what is queued; concurrent writers still share one sync).
    absl::Duration max_batch_delay = absl::ZeroDuration();
    // Events that may wait; beyond this Submit() fails. Default: 65536
    size_t queue_capacity = 65536;
  };

  // Called on the sequencer thread with an event's outcome; on a failed
  // group write, `outcome.status` holds that error.
  using Callback = std::function<void(const AppendOutcome& outcome)>;

  // What one group write did.
  struct GroupWrite {
    // Items in the group (events and ticks).
    size_t events = 0;
    // The journal's size after it.
    uint64_t tree_size = 0;
    absl::Duration elapsed;
    bool ok = false;
    // The kinds of the entries it sequenced (nothing when it failed): those
    // the events carried, duplicates left out, and those derived from them
    // and from ticks.
    std::vector<aigov::v1::EventKind> requested;
    std::vector<aigov::v1::EventKind> derived;
  };
  // Called on the sequencer thread after each group write.
  using GroupObserver = std::function<void(const GroupWrite& write)>;

  // Starts the sequencer thread. `journal` must outlive this object.
  Sequencer(RocksDbJournal& journal, const Options& options,
            GroupObserver observer = nullptr);
  Sequencer(const Sequencer&) = delete;
  Sequencer& operator=(const Sequencer&) = delete;
  // Stops (as Stop()) if still running.
  ~Sequencer();

  // Queues `event`; `done` runs once it is durable or has failed. Returns
  // kResourceExhausted when the queue is full and kUnavailable after Stop();
  // `done` is then never called.
  absl::Status Submit(PendingEvent event, Callback done);

  // Queues a tick (PendingEvent::tick): what the time entails is derived
  // and sequenced in turn with the events. Errors as Submit.
  absl::Status Tick(Callback done);

  // Makes the sequencer write each group as soon as it holds an event (no
  // more waiting for max_batch_delay) while still accepting Submit(). Called
  // at shutdown before in-flight RPCs are awaited. Idempotent.
  void BeginDrain();

  // Refuses further Submit() calls, writes everything already queued, runs
  // its callbacks and joins the thread. Idempotent.
  void Stop();

  // Events queued and not yet taken by the sequencer thread.
  size_t queued() const;

 private:
  struct Item {
    PendingEvent event;
    Callback done;
  };

  void Run();

  RocksDbJournal& journal_;
  const Options options_;
  GroupObserver observer_;

  mutable absl::Mutex mu_;
  std::deque<Item> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace aigov::journal
