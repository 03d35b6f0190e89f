#include "daemon/common/clock.h"

#include <thread>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"

namespace aigov::common {
namespace {

TEST(FakeClockTest, MovesOnlyWhenTold) {
  FakeClock clock(absl::FromUnixSeconds(1000));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(1000));
  clock.Advance(absl::Seconds(5));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(1005));
  clock.Set(absl::FromUnixSeconds(7));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(7));
}

// A component that does a round each `interval` of `clock` until stopped,
// as the checkpointer and the retention sweeper do.
class Ticker {
 public:
  Ticker(const Clock& clock, absl::Duration interval)
      : clock_(clock), interval_(interval), thread_([this] { Run(); }) {}
  ~Ticker() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    thread_.join();
  }
  int rounds() {
    absl::MutexLock lock(&mu_);
    return rounds_;
  }

 private:
  void Run() {
    absl::MutexLock lock(&mu_);
    for (;;) {
      if (clock_.AwaitUntil(mu_, absl::Condition(&stopping_),
                            clock_.Now() + interval_)) {
        return;
      }
      ++rounds_;
    }
  }

  const Clock& clock_;
  const absl::Duration interval_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int rounds_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

TEST(FakeClockTest, AWaitEndsWhenTimeIsMovedPastItsDeadlineNotBefore) {
  FakeClock clock(absl::FromUnixSeconds(1000));
  Ticker ticker(clock, absl::Hours(1));
  clock.WaitForWaiters(1);
  clock.AdvanceAndSettle(absl::Minutes(59));
  EXPECT_EQ(ticker.rounds(), 0);
  clock.AdvanceAndSettle(absl::Minutes(1));
  EXPECT_EQ(ticker.rounds(), 1);
  // A move over several periods is one round: the ticker's next deadline is
  // an interval after the time it saw.
  clock.AdvanceAndSettle(absl::Hours(5));
  EXPECT_EQ(ticker.rounds(), 2);
  clock.Advance(absl::Hours(1));
  clock.WaitForWaiters(1);
  EXPECT_EQ(ticker.rounds(), 3);
}

TEST(FakeClockTest, AWaitEndsAtOnceWhenItsConditionHolds) {
  FakeClock clock(absl::FromUnixSeconds(1000));
  {
    Ticker ticker(clock, absl::Hours(1));
    clock.WaitForWaiters(1);
  }  // joins: the stop flag ended the wait although time never moved
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(1000));
  // A settle finds nobody waiting and returns at once.
  clock.AdvanceAndSettle(absl::Hours(1));
}

TEST(RealClockTest, AwaitUntilReturnsAtTheDeadlineOrOnTheCondition) {
  RealClock clock;
  absl::Mutex mu;
  bool flag = false;
  absl::MutexLock lock(&mu);
  EXPECT_FALSE(clock.AwaitUntil(mu, absl::Condition(&flag), clock.Now()));
  flag = true;
  EXPECT_TRUE(
      clock.AwaitUntil(mu, absl::Condition(&flag), absl::InfiniteFuture()));
}

}  // namespace
}  // namespace aigov::common
