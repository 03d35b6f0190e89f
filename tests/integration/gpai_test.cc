// A general-purpose model behind a writing assistant that generates
// synthetic content (tests/testdata/gpai), end to end on the real aigovd on
// a clock the test drives: Art. 50(2) marking evidence and the AIA-26
// finding it decides, through aigovctl apply and the compliance report; the
// Art. 53(1)(d) training-data summary drawn from its lineage.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "nlohmann/json.hpp"
#include "tests/integration/daemon_process.h"

namespace aigov::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

class GpaiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    d_ = std::make_unique<DaemonProcess>(dir_.path() + "/data");
    d_->UseControlledClock(March2028());
    ASSERT_TRUE(d_->Start()) << d_->log();
    const CommandResult r =
        Ctl({"apply", "-f",
             absl::StrCat(AIGOV_TESTDATA_DIR, "/gpai/01_registry.yaml")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  void TearDown() override {
    if (d_) {
      EXPECT_EQ(d_->Stop(SIGTERM), 0) << d_->log();
    }
  }

  CommandResult Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {AigovctlPath(), "--target", d_->grpc_target()});
    return RunCommand(args);
  }

  // Applies one YAML document; returns the command's result.
  CommandResult Apply(const std::string& yaml) {
    const std::string path =
        absl::StrCat(dir_.path(), "/doc-", ++docs_, ".yaml");
    std::ofstream(path) << yaml;
    return Ctl({"apply", "-f", path});
  }

  // A MarkingEvidence document for `deployment` of studio-writer.
  static std::string Marking(const std::string& deployment, int sampled,
                             int marked, int64_t sampled_at,
                             const std::string& system = "studio-writer") {
    return absl::StrCat(
        "kind: MarkingEvidence\ndeployment_id: ", deployment,
        "\nsystem_id: ", system,
        "\nmethod: MARKING_METHOD_C2PA_MANIFEST\nsampled_sha256:\n"
        "  - ",
        std::string(64, 'a'), "\n  - ", std::string(64, 'b'),
        "\noutputs_sampled: ", sampled, "\noutputs_marked: ", marked,
        "\nsampled_at: ", Rfc3339(sampled_at), "\nverifier: c2patool 0.9\n");
  }

  // The AIA-26 obligation of studio-writer's status now.
  Json Aia26() {
    const CommandResult r =
        Ctl({"compliance", "status", "--system", "studio-writer", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (r.exit_code != 0) return nullptr;
    const Json status = Json::parse(r.out);
    for (const Json& o : status["obligations"]) {
      if (o["id"] == "AIA-26") return o;
    }
    ADD_FAILURE() << "no AIA-26 in " << r.out;
    return nullptr;
  }

  TempDir dir_;
  std::unique_ptr<DaemonProcess> d_;
  int docs_ = 0;
};

TEST_F(GpaiTest, MarkingEvidenceDecidesTheArt50_2Finding) {
  // Deployed with no marking sample: violated.
  Json o = Aia26();
  EXPECT_EQ(o["status"], "VIOLATED") << o.dump();
  EXPECT_THAT(o["reason"].get<std::string>(),
              HasSubstr("deployment studio-prod: no marking evidence"));

  // Refused: an unknown deployment, another system's, nonsense counts.
  CommandResult r = Apply(Marking("nowhere", 10, 10, March2028() - 60));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_THAT(r.err,
              HasSubstr("marking_evidence.deployment_id: deployment nowhere is "
                        "not registered"));
  r = Apply(Marking("studio-prod", 10, 10, March2028() - 60, "someone-else"));
  EXPECT_THAT(r.err, HasSubstr("marking_evidence.system_id: deployment "
                               "studio-prod serves studio-lm@1.1, a model "
                               "version of system \"studio-writer\", not of "
                               "someone-else"));
  r = Apply(Marking("studio-prod", 10, 11, March2028() - 60));
  EXPECT_THAT(r.err, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(r.err, HasSubstr("marking_evidence.outputs_marked: at most "
                               "outputs_sampled (10; got 11)"));

  // A sample with unmarked outputs: still violated, and says how many.
  r = Apply(Marking("studio-prod", 50, 47, March2028() - 3600));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  o = Aia26();
  EXPECT_EQ(o["status"], "VIOLATED");
  EXPECT_THAT(o["reason"].get<std::string>(),
              HasSubstr("3 of 50 sampled outputs carried no c2pa_manifest"));

  // Every output marked: satisfied, citing the sample.
  r = Apply(Marking("studio-prod", 50, 50, March2028() - 60));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  o = Aia26();
  EXPECT_EQ(o["status"], "SATISFIED") << o.dump();
  EXPECT_THAT(o["reason"].get<std::string>(),
              HasSubstr("50 of 50 sampled outputs marked (c2pa_manifest)"));
  const CommandResult got =
      Ctl({"get", "MarkingEvidence", "studio-prod", "--json"});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  EXPECT_THAT(got.out,
              HasSubstr(R"("outputs_sampled":50,"outputs_marked":50)"));

  // The report's deployments show the sample.
  const CommandResult md =
      Ctl({"compliance", "report", "--system", "studio-writer"});
  ASSERT_EQ(md.exit_code, 0) << md.err;
  EXPECT_THAT(md.out, HasSubstr("Marking (Art. 50(2))"));
  EXPECT_THAT(md.out,
              HasSubstr("50 of 50 outputs marked (C2PA_MANIFEST, c2patool "
                        "0.9), sampled "));

  // 31 days on with no new sample: compliance.marking_freshness (30 days)
  // has passed and the tick turns it violated with no new entry.
  ASSERT_GT(d_->AdvanceClock(31 * 86400), 0);
  o = Aia26();
  EXPECT_EQ(o["status"], "VIOLATED") << o.dump();
  EXPECT_THAT(o["reason"].get<std::string>(),
              HasSubstr("marking last sampled on"));
  const CommandResult findings =
      Ctl({"compliance", "findings", "--system", "studio-writer",
           "--obligation", "AIA-26", "--json"});
  ASSERT_EQ(findings.exit_code, 0) << findings.err;
  // Journalled at the tick, from SATISFIED, citing the stale sample.
  EXPECT_THAT(
      findings.out,
      HasSubstr(R"("status":"VIOLATED","previous_status":"SATISFIED")"));
  EXPECT_THAT(findings.out, HasSubstr("compliance.marking_freshness"));
}

// The Art. 53(1)(d) summary of studio-lm@1.1 from its four classified
// sources, each section of the template answered; then a version trained
// on an unclassified source, whose gaps are named; and the crawl traced to
// every version trained on it (lineage impact).
TEST_F(GpaiTest, TrainingDataSummaryFollowsTheTemplateFromTheLineage) {
  const std::string bundle = dir_.path() + "/summary-bundle";
  const std::string out = dir_.path() + "/summary.json";
  const CommandResult r =
      Ctl({"compliance", "training-summary", "--model", "studio-lm@1.1",
           "--format", "json", "--out", out, "--bundle", bundle});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(out);
  const Json s = Json::parse(in);
  EXPECT_EQ(s["model_version"]["model_id"], "studio-lm");
  EXPECT_EQ(s["system_id"], "studio-writer");
  EXPECT_EQ(s["provider"], "Studio writing assistant (developed in-house)");
  EXPECT_EQ(s["earlier_versions"], Json::array({"1.0"}));
  EXPECT_EQ(s["modalities"], Json::array({"MODALITY_TEXT", "MODALITY_IMAGE"}));
  EXPECT_EQ(s["latest_collection"], "2026-06-30T00:00:00Z");
  EXPECT_NE(s["placed_on_market_sequence"], "0");

  // Section 2: each subsection answered, in template order.
  std::vector<std::string> numbers;
  std::map<std::string, std::vector<std::string>> used;
  for (const Json& c : s["categories"]) {
    numbers.push_back(c["number"]);
    if (!c["used"].get<bool>()) continue;
    for (const Json& d : c["datasets"]) {
      used[c["number"]].push_back(d["dataset_id"]);
    }
  }
  EXPECT_EQ(numbers, (std::vector<std::string>{"2.1", "2.2.1", "2.2.2", "2.3",
                                               "2.4", "2.5", "2.6"}));
  EXPECT_EQ(used, (std::map<std::string, std::vector<std::string>>{
                      {"2.2.1", {"news-archive"}},
                      {"2.3", {"web-crawl"}},
                      {"2.4", {"user-conversations"}},
                      {"2.5", {"synthetic-instructions"}}}));
  ASSERT_EQ(s["sources"].size(), 4u);
  for (const Json& src : s["sources"]) {
    if (src["dataset"]["dataset_id"] != "web-crawl") continue;
    EXPECT_EQ(src["crawler"]["name"], "studio-crawler/2.1");
    EXPECT_TRUE(src["crawler"]["honours_robots_txt"].get<bool>());
    EXPECT_EQ(src["crawler"]["top_domains"].size(), 3u);
  }
  // Section 3: personal data, and the only gap left is the published
  // summary itself.
  std::vector<std::string> personal;
  for (const Json& d : s["personal_data"]) personal.push_back(d["dataset_id"]);
  EXPECT_EQ(personal,
            (std::vector<std::string>{"user-conversations", "web-crawl"}));
  EXPECT_TRUE(s["unclassified"].empty());
  EXPECT_TRUE(s["tdm_opt_outs_not_recorded"].empty());
  EXPECT_EQ(s["gaps"],
            Json::array({"No published training-data summary document "
                         "(TRAINING_DATA_SUMMARY) covering studio-lm@1.1 is "
                         "recorded."}));

  // Every dataset it names is proven in its bundle.
  std::stringstream key_file;
  key_file << std::ifstream(bundle + "/public_key").rdbuf();
  const std::string key =
      std::string(absl::StripAsciiWhitespace(key_file.str()));
  const CommandResult v =
      RunCommand({AigovctlPath(), "journal", "verify", bundle, "--key", key});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_THAT(v.out,
              HasSubstr(absl::StrCat("verified: ", s["cited_sequences"].size(),
                                     " entries, each proven")));

  // The published summary recorded: no gap left; Markdown in the
  // template's three sections.
  ASSERT_EQ(
      Apply(absl::StrCat("kind: EvidenceDocument\ndocument_id: studio-summary\n"
                         "type: DOCUMENT_TYPE_TRAINING_DATA_SUMMARY\nversion: "
                         "\"2\"\nuri: https://studio.example/training-summary\n"
                         "content_sha256: ",
                         std::string(64, 'c'),
                         "\nsystem_id: studio-writer\ncovers_model_versions:\n"
                         "  - {model_id: studio-lm, version: \"1.1\"}\n"))
          .exit_code,
      0);
  const CommandResult md =
      Ctl({"compliance", "training-summary", "--model", "studio-lm@1.1"});
  ASSERT_EQ(md.exit_code, 0) << md.err;
  // Kept for reading: build/dev/test-artifacts/training-summary/.
  std::filesystem::create_directories(
      absl::StrCat(AIGOV_ARTIFACT_DIR, "/training-summary"));
  std::ofstream(
      absl::StrCat(AIGOV_ARTIFACT_DIR, "/training-summary/studio-lm-1.1.md"))
      << md.out;
  EXPECT_THAT(md.out, HasSubstr("## 1. General information\n"));
  EXPECT_THAT(md.out, HasSubstr("## 2. List of data sources\n"));
  EXPECT_THAT(md.out, HasSubstr("## 3. Data processing aspects\n"));
  EXPECT_THAT(md.out, HasSubstr("| 2.3 | Data crawled or scraped by or for "
                                "the provider | yes | text, image | "
                                "web-crawl@2026-06 (#"));
  EXPECT_THAT(md.out, HasSubstr("| 2.1 | Publicly available datasets | no |"));
  EXPECT_THAT(md.out, HasSubstr("| studio-summary (https://studio.example/"
                                "training-summary) | 2 |"));
  EXPECT_THAT(md.out, ::testing::Not(HasSubstr("### Gaps")));

  // A version trained on a source that records no category.
  ASSERT_EQ(Apply("kind: DatasetVersion\ndataset_id: forum-dump\nversion: "
                  "\"1\"\nlicence: unknown\n")
                .exit_code,
            0);
  ASSERT_EQ(
      Apply(absl::StrCat("kind: ModelVersion\nmodel_id: studio-lm\nversion: "
                         "\"1.2\"\nsystem_id: studio-writer\nartifact_sha256: ",
                         std::string(64, 'd'),
                         "\nparent_version: \"1.1\"\ntraining_datasets:\n"
                         "  - {dataset_id: web-crawl, version: 2026-06}\n"
                         "  - {dataset_id: forum-dump, version: \"1\"}\n"))
          .exit_code,
      0);
  const CommandResult next = Ctl({"compliance", "training-summary", "--model",
                                  "studio-lm@1.2", "--format", "json"});
  ASSERT_EQ(next.exit_code, 0) << next.err;
  const Json n = Json::parse(next.out);
  EXPECT_EQ(n["earlier_versions"], Json::array({"1.1", "1.0"}));
  EXPECT_EQ(n["unclassified"],
            Json::array({{{"dataset_id", "forum-dump"}, {"version", "1"}}}));
  EXPECT_EQ(n["gaps"],
            Json::array({"Source forum-dump@1 records no source_category.",
                         "Source forum-dump@1 is not recorded as honouring "
                         "text-and-data-mining opt-outs.",
                         "No published training-data summary document "
                         "(TRAINING_DATA_SUMMARY) covering studio-lm@1.2 is "
                         "recorded."}));
  EXPECT_FALSE(n.contains("placed_on_market") &&
               !n["placed_on_market"].is_null());

  // An opt-out or an injunction naming the crawl reaches every version.
  const CommandResult impact =
      Ctl({"lineage", "impact", "--dataset", "web-crawl@2026-06"});
  ASSERT_EQ(impact.exit_code, 0) << impact.err;
  for (const char* mv : {"studio-lm@1.0", "studio-lm@1.1", "studio-lm@1.2"}) {
    EXPECT_THAT(impact.out, HasSubstr(absl::StrCat("  ", mv, "\n")));
  }

  // Bad requests name the field.
  const CommandResult unknown =
      Ctl({"compliance", "training-summary", "--model", "studio-lm@9"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err,
              HasSubstr("model_version: studio-lm@9 is not registered"));
  EXPECT_EQ(
      Ctl({"compliance", "training-summary", "--model", "studio-lm"}).exit_code,
      2);
  const CommandResult bad = Apply(
      "kind: DatasetVersion\ndataset_id: x\nversion: \"1\"\n"
      "source_category: DATA_SOURCE_CATEGORY_SYNTHETIC\n"
      "crawler: {name: bot}\n");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("dataset_version.crawler: only for "
                                 "source_category "
                                 "DATA_SOURCE_CATEGORY_WEB_CRAWLED"));
}

// The Annex IV dossier of the deployed version: its lineage sources with
// their licences and personal-data flags, the version chain, and the gaps
// of a system that records none of the Annex IV documents.
TEST_F(GpaiTest, AnnexIvDossierListsTheSourcesAndTheVersionChain) {
  const CommandResult r = Ctl({"compliance", "annex-iv", "--system",
                               "studio-writer", "--model", "studio-lm@1.1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string& md = r.out;
  int points = 0;
  for (size_t at = md.find("\n## "); at != std::string::npos;
       at = md.find("\n## ", at + 1)) {
    ++points;
  }
  EXPECT_EQ(points, 9);
  EXPECT_THAT(md, HasSubstr("- **Version chain**: 1.0 → 1.1 (#"));
  EXPECT_THAT(md, HasSubstr("| studio-prod | PROD | ENABLED |"));
  for (const char* row :
       {"| news-archive@2025 (#", "| web-crawl@2026-06 (#",
        "| user-conversations@2026-Q2 (#", "| synthetic-instructions@4 (#"}) {
    EXPECT_THAT(md, HasSubstr(row));
  }
  EXPECT_THAT(md, HasSubstr(" | commercial licence PA-2025-17 | licensed | "
                            "no |"));
  EXPECT_THAT(md, HasSubstr(" | terms of service | - | yes | - | "
                            "pseudonymised |"));
  EXPECT_THAT(md, HasSubstr("| 1.1 | 1.0 | fine_tune |"));
  EXPECT_THAT(md, HasSubstr("\nNo evaluation dataset is declared for "
                            "studio-lm@1.1.\n"));
  EXPECT_THAT(md, HasSubstr("\nNo EU declaration of conformity covering "
                            "studio-lm@1.1 is recorded.\n"));
  EXPECT_THAT(md, ::testing::Not(HasSubstr("No human overseer")));
}

}  // namespace
}  // namespace aigov::testing
