// The gRPC services in process: a real grpc::Server on loopback over the
// real write stack (server_test_util.h), spoken to through the generated
// stubs. What needs a separate aigovd process (signals, kill -9, restarts)
// is in tests/integration.
#include <memory>
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"

#include "aigov/v1/compliance_service.grpc.pb.h"
#include "aigov/v1/governance_service.grpc.pb.h"
#include "aigov/v1/monitoring_service.grpc.pb.h"
#include "aigov/v1/registry_service.grpc.pb.h"
#include "daemon/server/compliance_service.h"
#include "daemon/server/governance_service.h"
#include "daemon/server/grpc_server.h"
#include "daemon/server/monitoring_service.h"
#include "daemon/server/registry_service.h"
#include "daemon/server/server_test_util.h"
#include "daemon/server/write_path.h"

namespace aigov::server {
namespace {

using ::testing::HasSubstr;

class ServicesTest : public ::testing::Test {
 protected:
  ServicesTest()
      : stack_("services_test"),
        writes_(stack_.pipeline()),
        registry_service_(writes_, stack_.registry(), stack_.journal()),
        governance_service_(writes_, stack_.sequencer(), stack_.journal(),
                            stack_.registry(), stack_.lineage(), stack_.clock(),
                            stack_.purger()),
        monitoring_service_(writes_, stack_.pipeline(), stack_.drift(),
                            stack_.journal(), stack_.clock()),
        reports_(
            reports::Sources{&stack_.compliance(), &stack_.registry(),
                             &stack_.lineage(), &stack_.drift(),
                             &stack_.journal()},
            [this]() -> absl::StatusOr<journal::SignedCheckpoint> {
              // Unsigned here: the daemon's checkpointer signs (tested
              // end to end in tests/integration).
              const journal::TreeHead head = stack_.journal().head();
              return journal::SignedCheckpoint{
                  {"aigov/services-test", head.size, head.root},
                  "",
                  stack_.clock().Now()};
            },
            "aigov/services-test+00000000+key", nullptr, stack_.clock()),
        compliance_service_(stack_.compliance(), stack_.journal(), reports_,
                            stack_.clock()) {
    auto server =
        GrpcServer::Start("127.0.0.1:0", 4 << 20,
                          {&registry_service_, &governance_service_,
                           &monitoring_service_, &compliance_service_});
    EXPECT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    auto channel =
        grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                            grpc::InsecureChannelCredentials());
    registry_ = aigov::v1::RegistryService::NewStub(channel);
    governance_ = aigov::v1::GovernanceService::NewStub(channel);
    monitoring_ = aigov::v1::MonitoringService::NewStub(channel);
    compliance_ = aigov::v1::ComplianceService::NewStub(channel);
  }

  ~ServicesTest() override {
    stack_.pipeline().CloseAndWait(absl::Seconds(10));
    server_->Shutdown(absl::ZeroDuration());
  }

  static aigov::v1::RegisterModelVersionRequest Model(const std::string& id,
                                                      const std::string& v) {
    aigov::v1::RegisterModelVersionRequest r;
    r.set_event_id(id);
    auto* mv = r.mutable_model_version();
    mv->set_model_id("credit-scoring");
    mv->set_version(v);
    mv->set_system_id("loans");
    mv->set_artifact_sha256(std::string(64, 'a'));
    return r;
  }

  grpc::Status Register(const aigov::v1::RegisterModelVersionRequest& r,
                        aigov::v1::RegisterModelVersionResponse* out) {
    grpc::ClientContext context;
    return registry_->RegisterModelVersion(&context, r, out);
  }

