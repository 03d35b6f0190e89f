#include "agents/cli/documents.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "agents/cli/records_cmd.h"
#include "aigov/v1/records.pb.h"

namespace aigov::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(AIGOV_TESTDATA_DIR) + "/" + name);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

const std::string kTwoDocs = ReadTestdata("model_versions.yaml");

TEST(DocumentsTest, ParsesSeveralDocumentsPerFile) {
  auto docs = ParseDocuments(kTwoDocs, "models.yaml");
  ASSERT_TRUE(docs.ok()) << docs.status();
  ASSERT_EQ(docs->size(), 2u);
  EXPECT_EQ((*docs)[0].kind, "ModelVersion");
  EXPECT_EQ((*docs)[0].event_id, "7d4f7f0e-1c2b-4a51-9a53-3b3f6f1f0001");
  EXPECT_FALSE((*docs)[0].event_id_derived);
  EXPECT_EQ((*docs)[1].line, 8);
  EXPECT_TRUE((*docs)[1].event_id_derived);
  EXPECT_THAT((*docs)[1].event_id, StartsWith("sha256-"));
  EXPECT_EQ((*docs)[1].event_id.size(), 7u + 64u);
  const auto& mv =
      static_cast<const aigov::v1::ModelVersion&>(*(*docs)[1].message);
  EXPECT_EQ(mv.version(), "1.10");
}

TEST(DocumentsTest, DerivedEventIdDependsOnContentOnly) {
  auto a = ParseDocuments(kTwoDocs, "a.yaml");
  auto b = ParseDocuments(kTwoDocs, "b.yaml");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ((*a)[1].event_id, (*b)[1].event_id);
  auto c = ParseDocuments(
      "kind: ModelVersion\nmodel_id: credit-scoring\nversion: '1.11'\n",
      "c.yaml");
  ASSERT_TRUE(c.ok());
  EXPECT_NE((*c)[0].event_id, (*a)[1].event_id);
}

TEST(DocumentsTest, AcceptsAJsonListOfDocuments) {
  auto docs = ParseDocuments(
      R"([{"kind": "ModelVersion", "model_id": "a", "version": "1"},
          {"kind": "ModelVersion", "model_id": "b", "version": "1"}])",
      "models.json");
  ASSERT_TRUE(docs.ok()) << docs.status();
  EXPECT_EQ(docs->size(), 2u);
}

TEST(DocumentsTest, ErrorsNameFileLineAndField) {
  auto docs = ParseDocuments("model_id: a\n", "m.yaml");
  EXPECT_THAT(std::string(docs.status().message()),
              HasSubstr("m.yaml:1: kind: required"));
  docs = ParseDocuments("kind: Spaceship\n", "m.yaml");
  EXPECT_THAT(std::string(docs.status().message()),
              HasSubstr("m.yaml:1: kind: unknown kind \"Spaceship\" "
                        "(supported: ModelVersion, AiSystem, DatasetVersion, "
                        "Deployment, EvidenceDocument, Run, OversightAction, "
                        "Incident, PersonalDataBreach, DataSubjectRequest, "
                        "Notification, ReferenceProfile, WindowProfile, "
                        "PerformanceSample, DriftScore, MarkingEvidence)"));
  docs = ParseDocuments(
      "kind: ModelVersion\n---\nkind: ModelVersion\nmodel: x\n", "m.yaml");
  EXPECT_THAT(std::string(docs.status().message()),
              HasSubstr("m.yaml:4: model: unknown field"));
  docs = ParseDocuments("kind: ModelVersion\nmodel_id: [\n", "m.yaml");
  EXPECT_THAT(std::string(docs.status().message()),
              HasSubstr("invalid YAML/JSON"));
}

TEST(DocumentsTest, EveryKindParsesWithTimes) {
  auto docs = ParseDocuments(R"(kind: Incident
incident_id: inc-1
system_id: loans
aware_at: 2026-11-20T09:30:00Z
category: INCIDENT_CATEGORY_FUNDAMENTAL_RIGHTS
---
kind: Run
run_id: train-7
job_namespace: ml
job_name: fit
event_type: RUN_EVENT_TYPE_COMPLETE
event_time: 2026-11-20T10:00:00Z
inputs: [{dataset_id: features, version: "3"}]
)",
                             "g.yaml");
  ASSERT_TRUE(docs.ok()) << docs.status();
  ASSERT_EQ(docs->size(), 2u);
  const auto& incident =
      static_cast<const aigov::v1::Incident&>(*(*docs)[0].message);
  EXPECT_EQ(incident.aware_at().seconds(), 1795167000);
  EXPECT_EQ(incident.category(),
            aigov::v1::INCIDENT_CATEGORY_FUNDAMENTAL_RIGHTS);
  const auto& run =
      static_cast<const aigov::v1::RunEvent&>(*(*docs)[1].message);
  EXPECT_EQ(run.inputs(0).version(), "3");
}

TEST(DocumentsTest, EveryKindThatParsesCanBeSent) {
  std::vector<std::string> parsed = SupportedKinds();
  std::vector<std::string> sent = WritableKinds();
  std::sort(parsed.begin(), parsed.end());
  EXPECT_EQ(parsed, sent);  // WritableKinds comes sorted from a std::map
}

// Found by yaml_documents_fuzzer in CI (",#tr"): yaml-cpp 0.7's LoadAll
// never returns on a document whose root starts with ','.
TEST(DocumentsTest, AFlowEntryWhereADocumentStartsIsAnErrorNotAHang) {
  for (const char* text : {",#tr", ",", "!t ,", " ,\n",
                           "kind: ModelVersion\nmodel_id: a\nversion: '1'\n"
                           "---\n,\n"}) {
    auto docs = ParseDocuments(text, "m.yaml");
    ASSERT_FALSE(docs.ok()) << text;
    EXPECT_THAT(std::string(docs.status().message()),
                HasSubstr("',' outside a flow collection"))
        << text;
  }
  auto last = ParseDocuments(
      "kind: ModelVersion\nmodel_id: a\nversion: '1'\n---\n,\n", "m.yaml");
  EXPECT_THAT(std::string(last.status().message()), HasSubstr("m.yaml:5:"));
  // Commas where YAML allows them still parse.
  auto ok = ParseDocuments(
      "kind: ModelVersion\nmodel_id: 'a,b'\nversion: '1'\nhyperparameters: {x: "
      "y, "
      "z: w}\n",
      "m.yaml");
  EXPECT_TRUE(ok.ok()) << ok.status();
}

}  // namespace
}  // namespace aigov::cli
