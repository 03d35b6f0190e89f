#include "daemon/ingest/admission_rules.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"

#include "daemon/common/clock.h"
#include "daemon/journal/journal_test_util.h"
#include "daemon/journal/rocksdb_journal.h"

namespace aigov::ingest {
namespace {

using journal::AppendOutcome;
using journal::Approve;
using journal::PendingEvent;

PendingEvent BiometricSystem(const std::string& id, const std::string& system) {
  PendingEvent e;
  e.entry.set_event_id(id);
  e.entry.mutable_ai_system()->set_system_id(system);
  e.entry.mutable_ai_system()->set_intended_purpose("remote identification");
  e.entry.mutable_ai_system()->mutable_risk()->set_annex_iii_point("1(a)");
  return e;
}

class AdmissionRulesTest : public ::testing::Test {
 protected:
  AdmissionRulesTest()
      : env_(rocksdb::NewMemEnv(rocksdb::Env::Default())),
        clock_(absl::FromUnixSeconds(1767225600)),
        rules_(AdmissionRules(registry_)) {
    journal::JournalOptions options;
    options.path = "/journal";
    options.env = env_.get();
    options.projections = {&registry_};
    for (const auto& rule : rules_) options.rules.push_back(rule.get());
    auto j = journal::RocksDbJournal::Open(options, clock_);
    EXPECT_TRUE(j.ok()) << j.status();
    journal_ = std::move(*j);
  }

  std::vector<AppendOutcome> Append(std::vector<PendingEvent> group) {
    std::vector<AppendOutcome> out;
    const absl::Status s = journal_->AppendGroup(std::move(group), &out);
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  std::unique_ptr<rocksdb::Env> env_;
  common::FakeClock clock_;
  registry::RegistryProjection registry_;
  std::vector<std::unique_ptr<journal::AdmissionRule>> rules_;
  std::unique_ptr<journal::RocksDbJournal> journal_;
};

TEST_F(AdmissionRulesTest, AnnexIII1aApprovalNeedsTwoDistinctVerifiers) {
  std::vector<PendingEvent> group;
  group.push_back(BiometricSystem("s1", "border-id"));
  group.push_back(Approve("a1", "border-id", {"ana@example.com"}));
  group.push_back(
      Approve("a2", "border-id", {"ana@example.com", "ana@example.com"}));
  group.push_back(
      Approve("a3", "border-id", {"ana@example.com", "ben@example.com"}));
  auto out = Append(std::move(group));
  ASSERT_TRUE(out[0].status.ok()) << out[0].status;
  for (size_t i : {size_t{1}, size_t{2}}) {
    EXPECT_EQ(out[i].status.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_TRUE(absl::StartsWith(out[i].status.message(),
                                 "oversight_action.verifiers: system "
                                 "border-id is Annex III 1(a)"))
        << out[i].status;
  }
  EXPECT_TRUE(out[3].status.ok()) << out[3].status;
  // In a later group the rule reads the committed system.
  out = Append({Approve("a5", "border-id", {"ana@example.com"})});
  EXPECT_EQ(out[0].status.code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(AdmissionRulesTest, OtherSystemsAndOtherActionsNeedNoVerifier) {
  std::vector<PendingEvent> group;
  group.push_back(BiometricSystem("s1", "border-id"));
  PendingEvent override = Approve("r1", "border-id", {});
  override.entry.mutable_oversight_action()->set_action(
      aigov::v1::OVERSIGHT_ACTION_TYPE_OVERRIDE);
  group.push_back(std::move(override));
  group.push_back(Approve("a4", "loans", {}));
  auto out = Append(std::move(group));
  for (const AppendOutcome& o : out) EXPECT_TRUE(o.status.ok()) << o.status;
}

}  // namespace
}  // namespace aigov::ingest
