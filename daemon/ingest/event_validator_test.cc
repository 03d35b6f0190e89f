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

}  // namespace
}  // namespace aigov::ingest
