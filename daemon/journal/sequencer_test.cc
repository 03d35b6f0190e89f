#include "daemon/journal/sequencer.h"

#include <atomic>
#include <memory>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"

#include "daemon/journal/journal_test_util.h"

namespace aigov::journal {
namespace {

// Holds the first group inside the batch until released, so that the test
// decides what queues up behind it.
class GateProjection : public Projection {
 public:
  uint32_t version() const override { return 1; }
  std::string column_family() const override { return "gate"; }
  absl::Status Apply(absl::Span<const SequencedEntry>,
                     rocksdb::ColumnFamilyHandle*,
                     rocksdb::WriteBatch*) override {
    if (!entered.HasBeenNotified()) {
      entered.Notify();
      release.WaitForNotification();
    }
    return absl::OkStatus();
  }
  absl::Notification entered;
  absl::Notification release;
};

class SequencerTest : public ::testing::Test {
 protected:
  SequencerTest()
      : env_(rocksdb::NewMemEnv(rocksdb::Env::Default())),
        clock_(absl::FromUnixSeconds(1767225600)) {
    JournalOptions options;
    options.path = "/seq";
    options.env = env_.get();
    options.projections = {&gate_};
    journal_ = std::move(RocksDbJournal::Open(options, clock_)).value();
  }

  std::unique_ptr<rocksdb::Env> env_;
  common::FakeClock clock_;
  GateProjection gate_;
  std::unique_ptr<RocksDbJournal> journal_;
};

TEST_F(SequencerTest, EventsQueuedDuringAWriteShareTheNextGroup) {
  absl::Mutex mu;
  std::vector<size_t> group_sizes;
  size_t requested = 0;
  Sequencer::Options options;
  Sequencer seq(*journal_, options, [&](const Sequencer::GroupWrite& w) {
    EXPECT_TRUE(w.ok);
    absl::MutexLock lock(&mu);
    group_sizes.push_back(w.events);
    for (const aigov::v1::EventKind k : w.requested) {
      EXPECT_EQ(k, aigov::v1::EVENT_KIND_MODEL_VERSION);
      ++requested;
    }
    EXPECT_TRUE(w.derived.empty());
  });
  std::atomic<int> done{0};
  std::vector<uint64_t> sequences(51, ~0ull);
  auto submit = [&](int i) {
    ASSERT_TRUE(
        seq.Submit(ModelEvent("e" + std::to_string(i), "m", std::to_string(i)),
                   [&, i](const AppendOutcome& o) {
                     EXPECT_TRUE(o.status.ok());
                     sequences[static_cast<size_t>(i)] = o.sequence;
                     done.fetch_add(1);
                   })
            .ok());
  };
  submit(0);
  gate_.entered.WaitForNotification();  // group 1 = {e0} is being written
  for (int i = 1; i <= 50; ++i) submit(i);
  EXPECT_EQ(seq.queued(), 50u);
  EXPECT_EQ(done.load(), 0);  // nothing acknowledged before its sync
  gate_.release.Notify();
  seq.Stop();
  EXPECT_EQ(done.load(), 51);
  ASSERT_EQ(group_sizes.size(), 2u);
  EXPECT_EQ(group_sizes[0], 1u);
  EXPECT_EQ(group_sizes[1], 50u);
  EXPECT_EQ(requested, 51u);
  for (size_t i = 0; i < sequences.size(); ++i) EXPECT_EQ(sequences[i], i);
  EXPECT_EQ(journal_->tree_size(), 51u);
}

TEST_F(SequencerTest, GroupsAreCappedAtMaxBatchEvents) {
  std::vector<size_t> group_sizes;
  Sequencer::Options options;
  options.max_batch_events = 8;
  Sequencer seq(*journal_, options, [&](const Sequencer::GroupWrite& w) {
    group_sizes.push_back(w.events);
  });
  auto noop = [](const AppendOutcome&) {};
  ASSERT_TRUE(seq.Submit(ModelEvent("first", "m", "0"), noop).ok());
  gate_.entered.WaitForNotification();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(
        seq.Submit(ModelEvent("e" + std::to_string(i), "m", "x"), noop).ok());
  }
  gate_.release.Notify();
  seq.Stop();
  EXPECT_EQ(group_sizes, (std::vector<size_t>{1, 8, 8, 4}));
}

TEST_F(SequencerTest, FullQueueIsResourceExhausted) {
  Sequencer::Options options;
  options.queue_capacity = 4;
  Sequencer seq(*journal_, options);
  auto noop = [](const AppendOutcome&) {};
  ASSERT_TRUE(seq.Submit(ModelEvent("held", "m", "0"), noop).ok());
  gate_.entered.WaitForNotification();
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(
        seq.Submit(ModelEvent("q" + std::to_string(i), "m", "x"), noop).ok());
  }
  const absl::Status s = seq.Submit(ModelEvent("over", "m", "x"), noop);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  gate_.release.Notify();
  seq.Stop();
  EXPECT_EQ(journal_->tree_size(), 5u);
}

TEST_F(SequencerTest, StopDrainsAndThenRefuses) {
  gate_.entered.Notify();  // gate open
  gate_.release.Notify();
  Sequencer seq(*journal_, Sequencer::Options());
  std::atomic<int> done{0};
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(seq.Submit(ModelEvent("e" + std::to_string(i), "m", "x"),
                           [&](const AppendOutcome& o) {
                             EXPECT_TRUE(o.status.ok());
                             done.fetch_add(1);
                           })
                    .ok());
  }
  seq.Stop();
  EXPECT_EQ(done.load(), 100);
  EXPECT_EQ(journal_->tree_size(), 100u);
  EXPECT_EQ(
      seq.Submit(ModelEvent("late", "m", "x"), [](const AppendOutcome&) {})
          .code(),
      absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace aigov::journal

namespace aigov::journal {
namespace {

TEST_F(SequencerTest, BeginDrainEndsTheBatchDelayWait) {
  gate_.entered.Notify();
  gate_.release.Notify();
  Sequencer::Options options;
  options.max_batch_events = 100;
  options.max_batch_delay = absl::Hours(1);
  Sequencer seq(*journal_, options);
  absl::Notification written;
  ASSERT_TRUE(seq.Submit(ModelEvent("a", "m", "1"),
                         [&](const AppendOutcome& o) {
                           EXPECT_TRUE(o.status.ok());
                           written.Notify();
                         })
                  .ok());
  // Without the drain this would wait an hour for 99 more events.
  seq.BeginDrain();
  written.WaitForNotification();
  EXPECT_EQ(journal_->tree_size(), 1u);
  // Still accepting while draining.
  EXPECT_TRUE(
      seq.Submit(ModelEvent("b", "m", "2"), [](const AppendOutcome&) {}).ok());
  seq.Stop();
  EXPECT_EQ(journal_->tree_size(), 2u);
}

}  // namespace
}  // namespace aigov::journal
