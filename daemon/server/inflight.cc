#include "daemon/server/inflight.h"

namespace aigov::server {

bool InflightTracker::Enter() {
  absl::MutexLock lock(&mu_);
  if (closed_) return false;
  ++inflight_;
  return true;
}

void InflightTracker::Exit() {
  absl::MutexLock lock(&mu_);
  --inflight_;
}

bool InflightTracker::CloseAndWait(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  auto idle = [this]()
                  ABSL_SHARED_LOCKS_REQUIRED(mu_) { return inflight_ == 0; };
  return mu_.AwaitWithTimeout(absl::Condition(&idle), timeout);
}

}  // namespace aigov::server