  WriteStack stack_;
  WritePath writes_;
  RegistryServiceImpl registry_service_;
  GovernanceServiceImpl governance_service_;
  MonitoringServiceImpl monitoring_service_;
  reports::ReportBuilder reports_;
  ComplianceServiceImpl compliance_service_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<aigov::v1::RegistryService::Stub> registry_;
  std::unique_ptr<aigov::v1::GovernanceService::Stub> governance_;
  std::unique_ptr<aigov::v1::MonitoringService::Stub> monitoring_;
  std::unique_ptr<aigov::v1::ComplianceService::Stub> compliance_;
};

// ReportWindows over a registered model version with a one-feature
// reference (3 bins, hourly windows).
class WindowStreamTest : public ServicesTest {
 protected:
  void SetUp() override {
    aigov::v1::RegisterModelVersionResponse mv;
    ASSERT_TRUE(Register(Model("mv", "1"), &mv).ok());
    aigov::v1::PutReferenceProfileRequest r;
    r.set_event_id("ref");
    auto* p = r.mutable_reference_profile();
    p->set_model_id("credit-scoring");
    p->set_version("1");
    auto* f = p->add_features();
    f->set_name("income");
    f->mutable_numeric()->add_edges(1);
    f->mutable_numeric()->add_edges(2);
    for (int b = 0; b < 3; ++b) f->mutable_numeric()->add_counts(10);
    f->mutable_numeric()->set_std(1);
    grpc::ClientContext context;
    aigov::v1::PutReferenceProfileResponse out;
    const grpc::Status status =
        monitoring_->PutReferenceProfile(&context, r, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
    base_ = stack_.journal().tree_size();
  }

  // A report of `bins` counts for the window that starts at the clock's
  // (aligned) start.
  aigov::v1::ReportWindowsRequest Report(const std::string& event_id,
                                         int bins = 3,
                                         const std::string& version = "1") {
    aigov::v1::ReportWindowsRequest r;
    r.set_event_id(event_id);
    auto* w = r.mutable_window_profile();
    w->set_model_id("credit-scoring");
    w->set_version(version);
    w->mutable_window_start()->set_seconds(
        absl::ToUnixSeconds(stack_.clock().Now()));
    auto* f = w->add_features();
    f->set_name("income");
    for (int b = 0; b < bins; ++b) f->add_counts(2);
    return r;
  }

  // Sends `requests` on one stream and returns its status.
  grpc::Status Send(const std::vector<aigov::v1::ReportWindowsRequest>& reqs,
                    aigov::v1::ReportWindowsResponse* out) {
    grpc::ClientContext context;
    auto stream = monitoring_->ReportWindows(&context, out);
    for (const auto& r : reqs) {
      if (!stream->Write(r)) break;
    }
    stream->WritesDone();
    return stream->Finish();
  }

  uint64_t base_ = 0;  // entries before the test's reports
};

TEST_F(WindowStreamTest, EachMessageIsAnsweredInOrderAndARefusalWritesNothing) {
  aigov::v1::ReportWindowsRequest reserved = Report("aigovd:drift:x");
  std::vector<aigov::v1::ReportWindowsRequest> reqs = {
      Report("w1"),         Report("w2", /*bins=*/2),
      Report("w3", 3, "9"), reserved,
      Report("w4"),         Report("w1")};
  aigov::v1::ReportWindowsResponse out;
  const grpc::Status status = Send(reqs, &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(out.results_size(), 6);
  EXPECT_EQ(out.accepted(), 3u);
  EXPECT_EQ(out.refused(), 3u);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(out.results(i).event_id(),
              reqs[static_cast<size_t>(i)].event_id());
  }
  EXPECT_EQ(out.results(0).code(), 0);
  EXPECT_EQ(out.results(1).code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(out.results(1).message(),
              HasSubstr("window_profile.features[\"income\"].counts: "
                        "expected 3 counts"));
  EXPECT_EQ(out.results(2).code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(out.results(2).message(), HasSubstr("credit-scoring@9"));
  EXPECT_EQ(out.results(3).code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(out.results(3).message(), HasSubstr("aigovd:"));
  EXPECT_EQ(out.results(4).code(), 0);
  EXPECT_TRUE(out.results(5).deduplicated());
  EXPECT_EQ(out.results(5).sequence(), out.results(0).sequence());
  // Two new entries; the two reports merged into one open window.
  EXPECT_EQ(stack_.journal().tree_size(), base_ + 2);
  grpc::ClientContext context;
  aigov::v1::GetDriftStatusRequest get;
  get.set_model_id("credit-scoring");
  get.set_version("1");
  aigov::v1::GetDriftStatusResponse drift;
  ASSERT_TRUE(monitoring_->GetDriftStatus(&context, get, &drift).ok());
  EXPECT_EQ(drift.open_windows_size(), 1);
}

TEST_F(WindowStreamTest, AStreamLongerThanTheInFlightLimitLandsWhole) {
  // Reading pauses at kMaxInFlight reports waiting for the journal and
  // resumes as they land: every report still gets its result, in order.
  const size_t count = MonitoringServiceImpl::kMaxStreamInFlight + 300;
  std::vector<aigov::v1::ReportWindowsRequest> reqs;
  for (size_t i = 0; i < count; ++i) {
    reqs.push_back(Report("w" + std::to_string(i)));
  }
  aigov::v1::ReportWindowsResponse out;
  const grpc::Status status = Send(reqs, &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(out.results_size(), static_cast<int>(count));
  EXPECT_EQ(out.accepted(), count);
  std::set<uint64_t> sequences;
  for (size_t i = 0; i < count; ++i) {
    const auto& r = out.results(static_cast<int>(i));
    EXPECT_EQ(r.event_id(), reqs[i].event_id());
    EXPECT_FALSE(r.deduplicated());
    sequences.insert(r.sequence());
  }
  EXPECT_EQ(sequences.size(), count);
  EXPECT_EQ(stack_.journal().tree_size(), base_ + count);
}

TEST_F(WindowStreamTest,
       ACancelledStreamLosesNothingItLandedAndCountsNoneTwice) {
  std::vector<aigov::v1::ReportWindowsRequest> reqs;
  for (int i = 0; i < 500; ++i) reqs.push_back(Report("c" + std::to_string(i)));
  {
    grpc::ClientContext context;
    aigov::v1::ReportWindowsResponse out;
    auto stream = monitoring_->ReportWindows(&context, &out);
    for (const auto& r : reqs) {
      if (!stream->Write(r)) break;
    }
    context.TryCancel();
    const grpc::Status status = stream->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED);
    EXPECT_EQ(out.results_size(), 0);  // nothing acknowledged
  }
  // The client sends all again: what landed before is deduplicated, the
  // rest is new, and each report is in the journal exactly once.
  aigov::v1::ReportWindowsResponse again;
  const grpc::Status status = Send(reqs, &again);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(again.accepted(), 500u);
  EXPECT_EQ(stack_.journal().tree_size(), base_ + 500);
}

TEST_F(ServicesTest, AWriteIsAnsweredWithItsSequenceAndReadBack) {
  aigov::v1::RegisterModelVersionResponse out;
  ASSERT_TRUE(Register(Model("e1", "1.0.0"), &out).ok());
  EXPECT_EQ(out.sequence(), 0u);
  EXPECT_FALSE(out.deduplicated());
  EXPECT_EQ(out.leaf_hash().size(), 32u);
  EXPECT_EQ(stack_.journal().tree_size(), 1u);

  aigov::v1::RegisterModelVersionResponse again;
  ASSERT_TRUE(Register(Model("e1", "1.0.0"), &again).ok());
  EXPECT_TRUE(again.deduplicated());
  EXPECT_EQ(again.leaf_hash(), out.leaf_hash());

  grpc::ClientContext context;
  aigov::v1::GetRecordRequest get;
  get.set_kind(aigov::v1::EVENT_KIND_MODEL_VERSION);
  get.set_id("credit-scoring");
  get.set_version("1.0.0");
  aigov::v1::GetRecordResponse record;
  ASSERT_TRUE(registry_->GetRecord(&context, get, &record).ok());
  EXPECT_EQ(record.record().model_version().system_id(), "loans");
}

TEST_F(ServicesTest, RefusalsNameTheFieldAndWriteNothing) {
  aigov::v1::RegisterModelVersionRequest bad = Model("e1", "1.0.0");
  bad.mutable_model_version()->set_artifact_sha256("abc");
  aigov::v1::RegisterModelVersionResponse out;
  const grpc::Status invalid = Register(bad, &out);
  EXPECT_EQ(invalid.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(invalid.error_message(),
              HasSubstr("model_version.artifact_sha256: expected 64 hex"));
  EXPECT_EQ(stack_.journal().tree_size(), 0u);

  ASSERT_TRUE(Register(Model("e1", "1.0.0"), &out).ok());
  const grpc::Status conflict = Register(Model("e1", "2.0.0"), &out);
  EXPECT_EQ(conflict.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(conflict.error_message(), HasSubstr("at sequence 0"));
  EXPECT_EQ(stack_.journal().tree_size(), 1u);
  const std::string text = stack_.metrics().Render();
  EXPECT_THAT(text, HasSubstr("aigov_ingest_events_total{kind=\"model_"
                              "version\",result=\"invalid\"} 1"));
  EXPECT_THAT(text, HasSubstr("aigov_ingest_events_total{kind=\"model_"
                              "version\",result=\"conflict\"} 1"));
}

TEST_F(ServicesTest, AdmissionRulesAnswerFailedPrecondition) {
  {
    grpc::ClientContext context;
    aigov::v1::RegisterAiSystemRequest r;
    r.set_event_id("s1");
    auto* s = r.mutable_ai_system();
    s->set_system_id("border-id");
    s->set_name("Border identification");
    s->set_intended_purpose("remote identification at the border");
    s->mutable_risk()->set_annex_iii_point("1(a)");
    aigov::v1::RegisterAiSystemResponse out;
    const grpc::Status status = registry_->RegisterAiSystem(&context, r, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  // The system and the findings the compliance engine derived from it.
  const uint64_t registered = stack_.journal().tree_size();
  aigov::v1::RecordOversightActionRequest r;
  r.set_event_id("a1");
  auto* a = r.mutable_oversight_action();
  a->set_action_id("a1");
  a->set_system_id("border-id");
  a->set_action(aigov::v1::OVERSIGHT_ACTION_TYPE_APPROVE);
  a->add_reviewers()->set_id("officer@example.com");
  a->add_verifiers()->set_id("officer@example.com");
  a->mutable_occurred_at()->set_seconds(
      absl::ToUnixSeconds(stack_.clock().Now()));
  grpc::ClientContext context;
  aigov::v1::RecordOversightActionResponse out;
  const grpc::Status status =
      governance_->RecordOversightAction(&context, r, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(),
              HasSubstr("oversight_action.verifiers: system border-id is "
                        "Annex III 1(a)"));
  EXPECT_EQ(stack_.journal().tree_size(), registered);
}

TEST_F(ServicesTest, AnErasureRequestIsAnsweredWithItsDerivedErasure) {
  aigov::v1::RecordDataSubjectRequestRequest r;
  r.set_event_id("d1");
  auto* d = r.mutable_data_subject_request();
  d->set_request_id("dsr-1");
  d->set_type(aigov::v1::DATA_SUBJECT_REQUEST_TYPE_ERASURE);
  d->set_status(aigov::v1::DATA_SUBJECT_REQUEST_STATUS_RECEIVED);
  d->set_subject("alice@example.com");
  d->mutable_received_at()->set_seconds(
      absl::ToUnixSeconds(stack_.clock().Now() - absl::Hours(1)));
  grpc::ClientContext context;
  aigov::v1::RecordDataSubjectRequestResponse out;
  const grpc::Status status =
      governance_->RecordDataSubjectRequest(&context, r, &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(out.erasure_sequence(), out.sequence() + 1);
  EXPECT_EQ(out.erased_subject_id(),
            stack_.journal().SubjectIdOf("alice@example.com"));
  EXPECT_EQ(stack_.journal().tree_size(), 2u);
}

TEST_F(ServicesTest, OnceClosingWritesAreUnavailableAndReadsStillServed) {
  ASSERT_TRUE(stack_.pipeline().CloseAndWait(absl::Seconds(10)));
  aigov::v1::RegisterModelVersionResponse out;
  const grpc::Status status = Register(Model("e1", "1.0.0"), &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(), HasSubstr("shutting down"));
  grpc::ClientContext context;
  aigov::v1::ListRecordsRequest list;
  list.set_kind(aigov::v1::EVENT_KIND_MODEL_VERSION);
  aigov::v1::ListRecordsResponse records;
  EXPECT_TRUE(registry_->ListRecords(&context, list, &records).ok());
  EXPECT_EQ(records.records_size(), 0);
}

}  // namespace
}  // namespace aigov::server

namespace aigov::server {
namespace {

// Registers an AI system processing personal data (so GDPR obligations
// apply to it and their findings are journalled).
void RegisterSystem(aigov::v1::RegistryService::Stub& registry,
                    const std::string& id) {
  aigov::v1::RegisterAiSystemRequest r;
  r.set_event_id("sys-" + id);
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      "system_id: '" + id +
          "' intended_purpose: 'triage support tickets' roles: "
          "ROLE_PROVIDER roles: ROLE_DEPLOYER gdpr { personal_data: true "
          "lawful_basis: LAWFUL_BASIS_CONTRACT retention_days: 30 }",
      r.mutable_ai_system()));
  grpc::ClientContext context;
  aigov::v1::RegisterAiSystemResponse out;
  const grpc::Status s = registry.RegisterAiSystem(&context, r, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
}

TEST_F(ServicesTest, FindingsPageInSystemThenCatalogOrder) {
  for (const char* id : {"c-sys", "a-sys", "b-sys"}) {
    RegisterSystem(*registry_, id);
  }
  const auto list = [&](aigov::v1::ListFindingsRequest req,
                        std::vector<std::string>* out) {
    for (;;) {
      grpc::ClientContext context;
      aigov::v1::ListFindingsResponse resp;
      const grpc::Status s = compliance_->ListFindings(&context, req, &resp);
      if (!s.ok()) return s;
      EXPECT_LE(resp.findings_size(),
                req.page_size() == 0 ? 100 : static_cast<int>(req.page_size()));
      for (const auto& f : resp.findings()) {
        EXPECT_EQ(f.finding().system_id().empty(), false);
        out->push_back(f.finding().system_id() + "/" +
                       f.finding().obligation_id());
      }
      if (resp.next_page_token().empty()) return grpc::Status::OK;
      req.set_page_token(resp.next_page_token());
    }
  };
  std::vector<std::string> all;
  ASSERT_TRUE(list({}, &all).ok());
  // Each system owes at least AIA-01 and GDPR-01.
  ASSERT_GE(all.size(), 6u);
  EXPECT_EQ(all.front(), "a-sys/AIA-01");
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end(),
                             [](const std::string& a, const std::string& b) {
                               return a.substr(0, 5) < b.substr(0, 5);
                             }));
  std::vector<std::string> paged;
  aigov::v1::ListFindingsRequest small;
  small.set_page_size(2);
  ASSERT_TRUE(list(small, &paged).ok());
  EXPECT_EQ(paged, all);

  std::vector<std::string> one;
  aigov::v1::ListFindingsRequest only;
  only.set_system_id("b-sys");
  only.set_page_size(1);
  ASSERT_TRUE(list(only, &one).ok());
  ASSERT_FALSE(one.empty());
  for (const std::string& f : one) EXPECT_EQ(f.substr(0, 6), "b-sys/");
  std::vector<std::string> gdpr;
  aigov::v1::ListFindingsRequest by_obligation;
  by_obligation.set_obligation_id("GDPR-01");
  ASSERT_TRUE(list(by_obligation, &gdpr).ok());
  EXPECT_THAT(gdpr, ::testing::ElementsAre("a-sys/GDPR-01", "b-sys/GDPR-01",
                                           "c-sys/GDPR-01"));
}

TEST_F(ServicesTest, ComplianceQueriesNameTheFieldTheyRefuse) {
  RegisterSystem(*registry_, "a-sys");
  {
    grpc::ClientContext context;
    aigov::v1::ListFindingsRequest req;
    req.set_obligation_id("AIA-99");
    aigov::v1::ListFindingsResponse resp;
    const grpc::Status s = compliance_->ListFindings(&context, req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(),
                HasSubstr("obligation_id: unknown obligation \"AIA-99\""));
  }
  {
    grpc::ClientContext context;
    aigov::v1::ListFindingsRequest req;
    req.set_page_token("a-sys/nothing");
    aigov::v1::ListFindingsResponse resp;
    const grpc::Status s = compliance_->ListFindings(&context, req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("page_token"));
  }
  {
    grpc::ClientContext context;
    aigov::v1::ListObligationsRequest req;
    req.set_regime("eu-ai-act-1999");
    aigov::v1::ListObligationsResponse resp;
    const grpc::Status s = compliance_->ListObligations(&context, req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(),
                HasSubstr("regime: unknown regime \"eu-ai-act-1999\"; the "
                          "catalog defines eu-ai-act-2024, "
                          "eu-ai-act-omnibus-2026"));
  }
  {
    grpc::ClientContext context;
    aigov::v1::GetStatusRequest req;
    req.set_system_id("no such system");
    aigov::v1::GetStatusResponse resp;
    const grpc::Status s = compliance_->GetStatus(&context, req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("system_id:"));
  }
  {
    grpc::ClientContext context;
    aigov::v1::GetStatusRequest req;
    req.set_system_id("a-sys");
    req.mutable_at()->set_seconds(int64_t{1} << 40);
    aigov::v1::GetStatusResponse resp;
    const grpc::Status s = compliance_->GetStatus(&context, req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("at: not a valid time"));
  }
  {
    grpc::ClientContext context;
    aigov::v1::GetStatusRequest req;
    req.set_system_id("a-sys");
    aigov::v1::GetStatusResponse resp;
    const grpc::Status s = compliance_->GetStatus(&context, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(resp.source(), aigov::v1::STATUS_SOURCE_EVALUATED);
    EXPECT_EQ(
        resp.obligations_size(),
        static_cast<int>(stack_.compliance().catalog().obligations.size()));
    EXPECT_EQ(resp.obligations(0).obligation_id(), "AIA-01");
  }
}

}  // namespace
}  // namespace aigov::server
