// Lineage and governance end to end: the real aigovd and aigovctl, the
// credit-scoring fixture applied from YAML, OpenLineage events posted over
// HTTP, every validation error over gRPC, restart and --rebuild_views.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"

#include "aigov/v1/governance_service.grpc.pb.h"
#include "aigov/v1/lineage_service.grpc.pb.h"
#include "aigov/v1/registry_service.grpc.pb.h"
#include "tests/integration/daemon_process.h"

namespace aigov::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kFixture =
    std::string(AIGOV_TESTDATA_DIR) + "/credit_scoring/";

std::unique_ptr<grpc::ClientContext> Context() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(60));
  return ctx;
}

class LineageTest : public ::testing::Test {
 protected:
  std::string DataDir() const { return tmp_.path() + "/data"; }

  CommandResult Ctl(const DaemonProcess& d, std::vector<std::string> args) {
    args.insert(args.begin(), {AigovctlPath(), "--target", d.grpc_target()});
    return RunCommand(args);
  }

  TempDir tmp_;
};

constexpr char kImpact[] =
    "impact of dataset loan-applications@2026-09\n"
    "derived datasets (1)\n"
    "  applicant-features@3  licence=internal  personal-data=yes\n"
    "model versions (2)\n"
    "  credit-scoring@1.0\n"
    "  credit-scoring@2.0\n"
    "deployments (1)\n"
    "  loans-prod  serves credit-scoring@2.0  ENVIRONMENT_PROD  "
    "DEPLOYMENT_STATE_ENABLED\n";

constexpr char kProvenance[] =
    "provenance of model version credit-scoring@2.0\n"
    "source datasets (3)\n"
    "  bureau-scores@2026-Q3  licence=Credit bureau data licence CB-2291  "
    "personal-data=yes\n"
    "  ecb-rates@2026-09  licence=CC-BY-4.0  personal-data=no\n"
    "  loan-applications@2026-09  licence=internal  personal-data=yes\n"
    "all upstream datasets (4)\n"
    "  applicant-features@3  licence=internal  personal-data=yes\n"
    "  bureau-scores@2026-Q3  licence=Credit bureau data licence CB-2291  "
    "personal-data=yes\n"
    "  ecb-rates@2026-09  licence=CC-BY-4.0  personal-data=no\n"
    "  loan-applications@2026-09  licence=internal  personal-data=yes\n"
    "model versions (0)\n";

// `text` with every sequence number replaced by '#': the compliance
// engine's findings, journalled right after the records they follow from,
// move the numbers with the catalog.
std::string Unnumbered(const std::string& text) {
  static const std::regex kNumber("(sequences? )[0-9]+");
  return std::regex_replace(text, kNumber, "$1#");
}

// The number right after `label` in `text` (0 when absent).
uint64_t NumberAfter(const std::string& text, const std::string& label) {
  const size_t at = text.find(label);
  if (at == std::string::npos) return 0;
  return std::stoull(text.substr(at + label.size()));
}

