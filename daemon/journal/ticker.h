// Submits a tick (Sequencer::Tick) every `interval` on the injected clock,
// so that what follows from time alone (a drift window whose lateness
// passed) is derived without waiting for an event (deriver.h).
//
// Thread-safe. `sequencer` and `clock` must outlive the ticker.
#pragma once

#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#include "daemon/common/clock.h"
#include "daemon/journal/sequencer.h"

namespace aigov::journal {

class Ticker {
 public:
  // Starts the thread; the first tick comes one `interval` after this.
  Ticker(Sequencer& sequencer, const common::Clock& clock,
         absl::Duration interval);
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;
  ~Ticker();

  // Stops the thread. Idempotent. A tick already queued is still written.
  void Stop();

 private:
  void Run();

  Sequencer& sequencer_;
  const common::Clock& clock_;
  const absl::Duration interval_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace aigov::journal
