// The compliance view over a real journal on disk, with its deriver, on a
// fake clock: which entries are evaluated, and that what the live path
// writes is what a rebuild from the journal writes.
#include "daemon/compliance/compliance_view.h"

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

#include "daemon/common/clock.h"
#include "daemon/journal/rocksdb_journal.h"
#include "daemon/rules/snapshot.h"

namespace aigov::compliance {
namespace {

using aigov::v1::JournalEntry;

// After every application date of both regimes.
absl::Time Start() {
  return absl::FromCivil(absl::CivilDay(2028, 3, 1), absl::UTCTimeZone());
}

class ComplianceViewTest : public ::testing::Test {
 protected:
  ComplianceViewTest()
      : dir_(std::filesystem::path(::testing::TempDir()) /
             ("compliance_view_test_" + std::to_string(::getpid()))),
        clock_(Start()),
        catalog_(rules::EmbeddedCatalog().value()),
        view_(catalog_, *catalog_.FindRegime("eu-ai-act-omnibus-2026"),
              rules::Settings()) {
    std::filesystem::remove_all(dir_);
    Open();
  }
  ~ComplianceViewTest() override {
    journal_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Opens the journal on dir_ with the view attached (again after Close:
  // a restart, the view's caches dropped by Attach).
  void Open() {
    journal::JournalOptions options;
    options.path = dir_.string();
    options.projections = {&view_};
    options.derivers = {&view_};
    auto j = journal::RocksDbJournal::Open(options, clock_);
    ASSERT_TRUE(j.ok()) << j.status();
    journal_ = std::move(*j);
  }

  // Appends one entry (text format) or a tick; returns the obligations of
  // the findings derived from it.
  std::vector<std::string> Append(const std::string& text) {
    return AppendGroup({text});
  }
  // Appends entries as one group (one sequencer batch).
  std::vector<std::string> AppendGroup(const std::vector<std::string>& texts) {
    std::vector<journal::PendingEvent> group;
    for (const std::string& text : texts) {
      journal::PendingEvent e;
      if (text.empty()) {
        e.tick = true;
      } else {
        EXPECT_TRUE(
            google::protobuf::TextFormat::ParseFromString(text, &e.entry))
            << text;
        e.entry.set_event_id("e" + std::to_string(++events_));
        e.entry.set_principal("test");
      }
      group.push_back(std::move(e));
    }
    std::vector<journal::AppendOutcome> out;
    const absl::Status s = journal_->AppendGroup(std::move(group), &out);
    EXPECT_TRUE(s.ok()) << s;
    std::vector<std::string> ids;
    for (const journal::AppendOutcome& o : out) {
      EXPECT_TRUE(o.status.ok()) << o.status;
      for (const auto& d : o.derived) {
        auto entry = journal_->Get(d.sequence);
        EXPECT_TRUE(entry.ok());
        if (entry.ok() && entry->has_compliance_finding()) {
          ids.push_back(
              entry->compliance_finding().obligation_id() + " " +
              rules::StatusName(entry->compliance_finding().status()));
        }
      }
    }
    return ids;
  }

  // A deployed high-risk system whose version declares a metric and has no
  // sample yet.
  void Deployed() {
    ASSERT_THAT(
        Append("ai_system { system_id: 'credit' intended_purpose: 'score' "
               "roles: ROLE_PROVIDER roles: ROLE_DEPLOYER risk { "
               "annex_iii_point: '5(b)' eu_market: true } }"),
        ::testing::Not(::testing::IsEmpty()));
    Append(
        "model_version { model_id: 'm' version: '1' system_id: 'credit' "
        "artifact_sha256: 'ab' declared_metrics { name: 'auc' value: 0.8 "
        "threshold: 0.7 direction: METRIC_DIRECTION_HIGHER_IS_BETTER } }");
    Append(
        "evidence_document { document_id: 'pmm' type: "
        "DOCUMENT_TYPE_POST_MARKET_MONITORING_PLAN system_id: 'credit' "
        "content_sha256: 'cd' }");
    EXPECT_THAT(Append("deployment { deployment_id: 'prod' model_version { "
                       "model_id: 'm' version: '1' } environment: "
                       "ENVIRONMENT_PROD state: DEPLOYMENT_STATE_ENABLED }"),
                ::testing::Contains("AIA-06 VIOLATED"));
  }

  // What the live path wrote is what a rebuild from the journal writes
  // (the next due instant aside: a rebuild leaves it to the next tick).
  void ExpectRebuildWritesTheSame() {
    auto live = view_.Record("credit");
    ASSERT_TRUE(live.ok() && live->has_value()) << live.status();
    ASSERT_EQ((*live)->monitoring_size(), 1);
    EXPECT_TRUE((*live)->monitoring(0).has_last_sample());
    auto history = view_.FindingsAt("credit", clock_.Now());
    ASSERT_TRUE(history.ok());
    ASSERT_TRUE(journal_->RebuildViews({}, /*stale_only=*/false).ok());
    auto rebuilt = view_.Record("credit");
    ASSERT_TRUE(rebuilt.ok() && rebuilt->has_value());
    (*live)->clear_next_due();
    (*rebuilt)->clear_next_due();
    EXPECT_TRUE(
        google::protobuf::util::MessageDifferencer::Equals(**live, **rebuilt))
        << (*live)->ShortDebugString() << "\n"
        << (*rebuilt)->ShortDebugString();
    auto history_rebuilt = view_.FindingsAt("credit", clock_.Now());
    ASSERT_TRUE(history_rebuilt.ok());
    ASSERT_EQ(history->size(), history_rebuilt->size());
    for (size_t i = 0; i < history->size(); ++i) {
      EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
          (*history)[i], (*history_rebuilt)[i]));
    }
  }

