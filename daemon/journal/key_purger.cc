#include "daemon/journal/key_purger.h"

#include <utility>

namespace aigov::journal {

KeyPurger::KeyPurger(Purge purge) : purge_(std::move(purge)) {
  thread_ = std::thread([this] { Run(); });
}

KeyPurger::~KeyPurger() { Stop(); }

void KeyPurger::Request(Done done) {
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_) {
      waiting_.push_back(std::move(done));
      return;
    }
  }
  done(absl::UnavailableError(
      "aigovd is shutting down; the erasure is recorded and its key deleted, "
      "but the key may remain in files on disk until the next start's "
      "compaction"));
}

void KeyPurger::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

uint64_t KeyPurger::purges() const {
  absl::MutexLock lock(&mu_);
  return purges_;
}

void KeyPurger::Run() {
  for (;;) {
    std::vector<Done> batch;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](KeyPurger* p) ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->mu_) {
            return !p->waiting_.empty() || p->stopping_;
          },
          this));
      if (waiting_.empty()) return;
      batch.swap(waiting_);
    }
    const absl::Status status = purge_();
    {
      absl::MutexLock lock(&mu_);
      ++purges_;
    }
    for (Done& done : batch) done(status);
  }
}

}  // namespace aigov::journal
