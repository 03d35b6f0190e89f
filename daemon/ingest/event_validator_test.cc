#include "daemon/ingest/event_validator.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aigov::ingest {
namespace {

using ::testing::HasSubstr;

aigov::v1::RegisterModelVersionRequest Good() {
  aigov::v1::RegisterModelVersionRequest r;
  r.set_event_id("7d4f7f0e-1c2b-4a51-9a53-3b3f6f1f0001");
  auto* mv = r.mutable_model_version();
  mv->set_model_id("credit-scoring");
  mv->set_version("1.0.0");
  mv->set_system_id("loans");
  mv->set_artifact_sha256(
      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
  return r;
}

std::string ErrorOf(const aigov::v1::RegisterModelVersionRequest& r) {
  const absl::Status s = ValidateRegisterModelVersion(r);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  return std::string(s.message());
}

TEST(EventValidatorTest, AcceptsAMinimalAndAFullModelVersion) {
  EXPECT_TRUE(ValidateRegisterModelVersion(Good()).ok());
  auto r = Good();
  auto* mv = r.mutable_model_version();
  mv->set_parent_version("0.9.0");
  mv->set_change_class(aigov::v1::CHANGE_CLASS_RETRAIN);
  (*mv->mutable_hyperparameters())["lr"] = "0.1";
  auto* ds = mv->add_training_datasets();
  ds->set_dataset_id("applications");
  ds->set_version("2026-01");
  auto* m = mv->add_declared_metrics();
  m->set_name("auc");
  m->set_value(0.8);
  m->set_threshold(0.75);
  m->set_direction(aigov::v1::METRIC_DIRECTION_HIGHER_IS_BETTER);
  EXPECT_TRUE(ValidateRegisterModelVersion(r).ok());
}

TEST(EventValidatorTest, EventId) {
  auto r = Good();
  r.set_event_id("");
  EXPECT_THAT(ErrorOf(r), HasSubstr("event_id: required"));
  r.set_event_id(std::string(129, 'a'));
  EXPECT_THAT(ErrorOf(r), HasSubstr("event_id: at most 128 characters"));
  r.set_event_id("bad id");
  EXPECT_THAT(ErrorOf(r), HasSubstr("event_id: character 4 is not one of"));
  r.set_event_id(std::string(128, 'a'));
  EXPECT_TRUE(ValidateRegisterModelVersion(r).ok());
}

TEST(EventValidatorTest, MissingPayload) {
  auto r = Good();
  r.clear_model_version();
  EXPECT_EQ(ErrorOf(r), "model_version: required");
}

TEST(EventValidatorTest, EmptyIds) {
  auto r = Good();
  r.mutable_model_version()->set_model_id("");
  EXPECT_EQ(ErrorOf(r), "model_version.model_id: required, must not be empty");
  r = Good();
  r.mutable_model_version()->set_version("");
  EXPECT_THAT(ErrorOf(r), HasSubstr("model_version.version: required"));
  r = Good();
  r.mutable_model_version()->set_system_id("a b");
  EXPECT_THAT(
      ErrorOf(r),
      HasSubstr("model_version.system_id: must not contain whitespace"));
}

TEST(EventValidatorTest, Digest) {
  auto r = Good();
  r.mutable_model_version()->set_artifact_sha256("abc");
  EXPECT_THAT(
      ErrorOf(r),
      HasSubstr("model_version.artifact_sha256: expected 64 hex characters"));
  r.mutable_model_version()->set_artifact_sha256(std::string(64, 'A'));
  EXPECT_THAT(
      ErrorOf(r),
      HasSubstr("model_version.artifact_sha256: expected 64 hex characters"));
  r.mutable_model_version()->clear_artifact_sha256();
  EXPECT_THAT(ErrorOf(r), HasSubstr("model_version.artifact_sha256: required"));
}

TEST(EventValidatorTest, UnspecifiedAndUnknownEnums) {
  auto r = Good();
  r.mutable_model_version()->set_change_class(
      aigov::v1::CHANGE_CLASS_UNSPECIFIED);
  EXPECT_THAT(ErrorOf(r),
              HasSubstr("model_version.change_class: must be specified"));
  r.mutable_model_version()->set_change_class(
      static_cast<aigov::v1::ChangeClass>(99));
  EXPECT_THAT(ErrorOf(r),
              HasSubstr("model_version.change_class: unknown value 99"));
  r = Good();
  auto* m = r.mutable_model_version()->add_declared_metrics();
  m->set_name("auc");
  EXPECT_EQ(
      ErrorOf(r),
      "model_version.declared_metrics[0].direction: must be specified (not "
      "UNSPECIFIED)");
}

TEST(EventValidatorTest, NestedPathsAreIndexed) {
  auto r = Good();
  r.mutable_model_version()->add_training_datasets()->set_dataset_id("a");
  EXPECT_EQ(ErrorOf(r),
            "model_version.training_datasets[0].version: required, must not be "
            "empty");
  r = Good();
  r.mutable_model_version()->set_parent_version("1.0.0");
  EXPECT_THAT(ErrorOf(r),
              HasSubstr("model_version.parent_version: must differ"));
}

aigov::v1::RegisterDeploymentRequest GoodDeployment() {
  aigov::v1::RegisterDeploymentRequest r;
  r.set_event_id("dep-1");
  auto* d = r.mutable_deployment();
  d->set_deployment_id("loans-prod");
  d->mutable_model_version()->set_model_id("credit-scoring");
  d->mutable_model_version()->set_version("1.0.0");
  d->set_environment(aigov::v1::ENVIRONMENT_PROD);
  d->set_state(aigov::v1::DEPLOYMENT_STATE_ENABLED);
  d->set_traffic_share(0.5);
  return r;
}

std::string DeploymentError(const aigov::v1::RegisterDeploymentRequest& r) {
  return std::string(ValidateRegisterDeployment(r).message());
}

TEST(EventValidatorTest, DeploymentFieldsNameTheirPath) {
  EXPECT_TRUE(ValidateRegisterDeployment(GoodDeployment()).ok());
  auto r = GoodDeployment();
  r.mutable_deployment()->clear_model_version();
  EXPECT_EQ(DeploymentError(r), "deployment.model_version: required");
  r = GoodDeployment();
  r.mutable_deployment()->set_environment(aigov::v1::ENVIRONMENT_UNSPECIFIED);
  EXPECT_EQ(DeploymentError(r),
            "deployment.environment: must be specified (not UNSPECIFIED)");
  r = GoodDeployment();
  r.mutable_deployment()->set_traffic_share(1.5);
  EXPECT_EQ(DeploymentError(r),
            "deployment.traffic_share: must be within [0, 1]");
  r = GoodDeployment();
  r.clear_deployment();
  EXPECT_EQ(DeploymentError(r), "deployment: required");
}

TEST(EventValidatorTest, OtherRecordsNameTheirPath) {
  aigov::v1::RegisterAiSystemRequest sys;
  sys.set_event_id("s");
  sys.mutable_ai_system()->set_system_id("loans");
  EXPECT_TRUE(ValidateRegisterAiSystem(sys).ok());
  sys.mutable_ai_system()->add_roles(aigov::v1::ROLE_UNSPECIFIED);
  EXPECT_EQ(ValidateRegisterAiSystem(sys).message(),
            "ai_system.roles[0]: must be specified (not UNSPECIFIED)");
  sys.mutable_ai_system()->clear_roles();
  sys.mutable_ai_system()->add_people();
  EXPECT_EQ(ValidateRegisterAiSystem(sys).message(),
            "ai_system.people[0].id: required, must not be empty");

  aigov::v1::RegisterDatasetVersionRequest ds;
  ds.set_event_id("d");
  ds.mutable_dataset_version()->set_dataset_id("applications");
  ds.mutable_dataset_version()->set_version("2026-01");
  EXPECT_TRUE(ValidateRegisterDatasetVersion(ds).ok());
  ds.mutable_dataset_version()->set_content_sha256("ABC");
  EXPECT_THAT(std::string(ValidateRegisterDatasetVersion(ds).message()),
              HasSubstr("dataset_version.content_sha256: expected 64 hex"));
  ds.mutable_dataset_version()->clear_content_sha256();
  *ds.mutable_dataset_version()->add_parents() = [] {
    aigov::v1::DatasetRef self;
    self.set_dataset_id("applications");
    self.set_version("2026-01");
    return self;
  }();
  EXPECT_EQ(ValidateRegisterDatasetVersion(ds).message(),
            "dataset_version.parents[0]: a dataset version cannot be its own "
            "parent");

  aigov::v1::RegisterEvidenceDocumentRequest doc;
  doc.set_event_id("e");
  doc.mutable_evidence_document()->set_document_id("dpia");
  doc.mutable_evidence_document()->set_type(aigov::v1::DOCUMENT_TYPE_DPIA);
  EXPECT_EQ(ValidateRegisterEvidenceDocument(doc).message(),
            "evidence_document.content_sha256: required (64 lowercase hex "
            "characters)");
  doc.mutable_evidence_document()->set_content_sha256(std::string(64, 'a'));
  EXPECT_TRUE(ValidateRegisterEvidenceDocument(doc).ok());
  doc.mutable_evidence_document()->mutable_valid_from()->set_seconds(100);
  doc.mutable_evidence_document()->mutable_valid_until()->set_seconds(50);
  EXPECT_EQ(ValidateRegisterEvidenceDocument(doc).message(),
            "evidence_document.valid_until: must not precede valid_from");
}

// The governance and lineage validators: each accepts a minimal valid
// record and names the field path of every rule it enforces. Times are
// relative to a fixed clock.
const absl::Time kNow = absl::FromUnixSeconds(1795000000);

google::protobuf::Timestamp At(absl::Duration from_now) {
  google::protobuf::Timestamp t;
  t.set_seconds(absl::ToUnixSeconds(kNow + from_now));
  return t;
}

TEST(GovernanceValidatorTest, OversightAction) {
  aigov::v1::RecordOversightActionRequest r;
  r.set_event_id("a1");
  auto* a = r.mutable_oversight_action();
  a->set_action_id("a1");
  a->set_system_id("loans");
  a->set_action(aigov::v1::OVERSIGHT_ACTION_TYPE_OVERRIDE);
  a->add_reviewers()->set_id("officer@example.com");
  *a->mutable_occurred_at() = At(-absl::Hours(1));
  EXPECT_TRUE(ValidateRecordOversightAction(r, kNow).ok());
  a->clear_reviewers();
  EXPECT_EQ(ValidateRecordOversightAction(r, kNow).message(),
            "oversight_action.reviewers: at least one person who took the "
            "action is required");
  a->add_reviewers()->set_id("officer@example.com");
  a->set_action(aigov::v1::OVERSIGHT_ACTION_TYPE_UNSPECIFIED);
  EXPECT_EQ(ValidateRecordOversightAction(r, kNow).message(),
            "oversight_action.action: must be specified (not UNSPECIFIED)");
  a->set_action(aigov::v1::OVERSIGHT_ACTION_TYPE_STOP);
  a->clear_occurred_at();
  EXPECT_THAT(std::string(ValidateRecordOversightAction(r, kNow).message()),
              HasSubstr("oversight_action.occurred_at: required"));
  *a->mutable_occurred_at() = At(absl::Hours(48));
  EXPECT_THAT(std::string(ValidateRecordOversightAction(r, kNow).message()),
              HasSubstr("oversight_action.occurred_at: is in the far future"));
  r.clear_oversight_action();
  EXPECT_FALSE(ValidateRecordOversightAction(r, kNow).ok());
}

TEST(GovernanceValidatorTest, Incident) {
  aigov::v1::RecordIncidentRequest r;
  r.set_event_id("i1");
  auto* i = r.mutable_incident();
  i->set_incident_id("inc-1");
  i->set_system_id("loans");
  i->set_category(aigov::v1::INCIDENT_CATEGORY_HEALTH);
  *i->mutable_aware_at() = At(-absl::Hours(2));
  EXPECT_TRUE(ValidateRecordIncident(r, kNow).ok())
      << ValidateRecordIncident(r, kNow);
  *i->mutable_occurred_at() = At(-absl::Hours(1));
  EXPECT_EQ(ValidateRecordIncident(r, kNow).message(),
            "incident.aware_at: must not precede occurred_at");
  *i->mutable_occurred_at() = At(-absl::Hours(3));
  i->set_category(aigov::v1::INCIDENT_CATEGORY_UNSPECIFIED);
  EXPECT_EQ(ValidateRecordIncident(r, kNow).message(),
            "incident.category: must be specified (not UNSPECIFIED)");
  i->set_category(aigov::v1::INCIDENT_CATEGORY_HEALTH);
  i->add_model_versions()->set_model_id("scoring");
  EXPECT_THAT(std::string(ValidateRecordIncident(r, kNow).message()),
              HasSubstr("incident.model_versions[0].version"));
}

TEST(GovernanceValidatorTest, Breach) {
  aigov::v1::RecordBreachRequest r;
  r.set_event_id("b1");
  auto* b = r.mutable_personal_data_breach();
  b->set_breach_id("br-1");
  b->set_risk(aigov::v1::BREACH_RISK_HIGH);
  *b->mutable_aware_at() = At(-absl::Hours(5));
  EXPECT_TRUE(ValidateRecordBreach(r, kNow).ok())
      << ValidateRecordBreach(r, kNow);
  b->set_risk(aigov::v1::BREACH_RISK_UNSPECIFIED);
  EXPECT_EQ(ValidateRecordBreach(r, kNow).message(),
            "personal_data_breach.risk: must be specified (not UNSPECIFIED)");
  b->set_risk(aigov::v1::BREACH_RISK_UNLIKELY);
  b->add_datasets()->set_dataset_id("applications");
  EXPECT_THAT(std::string(ValidateRecordBreach(r, kNow).message()),
              HasSubstr("personal_data_breach.datasets[0].version"));
  b->clear_datasets();
  b->set_breach_id("");
  EXPECT_THAT(std::string(ValidateRecordBreach(r, kNow).message()),
              HasSubstr("personal_data_breach.breach_id: required"));
}

TEST(GovernanceValidatorTest, DataSubjectRequest) {
  aigov::v1::RecordDataSubjectRequestRequest r;
  r.set_event_id("d1");
  auto* d = r.mutable_data_subject_request();
  d->set_request_id("dsr-1");
  d->set_type(aigov::v1::DATA_SUBJECT_REQUEST_TYPE_ERASURE);
  d->set_status(aigov::v1::DATA_SUBJECT_REQUEST_STATUS_RECEIVED);
  d->set_subject("alice@example.com");
  *d->mutable_received_at() = At(-absl::Hours(24));
  EXPECT_TRUE(ValidateRecordDataSubjectRequest(r, kNow).ok());
  d->clear_subject();
  EXPECT_THAT(std::string(ValidateRecordDataSubjectRequest(r, kNow).message()),
              HasSubstr("data_subject_request.subject: required for a "
                        "received erasure request"));
  d->set_subject("alice@example.com");
  d->set_status(aigov::v1::DATA_SUBJECT_REQUEST_STATUS_COMPLETED);
  EXPECT_THAT(std::string(ValidateRecordDataSubjectRequest(r, kNow).message()),
              HasSubstr("data_subject_request.completed_at: required"));
  *d->mutable_completed_at() = At(-absl::Hours(48));
  EXPECT_EQ(ValidateRecordDataSubjectRequest(r, kNow).message(),
            "data_subject_request.completed_at: must not precede received_at");
  *d->mutable_completed_at() = At(-absl::Hours(1));
  EXPECT_TRUE(ValidateRecordDataSubjectRequest(r, kNow).ok());
  // What aigovd derives is never taken from a client.
  d->add_affected_deployments("loans-prod");
  EXPECT_THAT(std::string(ValidateRecordDataSubjectRequest(r, kNow).message()),
              HasSubstr("are set by aigovd; leave them empty"));
}

TEST(GovernanceValidatorTest, Notification) {
  aigov::v1::RecordNotificationRequest r;
  r.set_event_id("n1");
  auto* n = r.mutable_notification();
  n->set_notification_id("n-1");
  n->set_recipient(aigov::v1::NOTIFICATION_RECIPIENT_SUPERVISORY_AUTHORITY);
  *n->mutable_sent_at() = At(-absl::Minutes(5));
  EXPECT_EQ(ValidateRecordNotification(r, kNow).message(),
            "notification.incident_id: a notification is about an incident, "
            "a breach, a request or a system: set incident_id, breach_id, "
            "request_id or system_id");
  n->set_system_id("loans");
  EXPECT_TRUE(ValidateRecordNotification(r, kNow).ok());
  n->clear_system_id();
  n->set_breach_id("br-1");
  EXPECT_TRUE(ValidateRecordNotification(r, kNow).ok());
  n->set_recipient(aigov::v1::NOTIFICATION_RECIPIENT_UNSPECIFIED);
  EXPECT_EQ(ValidateRecordNotification(r, kNow).message(),
            "notification.recipient: must be specified (not UNSPECIFIED)");
}

TEST(GovernanceValidatorTest, MarkingEvidence) {
  aigov::v1::RecordMarkingEvidenceRequest r;
  r.set_event_id("w1");
  auto* m = r.mutable_marking_evidence();
  m->set_deployment_id("gen-prod");
  m->set_system_id("writer");
  m->set_method(aigov::v1::MARKING_METHOD_C2PA_MANIFEST);
  m->set_outputs_sampled(2);
  m->set_outputs_marked(2);
  *m->mutable_sampled_at() = At(-absl::Minutes(5));
  EXPECT_EQ(ValidateRecordMarkingEvidence(r, kNow).message(),
            "marking_evidence.sampled_sha256: at least one sampled output's "
            "SHA-256 is required");
  m->add_sampled_sha256(std::string(64, 'a'));
  m->add_sampled_sha256(std::string(64, 'b'));
  EXPECT_TRUE(ValidateRecordMarkingEvidence(r, kNow).ok());

  m->set_sampled_sha256(1, "B" + std::string(63, 'b'));
  EXPECT_THAT(std::string(ValidateRecordMarkingEvidence(r, kNow).message()),
              HasSubstr("marking_evidence.sampled_sha256[1]: expected 64 hex "
                        "characters, lowercase"));
  m->set_sampled_sha256(1, std::string(64, 'b'));
  m->set_outputs_sampled(1);
  EXPECT_EQ(ValidateRecordMarkingEvidence(r, kNow).message(),
            "marking_evidence.outputs_sampled: at least the 2 outputs "
            "sampled_sha256 names (got 1)");
  m->set_outputs_sampled(10);
  m->set_outputs_marked(11);
  EXPECT_EQ(ValidateRecordMarkingEvidence(r, kNow).message(),
            "marking_evidence.outputs_marked: at most outputs_sampled (10; "
            "got 11)");
  m->set_outputs_marked(9);
  EXPECT_TRUE(ValidateRecordMarkingEvidence(r, kNow).ok());
  m->set_method(aigov::v1::MARKING_METHOD_UNSPECIFIED);
  EXPECT_EQ(ValidateRecordMarkingEvidence(r, kNow).message(),
            "marking_evidence.method: must be specified (not UNSPECIFIED)");
  m->set_method(aigov::v1::MARKING_METHOD_WATERMARK);
  m->clear_deployment_id();
  EXPECT_THAT(std::string(ValidateRecordMarkingEvidence(r, kNow).message()),
              HasSubstr("marking_evidence.deployment_id"));
  m->set_deployment_id("gen-prod");
  *m->mutable_sampled_at() = At(absl::Hours(25));
  EXPECT_THAT(std::string(ValidateRecordMarkingEvidence(r, kNow).message()),
              HasSubstr("marking_evidence.sampled_at"));
  *m->mutable_sampled_at() = At(-absl::Minutes(5));
  for (int i = 2; i <= kMaxSampledOutputs; ++i) {
    m->add_sampled_sha256(std::string(64, 'c'));
  }
  m->set_outputs_sampled(5000);
  EXPECT_EQ(ValidateRecordMarkingEvidence(r, kNow).message(),
            "marking_evidence.sampled_sha256: at most 1000 hashes (got 1001)");
}

TEST(GovernanceValidatorTest, RunFromGrpc) {
  aigov::v1::RecordRunRequest r;
  r.set_event_id("r1");
  auto* run = r.mutable_run();
  run->set_run_id("train-1");
  run->set_job_namespace("ml");
  run->set_job_name("train");
  run->set_event_type(aigov::v1::RUN_EVENT_TYPE_COMPLETE);
  *run->mutable_event_time() = At(-absl::Minutes(1));
  EXPECT_TRUE(ValidateRecordRun(r, kNow).ok());
  run->set_source(aigov::v1::RUN_SOURCE_OPENLINEAGE);
  EXPECT_EQ(ValidateRecordRun(r, kNow).message(),
            "run.source: set by aigovd; leave source and openlineage_json "
            "empty");
  run->clear_source();
  run->add_outputs()->set_version("1");
  EXPECT_THAT(std::string(ValidateRecordRun(r, kNow).message()),
              HasSubstr("run.outputs[0].dataset_id"));
}

TEST(GovernanceValidatorTest, LineageDeclaration) {
  aigov::v1::LineageDeclaration d;
  d.set_type(aigov::v1::LINEAGE_DECLARATION_TYPE_DATASET);
  *d.mutable_event_time() = At(-absl::Minutes(1));
  EXPECT_EQ(ValidateLineageDeclaration(d, "declaration", kNow).message(),
            "declaration.dataset: exactly one of dataset and model_version "
            "is required");
  d.mutable_dataset()->set_dataset_id("s3://lake/raw");
  d.mutable_dataset()->set_version("1");
  EXPECT_TRUE(ValidateLineageDeclaration(d, "declaration", kNow).ok());
  d.set_job_name("j");
  EXPECT_EQ(ValidateLineageDeclaration(d, "declaration", kNow).message(),
            "declaration.job_namespace: a DATASET declaration has no job, "
            "inputs or outputs");
  d.set_type(aigov::v1::LINEAGE_DECLARATION_TYPE_JOB);
  d.set_job_namespace("dbt");
  EXPECT_EQ(ValidateLineageDeclaration(d, "declaration", kNow).message(),
            "declaration.dataset: a JOB declaration names its datasets in "
            "inputs and outputs");
  d.clear_dataset();
  EXPECT_TRUE(ValidateLineageDeclaration(d, "declaration", kNow).ok());
  d.set_type(aigov::v1::LINEAGE_DECLARATION_TYPE_UNSPECIFIED);
  EXPECT_EQ(ValidateLineageDeclaration(d, "declaration", kNow).message(),
            "declaration.type: expected JOB or DATASET");
}

TEST(EventValidatorTest, DatasetSourceForTheTrainingDataSummary) {
  aigov::v1::RegisterDatasetVersionRequest ds;
  ds.set_event_id("d");
  aigov::v1::DatasetVersion& d = *ds.mutable_dataset_version();
  d.set_dataset_id("web-crawl");
  d.set_version("2026-06");
  d.set_source_category(aigov::v1::DATA_SOURCE_CATEGORY_WEB_CRAWLED);
  d.add_modalities(aigov::v1::MODALITY_TEXT);
  d.add_modalities(aigov::v1::MODALITY_IMAGE);
  d.mutable_crawler()->set_name("studio-bot");
  d.mutable_crawler()->mutable_collected_from()->set_seconds(1000);
  d.mutable_crawler()->mutable_collected_to()->set_seconds(2000);
  d.mutable_crawler()->add_top_domains("example.org");
  EXPECT_TRUE(ValidateRegisterDatasetVersion(ds).ok());

  auto message = [&] {
    return std::string(ValidateRegisterDatasetVersion(ds).message());
  };
  d.add_modalities(aigov::v1::MODALITY_TEXT);
  EXPECT_EQ(message(), "dataset_version.modalities[2]: repeats modalities[0]");
  d.mutable_modalities()->RemoveLast();
  d.add_modalities(aigov::v1::MODALITY_UNSPECIFIED);
  EXPECT_EQ(message(),
            "dataset_version.modalities[2]: must be specified (not "
            "UNSPECIFIED)");
  d.mutable_modalities()->RemoveLast();
  d.mutable_crawler()->mutable_collected_to()->set_seconds(10);
  EXPECT_EQ(message(),
            "dataset_version.crawler.collected_to: before collected_from");
  d.mutable_crawler()->mutable_collected_to()->set_seconds(2000);
  d.mutable_crawler()->add_top_domains("two words");
  EXPECT_EQ(message(),
            "dataset_version.crawler.top_domains[1]: must not contain "
            "whitespace or control characters");
  d.mutable_crawler()->mutable_top_domains()->RemoveLast();
  d.set_source_url(std::string(kMaxUrlLength + 1, 'u'));
  EXPECT_THAT(message(), HasSubstr("dataset_version.source_url: at most 2048"));
  d.clear_source_url();
  d.mutable_collected_until()->set_seconds(300000000000);
  EXPECT_EQ(message(),
            "dataset_version.collected_until: not a valid time (years "
            "1-9999)");
  d.clear_collected_until();
  d.set_source_category(aigov::v1::DATA_SOURCE_CATEGORY_LICENSED_PRIVATE);
  EXPECT_THAT(message(),
              HasSubstr("dataset_version.crawler: only for source_category "
                        "DATA_SOURCE_CATEGORY_WEB_CRAWLED"));
  d.clear_crawler();
  EXPECT_TRUE(ValidateRegisterDatasetVersion(ds).ok());
  d.set_source_category(aigov::v1::DATA_SOURCE_CATEGORY_UNSPECIFIED);
  EXPECT_EQ(message(),
            "dataset_version.source_category: must be specified (not "
            "UNSPECIFIED)");
  d.set_source_category(static_cast<aigov::v1::DataSourceCategory>(99));
  EXPECT_EQ(message(), "dataset_version.source_category: unknown value 99");
}

TEST(EventValidatorTest, LifecycleStageWithItsHistory) {
  aigov::v1::RegisterAiSystemRequest r;
  r.set_event_id("s");
  aigov::v1::AiSystem& s = *r.mutable_ai_system();
  s.set_system_id("loans");
  s.set_lifecycle_stage(aigov::v1::LIFECYCLE_STAGE_PILOT);
  EXPECT_TRUE(ValidateRegisterAiSystem(r).ok());
  auto* poc = s.add_stage_history();
  poc->set_stage(aigov::v1::LIFECYCLE_STAGE_PROOF_OF_CONCEPT);
  poc->mutable_entered_at()->set_seconds(1000);
  auto* pilot = s.add_stage_history();
  pilot->set_stage(aigov::v1::LIFECYCLE_STAGE_PILOT);
  pilot->mutable_entered_at()->set_seconds(2000);
  s.set_technology_readiness_level(6);
  EXPECT_TRUE(ValidateRegisterAiSystem(r).ok());

  auto message = [&] {
    return std::string(ValidateRegisterAiSystem(r).message());
  };
  s.set_lifecycle_stage(aigov::v1::LIFECYCLE_STAGE_PRODUCTION);
  EXPECT_EQ(message(),
            "ai_system.lifecycle_stage: must be the stage of the last "
            "stage_history entry");
  s.set_lifecycle_stage(static_cast<aigov::v1::LifecycleStage>(42));
  EXPECT_EQ(message(), "ai_system.lifecycle_stage: unknown value 42");
  s.set_lifecycle_stage(aigov::v1::LIFECYCLE_STAGE_PILOT);
  pilot->mutable_entered_at()->set_seconds(999);
  EXPECT_EQ(message(),
            "ai_system.stage_history[1].entered_at: before the previous "
            "entry's: the history is oldest first");
  pilot->clear_entered_at();
  EXPECT_THAT(message(),
              HasSubstr("ai_system.stage_history[1].entered_at: required"));
  pilot->mutable_entered_at()->set_seconds(2000);
  poc->set_stage(aigov::v1::LIFECYCLE_STAGE_UNSPECIFIED);
  EXPECT_EQ(message(),
            "ai_system.stage_history[0].stage: must be specified (not "
            "UNSPECIFIED)");
  poc->set_stage(aigov::v1::LIFECYCLE_STAGE_PROOF_OF_CONCEPT);
  s.set_technology_readiness_level(0);
  EXPECT_EQ(message(),
            "ai_system.technology_readiness_level: must be between 1 and 9");
  s.set_technology_readiness_level(9);
  for (int i = 0; i < kMaxStageHistory; ++i) *s.add_stage_history() = *pilot;
  EXPECT_EQ(message(), "ai_system.stage_history: at most 16 entries");
}

}  // namespace
}  // namespace aigov::ingest
