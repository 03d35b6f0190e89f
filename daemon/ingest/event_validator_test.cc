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

}  // namespace
}  // namespace aigov::ingest
