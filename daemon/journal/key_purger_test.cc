#include "daemon/journal/key_purger.h"

#include <atomic>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace aigov::journal {
namespace {

TEST(KeyPurgerTest, RequestsMadeDuringAPurgeShareTheNextOne) {
  absl::Notification first_started;
  absl::Notification release_first;
  std::atomic<int> calls{0};
  KeyPurger purger([&] {
    if (calls.fetch_add(1) == 0) {
      first_started.Notify();
      release_first.WaitForNotification();
    }
    return absl::OkStatus();
  });
  absl::Mutex mu;
  std::vector<int> answered;
  auto record = [&](int id) {
    return [&, id](const absl::Status& s) {
      EXPECT_TRUE(s.ok());
      absl::MutexLock lock(&mu);
      answered.push_back(id);
    };
  };
  purger.Request(record(1));
  first_started.WaitForNotification();
  // Made while purge 1 runs: purge 1 may have flushed before their keys
  // were deleted, so they wait for purge 2, together.
  purger.Request(record(2));
  purger.Request(record(3));
  purger.Request(record(4));
  release_first.Notify();
  purger.Stop();
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(purger.purges(), 2u);
  EXPECT_EQ(answered, (std::vector<int>{1, 2, 3, 4}));
}

TEST(KeyPurgerTest, StopAnswersWhatIsQueuedAndRefusesLaterRequests) {
  std::atomic<int> calls{0};
  absl::Status failure = absl::DataLossError("compaction failed");
  KeyPurger purger([&] {
    ++calls;
    return failure;
  });
  absl::Status got;
  absl::Notification answered;
  purger.Request([&](const absl::Status& s) {
    got = s;
    answered.Notify();
  });
  purger.Stop();
  ASSERT_TRUE(answered.HasBeenNotified());
  EXPECT_EQ(got.code(), absl::StatusCode::kDataLoss);
  absl::Status late;
  purger.Request([&](const absl::Status& s) { late = s; });
  EXPECT_EQ(late.code(), absl::StatusCode::kUnavailable);
  purger.Stop();  // idempotent
  EXPECT_EQ(calls.load(), 1);
}

TEST(KeyPurgerTest, NoRequestNoPurge) {
  std::atomic<int> calls{0};
  {
    KeyPurger purger([&] {
      ++calls;
      return absl::OkStatus();
    });
  }
  EXPECT_EQ(calls.load(), 0);
}

}  // namespace
}  // namespace aigov::journal
