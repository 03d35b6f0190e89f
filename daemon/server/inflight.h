// Counts write RPCs between admission and reply, so that shutdown can stop
// admitting new writes and wait for the admitted ones to be acknowledged
// before gRPC cancels whatever is left.
//
// Thread-safe.
#pragma once

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace aigov::server {

class InflightTracker {
 public:
  // Returns false once Close() was called; otherwise counts one call, which
  // must later be matched by Exit().
  bool Enter();
  void Exit();
  // Refuses further Enter() and waits up to `timeout` for the count to reach
  // zero. Returns true when it did.
  bool CloseAndWait(absl::Duration timeout);

 private:
  absl::Mutex mu_;
  int64_t inflight_ ABSL_GUARDED_BY(mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace aigov::server
