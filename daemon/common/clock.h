// Injected time (Envoy TimeSource and SimulatedTimeSystem, RocksDB
// SystemClock): every component that needs "now", or needs to wait for a
// moment, takes a Clock&, so clock-driven behaviour (periodic checkpoints,
// retention sweeps, the drain delay, statutory deadlines) is testable by
// moving time instead of sleeping.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace aigov::common {

// Thread-safe source of the current time, and of waits on it.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;

  // Waits until `cond` holds or Now() reaches `deadline`, as
  // absl::Mutex::AwaitWithDeadline does: `mu` is held on entry and on
  // return, released while waiting, and `cond` must only change under `mu`.
  // Returns whether `cond` holds. A periodic component waits with this for
  // its next round and for its stop flag at once.
  virtual bool AwaitUntil(absl::Mutex& mu, const absl::Condition& cond,
                          absl::Time deadline) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) = 0;

  // Waits until Now() reaches `deadline`.
  void SleepUntil(absl::Time deadline) const;
};

// The system's real-time clock.
class RealClock final : public Clock {
 public:
  absl::Time Now() const override;
  bool AwaitUntil(absl::Mutex& mu, const absl::Condition& cond,
                  absl::Time deadline) const override
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
};

// A clock that only moves when told to; for tests, and for the test-only
// aigovd whose clock a test drives (daemon/testing/controlled_clock.h).
// Waits end when the clock is moved past their deadline (noticed within a
// millisecond of real time) or when their condition holds. Thread-safe; it
// never takes a waiter's mutex, so it adds no lock-order edge.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start) : now_(start) {}
  absl::Time Now() const override;
  bool AwaitUntil(absl::Mutex& mu, const absl::Condition& cond,
                  absl::Time deadline) const override
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  void Advance(absl::Duration d);
  void Set(absl::Time t);

  // Blocks until at least `n` threads wait in AwaitUntil having seen the
  // current time. After Advance(), a component that was due has then done
  // its round and waits for its next one: a test can observe the effect
  // without sleeping.
  void WaitForWaiters(size_t n) const;

  // Advance(d), then waits until every thread that was waiting before waits
  // again (or its wait ended on its condition and it left): each component
  // the move made due has finished its round.
  void AdvanceAndSettle(absl::Duration d);

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
  // Bumped by every move; read without mu_ by waiters' conditions.
  std::atomic<uint64_t> generation_{0};
  // Threads waiting, by the generation they have seen.
  mutable std::map<uint64_t, size_t> waiting_ ABSL_GUARDED_BY(mu_);
  // Waits that ended because their condition held.
  mutable uint64_t left_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace aigov::common
