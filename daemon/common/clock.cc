#include "daemon/common/clock.h"

#include "absl/time/clock.h"

namespace aigov::common {

void Clock::SleepUntil(absl::Time deadline) const {
  static constexpr bool kNever = false;
  absl::Mutex mu;
  absl::MutexLock lock(&mu);
  AwaitUntil(mu, absl::Condition(&kNever), deadline);
}

absl::Time RealClock::Now() const { return absl::Now(); }

bool RealClock::AwaitUntil(absl::Mutex& mu, const absl::Condition& cond,
                           absl::Time deadline) const {
  return mu.AwaitWithDeadline(cond, deadline);
}

absl::Time FakeClock::Now() const {
  absl::MutexLock lock(&mu_);
  return now_;
}

bool FakeClock::AwaitUntil(absl::Mutex& mu, const absl::Condition& cond,
                           absl::Time deadline) const {
  for (;;) {
    if (cond.Eval()) return true;
    uint64_t seen;
    {
      absl::MutexLock lock(&mu_);
      if (now_ >= deadline) return false;
      seen = generation_.load();
      ++waiting_[seen];
    }
    // The clock moves without `mu`, so absl does not re-evaluate this on a
    // move: poll each millisecond of real time.
    struct Args {
      const absl::Condition* cond;
      const std::atomic<uint64_t>* generation;
      uint64_t seen;
    } args{&cond, &generation_, seen};
    const absl::Condition woken(
        +[](Args* a) {
          return a->cond->Eval() || a->generation->load() != a->seen;
        },
        &args);
    while (!mu.AwaitWithTimeout(woken, absl::Milliseconds(1))) {
    }
    const bool held = cond.Eval();
    absl::MutexLock lock(&mu_);
    if (--waiting_[seen] == 0) waiting_.erase(seen);
    if (held) {
      ++left_;
      return true;
    }
  }
}

void FakeClock::Advance(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  now_ += d;
  ++generation_;
}

void FakeClock::Set(absl::Time t) {
  absl::MutexLock lock(&mu_);
  now_ = t;
  ++generation_;
}

void FakeClock::WaitForWaiters(size_t n) const {
  absl::MutexLock lock(&mu_);
  const auto enough = [this, n]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    const auto it = waiting_.find(generation_.load());
    return it != waiting_.end() && it->second >= n;
  };
  mu_.Await(absl::Condition(&enough));
}

void FakeClock::AdvanceAndSettle(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  size_t before = 0;
  for (const auto& [generation, count] : waiting_) before += count;
  const uint64_t left_before = left_;
  now_ += d;
  const uint64_t current = ++generation_;
  const auto settled = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    const auto it = waiting_.find(current);
    const size_t again = it == waiting_.end() ? 0 : it->second;
    return again + (left_ - left_before) >= before;
  };
  mu_.Await(absl::Condition(&settled));
}

}  // namespace aigov::common
