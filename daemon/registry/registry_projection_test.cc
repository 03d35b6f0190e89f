#include "daemon/registry/registry_projection.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"

#include "daemon/common/clock.h"
#include "daemon/journal/journal_test_util.h"
#include "daemon/journal/rocksdb_journal.h"

namespace aigov::registry {
namespace {

using aigov::v1::RegistryRecord;
using journal::AppendOutcome;
using journal::Approve;
using journal::PendingEvent;

PendingEvent Model(const std::string& id, const std::string& model,
                   const std::string& version, const std::string& system) {
  PendingEvent e;
  e.entry.set_event_id(id);
  auto* mv = e.entry.mutable_model_version();
  mv->set_model_id(model);
  mv->set_version(version);
  mv->set_system_id(system);
  mv->set_artifact_sha256(std::string(64, 'a'));
  mv->set_created_by("alice@example.com");
  return e;
}

PendingEvent System(const std::string& id, const std::string& system,
                    const std::string& purpose) {
  PendingEvent e;
  e.entry.set_event_id(id);
  e.entry.mutable_ai_system()->set_system_id(system);
  e.entry.mutable_ai_system()->set_intended_purpose(purpose);
  return e;
}

PendingEvent Deploy(const std::string& id, const std::string& model,
                    const std::string& version) {
  PendingEvent e;
  e.entry.set_event_id(id);
  auto* d = e.entry.mutable_deployment();
  d->set_deployment_id("loans-prod");
  d->mutable_model_version()->set_model_id(model);
  d->mutable_model_version()->set_version(version);
  d->set_environment(aigov::v1::ENVIRONMENT_PROD);
  d->set_state(aigov::v1::DEPLOYMENT_STATE_ENABLED);
  return e;
}

class RegistryProjectionTest : public ::testing::Test {
 protected:
  RegistryProjectionTest()
      : env_(rocksdb::NewMemEnv(rocksdb::Env::Default())),
        clock_(absl::FromUnixSeconds(1767225600)) {
    journal::JournalOptions options;
    options.path = "/journal";
    options.env = env_.get();
    options.projections = {&registry_};
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

  RegistryRecord MustGet(aigov::v1::EventKind kind, const std::string& id,
                         const std::string& version = "") {
    auto record = registry_.Get(RecordKey(kind, id, version).value());
    EXPECT_TRUE(record.ok()) << record.status();
    EXPECT_TRUE(record->has_value()) << id << " not found";
    return record->value_or(RegistryRecord());
  }

  std::unique_ptr<rocksdb::Env> env_;
  common::FakeClock clock_;
  RegistryProjection registry_;
  std::unique_ptr<journal::RocksDbJournal> journal_;
};

TEST_F(RegistryProjectionTest, DeploymentOfAnUnknownModelVersionIsRefused) {
  const auto out = Append({Deploy("d1", "scoring", "1.0")});
  EXPECT_EQ(out[0].status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(out[0].status.message(),
            "deployment.model_version: model version scoring@1.0 is not "
            "registered; register it first (RegisterModelVersion, or aigovctl "
            "apply with kind: ModelVersion)");
  EXPECT_EQ(journal_->tree_size(), 0u);  // nothing written
  EXPECT_FALSE(
      registry_
          .Get(RecordKey(aigov::v1::EVENT_KIND_DEPLOYMENT, "loans-prod", "")
                   .value())
          ->has_value());
}

TEST_F(RegistryProjectionTest, AReferenceMayBeRegisteredEarlierInTheSameGroup) {
  const auto out = Append({Deploy("d0", "scoring", "1.0"),
                           Model("m1", "scoring", "1.0", "loans"),
                           Deploy("d1", "scoring", "1.0")});
  // In order: the first deployment came before its model version.
  EXPECT_EQ(out[0].status.code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(out[1].status.ok()) << out[1].status;
  ASSERT_TRUE(out[2].status.ok()) << out[2].status;
  EXPECT_EQ(out[1].sequence, 0u);
  EXPECT_EQ(out[2].sequence, 1u);
  const RegistryRecord d =
      MustGet(aigov::v1::EVENT_KIND_DEPLOYMENT, "loans-prod");
  EXPECT_EQ(d.deployment().model_version().version(), "1.0");
  EXPECT_EQ(d.sequences_size(), 1);
  EXPECT_EQ(d.sequences(0), 1u);
}

TEST_F(RegistryProjectionTest, UnregisteredSystemIsMarkedUntilRegistered) {
  Append({Model("m1", "scoring", "1.0", "loans")});
  RegistryRecord sys = MustGet(aigov::v1::EVENT_KIND_AI_SYSTEM, "loans");
  EXPECT_TRUE(sys.unregistered());
  EXPECT_EQ(sys.ai_system().system_id(), "loans");
  EXPECT_EQ(registry_.CountUnregistered().value(), 1u);
  auto listed = registry_.List(aigov::v1::EVENT_KIND_AI_SYSTEM, "",
                               /*unregistered_only=*/true, "", 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->records.size(), 1u);

  Append({System("s1", "loans", "credit scoring")});
  sys = MustGet(aigov::v1::EVENT_KIND_AI_SYSTEM, "loans");
  EXPECT_FALSE(sys.unregistered());
  EXPECT_EQ(sys.ai_system().intended_purpose(), "credit scoring");
  EXPECT_EQ(registry_.CountUnregistered().value(), 0u);
  // A second model version of a registered system creates nothing new.
  Append({Model("m2", "scoring", "1.1", "loans")});
  EXPECT_EQ(registry_.CountUnregistered().value(), 0u);
}

TEST_F(RegistryProjectionTest, UpdatesKeepTheSequencesTheStateWasBuiltFrom) {
  Append({System("s1", "loans", "v1 purpose")});
  Append({System("s2", "loans", "v2 purpose")});
  const RegistryRecord sys = MustGet(aigov::v1::EVENT_KIND_AI_SYSTEM, "loans");
  EXPECT_EQ(sys.ai_system().intended_purpose(), "v2 purpose");
  ASSERT_EQ(sys.sequences_size(), 2);
  EXPECT_EQ(sys.sequences(0), 0u);
  EXPECT_EQ(sys.sequences(1), 1u);
}

TEST_F(RegistryProjectionTest, PersonalDataStaysSealedInTheView) {
  Append({Model("m1", "scoring", "1.0", "loans")});
  const RegistryRecord mv =
      MustGet(aigov::v1::EVENT_KIND_MODEL_VERSION, "scoring", "1.0");
  EXPECT_EQ(mv.model_version().created_by(), "");
  ASSERT_EQ(mv.sealed_fields_size(), 1);
  EXPECT_EQ(mv.sealed_fields(0).field_path(), "model_version.created_by");
  EXPECT_EQ(mv.SerializeAsString().find("alice@example.com"),
            std::string::npos);
}

TEST_F(RegistryProjectionTest, EvidenceCoveringAnUnknownVersionNamesIt) {
  Append({Model("m1", "scoring", "1.0", "loans")});
  PendingEvent doc;
  doc.entry.set_event_id("e1");
  auto* d = doc.entry.mutable_evidence_document();
  d->set_document_id("annex-iv-2");
  d->set_type(aigov::v1::DOCUMENT_TYPE_ANNEX_IV_2);
  d->set_content_sha256(std::string(64, 'b'));
  auto* covered = d->add_covers_model_versions();
  covered->set_model_id("scoring");
  covered->set_version("1.0");
  covered = d->add_covers_model_versions();
  covered->set_model_id("scoring");
  covered->set_version("2.0");
  const auto out = Append({doc});
  EXPECT_EQ(out[0].status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StartsWith(out[0].status.message(),
                               "evidence_document.covers_model_versions[1]: "
                               "model version scoring@2.0 is not registered"))
      << out[0].status;
}

TEST_F(RegistryProjectionTest, ListingVersionsOfOneModelExcludesItsPrefixes) {
  Append({Model("a", "m", "1", "s"), Model("b", "m", "2", "s"),
          Model("c", "m2", "1", "s")});
  auto page =
      registry_.List(aigov::v1::EVENT_KIND_MODEL_VERSION, "m", false, "", 1);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->records.size(), 1u);
  EXPECT_EQ(page->records[0].model_version().version(), "1");
  ASSERT_FALSE(page->next_key.empty());
  page = registry_.List(aigov::v1::EVENT_KIND_MODEL_VERSION, "m", false,
                        page->next_key, 10);
  ASSERT_EQ(page->records.size(), 1u);
  EXPECT_EQ(page->records[0].model_version().version(), "2");
  EXPECT_TRUE(page->next_key.empty());
  page = registry_.List(aigov::v1::EVENT_KIND_MODEL_VERSION, "", false, "", 10);
  EXPECT_EQ(page->records.size(), 3u);
}

}  // namespace
}  // namespace aigov::registry

namespace aigov::registry {
namespace {

PendingEvent GrpcRun(const std::string& id, const std::string& dataset) {
  PendingEvent e;
  e.entry.set_event_id(id);
  auto* r = e.entry.mutable_run_event();
  r->set_run_id("train-1");
  r->set_job_namespace("ml");
  r->set_job_name("train");
  r->set_event_type(aigov::v1::RUN_EVENT_TYPE_COMPLETE);
  r->set_source(aigov::v1::RUN_SOURCE_GRPC);
  auto* in = r->add_inputs();
  in->set_dataset_id(dataset);
  in->set_version("1");
  auto* out = r->add_outputs();
  out->set_dataset_id("scores");
  out->set_version("1");
  return e;
}

PendingEvent Dataset(const std::string& id, const std::string& dataset) {
  PendingEvent e;
  e.entry.set_event_id(id);
  e.entry.mutable_dataset_version()->set_dataset_id(dataset);
  e.entry.mutable_dataset_version()->set_version("1");
  return e;
}

TEST_F(RegistryProjectionTest, AGrpcRunReadingAnUnknownDatasetIsRefused) {
  auto out = Append({GrpcRun("r1", "applications")});
  EXPECT_EQ(out[0].status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StartsWith(out[0].status.message(),
                               "run.inputs[0]: dataset version applications@1 "
                               "is not registered"))
      << out[0].status;
  out = Append({Dataset("d1", "applications"), GrpcRun("r2", "applications")});
  ASSERT_TRUE(out[1].status.ok()) << out[1].status;
  // The output nobody registered is declared by lineage.
  const RegistryRecord scores =
      MustGet(aigov::v1::EVENT_KIND_DATASET_VERSION, "scores", "1");
  EXPECT_TRUE(scores.unregistered());
  EXPECT_TRUE(scores.dataset_version().declared_by_lineage());
  // Registering it replaces the declared record.
  Append({Dataset("d2", "scores")});
  const RegistryRecord registered =
      MustGet(aigov::v1::EVENT_KIND_DATASET_VERSION, "scores", "1");
  EXPECT_FALSE(registered.unregistered());
  EXPECT_FALSE(registered.dataset_version().declared_by_lineage());
  EXPECT_EQ(registered.sequences_size(), 1);
}

TEST_F(RegistryProjectionTest,
       AnApprovalNamingAnUnregisteredSystemMakesAShadowRecord) {
  // Art. 14(5) is an admission rule (ingest/admission_rules.h), not the
  // view's: the view alone admits any approval.
  PendingEvent system = System("s1", "border-id", "remote identification");
  system.entry.mutable_ai_system()->mutable_risk()->set_annex_iii_point("1(a)");
  auto out = Append(
      {std::move(system), Approve("a1", "border-id", {"ana@example.com"})});
  EXPECT_TRUE(out[1].status.ok()) << out[1].status;
  out = Append({Approve("a4", "loans", {})});
  EXPECT_TRUE(out[0].status.ok()) << out[0].status;
  EXPECT_TRUE(MustGet(aigov::v1::EVENT_KIND_AI_SYSTEM, "loans").unregistered());
}

TEST_F(RegistryProjectionTest, ANotificationAboutAnUnknownIncidentIsRefused) {
  PendingEvent n;
  n.entry.set_event_id("n1");
  n.entry.mutable_notification()->set_notification_id("n1");
  n.entry.mutable_notification()->set_incident_id("inc-7");
  auto out = Append({n});
  EXPECT_EQ(out[0].status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(out[0].status.message(),
            "notification.incident_id: inc-7 was never recorded; record it "
            "first");
  PendingEvent incident;
  incident.entry.set_event_id("i1");
  incident.entry.mutable_incident()->set_incident_id("inc-7");
  incident.entry.mutable_incident()->set_system_id("loans");
  n.entry.set_event_id("n2");
  out = Append({std::move(incident), std::move(n)});
  EXPECT_TRUE(out[1].status.ok()) << out[1].status;
  EXPECT_EQ(MustGet(aigov::v1::EVENT_KIND_NOTIFICATION, "n1")
                .notification()
                .incident_id(),
            "inc-7");
}

}  // namespace
}  // namespace aigov::registry
