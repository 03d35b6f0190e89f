#include "daemon/journal/checkpointer.h"

#include <unistd.h>

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"

#include "daemon/journal/journal_test_util.h"

namespace aigov::journal {
namespace {

using ::testing::HasSubstr;

class CheckpointerTest : public ::testing::Test {
 protected:
  CheckpointerTest()
      : env_(rocksdb::NewMemEnv(rocksdb::Env::Default())),
        clock_(absl::FromUnixSeconds(1767225600)),
        key_dir_(std::filesystem::temp_directory_path() /
                 ("aigov-ckpt-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(key_dir_);
    signer_ = std::move(tlog::NoteSigner::LoadOrCreate(
                            (key_dir_ / "a.pem").string(), "aigov/test"))
                  .value();
    Reopen();
  }
  ~CheckpointerTest() override { std::filesystem::remove_all(key_dir_); }

  void Reopen() {
    journal_.reset();
    JournalOptions options;
    options.path = "/j";
    options.env = env_.get();
    journal_ = std::move(RocksDbJournal::Open(options, clock_)).value();
  }

  void Append(int n) {
    for (int i = 0; i < n; ++i) {
      std::vector<AppendOutcome> out;
      const std::string id = "e" + std::to_string(journal_->tree_size());
      ASSERT_TRUE(journal_->AppendGroup({ModelEvent(id, "m", id)}, &out).ok());
    }
  }

  tlog::Checkpoint VerifiedLatest(const Checkpointer& c) {
    auto verifier =
        tlog::NoteVerifier::FromVerifierKey(signer_->verifier_key());
    auto body = verifier->Verify(c.Latest().note);
    EXPECT_TRUE(body.ok()) << body.status();
    return *tlog::ParseCheckpoint(*body);
  }

  std::unique_ptr<rocksdb::Env> env_;
  common::FakeClock clock_;
  std::filesystem::path key_dir_;
  std::unique_ptr<tlog::NoteSigner> signer_;
  std::unique_ptr<RocksDbJournal> journal_;
};

TEST_F(CheckpointerTest, SignsTheHeadAndFollowsIt) {
  Checkpointer c(*journal_, *signer_, clock_, absl::Hours(1));
  ASSERT_TRUE(c.Start().ok());
  tlog::Checkpoint cp = VerifiedLatest(c);
  EXPECT_EQ(cp.origin, "aigov/test");
  EXPECT_EQ(cp.size, 0u);
  EXPECT_EQ(cp.root, tlog::EmptyRoot());
  Append(5);
  auto current = c.Current();
  ASSERT_TRUE(current.ok()) << current.status();
  EXPECT_EQ(current->checkpoint.size, 5u);
  EXPECT_EQ(current->checkpoint.root, journal_->head().root);
  EXPECT_EQ(VerifiedLatest(c).size, 5u);
  EXPECT_EQ(*journal_->LoadCheckpointNote(), current->note);
}

TEST_F(CheckpointerTest, PeriodicThreadSignsEachIntervalOfItsClock) {
  Checkpointer c(*journal_, *signer_, clock_, absl::Hours(1));
  ASSERT_TRUE(c.Start().ok());
  clock_.WaitForWaiters(1);
  Append(3);
  clock_.AdvanceAndSettle(absl::Minutes(59));
  EXPECT_EQ(VerifiedLatest(c).size, 0u);
  clock_.AdvanceAndSettle(absl::Minutes(1));
  EXPECT_EQ(VerifiedLatest(c).size, 3u);
  EXPECT_EQ(*journal_->LoadCheckpointNote(), c.Latest().note);
}

TEST_F(CheckpointerTest, StopSignsTheFinalHeadAndRestartContinues) {
  {
    Checkpointer c(*journal_, *signer_, clock_, absl::Hours(1));
    ASSERT_TRUE(c.Start().ok());
    Append(4);
    c.Stop();
    EXPECT_EQ(c.Latest().checkpoint.size, 4u);
  }
  Reopen();
  Append(2);
  Checkpointer c(*journal_, *signer_, clock_, absl::Hours(1));
  ASSERT_TRUE(c.Start().ok());  // 4 -> 6 checked consistent
  EXPECT_EQ(VerifiedLatest(c).size, 6u);
}

TEST_F(CheckpointerTest, RefusesAJournalInconsistentWithItsCheckpoint) {
  Append(4);
  // A checkpoint of size 3 whose root is not the journal's: the journal's
  // history differs from what was signed.
  tlog::Checkpoint forged{"aigov/test", 3, tlog::HashLeaf("another history")};
  ASSERT_TRUE(
      journal_
          ->StoreCheckpointNote(*signer_->Sign(tlog::FormatCheckpoint(forged)))
          .ok());
  Checkpointer c(*journal_, *signer_, clock_, absl::Hours(1));
  const absl::Status s = c.Start();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("not consistent with its last signed checkpoint"));
}

TEST_F(CheckpointerTest, RefusesACheckpointSignedByAnotherKey) {
  auto other = tlog::NoteSigner::LoadOrCreate((key_dir_ / "b.pem").string(),
                                              "aigov/test");
  ASSERT_TRUE(other.ok());
  tlog::Checkpoint cp{"aigov/test", 0, tlog::EmptyRoot()};
  ASSERT_TRUE(
      journal_->StoreCheckpointNote(*(*other)->Sign(tlog::FormatCheckpoint(cp)))
          .ok());
  Checkpointer c(*journal_, *signer_, clock_, absl::Hours(1));
  const absl::Status s = c.Start();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("journal-signing.pem replaced"));
}

}  // namespace
}  // namespace aigov::journal