  std::string Sample() {
    return "performance_sample { model_id: 'm' version: '1' metric: 'auc' "
           "value: 0.8 n: 1000 window_start { seconds: " +
           std::to_string(absl::ToUnixSeconds(clock_.Now()) - 3600) + " } }";
  }

  std::filesystem::path dir_;
  common::FakeClock clock_;
  const rules::Catalog catalog_;
  ComplianceView view_;
  std::unique_ptr<journal::RocksDbJournal> journal_;
  int events_ = 0;
};

TEST_F(ComplianceViewTest, TelemetryIsEvaluatedOnlyWhenItCanChangeAFinding) {
  // Deployed with no performance sample: Art. 72 is not met.
  Deployed();
  auto deployed = view_.Record("credit");
  ASSERT_TRUE(deployed.ok() && deployed->has_value());
  for (const auto& f : (*deployed)->findings()) {
    if (f.obligation_id() == "AIA-19") {
      EXPECT_EQ(f.status(), aigov::v1::FINDING_STATUS_VIOLATED);
    }
  }
  // The first sample: AIA-19 has its evidence.
  clock_.Advance(absl::Hours(1));
  EXPECT_THAT(Append(Sample()), ::testing::Contains("AIA-19 SATISFIED"));
  // A fresh version sampled again: nothing can change.
  clock_.Advance(absl::Hours(1));
  EXPECT_THAT(Append(Sample()), ::testing::IsEmpty());
  // Past compliance.metric_freshness (7 days) with no sample: the tick
  // finds it stale.
  clock_.Advance(absl::Hours(8 * 24));
  EXPECT_THAT(Append(""), ::testing::Contains("AIA-19 VIOLATED"));
  // A sample of a stale version is evaluated.
  clock_.Advance(absl::Hours(1));
  EXPECT_THAT(Append(Sample()), ::testing::Contains("AIA-19 SATISFIED"));

  ExpectRebuildWritesTheSame();
}

// A sample that cannot change a finding changes its version's monitoring
// alone, without the system's record; the record, the next evaluation and
// a restart see it.
TEST_F(ComplianceViewTest, QuietSamplesMoveTheFreshnessClock) {
  Deployed();
  const absl::Time first = clock_.Now() + absl::Hours(1);
  clock_.Advance(absl::Hours(1));
  EXPECT_THAT(Append(Sample()), ::testing::Contains("AIA-19 SATISFIED"));
  // Quiet samples, two in one group.
  clock_.Advance(absl::Hours(2 * 24));
  EXPECT_THAT(AppendGroup({Sample(), Sample()}), ::testing::IsEmpty());
  // Seven days after the first sample the system is due; the samples since
  // keep AIA-19 met.
  clock_.Advance(first + absl::Hours(7 * 24 + 1) - clock_.Now());
  EXPECT_THAT(Append(""),
              ::testing::Not(::testing::Contains("AIA-19 VIOLATED")));
  // A quiet sample, then an entry that loads the record in the same group:
  // the record takes the sample over.
  clock_.Advance(absl::Hours(1));
  const absl::Time last = clock_.Now();
  AppendGroup({Sample(),
               "evidence_document { document_id: 'ifu' type: "
               "DOCUMENT_TYPE_INSTRUCTIONS_FOR_USE system_id: 'credit' "
               "content_sha256: 'ef' }"});
  auto record = view_.Record("credit");
  ASSERT_TRUE(record.ok() && record->has_value());
  ASSERT_EQ((*record)->monitoring_size(), 1);
  EXPECT_EQ(rules::TimeOf((*record)->monitoring(0).last_sample().at()), last);
  // A quiet sample, then a restart: the view reads it back.
  clock_.Advance(absl::Hours(24));
  const absl::Time restarted = clock_.Now();
  EXPECT_THAT(Append(Sample()), ::testing::IsEmpty());
  journal_.reset();
  Open();
  clock_.Advance(last + absl::Hours(7 * 24 + 1) - clock_.Now());
  EXPECT_THAT(Append(""),
              ::testing::Not(::testing::Contains("AIA-19 VIOLATED")));
  // Seven days after the last one it is stale.
  clock_.Advance(restarted + absl::Hours(7 * 24 + 1) - clock_.Now());
  EXPECT_THAT(Append(""), ::testing::Contains("AIA-19 VIOLATED"));
  ExpectRebuildWritesTheSame();
}

// A finding journalled as the status stood; the history answers for any
// instant.
TEST_F(ComplianceViewTest, TheHistoryAnswersAsFindingsStoodThen) {
  Append(
      "ai_system { system_id: 'credit' intended_purpose: 'score' roles: "
      "ROLE_DEPLOYER gdpr { personal_data: true lawful_basis: "
      "LAWFUL_BASIS_CONTRACT retention_days: 30 } }");
  const absl::Time first = clock_.Now();
  clock_.Advance(absl::Hours(2));
  Append(
      "personal_data_breach { breach_id: 'b1' system_id: 'credit' aware_at { "
      "seconds: " +
      std::to_string(absl::ToUnixSeconds(clock_.Now())) +
      " } risk: BREACH_RISK_RISK }");
  auto then = view_.FindingsAt("credit", first);
  ASSERT_TRUE(then.ok());
  auto now = view_.FindingsAt("credit", clock_.Now());
  ASSERT_TRUE(now.ok());
  const auto has = [](const auto& findings, const std::string& id) {
    for (const auto& f : findings) {
      if (f.obligation_id() == id) return true;
    }
    return false;
  };
  EXPECT_FALSE(has(*then, "GDPR-12"));
  EXPECT_TRUE(has(*now, "GDPR-12"));
  auto before = view_.FindingsAt("credit", first - absl::Seconds(1));
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->empty());
}

}  // namespace
}  // namespace aigov::compliance
