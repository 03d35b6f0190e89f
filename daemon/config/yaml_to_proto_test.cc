#include "daemon/config/yaml_to_proto.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "aigov/v1/records.pb.h"

namespace aigov::config {
namespace {

using ::testing::HasSubstr;

TEST(YamlToProtoTest, FillsNestedRepeatedMapAndEnumFields) {
  aigov::v1::ModelVersion mv;
  const absl::Status s =
      YamlTextToProto(R"(
kind: ModelVersion
event_id: abc
model_id: credit-scoring
version: 1.10
system_id: loans
artifact_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
change_class: retrain
hyperparameters:
  lr: 0.01
  depth: 6
training_datasets:
  - {dataset_id: applications, version: "2026-01"}
declared_metrics:
  - name: auc
    value: 0.81
    threshold: 0.75
    direction: METRIC_DIRECTION_HIGHER_IS_BETTER
)",
                      "doc.yaml", &mv, {{"kind", "event_id"}});
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(mv.version(), "1.10");  // stays the text written
  EXPECT_EQ(mv.change_class(), aigov::v1::CHANGE_CLASS_RETRAIN);
  EXPECT_EQ(mv.hyperparameters().at("lr"), "0.01");
  ASSERT_EQ(mv.training_datasets_size(), 1);
  EXPECT_EQ(mv.training_datasets(0).version(), "2026-01");
  ASSERT_EQ(mv.declared_metrics_size(), 1);
  EXPECT_DOUBLE_EQ(mv.declared_metrics(0).threshold(), 0.75);
  EXPECT_EQ(mv.declared_metrics(0).direction(),
            aigov::v1::METRIC_DIRECTION_HIGHER_IS_BETTER);
}

TEST(YamlToProtoTest, AcceptsJsonDocuments) {
  aigov::v1::ModelVersion mv;
  const absl::Status s = YamlTextToProto(
      R"({"model_id": "m", "version": "2", "declared_metrics": [{"name": "f1", "value": 0.5}]})",
      "doc.json", &mv);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(mv.model_id(), "m");
  EXPECT_EQ(mv.declared_metrics(0).name(), "f1");
}

TEST(YamlToProtoTest, ErrorsCarryIndexedPathAndLine) {
  aigov::v1::ModelVersion mv;
  absl::Status s = YamlTextToProto(
      "model_id: m\ndeclared_metrics:\n  - name: auc\n    direction: "
      "sideways\n",
      "doc.yaml", &mv);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("doc.yaml:4: declared_metrics[0].direction: unknown "
                        "value \"sideways\""));

  s = YamlTextToProto("hyperparameters: [1]\n", "doc.yaml", &mv);
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("doc.yaml:1: hyperparameters: expected a mapping"));

  s = YamlTextToProto("training_datasets: {a: 1}\n", "doc.yaml", &mv);
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("doc.yaml:1: training_datasets: expected a list"));

  s = YamlTextToProto("kind: ModelVersion\n", "doc.yaml", &mv);
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("doc.yaml:1: kind: unknown field"));
}

TEST(YamlToProtoTest, ErrorsSuggestTheFieldOrValueMeant) {
  aigov::v1::ModelVersion mv;
  absl::Status s = YamlTextToProto("change_class: retrian\n", "doc.yaml", &mv);
  const std::string m(s.message());
  // The short forms a document may use, not the refused UNSPECIFIED.
  EXPECT_THAT(m, HasSubstr("unknown value \"retrian\" (did you mean "
                           "\"retrain\"?) (expected one of initial, retrain, "
                           "fine_tune, redesign, config, or the full name, "
                           "e.g. CHANGE_CLASS_INITIAL)"));
  EXPECT_THAT(m, ::testing::Not(HasSubstr("UNSPECIFIED")));
  s = YamlTextToProto("artifact_sha265: ab\n", "doc.yaml", &mv);
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("doc.yaml:1: artifact_sha265: unknown field (did you "
                        "mean \"artifact_sha256\"?) (known: model_id"));
}

TEST(YamlToProtoTest, NullLeavesFieldUnset) {
  aigov::v1::ModelVersion mv;
  ASSERT_TRUE(YamlTextToProto("model_id: ~\nversion:\n", "d", &mv).ok());
  EXPECT_TRUE(mv.model_id().empty());
  EXPECT_FALSE(mv.has_change_class());
}

}  // namespace
}  // namespace aigov::config
