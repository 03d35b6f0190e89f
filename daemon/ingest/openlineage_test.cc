#include "daemon/ingest/openlineage.h"

#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace aigov::ingest {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1795000000);  // 2026-11-18

std::string Golden(const std::string& name) {
  std::ifstream in(std::string(AIGOV_TESTDATA_DIR) + "/openlineage/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The minimal valid event, with `field` replaced by `value` (raw JSON).
std::string Minimal(const std::string& extra = "") {
  return R"({"eventTime": "2026-11-20T08:00:00Z",
             "producer": "https://example.com/producer",
             "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
             "run": {"runId": "0193f0a2-5c1e-7d3a-9b2f-4e8a1c6d7f01"},
             "job": {"namespace": "ns", "name": "job"})" +
         extra + "}";
}

std::string ErrorOf(absl::string_view body, bool batch = false) {
  auto parsed = ParseOpenLineage(body, batch, kNow + absl::Hours(72));
  EXPECT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(parsed.status().message());
}

TEST(OpenLineageTest, AirflowStartEvent) {
  auto parsed = ParseOpenLineage(Golden("airflow_start.json"), false,
                                 kNow + absl::Hours(72));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->size(), 1u);
  const aigov::v1::RunEvent& run = (*parsed)[0].run;
  EXPECT_EQ(run.run_id(), "0193f0a2-5c1e-7d3a-9b2f-4e8a1c6d7f01");
  EXPECT_EQ(run.job_namespace(), "credit-airflow");
  EXPECT_EQ(run.job_name(), "build_features.join_bureau");
  EXPECT_EQ(run.event_type(), aigov::v1::RUN_EVENT_TYPE_START);
  EXPECT_EQ(run.event_time().seconds(), 1795161604);
  EXPECT_EQ(run.event_time().nanos(), 118000000);
  EXPECT_EQ(run.source(), aigov::v1::RUN_SOURCE_OPENLINEAGE);
  ASSERT_EQ(run.inputs_size(), 2);
  EXPECT_EQ(run.inputs(0).dataset_id(),
            "postgres://loans-db.internal:5432/loans.public.applications");
  EXPECT_EQ(run.inputs(0).version(), "2026-11-20");
  EXPECT_EQ(run.inputs(1).dataset_id(),
            "s3://credit-bureau-drop/bureau/2026-11");
  EXPECT_EQ(run.inputs(1).version(), "7");
  // Facets are kept verbatim, in their order.
  EXPECT_NE(
      run.openlineage_json().find(
          R"("nominalTime":{"_producer":"https://github.com/apache/airflow)"),
      std::string::npos);
  EXPECT_EQ((*parsed)[0].event_id.rfind("openlineage:", 0), 0u);
}

TEST(OpenLineageTest, ModelVersionFacetMakesTheOutputAModelVersion) {
  auto parsed = ParseOpenLineage(Golden("spark_train_complete.json"), false,
                                 kNow + absl::Hours(72));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const aigov::v1::RunEvent& run = (*parsed)[0].run;
  EXPECT_EQ(run.outputs_size(), 0);
  ASSERT_EQ(run.output_models_size(), 1);
  EXPECT_EQ(run.output_models(0).model_id(), "credit-scoring");
  EXPECT_EQ(run.output_models(0).version(), "2.0");
}

TEST(OpenLineageTest, TimeZoneOffsetsAreHonoured) {
  auto parsed = ParseOpenLineage(Golden("spark_start.json"), false,
                                 kNow + absl::Hours(72));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  // 09:15+01:00 is 08:15Z.
  EXPECT_EQ((*parsed)[0].run.event_time().seconds(), 1795162500);
}

TEST(OpenLineageTest, AbsentEventTypeMeansOther) {
  auto parsed = ParseOpenLineage(Minimal(), false, kNow + absl::Hours(72));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ((*parsed)[0].run.event_type(), aigov::v1::RUN_EVENT_TYPE_OTHER);
}

TEST(OpenLineageTest, DatasetsWithoutVersionFacetAreUnversioned) {
  auto parsed = ParseOpenLineage(
      Minimal(
          R"(, "outputs": [{"namespace": "file://etl-host", "name": "/data/out.csv"}])"),
      false, kNow + absl::Hours(72));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ((*parsed)[0].run.outputs(0).dataset_id(),
            "file://etl-host/data/out.csv");
  EXPECT_EQ((*parsed)[0].run.outputs(0).version(), kUnversioned);
}

TEST(OpenLineageTest, TheSameEventHasTheSameEventId) {
  auto a = ParseOpenLineage(Minimal(), false, kNow + absl::Hours(72));
  auto b = ParseOpenLineage(Minimal(), false, kNow + absl::Hours(72));
  auto c = ParseOpenLineage(Minimal(R"(, "eventType": "START")"), false,
                            kNow + absl::Hours(72));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ((*a)[0].event_id, (*b)[0].event_id);
  EXPECT_NE((*a)[0].event_id, (*c)[0].event_id);
}

TEST(OpenLineageTest, ErrorsNameTheJsonPath) {
  EXPECT_EQ(ErrorOf(R"({"eventTime": )").substr(0, 30),
            "$: malformed JSON at byte 15 (");
  EXPECT_EQ(ErrorOf(R"([])"),
            "$: expected an event object (RunEvent, JobEvent or "
            "DatasetEvent)");
  EXPECT_EQ(ErrorOf(R"({"producer": "p"})"), "$.eventTime: required");
  EXPECT_EQ(ErrorOf(R"({"eventTime": "yesterday"})").substr(0, 52),
            "$.eventTime: expected an RFC 3339 date-time such as ");
  EXPECT_EQ(ErrorOf(R"({"eventTime": "2026-11-20T08:00:00Z"})"),
            "$.producer: required");
  EXPECT_EQ(
      ErrorOf(R"({"eventTime": "2026-11-20T08:00:00Z", "producer": "p"})"),
      "$.schemaURL: required");
  EXPECT_EQ(ErrorOf(Minimal(R"(, "eventType": "DONE")")),
            "$.eventType: \"DONE\" is not one of START, RUNNING, COMPLETE, "
            "ABORT, FAIL, OTHER");
  EXPECT_EQ(ErrorOf(Minimal(R"(, "inputs": {})")),
            "$.inputs: expected an array");
  EXPECT_EQ(ErrorOf(Minimal(R"(, "inputs": [{"namespace": "s3://b"}])")),
            "$.inputs[0].name: required");
  EXPECT_EQ(
      ErrorOf(Minimal(
          R"(, "outputs": [{"namespace": "s3://b", "name": "m", "facets": {"aigov_modelVersion": {"modelId": "x"}}}])")),
      "$.outputs[0].facets.aigov_modelVersion.version: required");
  EXPECT_EQ(ErrorOf(R"({"eventTime": "2026-11-20T08:00:00Z", "producer": "p",
                        "schemaURL": "s", "run": {"runId": "42"},
                        "job": {"namespace": "ns", "name": "j"}})"),
            "$.run.runId: expected a UUID (8-4-4-4-12 hex digits)");
  EXPECT_EQ(ErrorOf(R"({"eventTime": "2026-11-20T08:00:00Z", "producer": "p",
                        "schemaURL": "s",
                        "run": {"runId": "0193f0a2-5c1e-7d3a-9b2f-4e8a1c6d7f01"},
                        "job": {"namespace": "ns"}})"),
            "$.job.name: required");
  // In a batch the index leads the path.
  EXPECT_EQ(ErrorOf("[" + Minimal() + R"(, {"producer": "p"}])", true),
            "$[1].eventTime: required");
  EXPECT_EQ(ErrorOf(Minimal(), true), "$: expected an array of events");
}

TEST(OpenLineageTest, JobEventIsAJobDeclaration) {
  auto parsed = ParseOpenLineage(Golden("dbt_job_event.json"), false,
                                 kNow + absl::Hours(72));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_TRUE((*parsed)[0].is_declaration());
  const aigov::v1::LineageDeclaration& d = (*parsed)[0].declaration;
  EXPECT_EQ(d.type(), aigov::v1::LINEAGE_DECLARATION_TYPE_JOB);
  EXPECT_EQ(d.job_namespace(), "credit-dbt");
  EXPECT_EQ(d.job_name(), "credit_marts.applicant_features");
  ASSERT_EQ(d.inputs_size(), 2);
  EXPECT_EQ(d.inputs(0).dataset_id(),
            "postgres://loans-db.internal:5432/loans.public.applications");
  EXPECT_EQ(d.inputs(0).version(), "2026-11-20");
  EXPECT_EQ(d.inputs(1).version(), kUnversioned);
  ASSERT_EQ(d.outputs_size(), 1);
  EXPECT_EQ(d.event_time().seconds(), 1795161300);
  EXPECT_NE(d.openlineage_json().find("\"jobType\":\"MODEL\""),
            std::string::npos);
  EXPECT_EQ((*parsed)[0].event_id.rfind("openlineage:", 0), 0u);
  EXPECT_TRUE((*parsed)[0].run.run_id().empty());
}

TEST(OpenLineageTest, DatasetEventIsADatasetDeclaration) {
  auto parsed = ParseOpenLineage(Golden("dataset_event.json"), false,
                                 kNow + absl::Hours(72));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const aigov::v1::LineageDeclaration& d = (*parsed)[0].declaration;
  EXPECT_EQ(d.type(), aigov::v1::LINEAGE_DECLARATION_TYPE_DATASET);
  EXPECT_EQ(d.dataset().dataset_id(), "s3://credit-bureau-drop/bureau/2026-12");
  EXPECT_EQ(d.dataset().version(), "1");
  EXPECT_FALSE(d.has_model_version());
  EXPECT_TRUE(d.job_name().empty());

  // The aigov_modelVersion facet declares a model version instead.
  parsed = ParseOpenLineage(
      R"({"eventTime": "2026-11-20T08:00:00Z", "producer": "p",
          "schemaURL": "s", "dataset": {"namespace": "mlflow", "name": "m",
          "facets": {"aigov_modelVersion": {"modelId": "scoring",
                                            "version": "3"}}}})",
      false, kNow + absl::Hours(72));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ((*parsed)[0].declaration.model_version().model_id(), "scoring");
  EXPECT_FALSE((*parsed)[0].declaration.has_dataset());
}

TEST(OpenLineageTest, StaticEventErrorsNameTheJsonPath) {
  const std::string head =
      R"({"eventTime": "2026-11-20T08:00:00Z", "producer": "p", "schemaURL": "s")";
  EXPECT_EQ(ErrorOf(head + "}"),
            "$.run: required (a RunEvent has run and job, a JobEvent job, a "
            "DatasetEvent dataset)");
  EXPECT_EQ(
      ErrorOf(
          head +
          R"(, "eventType": "START", "job": {"namespace": "n", "name": "j"}})"),
      "$.run: required (an event with an eventType is a RunEvent; a "
      "JobEvent has no eventType)");
  EXPECT_EQ(ErrorOf(head + R"(, "job": {"namespace": "n"}})"),
            "$.job.name: required");
  EXPECT_EQ(
      ErrorOf(head +
              R"(, "job": {"namespace": "n", "name": "j"}, "outputs": [{}]})"),
      "$.outputs[0].namespace: required");
  EXPECT_EQ(ErrorOf(head + R"(, "dataset": {"namespace": "n"}})"),
            "$.dataset.name: required");
  EXPECT_EQ(ErrorOf(head + R"(, "dataset": []})"),
            "$.dataset: expected an object");
  EXPECT_EQ(ErrorOf("[" + head +
                        R"(, "dataset": {"namespace": "n", "name": "d"}}, )" +
                        head + R"(, "job": 1}])",
                    true),
            "$[1].job: expected an object");
}

TEST(OpenLineageTest, EventTimeInTheFarFutureIsRefused) {
  auto parsed =
      ParseOpenLineage(Minimal(), false, absl::FromUnixSeconds(1700000000));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message().substr(0, 37),
            "$.eventTime: is in the far future (20");
}

}  // namespace
}  // namespace aigov::ingest
