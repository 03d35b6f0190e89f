#include "daemon/journal/retention_sweeper.h"

#include <memory>
#include <vector>

#include "gtest/gtest.h"
#include "rocksdb/env.h"

#include "daemon/common/clock.h"
#include "daemon/journal/journal_test_util.h"

namespace aigov::journal {
namespace {

PendingEvent Oversight(const std::string& id) {
  PendingEvent e;
  e.entry.set_event_id(id);
  e.entry.set_principal("test");
  auto* a = e.entry.mutable_oversight_action();
  a->set_action_id(id);
  a->set_system_id("sys");
  a->set_action(aigov::v1::OVERSIGHT_ACTION_TYPE_OVERRIDE);
  return e;
}

// The sweeper on a clock the test moves: months pass in microseconds, and
// each round is observed once done (FakeClock::AdvanceAndSettle).
TEST(RetentionSweeperTest, PrunesOperationalLogsOnceTheirRetentionPassed) {
  auto env = std::unique_ptr<rocksdb::Env>(
      rocksdb::NewMemEnv(rocksdb::Env::Default()));
  common::FakeClock clock(absl::FromUnixSeconds(1767225600));
  JournalOptions options;
  options.path = "/j";
  options.env = env.get();
  auto journal = std::move(RocksDbJournal::Open(options, clock)).value();
  std::vector<AppendOutcome> out;
  std::vector<PendingEvent> group;
  group.push_back(Oversight("o1"));
  group.push_back(ModelEvent("m1", "m", "1"));
  ASSERT_TRUE(journal->AppendGroup(std::move(group), &out).ok());

  const RetentionPolicy policy;  // 183 days / 3653 days
  RetentionSweeper sweeper(*journal, clock, policy, absl::Hours(24));
  clock.WaitForWaiters(1);
  clock.AdvanceAndSettle(absl::Hours(24 * 182));
  EXPECT_FALSE(journal->IsPruned(0));
  clock.AdvanceAndSettle(absl::Hours(24 * 2));
  EXPECT_TRUE(journal->IsPruned(0));
  EXPECT_FALSE(journal->IsPruned(1));  // documentation: ten years
  sweeper.Stop();
}

}  // namespace
}  // namespace aigov::journal
