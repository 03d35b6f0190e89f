#include "daemon/ingest/pipeline.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "daemon/common/clock.h"
#include "daemon/ingest/admission_rules.h"
#include "daemon/journal/journal_test_util.h"
#include "daemon/journal/rocksdb_journal.h"
#include "daemon/registry/registry_projection.h"

namespace aigov::ingest {
namespace {

using journal::AppendOutcome;
using journal::ModelEvent;
using journal::PendingEvent;
using ::testing::HasSubstr;

// One pipeline over a real journal on disk, its registry view and the
// admission rules aigovd runs, and real metrics.
class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(65536); }

  void Start(size_t queue_capacity) {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("pipeline_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    rules_ = AdmissionRules(registry_);
    journal::JournalOptions options;
    options.path = dir_.string();
    options.projections = {&registry_};
    for (const auto& rule : rules_) options.rules.push_back(rule.get());
    auto j = journal::RocksDbJournal::Open(options, clock_);
    ASSERT_TRUE(j.ok()) << j.status();
    journal_ = std::move(*j);
    auto m = metrics::DaemonMetrics::Create({"test", "test"});
    ASSERT_TRUE(m.ok()) << m.status();
    metrics_ = std::move(*m);
    journal::Sequencer::Options seq;
    seq.queue_capacity = queue_capacity;
    sequencer_ = std::make_unique<journal::Sequencer>(*journal_, seq);
    pipeline_ = std::make_unique<Pipeline>(*sequencer_, metrics_->ingest());
  }

  void TearDown() override {
    sequencer_->Stop();
    pipeline_.reset();
    sequencer_.reset();
    journal_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Submits one event and waits for its answer, noting the journal's size
  // when it was answered.
  AppendOutcome Run(const absl::Status& valid, PendingEvent event) {
    absl::Notification answered;
    AppendOutcome outcome;
    pipeline_->Submit(valid, std::move(event),
                      [&](const AppendOutcome& out, const Receipt& receipt) {
                        outcome = out;
                        receipt.Close([&] {
                          tree_size_at_answer_ = journal_->tree_size();
                          answered.Notify();
                        });
                      });
    answered.WaitForNotification();
    return outcome;
  }

  std::string Counted(const std::string& kind, const std::string& result) {
    return "aigov_ingest_events_total{kind=\"" + kind + "\",result=\"" +
           result + "\"} ";
  }

  std::filesystem::path dir_;
  common::FakeClock clock_{absl::FromUnixSeconds(1767225600)};
  registry::RegistryProjection registry_;
  std::vector<std::unique_ptr<journal::AdmissionRule>> rules_;
  std::unique_ptr<journal::RocksDbJournal> journal_;
  std::unique_ptr<metrics::DaemonMetrics> metrics_;
  std::unique_ptr<journal::Sequencer> sequencer_;
  std::unique_ptr<Pipeline> pipeline_;
  uint64_t tree_size_at_answer_ = 0;
};

TEST_F(PipelineTest, AnEventIsAnsweredOnlyOnceDurableAndCountedOnce) {
  const AppendOutcome out = Run(absl::OkStatus(), ModelEvent("e1", "m", "1"));
  ASSERT_TRUE(out.status.ok()) << out.status;
  EXPECT_EQ(out.sequence, 0u);
  EXPECT_EQ(tree_size_at_answer_, 1u);
  const AppendOutcome again = Run(absl::OkStatus(), ModelEvent("e1", "m", "1"));
  EXPECT_TRUE(again.deduplicated);
  const std::string text = metrics_->Render();
  EXPECT_THAT(text, HasSubstr(Counted("model_version", "accepted") + "1"));
  EXPECT_THAT(text, HasSubstr(Counted("model_version", "duplicate") + "1"));
  EXPECT_THAT(text, HasSubstr("aigov_ingest_duration_seconds_count 2"));
}

TEST_F(PipelineTest, AnInvalidEventIsNeitherQueuedNorTimed) {
  const AppendOutcome out =
      Run(absl::InvalidArgumentError("model_version.version: required"),
          ModelEvent("e1", "m", ""));
  EXPECT_EQ(out.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(journal_->tree_size(), 0u);
  const std::string text = metrics_->Render();
  EXPECT_THAT(text, HasSubstr(Counted("model_version", "invalid") + "1"));
  EXPECT_THAT(text, HasSubstr("aigov_ingest_duration_seconds_count 0"));
}

TEST_F(PipelineTest, EachRefusalIsCountedByItsCode) {
  ASSERT_TRUE(Run(absl::OkStatus(), ModelEvent("e1", "m", "1")).status.ok());
  const AppendOutcome conflict =
      Run(absl::OkStatus(), ModelEvent("e1", "m", "2"));
  EXPECT_EQ(conflict.status.code(), absl::StatusCode::kAlreadyExists);
  PendingEvent deploy;
  deploy.entry.set_event_id("d1");
  deploy.entry.mutable_deployment()->set_deployment_id("prod");
  deploy.entry.mutable_deployment()->mutable_model_version()->set_model_id(
      "nope");
  deploy.entry.mutable_deployment()->mutable_model_version()->set_version("1");
  const AppendOutcome missing = Run(absl::OkStatus(), std::move(deploy));
  EXPECT_EQ(missing.status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(journal_->tree_size(), 1u);
  const std::string text = metrics_->Render();
  EXPECT_THAT(text, HasSubstr(Counted("model_version", "conflict") + "1"));
  EXPECT_THAT(text, HasSubstr(Counted("deployment", "precondition") + "1"));
}

TEST_F(PipelineTest, AdmissionRulesRunInsideTheSequencerInOrder) {
  // A remote biometric identification system and an approval with one
  // verifier, in one group: the rule sees the system admitted just before.
  PendingEvent system;
  system.entry.set_event_id("s1");
  system.entry.mutable_ai_system()->set_system_id("border-id");
  system.entry.mutable_ai_system()->mutable_risk()->set_annex_iii_point("1(a)");
  PendingEvent approve;
  approve.entry.set_event_id("a1");
  auto* a = approve.entry.mutable_oversight_action();
  a->set_action_id("a1");
  a->set_system_id("border-id");
  a->set_action(aigov::v1::OVERSIGHT_ACTION_TYPE_APPROVE);
  a->add_verifiers()->set_id("ana@example.com");
  std::vector<PendingEvent> events;
  events.push_back(std::move(system));
  events.push_back(std::move(approve));
  const std::vector<AppendOutcome> out =
      pipeline_->SubmitAllAndWait(std::move(events));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[0].status.ok()) << out[0].status;
  EXPECT_EQ(out[1].status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(out[1].status.message(), HasSubstr("Art. 14(5)"));
  EXPECT_THAT(metrics_->Render(),
              HasSubstr(Counted("oversight_action", "precondition") + "1"));
}

TEST_F(PipelineTest, CloseWaitsForEveryAdmittedReceiptThenRefuses) {
  std::optional<Receipt> held;
  absl::Notification answered;
  pipeline_->Submit(absl::OkStatus(), ModelEvent("e1", "m", "1"),
                    [&](const AppendOutcome&, const Receipt& receipt) {
                      held.emplace(receipt);
                      answered.Notify();
                    });
  answered.WaitForNotification();
  // Durable, but its transport has not answered yet: still in flight.
  EXPECT_FALSE(pipeline_->CloseAndWait(absl::Milliseconds(20)));
  held->Close([] {});
  EXPECT_TRUE(pipeline_->CloseAndWait(absl::ZeroDuration()));
  const AppendOutcome late = Run(absl::OkStatus(), ModelEvent("e2", "m", "2"));
  EXPECT_EQ(late.status.code(), absl::StatusCode::kUnavailable);
  const std::vector<AppendOutcome> batch = [&] {
    std::vector<PendingEvent> events;
    events.push_back(ModelEvent("e3", "m", "3"));
    return pipeline_->SubmitAllAndWait(std::move(events));
  }();
  EXPECT_EQ(batch[0].status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(journal_->tree_size(), 1u);
  EXPECT_THAT(metrics_->Render(),
              HasSubstr(Counted("model_version", "rejected") + "2"));
}

TEST_F(PipelineTest, AFullQueueIsRefusedAndCountedRejected) {
  TearDown();
  Start(/*queue_capacity=*/0);
  const AppendOutcome out = Run(absl::OkStatus(), ModelEvent("e1", "m", "1"));
  EXPECT_EQ(out.status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(metrics_->Render(),
              HasSubstr(Counted("model_version", "rejected") + "1"));
  // The refused submission left admission: closing does not wait.
  EXPECT_TRUE(pipeline_->CloseAndWait(absl::ZeroDuration()));
}

}  // namespace
}  // namespace aigov::ingest