TEST_F(LineageTest, CreditScoringFixtureImpactProvenanceErasure) {
  std::map<std::string, std::string> registry_view, lineage_view;
  {
    DaemonProcess d(DataDir());
    ASSERT_TRUE(d.Start()) << d.log();
    CommandResult r = Ctl(d, {"apply", "-f", kFixture + "01_registry.yaml",
                              "-f", kFixture + "02_governance.yaml"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const uint64_t incident =
        NumberAfter(r.out, "Incident inc-2026-10-21 created (sequence ");
    ASSERT_GT(incident, 0u) << r.out;
    EXPECT_EQ(
        Unnumbered(r.out),
        Unnumbered(
            "AiSystem loans-credit-scoring created (sequence 0)\n"
            "DatasetVersion loan-applications@2026-09 created (sequence 1)\n"
            "DatasetVersion bureau-scores@2026-Q3 created (sequence 2)\n"
            "DatasetVersion ecb-rates@2026-09 created (sequence 3)\n"
            "DatasetVersion applicant-features@3 created (sequence 4)\n"
            "ModelVersion credit-scoring@1.0 created (sequence 5)\n"
            "Run train-credit-scoring-2.0 created (sequence 6)\n"
            "ModelVersion credit-scoring@2.0 created (sequence 7)\n"
            "Deployment loans-prod created (sequence 8)\n"
            "EvidenceDocument dpia-credit-scoring created (sequence 9)\n"
            "OversightAction override-2026-10-17-0091 created (sequence "
            "10)\n"
            "Incident inc-2026-10-21 created (sequence 11)\n"
            "Notification msa-report-inc-2026-10-21 created (sequence "
            "12)\n"));
    // Applying again changes nothing.
    r = Ctl(d, {"apply", "-f", kFixture + "02_governance.yaml"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out,
                HasSubstr("Incident inc-2026-10-21 unchanged (sequence " +
                          std::to_string(incident) + ")\n"));

    r = Ctl(d, {"lineage", "impact", "--dataset", "loan-applications@2026-09"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, kImpact);
    r = Ctl(d, {"lineage", "provenance", "--model", "credit-scoring@2.0"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, kProvenance);
    r = Ctl(d, {"lineage", "provenance", "--deployment", "loans-prod"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("model versions (1)\n  credit-scoring@2.0\n"));
    // The evaluation set is upstream of 2.0 only.
    r = Ctl(d, {"lineage", "impact", "--dataset", "ecb-rates@2026-09"});
    EXPECT_THAT(r.out, HasSubstr("model versions (1)\n  credit-scoring@2.0\n"));
    r = Ctl(d, {"lineage", "impact", "--dataset", "loan-applications@2026-01"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_THAT(r.err, HasSubstr("NOT_FOUND: dataset version "
                                 "loan-applications@2026-01 is neither "
                                 "registered nor named by any lineage"));

    r = Ctl(d, {"apply", "-f", kFixture + "03_erasure.yaml"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(Unnumbered(r.out),
              "DataSubjectRequest dsr-0042 created (sequence #); subject "
              "erased (erasure sequence #); affected model versions: "
              "credit-scoring@1.0, credit-scoring@2.0; deployments: "
              "loans-prod\n");
    const uint64_t request = NumberAfter(r.out, "created (sequence ");
    const uint64_t erasure = NumberAfter(r.out, "erasure sequence ");
    // The erasure is sequenced right after its request.
    EXPECT_EQ(erasure, request + 1) << r.out;
    r = Ctl(d, {"get", "DataSubjectRequest", "dsr-0042", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(
        r.out,
        HasSubstr(R"("erased_fields":["data_subject_request.subject"])"));
    EXPECT_THAT(
        r.out,
        HasSubstr(
            R"("affected_datasets":[{"dataset_id":"applicant-features","version":"3"},{"dataset_id":"loan-applications","version":"2026-09"}])"));
    EXPECT_THAT(r.out, Not(HasSubstr("applicant-58113")));
    r = Ctl(d, {"journal", "get", std::to_string(erasure), "--json"});
    EXPECT_THAT(r.out, HasSubstr("SubjectErasure"));
    // Derived from the request, in the same write.
    EXPECT_THAT(r.out, HasSubstr(R"("principal":"aigovd","derived_from":[)" +
                                 std::to_string(request) + "]"));
    // Records read back with their personal data (not the erased subject's).
    r = Ctl(d, {"get", "Deployment", "loans-prod", "--json"});
    EXPECT_THAT(r.out,
                HasSubstr(R"("approver":"credit-risk-lead@bank.example")"));
    r = Ctl(d, {"get", "Incident"});
    EXPECT_EQ(r.out, "Incident inc-2026-10-21  sequences " +
                         std::to_string(incident) + "\n");
    ASSERT_EQ(d.Stop(SIGTERM), 0) << d.log();
  }
  {
    // A restart keeps everything.
    DaemonProcess d(DataDir());
    ASSERT_TRUE(d.Start()) << d.log();
    const CommandResult r =
        Ctl(d, {"lineage", "impact", "--dataset", "loan-applications@2026-09"});
    EXPECT_EQ(r.out, kImpact);
    ASSERT_EQ(d.Stop(SIGTERM), 0) << d.log();
  }
  registry_view = DumpFamily(DataDir(), "registry");
  lineage_view = DumpFamily(DataDir(), "lineage");
  ASSERT_GT(lineage_view.size(), 10u);
  DamageFamily(DataDir(), "lineage", lineage_view.begin()->first);
  DamageFamily(DataDir(), "registry", registry_view.begin()->first);
  ASSERT_NE(DumpFamily(DataDir(), "lineage"), lineage_view);
  const CommandResult r =
      RunCommand({AigovdPath(), "--data_dir=" + DataDir(), "--rebuild_views"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ContainsRegex("views rebuilt from [0-9]+ entries"));
  EXPECT_EQ(DumpFamily(DataDir(), "lineage"), lineage_view);
  EXPECT_EQ(DumpFamily(DataDir(), "registry"), registry_view);

  // A view without a recorded state (as one new to this data directory, or
  // written before views were versioned) is rebuilt when aigovd starts,
  // before it serves.
  DamageFamily(DataDir(), "lineage", lineage_view.begin()->first);
  DamageFamily(DataDir(), "default", "view/lineage");
  {
    DaemonProcess d(DataDir());
    ASSERT_TRUE(d.Start()) << d.log();
    EXPECT_THAT(d.log(), HasSubstr("view is stale; rebuilding it"));
    EXPECT_THAT(d.log(), HasSubstr("no recorded state"));
    EXPECT_THAT(d.log(), HasSubstr("views rebuilt"));
    const CommandResult impact =
        Ctl(d, {"lineage", "impact", "--dataset", "loan-applications@2026-09"});
    EXPECT_EQ(impact.out, kImpact);
    ASSERT_EQ(d.Stop(SIGTERM), 0) << d.log();
  }
  EXPECT_EQ(DumpFamily(DataDir(), "lineage"), lineage_view);
  {
    // Up to date now: the next start rebuilds nothing.
    DaemonProcess d(DataDir());
    ASSERT_TRUE(d.Start()) << d.log();
    EXPECT_THAT(d.log(), Not(HasSubstr("rebuilding")));
    ASSERT_EQ(d.Stop(SIGTERM), 0) << d.log();
  }
}

// An erasure request and its subject's erasure are one write. A client that
// retries the request after lineage changed gets the same request and the
// same erasure back: what aigovd derives (the lineage walk) is not part of
// the event, so the retry is never ALREADY_EXISTS, and the subject is
// erased once.
TEST_F(LineageTest, AnErasureRetriedAfterLineageChangedStillErases) {
  DaemonProcess d(DataDir());
  ASSERT_TRUE(d.Start()) << d.log();
  CommandResult r = Ctl(d, {"apply", "-f", kFixture + "01_registry.yaml", "-f",
                            kFixture + "03_erasure.yaml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string first = r.out;
  EXPECT_THAT(Unnumbered(r.out),
              HasSubstr("DataSubjectRequest dsr-0042 created "
                        "(sequence #); subject erased (erasure "
                        "sequence #)"));
  const uint64_t request =
      NumberAfter(first, "DataSubjectRequest dsr-0042 created (sequence ");
  const uint64_t erasure = NumberAfter(first, "erasure sequence ");
  const std::string changed = DataDir() + "/../lineage_change.yaml";
  std::ofstream(changed) << "kind: DatasetVersion\n"
                            "dataset_id: loan-applications-eu\n"
                            "version: '2026-10'\n"
                            "content_sha256: "
                         << std::string(64, 'c')
                         << "\nparents:\n"
                            "  - {dataset_id: loan-applications, "
                            "version: '2026-09'}\n";
  r = Ctl(d, {"apply", "-f", changed});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Ctl(d, {"apply", "-f", kFixture + "03_erasure.yaml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("DataSubjectRequest dsr-0042 unchanged "
                               "(sequence " +
                               std::to_string(request) +
                               "); subject erased (erasure sequence " +
                               std::to_string(erasure) + ")"));
  r = Ctl(d, {"journal", "list", "--kind", "SubjectErasure"});
  // The header and one erasure.
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2) << r.out;
  r = Ctl(d, {"get", "DataSubjectRequest", "dsr-0042", "--json"});
  EXPECT_THAT(r.out, Not(HasSubstr("applicant-58113")));
  ASSERT_EQ(d.Stop(SIGTERM), 0) << d.log();
}

TEST_F(LineageTest, JournalListAndGetWorkForEveryKind) {
  DaemonProcess d(DataDir());
  ASSERT_TRUE(d.Start()) << d.log();
  ASSERT_EQ(Ctl(d, {"apply", "-f", kFixture + "01_registry.yaml", "-f",
                    kFixture + "02_governance.yaml"})
                .exit_code,
            0);
  CommandResult r = Ctl(d, {"journal", "list", "--kind", "Incident"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Incident       incident_id=inc-2026-10-21 "
                               "system_id=loans-credit-scoring"));
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2) << r.out;
  // Enumerator spellings name the same kind.
  r = Ctl(d, {"journal", "list", "--kind", "dataset_version", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::count_if(r.out.begin(), r.out.end(),
                          [](char c) { return c == '\n'; }),
            6)
      << r.out;
  EXPECT_THAT(r.out, HasSubstr("\"kind\":\"DatasetVersion\""));
  EXPECT_THAT(r.out, Not(HasSubstr("\"kind\":\"AiSystem\"")));
  r = Ctl(d, {"get", "Incident"});
  const uint64_t incident =
      NumberAfter(r.out, "Incident inc-2026-10-21  sequences ");
  r = Ctl(d, {"journal", "get", std::to_string(incident)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("kind:        Incident"));
  EXPECT_THAT(r.out, HasSubstr("\"incident_id\":\"inc-2026-10-21\""));
  r = Ctl(d, {"journal", "list", "--kind", "Bogus"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown kind \"Bogus\" (one of ModelVersion"));
}

TEST(HelpTest, HelpShowsNoBuildPaths) {
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{AigovdPath(), "--help"},
        std::vector<std::string>{AigovdPath(), "--helpfull"},
        std::vector<std::string>{AigovctlPath(), "--help"},
        std::vector<std::string>{AigovctlPath(), "journal", "list",
                                 "--help"}}) {
    const CommandResult r = RunCommand(argv);
    const std::string text = r.out + r.err;
    EXPECT_THAT(text, HasSubstr("aigov")) << argv[1];
    EXPECT_THAT(text, Not(HasSubstr(AIGOV_SOURCE_DIR))) << argv[1];
    EXPECT_THAT(text, Not(HasSubstr("/build/"))) << argv[1];
    EXPECT_THAT(text, Not(HasSubstr("main.cc"))) << argv[1];
  }
}

TEST_F(LineageTest, OpenLineageGoldenEvents) {
  DaemonProcess d(DataDir());
  ASSERT_TRUE(d.Start()) << d.log();
  const std::string ol = std::string(AIGOV_TESTDATA_DIR) + "/openlineage/";
  const auto post = [&](const std::string& file) {
    return HttpPost(d.http_port(), "/api/v1/lineage", ReadFile(ol + file));
  };
  HttpResponse h = post("airflow_start.json");
  ASSERT_EQ(h.status, 201) << h.body;
  EXPECT_EQ(h.body, "{\"sequences\":[0]}\n");
  // The run is visible before it finishes.
  CommandResult r = Ctl(d, {"get", "Run", "--unfinished"});
  EXPECT_EQ(r.out,
            "Run 0193f0a2-5c1e-7d3a-9b2f-4e8a1c6d7f01  "
            "credit-airflow/build_features.join_bureau  START (unfinished)  "
            "inputs 2  outputs 0\n");
  std::string metrics = HttpGet(d.http_port(), "/metrics").body;
  EXPECT_EQ(MetricValue(metrics,
                        "aigov_lineage_runs_open{job_namespace=\"credit-"
                        "airflow\"}"),
            1);
  ASSERT_EQ(post("airflow_complete.json").status, 201);
  metrics = HttpGet(d.http_port(), "/metrics").body;
  EXPECT_EQ(MetricValue(metrics,
                        "aigov_lineage_runs_open{job_namespace=\"credit-"
                        "airflow\"}"),
            0);
  // The same event again is stored once.
  h = post("airflow_complete.json");
  EXPECT_EQ(h.body, "{\"sequences\":[1]}\n");
  ASSERT_EQ(post("spark_start.json").status, 201);
  ASSERT_EQ(post("spark_fail.json").status, 201);
  ASSERT_EQ(post("spark_train_complete.json").status, 201);

  r = Ctl(d, {"get", "Run"});
  EXPECT_EQ(r.out,
            "Run 0193f0a2-5c1e-7d3a-9b2f-4e8a1c6d7f01  "
            "credit-airflow/build_features.join_bureau  COMPLETE  inputs 2  "
            "outputs 1\n"
            "Run 0193f0c1-0e2d-7a44-8f10-5b7c2a9e3d21  "
            "spark-credit/"
            "train_credit_model.execute_insert_into_hadoop_fs_relation_command"
            "  FAIL  inputs 1  outputs 0\n"
            "Run 0193f0d7-77a0-7c19-a6b5-1d3e5f7a9b42  "
            "spark-credit/train_credit_model.fit  COMPLETE  inputs 1  outputs "
            "1\n");
  // Datasets named by lineage are declared; the facet linked the model.
  r = Ctl(d, {"get", "DatasetVersion", "--unregistered"});
  EXPECT_EQ(r.out,
            "DatasetVersion "
            "postgres://loans-db.internal:5432/loans.public.applications@2026-"
            "11-20  sequences 0  UNREGISTERED  declared by lineage\n"
            "DatasetVersion s3://credit-bureau-drop/bureau/2026-11@7  "
            "sequences 0  UNREGISTERED  declared by lineage\n"
            "DatasetVersion s3://credit-features/features/applicant_features@3"
            "  sequences 1  UNREGISTERED  declared by lineage\n");
  r = Ctl(d, {"lineage", "provenance", "--model", "credit-scoring@2.0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(
      r.out,
      HasSubstr("source datasets (2)\n"
                "  postgres://loans-db.internal:5432/"
                "loans.public.applications@2026-11-20  licence=-  "
                "personal-data=no  (not registered)  declared by lineage\n"
                "  s3://credit-bureau-drop/bureau/2026-11@7  licence=-  "
                "personal-data=no  (not registered)  declared by lineage\n"));
  // The facets are in the journal verbatim.
  r = Ctl(d, {"journal", "get", "0", "--json"});
  EXPECT_THAT(r.out, HasSubstr("nominalStartTime"));

  // Malformed events: 400 with the JSON path, nothing stored.
  const std::string size_before = std::to_string(MetricValue(
      HttpGet(d.http_port(), "/metrics").body, "aigov_journal_tree_size"));
  h = HttpPost(d.http_port(), "/api/v1/lineage", "{\"eventTime\": ");
  EXPECT_EQ(h.status, 400);
  EXPECT_THAT(h.body, HasSubstr("\"path\":\"$\""));
  std::string no_job = ReadFile(ol + "spark_fail.json");
  no_job.replace(no_job.find("\"job\""), 5, "\"jab\"");
  h = HttpPost(d.http_port(), "/api/v1/lineage", no_job);
  EXPECT_EQ(h.status, 400);
  EXPECT_EQ(h.body, "{\"error\":\"required\",\"path\":\"$.job\"}\n");
  h = HttpPost(d.http_port(), "/api/v1/lineage/batch",
               "[" + ReadFile(ol + "airflow_start.json") + "," + no_job + "]");
  EXPECT_EQ(h.status, 400);
  EXPECT_EQ(h.body, "{\"error\":\"required\",\"path\":\"$[1].job\"}\n");
  metrics = HttpGet(d.http_port(), "/metrics").body;
  EXPECT_EQ(std::to_string(MetricValue(metrics, "aigov_journal_tree_size")),
            size_before);
  EXPECT_EQ(MetricValue(metrics,
                        "aigov_ingest_events_total{kind=\"run_event\","
                        "result=\"invalid\"}"),
            3);
  ASSERT_EQ(d.Stop(SIGTERM), 0) << d.log();
}

// Static lineage as dbt and the OpenLineage clients send it: a JobEvent (a
// job, its inputs and outputs, no run) and a DatasetEvent (a dataset alone)
// are journalled as LineageDeclarations and projected, not refused as
// RunEvents without a run.
TEST_F(LineageTest, OpenLineageJobEventAndDatasetEvent) {
  DaemonProcess d(DataDir());
  ASSERT_TRUE(d.Start()) << d.log();
  const std::string ol = std::string(AIGOV_TESTDATA_DIR) + "/openlineage/";
  HttpResponse h = HttpPost(d.http_port(), "/api/v1/lineage",
                            ReadFile(ol + "dbt_job_event.json"));
  ASSERT_EQ(h.status, 201) << h.body;
  EXPECT_EQ(h.body, "{\"sequences\":[0]}\n");
  h = HttpPost(d.http_port(), "/api/v1/lineage",
               ReadFile(ol + "dataset_event.json"));
  ASSERT_EQ(h.status, 201) << h.body;
  EXPECT_EQ(h.body, "{\"sequences\":[1]}\n");

  // The job's edges: what it reads leads to what it writes, named by the
  // job, with no run.
  CommandResult r = Ctl(d, {"lineage", "impact", "--dataset",
                            "postgres://loans-db.internal:5432/"
                            "loans.public.bureau@unversioned",
                            "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"relation\":\"LINEAGE_RELATION_JOB\""));
  EXPECT_THAT(r.out, HasSubstr("\"job\":\"credit-dbt/credit_marts.applicant_"
                               "features\""));
  EXPECT_THAT(r.out, HasSubstr("loans.credit_marts.applicant_features"));
  // No run was invented.
  r = Ctl(d, {"get", "Run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  // Every dataset both events name is declared by lineage, the
  // DatasetEvent's one included, and the graph knows it.
  r = Ctl(d, {"get", "DatasetVersion", "--unregistered"});
  EXPECT_EQ(r.out,
            "DatasetVersion "
            "postgres://loans-db.internal:5432/"
            "loans.credit_marts.applicant_features@unversioned  sequences 0  "
            "UNREGISTERED  declared by lineage\n"
            "DatasetVersion "
            "postgres://loans-db.internal:5432/loans.public.applications@2026-"
            "11-20  sequences 0  UNREGISTERED  declared by lineage\n"
            "DatasetVersion "
            "postgres://loans-db.internal:5432/loans.public.bureau@unversioned"
            "  sequences 0  UNREGISTERED  declared by lineage\n"
            "DatasetVersion s3://credit-bureau-drop/bureau/2026-12@1  "
            "sequences 1  UNREGISTERED  declared by lineage\n");
  r = Ctl(d, {"lineage", "impact", "--dataset",
              "s3://credit-bureau-drop/bureau/2026-12@1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("derived datasets (0)"));
  // Journalled as their own kind, facets verbatim, counted as such.
  r = Ctl(d, {"journal", "list", "--kind", "LineageDeclaration"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("LineageDeclaration"));
  r = Ctl(d, {"journal", "get", "0", "--json"});
  EXPECT_THAT(r.out, HasSubstr("processingType"));
  const std::string metrics = HttpGet(d.http_port(), "/metrics").body;
  EXPECT_EQ(MetricValue(metrics,
                        "aigov_ingest_events_total{kind=\"lineage_"
                        "declaration\",result=\"accepted\"}"),
            2);
  // A JobEvent with an eventType is a RunEvent without its run: 400.
  std::string with_type = ReadFile(ol + "dbt_job_event.json");
  with_type.insert(with_type.find('{') + 1, "\"eventType\": \"COMPLETE\",");
  h = HttpPost(d.http_port(), "/api/v1/lineage", with_type);
  EXPECT_EQ(h.status, 400);
  EXPECT_THAT(h.body, HasSubstr("\"path\":\"$.run\""));
  ASSERT_EQ(d.Stop(SIGTERM), 0) << d.log();
}

// Producers retry and transports reorder: the out_of_order/ events of one
// Spark run posted COMPLETE, RUNNING, START make the same run as the same
// events posted in order (under another runId). A runId already used by
// another job is refused with 409 naming both jobs.
TEST_F(LineageTest, OpenLineageOutOfOrderEventsAndAReusedRunId) {
  DaemonProcess d(DataDir());
  ASSERT_TRUE(d.Start()) << d.log();
  const std::string dir =
      std::string(AIGOV_TESTDATA_DIR) + "/openlineage/out_of_order/";
  const std::string reordered_id = "0193f7b1-2d4e-7a10-8c3b-5f6e7d8c9a01";
  const std::string in_order_id = "0193f7b1-2d4e-7a10-8c3b-5f6e7d8c9a02";
  const std::vector<std::string> files = {"1_complete.json", "2_running.json",
                                          "3_start.json"};
  for (const std::string& f : files) {
    const HttpResponse r =
        HttpPost(d.http_port(), "/api/v1/lineage", ReadFile(dir + f));
    ASSERT_EQ(r.status, 201) << f << ": " << r.body;
  }
  for (auto f = files.rbegin(); f != files.rend(); ++f) {
    std::string event = ReadFile(dir + *f);
    event.replace(event.find(reordered_id), reordered_id.size(), in_order_id);
    const HttpResponse r = HttpPost(d.http_port(), "/api/v1/lineage", event);
    ASSERT_EQ(r.status, 201) << *f << ": " << r.body;
  }
  auto stub = aigov::v1::LineageService::NewStub(
      grpc::CreateChannel(d.grpc_target(), grpc::InsecureChannelCredentials()));
  const auto get = [&](const std::string& id) {
    aigov::v1::GetRunRequest req;
    req.set_run_id(id);
    aigov::v1::GetRunResponse resp;
    const grpc::Status s = stub->GetRun(Context().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.run();
  };
  aigov::v1::LineageRun reordered = get(reordered_id);
  aigov::v1::LineageRun in_order = get(in_order_id);
  EXPECT_EQ(reordered.state(), aigov::v1::RUN_EVENT_TYPE_COMPLETE);
  EXPECT_TRUE(reordered.finished());
  EXPECT_EQ(google::protobuf::util::TimeUtil::ToString(reordered.started_at()),
            "2026-11-21T02:05:00.001Z");
  EXPECT_EQ(google::protobuf::util::TimeUtil::ToString(reordered.updated_at()),
            "2026-11-21T02:14:09.880Z");
  EXPECT_EQ(reordered.inputs_size(), 2);
  EXPECT_EQ(reordered.inputs(0).dataset_id(),
            "s3://credit-features/features/applicant_features");
  // A name starting with '/' joins its namespace without a second slash.
  EXPECT_EQ(reordered.inputs(1).dataset_id(),
            "s3://credit-models/registry/credit-scoring");
  reordered.clear_run_id();
  reordered.clear_sequences();
  in_order.clear_run_id();
  in_order.clear_sequences();
  EXPECT_EQ(reordered.DebugString(), in_order.DebugString());
  EXPECT_EQ(MetricValue(HttpGet(d.http_port(), "/metrics").body,
                        "aigov_lineage_runs_open{job_namespace=\"credit-"
                        "spark\"}"),
            -1);

  const double size = MetricValue(HttpGet(d.http_port(), "/metrics").body,
                                  "aigov_journal_tree_size");
  const HttpResponse r = HttpPost(d.http_port(), "/api/v1/lineage",
                                  ReadFile(std::string(AIGOV_TESTDATA_DIR) +
                                           "/openlineage/reused_run_id.json"));
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_THAT(r.body,
              HasSubstr("run 0193f7b1-2d4e-7a10-8c3b-5f6e7d8c9a01 is a run of "
                        "job \\\"credit-spark/score_backfill.write_scores\\\"; "
                        "this event names job "
                        "\\\"credit-airflow/nightly_export\\\""));
  EXPECT_EQ(MetricValue(HttpGet(d.http_port(), "/metrics").body,
                        "aigov_journal_tree_size"),
            size);
  ASSERT_EQ(d.Stop(SIGTERM), 0) << d.log();
}

class ValidationTest : public LineageTest {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<DaemonProcess>(DataDir());
    ASSERT_TRUE(daemon_->Start()) << daemon_->log();
    auto channel = grpc::CreateChannel(daemon_->grpc_target(),
                                       grpc::InsecureChannelCredentials());
    registry_ = aigov::v1::RegistryService::NewStub(channel);
    lineage_ = aigov::v1::LineageService::NewStub(channel);
    governance_ = aigov::v1::GovernanceService::NewStub(channel);
  }

  grpc::Status Incident(const std::string& event_id,
                        const aigov::v1::Incident& incident) {
    aigov::v1::RecordIncidentRequest req;
    req.set_event_id(event_id);
    *req.mutable_incident() = incident;
    aigov::v1::RecordIncidentResponse resp;
    return governance_->RecordIncident(Context().get(), req, &resp);
  }

  static aigov::v1::Incident ValidIncident() {
    aigov::v1::Incident i;
    i.set_incident_id("inc-1");
    i.set_system_id("loans");
    *i.mutable_aware_at() = google::protobuf::util::TimeUtil::GetCurrentTime();
    i.set_category(aigov::v1::INCIDENT_CATEGORY_HEALTH);
    return i;
  }

  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<aigov::v1::RegistryService::Stub> registry_;
  std::unique_ptr<aigov::v1::LineageService::Stub> lineage_;
  std::unique_ptr<aigov::v1::GovernanceService::Stub> governance_;
};

TEST_F(ValidationTest, AGrpcRunReadingAnUnknownDatasetVersion) {
  aigov::v1::RecordRunRequest req;
  req.set_event_id("run-1");
  auto* run = req.mutable_run();
  run->set_run_id("train-1");
  run->set_job_namespace("ml");
  run->set_job_name("train");
  run->set_event_type(aigov::v1::RUN_EVENT_TYPE_COMPLETE);
  *run->mutable_event_time() =
      google::protobuf::util::TimeUtil::GetCurrentTime();
  auto* in = run->add_inputs();
  in->set_dataset_id("applications");
  in->set_version("9");
  aigov::v1::RecordRunResponse resp;
  const grpc::Status s = lineage_->RecordRun(Context().get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(),
              HasSubstr("run.inputs[0]: dataset version applications@9 is "
                        "not registered"));
}

TEST_F(ValidationTest, EvidenceCoveringAnUnknownModelVersion) {
  aigov::v1::RegisterEvidenceDocumentRequest req;
  req.set_event_id("doc-1");
  auto* doc = req.mutable_evidence_document();
  doc->set_document_id("dpia");
  doc->set_type(aigov::v1::DOCUMENT_TYPE_DPIA);
  doc->set_content_sha256(std::string(64, 'a'));
  auto* ref = doc->add_covers_model_versions();
  ref->set_model_id("scoring");
  ref->set_version("3.0");
  aigov::v1::RegisterEvidenceDocumentResponse resp;
  const grpc::Status s =
      registry_->RegisterEvidenceDocument(Context().get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(),
              HasSubstr("evidence_document.covers_model_versions[0]: model "
                        "version scoring@3.0 is not registered"));
}

TEST_F(ValidationTest, UnspecifiedEnum) {
  aigov::v1::Incident i = ValidIncident();
  i.clear_category();
  const grpc::Status s = Incident("e1", i);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            "incident.category: must be specified (not UNSPECIFIED)");
}

TEST_F(ValidationTest, MalformedDigest) {
  aigov::v1::RegisterDatasetVersionRequest req;
  req.set_event_id("d1");
  req.mutable_dataset_version()->set_dataset_id("applications");
  req.mutable_dataset_version()->set_version("1");
  req.mutable_dataset_version()->set_content_sha256("ABC");
  aigov::v1::RegisterDatasetVersionResponse resp;
  const grpc::Status s =
      registry_->RegisterDatasetVersion(Context().get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("dataset_version.content_sha256: expected 64 hex"));
}

TEST_F(ValidationTest, TimeInTheFarFuture) {
  aigov::v1::Incident i = ValidIncident();
  i.mutable_aware_at()->set_seconds(i.aware_at().seconds() + 10 * 86400);
  const grpc::Status s = Incident("e1", i);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("incident.aware_at: is in the far future"));
}

TEST_F(ValidationTest, UnregisteredSystemIsAcceptedAndCounted) {
  ASSERT_TRUE(Incident("e1", ValidIncident()).ok());
  const std::string metrics = HttpGet(daemon_->http_port(), "/metrics").body;
  EXPECT_EQ(MetricValue(metrics, "aigov_unregistered_systems"), 1);
  const CommandResult r = Ctl(*daemon_, {"get", "AiSystem", "--unregistered"});
  EXPECT_EQ(r.out, "AiSystem loans  sequences 0  UNREGISTERED\n");
}

TEST_F(ValidationTest, AnnexIII1aApprovalWithOneVerifier) {
  aigov::v1::RegisterAiSystemRequest sys;
  sys.set_event_id("s1");
  sys.mutable_ai_system()->set_system_id("border-id");
  sys.mutable_ai_system()->mutable_risk()->set_annex_iii_point("1(a)");
  aigov::v1::RegisterAiSystemResponse resp;
  ASSERT_TRUE(registry_->RegisterAiSystem(Context().get(), sys, &resp).ok());
  aigov::v1::RecordOversightActionRequest req;
  req.set_event_id("a1");
  auto* a = req.mutable_oversight_action();
  a->set_action_id("a1");
  a->set_system_id("border-id");
  a->set_action(aigov::v1::OVERSIGHT_ACTION_TYPE_APPROVE);
  a->add_reviewers()->set_id("officer@example.com");
  a->add_verifiers()->set_id("officer@example.com");
  *a->mutable_occurred_at() =
      google::protobuf::util::TimeUtil::GetCurrentTime();
  aigov::v1::RecordOversightActionResponse action_resp;
  grpc::Status s =
      governance_->RecordOversightAction(Context().get(), req, &action_resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(),
              HasSubstr("oversight_action.verifiers: system border-id is "
                        "Annex III 1(a)"));
  a->add_verifiers()->set_id("second@example.com");
  s = governance_->RecordOversightAction(Context().get(), req, &action_resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(ValidationTest, NotificationAboutAnUnknownIncident) {
  aigov::v1::RecordNotificationRequest req;
  req.set_event_id("n1");
  auto* n = req.mutable_notification();
  n->set_notification_id("n1");
  n->set_recipient(aigov::v1::NOTIFICATION_RECIPIENT_SUPERVISORY_AUTHORITY);
  *n->mutable_sent_at() = google::protobuf::util::TimeUtil::GetCurrentTime();
  n->set_incident_id("inc-404");
  aigov::v1::RecordNotificationResponse resp;
  const grpc::Status s =
      governance_->RecordNotification(Context().get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(s.error_message(),
            "notification.incident_id: inc-404 was never recorded; record "
            "it first");
}

TEST_F(ValidationTest, EventIdReusedWithAnotherPayload) {
  ASSERT_TRUE(Incident("e1", ValidIncident()).ok());
  aigov::v1::Incident other = ValidIncident();
  other.set_description("changed");
  const grpc::Status s = Incident("e1", other);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
}

}  // namespace
}  // namespace aigov::testing
