// The registry end to end: the real aigovd over gRPC on loopback, its
// RocksDB on disk, /metrics, and aigovd --rebuild_views.
#include <signal.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"

#include "aigov/v1/registry_service.grpc.pb.h"
#include "tests/integration/daemon_process.h"

namespace aigov::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kDigest[] =
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

std::unique_ptr<grpc::ClientContext> Context() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(60));
  return ctx;
}

class RegistryTest : public ::testing::Test {
 protected:
  std::string DataDir() const { return tmp_.path() + "/data"; }

  void Connect(const DaemonProcess& d) {
    stub_ = aigov::v1::RegistryService::NewStub(grpc::CreateChannel(
        d.grpc_target(), grpc::InsecureChannelCredentials()));
  }

  grpc::Status RegisterModel(const std::string& event_id,
                             const std::string& version,
                             const std::string& system) {
    aigov::v1::RegisterModelVersionRequest req;
    req.set_event_id(event_id);
    auto* mv = req.mutable_model_version();
    mv->set_model_id("credit-scoring");
    mv->set_version(version);
    mv->set_system_id(system);
    mv->set_artifact_sha256(kDigest);
    mv->set_created_by("alice@example.com");
    aigov::v1::RegisterModelVersionResponse resp;
    return stub_->RegisterModelVersion(Context().get(), req, &resp);
  }

  grpc::Status RegisterDeployment(const std::string& event_id,
                                  const std::string& version) {
    aigov::v1::RegisterDeploymentRequest req;
    req.set_event_id(event_id);
    auto* d = req.mutable_deployment();
    d->set_deployment_id("loans-prod");
    d->mutable_model_version()->set_model_id("credit-scoring");
    d->mutable_model_version()->set_version(version);
    d->set_environment(aigov::v1::ENVIRONMENT_PROD);
    d->set_state(aigov::v1::DEPLOYMENT_STATE_ENABLED);
    d->set_traffic_share(1.0);
    aigov::v1::RegisterDeploymentResponse resp;
    return stub_->RegisterDeployment(Context().get(), req, &resp);
  }

  TempDir tmp_;
  std::unique_ptr<aigov::v1::RegistryService::Stub> stub_;
};

TEST_F(RegistryTest, ReferencesAreCheckedShadowSystemsCountedViewsRebuilt) {
  {
    DaemonProcess d(DataDir());
    ASSERT_TRUE(d.Start()) << d.log();
    Connect(d);

    // A deployment of a version nobody registered: refused, nothing stored.
    grpc::Status s = RegisterDeployment("dep-0", "1.0.0");
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_THAT(s.error_message(),
                HasSubstr("deployment.model_version: model version "
                          "credit-scoring@1.0.0 is not registered"));

    // A model version of a system never registered: accepted, and the
    // system is listed as unregistered and counted in /metrics.
    ASSERT_TRUE(RegisterModel("mv-1", "1.0.0", "loans").ok());
    ASSERT_TRUE(RegisterDeployment("dep-1", "1.0.0").ok());
    aigov::v1::ListRecordsRequest list;
    list.set_kind(aigov::v1::EVENT_KIND_AI_SYSTEM);
    list.set_unregistered_only(true);
    aigov::v1::ListRecordsResponse listed;
    ASSERT_TRUE(stub_->ListRecords(Context().get(), list, &listed).ok());
    ASSERT_EQ(listed.records_size(), 1);
    EXPECT_EQ(listed.records(0).ai_system().system_id(), "loans");
    EXPECT_EQ(MetricValue(HttpGet(d.http_port(), "/metrics").body,
                          "aigov_unregistered_systems"),
              1);

    // Registering the system clears it.
    aigov::v1::RegisterAiSystemRequest sys;
    sys.set_event_id("sys-1");
    sys.mutable_ai_system()->set_system_id("loans");
    sys.mutable_ai_system()->set_intended_purpose("credit scoring");
    sys.mutable_ai_system()->mutable_risk()->set_annex_iii_point("5(b)");
    aigov::v1::RegisterAiSystemResponse resp;
    ASSERT_TRUE(stub_->RegisterAiSystem(Context().get(), sys, &resp).ok());
    EXPECT_EQ(MetricValue(HttpGet(d.http_port(), "/metrics").body,
                          "aigov_unregistered_systems"),
              0);

    // Reads: current state, the sequences it was built from, PII unsealed.
    aigov::v1::GetRecordRequest get;
    get.set_kind(aigov::v1::EVENT_KIND_MODEL_VERSION);
    get.set_id("credit-scoring");
    get.set_version("1.0.0");
    aigov::v1::GetRecordResponse got;
    ASSERT_TRUE(stub_->GetRecord(Context().get(), get, &got).ok());
    EXPECT_EQ(got.record().model_version().created_by(), "alice@example.com");
    ASSERT_EQ(got.record().sequences_size(), 1);
    EXPECT_EQ(got.record().sequences(0), 0u);
    get.set_kind(aigov::v1::EVENT_KIND_DEPLOYMENT);
    get.set_id("loans-prod");
    get.clear_version();
    ASSERT_TRUE(stub_->GetRecord(Context().get(), get, &got).ok());
    EXPECT_EQ(got.record().deployment().model_version().version(), "1.0.0");
    get.set_id("nowhere");
    EXPECT_EQ(stub_->GetRecord(Context().get(), get, &got).error_code(),
              grpc::StatusCode::NOT_FOUND);
    get.set_kind(aigov::v1::EVENT_KIND_SUBJECT_ERASURE);
    EXPECT_EQ(stub_->GetRecord(Context().get(), get, &got).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);

    // A bad digest names its field; the daemon keeps serving.
    aigov::v1::RegisterEvidenceDocumentRequest doc;
    doc.set_event_id("doc-1");
    doc.mutable_evidence_document()->set_document_id("dpia");
    doc.mutable_evidence_document()->set_type(aigov::v1::DOCUMENT_TYPE_DPIA);
    doc.mutable_evidence_document()->set_content_sha256("abc");
    aigov::v1::RegisterEvidenceDocumentResponse doc_resp;
    s = stub_->RegisterEvidenceDocument(Context().get(), doc, &doc_resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(),
                HasSubstr("evidence_document.content_sha256: expected 64 hex"));
    ASSERT_TRUE(RegisterModel("mv-2", "1.1.0", "loans").ok());
    ASSERT_EQ(d.Stop(SIGTERM), 0) << d.log();
  }

  const auto before = DumpFamily(DataDir(), "registry");
  ASSERT_EQ(before.size(), 4u);  // system, two versions, deployment
  DamageFamily(DataDir(), "registry", before.begin()->first);
  ASSERT_NE(DumpFamily(DataDir(), "registry"), before);
  const CommandResult r =
      RunCommand({AigovdPath(), "--data_dir=" + DataDir(), "--rebuild_views"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The four records and the AI-literacy finding their system drew.
  EXPECT_THAT(r.out, HasSubstr("views rebuilt from 5 entries"));
  EXPECT_EQ(DumpFamily(DataDir(), "registry"), before);

  // --verify still opens the data directory with its registry family.
  const CommandResult v =
      RunCommand({AigovdPath(), "--data_dir=" + DataDir(), "--verify"});
  EXPECT_EQ(v.exit_code, 0) << v.err;
}

}  // namespace
}  // namespace aigov::testing
