// The compliance report end to end: the real aigovd on a clock the test
// drives, the credit-scoring fixture applied with aigovctl, the report read
// back in its three formats, every entry it cites checked against the
// journal, and its proof bundle verified offline and tampered with.
//
// The JSON report is compared with tests/testdata/reports/credit_report.json
// whole, after replacing the fields that differ between runs (the key, the
// signed note, the root over entries holding sealed personal data). Run with
// AIGOV_UPDATE_GOLDEN=1 to rewrite the file after an intended change, and
// read its diff.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
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

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    d_ = std::make_unique<DaemonProcess>(dir_.path() + "/data");
    d_->UseControlledClock(March2028());
    ASSERT_TRUE(d_->Start()) << d_->log();
    for (const char* f : {"01_registry.yaml", "02_governance.yaml"}) {
      const CommandResult r =
          Ctl({"apply", "-f",
               absl::StrCat(AIGOV_TESTDATA_DIR, "/credit_scoring/", f)});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    // A sample of the deployed version's declared metric, an hour before
    // the test's clock, and a record holding markup in free text.
    const std::string extra = absl::StrCat(
        "kind: PerformanceSample\nmodel_id: credit-scoring\nversion: "
        "\"2.0\"\nwindow_start: ",
        Rfc3339(March2028() - 3600),
        "\nmetric: auc\nvalue: 0.747\nn: 5200\n---\n"
        "kind: OversightAction\naction_id: stop-1\nsystem_id: "
        "loans-credit-scoring\naction: OVERSIGHT_ACTION_TYPE_STOP\n"
        "reviewers: [{id: oncall@bank.example, role: overseer}]\n"
        "reason: \"<script>alert('owned')</script> & stopped\"\n"
        "occurred_at: ",
        Rfc3339(March2028() - 1800), "\n");
    const std::string path = dir_.path() + "/extra.yaml";
    std::ofstream(path) << extra;
    const CommandResult r = Ctl({"apply", "-f", path});
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

  // The report in `format` (stdout), with extra arguments.
  std::string Report(const std::string& format,
                     std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"compliance", "report",
                                     "--system",   "loans-credit-scoring",
                                     "--format",   format};
    args.insert(args.end(), extra.begin(), extra.end());
    const CommandResult r = Ctl(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  // Every journal entry by sequence, as `journal list --json` prints it.
  std::map<uint64_t, Json> Journal() {
    std::map<uint64_t, Json> out;
    const CommandResult r = Ctl({"journal", "list", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    for (const Json& e : Json::parse(r.out)) {
      out[e["sequence"].get<uint64_t>()] = e;
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<DaemonProcess> d_;
};

// Replaces what differs between runs with "<volatile>".
Json Stable(Json report) {
  for (const char* k : {"origin", "root_hash", "note", "public_key"}) {
    report["checkpoint"][k] = "<volatile>";
  }
  // Signed over the checkpoint's root: tested in AttestationProvesTheReport.
  report["attestation"] = "<volatile>";
  return report;
}

uint64_t U(const Json& j) {
  return j.is_string() ? std::stoull(j.get<std::string>()) : j.get<uint64_t>();
}

// The ten section titles of a report, in order.
constexpr const char* kSectionTitles[] = {
    "Summary",
    "System profile and risk classification",
    "Obligations",
    "Evidence documents",
    "Deployments",
    "Model versions and provenance",
    "Drift and performance",
    "Human oversight",
    "Incidents, breaches and data-subject requests",
    "Proof"};

TEST_F(ReportTest, JsonReportIsExactlyTheGolden) {
  const Json report = Stable(Json::parse(Report("json")));
  const std::string golden_path =
      absl::StrCat(AIGOV_TESTDATA_DIR, "/reports/credit_report.json");
  if (std::getenv("AIGOV_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden_path) << report.dump(1) << "\n";
  }
  const Json golden = Json::parse(ReadFile(golden_path));
  EXPECT_EQ(report, golden) << "diff (RFC 6902) from the golden: "
                            << Json::diff(golden, report).dump(1);
}

TEST_F(ReportTest, EveryCitedEntryExistsAndSaysWhatTheReportSays) {
  const Json r = Json::parse(Report("json"));
  std::map<uint64_t, Json> journal = Journal();
  auto entry = [&](const Json& seq) -> const Json& {
    static const Json kNone;
    auto it = journal.find(U(seq));
    EXPECT_NE(it, journal.end()) << "sequence " << seq << " is not in the "
                                 << "journal";
    return it == journal.end() ? kNone : it->second;
  };
  const uint64_t tree_size = U(r["checkpoint"]["tree_size"]);
  for (const Json& s : r["cited_sequences"]) {
    EXPECT_LT(U(s), tree_size);
    entry(s);
  }
  EXPECT_EQ(entry(r["system_sequence"])["kind"], "AiSystem");
  for (const Json& o : r["obligations"]) {
    for (const Json& s : o["evidence_sequences"]) entry(s);
    if (U(o["finding_sequence"]) == 0) continue;
    const Json& f = entry(o["finding_sequence"]);
    EXPECT_EQ(f["kind"], "ComplianceFinding");
    EXPECT_EQ(f["event"]["obligation_id"], o["obligation_id"]);
  }
  ASSERT_FALSE(r["documents"].empty());
  for (const Json& doc : r["documents"]) {
    const Json& e = entry(doc["sequence"]);
    EXPECT_EQ(e["kind"], "EvidenceDocument");
    EXPECT_EQ(e["event"]["document_id"], doc["document_id"]);
    EXPECT_EQ(e["event"]["content_sha256"], doc["content_sha256"]);
  }
  for (const Json& dep : r["deployments"]) {
    const Json& e = entry(dep["sequence"]);
    EXPECT_EQ(e["kind"], "Deployment");
    EXPECT_EQ(e["event"]["deployment_id"], dep["deployment_id"]);
    EXPECT_EQ(e["event"]["model_version"], dep["model_version"]);
  }
  bool observed = false;
  for (const Json& v : r["model_versions"]) {
    const Json& e = entry(v["sequence"]);
    EXPECT_EQ(e["kind"], "ModelVersion");
    EXPECT_EQ(e["event"]["version"], v["version"]);
    EXPECT_EQ(e["event"]["artifact_sha256"], v["artifact_sha256"]);
    for (const Json& d : v["source_datasets"]) {
      const Json& ds = entry(d["sequence"]);
      EXPECT_EQ(ds["kind"], "DatasetVersion");
      EXPECT_EQ(ds["event"]["dataset_id"],
                d["summary"]["dataset"]["dataset_id"]);
    }
    for (const Json& i : v["indicators"]) {
      if (!i.contains("observed_value")) continue;
      observed = true;
      const Json& s = entry(i["observed_sequence"]);
      EXPECT_EQ(s["kind"], "PerformanceSample");
      EXPECT_EQ(s["event"]["metric"], i["metric"]);
      EXPECT_DOUBLE_EQ(s["event"]["value"].get<double>(),
                       i["observed_value"].get<double>());
    }
  }
  EXPECT_TRUE(observed);
  ASSERT_EQ(r["oversight_actions"].size(), 2u);
  for (const Json& a : r["oversight_actions"]) {
    const Json& e = entry(a["sequence"]);
    EXPECT_EQ(e["kind"], "OversightAction");
    EXPECT_EQ(e["event"]["action_id"], a["action_id"]);
  }
  ASSERT_FALSE(r["cases"].empty());
  for (const Json& c : r["cases"]) {
    const Json& e = entry(c["sequence"]);
    const std::map<std::string, std::pair<std::string, std::string>> kinds = {
        {"incident", {"Incident", "incident_id"}},
        {"breach", {"PersonalDataBreach", "breach_id"}},
        {"request", {"DataSubjectRequest", "request_id"}}};
    const auto& [kind, field] = kinds.at(c["kind"].get<std::string>());
    EXPECT_EQ(e["kind"], kind);
    EXPECT_EQ(e["event"][field], c["id"]);
    for (const Json& n : c["notification_sequences"]) {
      EXPECT_EQ(entry(n)["kind"], "Notification");
    }
  }
}

TEST_F(ReportTest, MarkdownAndHtmlHaveTheTenSectionsAndEscapeText) {
  const std::string md = Report("md");
  std::vector<std::string> headings;
  for (absl::string_view line : absl::StrSplit(md, '\n')) {
    if (absl::StartsWith(line, "## ")) headings.emplace_back(line);
  }
  std::vector<std::string> expected;
  for (size_t n = 1; n <= std::size(kSectionTitles); ++n) {
    expected.push_back(absl::StrCat("## ", n, ". ", kSectionTitles[n - 1]));
  }
  EXPECT_EQ(headings, expected);
  EXPECT_TRUE(absl::StartsWith(md, "# Compliance report: "));
  EXPECT_THAT(md, HasSubstr("### Provenance of credit-scoring@2.0"));
  EXPECT_THAT(md, HasSubstr("| auc | all | higher | 0.83 | 0.78 | 0.747"));
  EXPECT_THAT(md, HasSubstr("beyond threshold"));
  EXPECT_THAT(md, HasSubstr("&lt;script&gt;alert('owned')&lt;/script&gt; "
                            "&amp; stopped"));
  EXPECT_THAT(md, ::testing::Not(HasSubstr("<script")));

  const std::string out = dir_.path() + "/report.html";
  Report("html", {"--out", out});
  const std::string html = ReadFile(out);
  EXPECT_TRUE(absl::StartsWith(html, "<!doctype html>"));
  EXPECT_EQ(std::count(html.begin(), html.end(), '\0'), 0);
  size_t sections = 0;
  for (size_t at = html.find("<section"); at != std::string::npos;
       at = html.find("<section", at + 1)) {
    ++sections;
  }
  EXPECT_EQ(sections, 10u);
  EXPECT_THAT(html, ::testing::Not(HasSubstr("<script")));
  EXPECT_THAT(html, ::testing::Not(HasSubstr("src=")));
  // The one <link> is the empty inline icon that spares a favicon request.
  EXPECT_EQ(html.find("<link"),
            html.find("<link rel=\"icon\" href=\"data:,\">"));
  EXPECT_EQ(html.find("<link", html.find("<link") + 1), std::string::npos);
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(&#39;owned&#39;)"));
  EXPECT_THAT(html, HasSubstr("@media print"));
}

// The nine points of Annex IV (shared/REGULATION.md §1.4), in order.
constexpr const char* kAnnexIvTitles[] = {
    "General description of the AI system",
    "Elements of the AI system and its development process",
    "Monitoring, functioning and control",
    "Appropriateness of the performance metrics",
    "Risk management system",
    "Changes through the lifecycle",
    "Harmonised standards applied",
    "EU declaration of conformity",
    "Post-market monitoring"};

// The summary leads with exactly the obligations violated, at risk or
// pending, most severe first, then by status and deadline, each with what
// fixes it; what does not apply is folded into one table after the others.
TEST_F(ReportTest, TheSummaryListsWhatNeedsDoingBySeverity) {
  const Json r = Json::parse(Report("json"));
  struct Open {
    int severity;
    int status;
    std::string deadline;
    size_t order;
    std::string id;
  };
  const std::map<std::string, int> severity = {
      {"critical", 0}, {"high", 1}, {"medium", 2}, {"low", 3}};
  const std::map<std::string, int> status = {{"FINDING_STATUS_VIOLATED", 0},
                                             {"FINDING_STATUS_AT_RISK", 1},
                                             {"FINDING_STATUS_PENDING", 2}};
  std::vector<Open> open;
  size_t not_applying = 0;
  for (size_t i = 0; i < r["obligations"].size(); ++i) {
    const Json& o = r["obligations"][i];
    auto st = status.find(o["status"].get<std::string>());
    if (st == status.end()) {
      not_applying += o["status"] != "FINDING_STATUS_SATISFIED";
      continue;
    }
    EXPECT_FALSE(o["to_fix"].empty()) << o.dump();
    open.push_back({severity.at(o["severity"].get<std::string>()), st->second,
                    o.contains("deadline") ? o["deadline"].get<std::string>()
                                           : "~",  // none sorts last
                    i, o["obligation_id"].get<std::string>()});
  }
  ASSERT_GT(open.size(), 5u);
  std::stable_sort(open.begin(), open.end(), [](const Open& a, const Open& b) {
    return std::tie(a.severity, a.status, a.deadline) <
           std::tie(b.severity, b.status, b.deadline);
  });
  std::vector<std::string> want;
  for (const Open& o : open) want.push_back(o.id);

  // The rows of the summary's first table, in the Markdown rendering.
  const std::string md = Report("md");
  const size_t from = md.find("### What needs doing, most severe first");
  ASSERT_NE(from, std::string::npos) << md.substr(0, 2000);
  std::vector<std::string> listed;
  bool seen_table = false;
  for (absl::string_view line :
       absl::StrSplit(absl::string_view(md).substr(from), '\n')) {
    if (absl::StartsWith(line, "|")) {
      seen_table = true;
      if (!absl::StartsWith(line, "| ")) continue;  // the |---| line
      const std::string cell(
          absl::StripAsciiWhitespace(line.substr(2, line.find(" |", 2) - 2)));
      if (cell == "Obligation") continue;
      listed.push_back(cell.substr(0, cell.find(' ')));
    } else if (seen_table) {
      break;
    }
  }
  EXPECT_EQ(listed, want);
  // What does not apply is one compact table, not rows among the others.
  EXPECT_THAT(
      md, HasSubstr(absl::StrCat("### Not applicable or not yet applicable (",
                                 not_applying, ")")));
}

TEST_F(ReportTest, AnnexIvDossierCitesTheJournalAndStatesItsGaps) {
  // An EU declaration covering the deployed version, and a point 7
  // document that covers only its parent.
  const std::string docs = dir_.path() + "/docs.yaml";
  std::ofstream(docs)
      << "kind: EvidenceDocument\ndocument_id: eu-doc-credit\n"
         "type: DOCUMENT_TYPE_EU_DECLARATION_OF_CONFORMITY\nversion: \"1\"\n"
         "content_sha256: "
      << std::string(64, 'e')
      << "\nsystem_id: loans-credit-scoring\ncovers_model_versions:\n"
         "  - {model_id: credit-scoring, version: \"2.0\"}\n---\n"
         "kind: EvidenceDocument\ndocument_id: standards-credit\n"
         "type: DOCUMENT_TYPE_ANNEX_IV_7\nversion: \"1\"\ncontent_sha256: "
      << std::string(64, 'f')
      << "\nsystem_id: loans-credit-scoring\ncovers_model_versions:\n"
         "  - {model_id: credit-scoring, version: \"1.0\"}\n";
  ASSERT_EQ(Ctl({"apply", "-f", docs}).exit_code, 0);

  const std::string out = dir_.path() + "/annex.md";
  const std::string bundle = dir_.path() + "/annex-bundle";
  const CommandResult r =
      Ctl({"compliance", "annex-iv", "--system", "loans-credit-scoring",
           "--model", "credit-scoring@2.0", "--out", out, "--bundle", bundle});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string md = ReadFile(out);
  // Kept for reading: build/dev/test-artifacts/annex-iv/.
  std::filesystem::create_directories(
      absl::StrCat(AIGOV_ARTIFACT_DIR, "/annex-iv"));
  std::ofstream(absl::StrCat(AIGOV_ARTIFACT_DIR, "/annex-iv/credit-scoring.md"))
      << md;

  std::vector<std::string> headings;
  for (absl::string_view line : absl::StrSplit(md, '\n')) {
    if (absl::StartsWith(line, "## ")) headings.emplace_back(line);
  }
  std::vector<std::string> expected;
  for (size_t n = 1; n <= std::size(kAnnexIvTitles); ++n) {
    expected.push_back(absl::StrCat("## ", n, ". ", kAnnexIvTitles[n - 1]));
  }
  EXPECT_EQ(headings, expected);
  EXPECT_TRUE(absl::StartsWith(
      md, "# Annex IV technical documentation: credit-scoring@2.0\n"));
  EXPECT_THAT(md, HasSubstr("- **Version chain**: 1.0 → 2.0"));

  // The gaps: stated in the dossier and listed on stderr; what is recorded
  // is not called missing.
  const std::string point7 =
      "No Annex IV point 7 document covering credit-scoring@2.0 is recorded.";
  EXPECT_THAT(md, HasSubstr(absl::StrCat("\n\n", point7, "\n\n")));
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat("  - ", point7, "\n")));
  EXPECT_THAT(r.err, HasSubstr("No test report covering credit-scoring@2.0 "
                               "is recorded."));
  EXPECT_THAT(md, HasSubstr("No post-market monitoring plan covering "
                            "credit-scoring@2.0 is recorded."));
  EXPECT_THAT(md, ::testing::Not(HasSubstr("No EU declaration")));
  EXPECT_THAT(md, HasSubstr("| standards-credit | 1 | " + std::string(64, 'f') +
                            " | no |"));

  // Every entry the dossier cites is in its bundle and in the journal, and
  // the declaration's row cites the declaration's entry.
  const Json report = Json::parse(ReadFile(bundle + "/report.json"));
  std::set<uint64_t> in_bundle;
  for (const Json& s : report["cited_sequences"]) in_bundle.insert(U(s));
  std::map<uint64_t, Json> journal = Journal();
  std::vector<uint64_t> cited;
  for (size_t at = md.find("#"); at != std::string::npos;
       at = md.find("#", at + 1)) {
    if (at + 1 < md.size() && std::isdigit(md[at + 1]) &&
        (md[at - 1] == '(' || md[at - 1] == ' ')) {
      cited.push_back(std::stoull(md.substr(at + 1)));
    }
  }
  ASSERT_GT(cited.size(), 10u);
  for (const uint64_t s : cited) {
    EXPECT_EQ(in_bundle.count(s), 1u) << "#" << s << " is not in the bundle";
    EXPECT_EQ(journal.count(s), 1u) << "#" << s << " is not in the journal";
  }
  const size_t row = md.find("| eu-doc-credit | 1 |");
  ASSERT_NE(row, std::string::npos);
  const size_t hash = md.find("(#", row);
  const Json& eu = journal[std::stoull(md.substr(hash + 2))];
  EXPECT_EQ(eu["kind"], "EvidenceDocument");
  EXPECT_EQ(eu["event"]["document_id"], "eu-doc-credit");

  const std::string key = absl::StrCat(
      absl::StripAsciiWhitespace(ReadFile(bundle + "/public_key")));
  const CommandResult v =
      RunCommand({AigovctlPath(), "journal", "verify", bundle, "--key", key});
  EXPECT_EQ(v.exit_code, 0) << v.err;

  const CommandResult html =
      Ctl({"compliance", "annex-iv", "--system", "loans-credit-scoring",
           "--model", "credit-scoring@2.0", "--format", "html"});
  ASSERT_EQ(html.exit_code, 0) << html.err;
  EXPECT_TRUE(absl::StartsWith(html.out, "<!doctype html>"));
  EXPECT_THAT(html.out, HasSubstr("<h2>9. Post-market monitoring</h2>"));
  EXPECT_THAT(html.out, ::testing::Not(HasSubstr("<script")));

  // Bad requests: a version of no system, a format it has not.
  const CommandResult unknown =
      Ctl({"compliance", "annex-iv", "--system", "loans-credit-scoring",
           "--model", "credit-scoring@9"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("NOT_FOUND"));
  EXPECT_THAT(unknown.err,
              HasSubstr("model_version: credit-scoring@9 is not a model "
                        "version of AI system \"loans-credit-scoring\""));
  const CommandResult json =
      Ctl({"compliance", "annex-iv", "--system", "loans-credit-scoring",
           "--model", "credit-scoring@2.0", "--format", "json"});
  // JSON: the dossier in Markdown, its gaps and the report it rests on.
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const Json dossier = Json::parse(json.out);
  EXPECT_EQ(dossier["model"], "credit-scoring@2.0");
  EXPECT_THAT(dossier["markdown"].get<std::string>(), HasSubstr("Annex IV"));
  EXPECT_TRUE(dossier["gaps"].is_array());
  EXPECT_EQ(dossier["report"]["system_id"], "loans-credit-scoring");
  const CommandResult pdf =
      Ctl({"compliance", "annex-iv", "--system", "loans-credit-scoring",
           "--model", "credit-scoring@2.0", "--format", "pdf"});
  EXPECT_EQ(pdf.exit_code, 2);
  EXPECT_THAT(pdf.err, HasSubstr("--format: expected md, json or html"));
  EXPECT_EQ(Ctl({"compliance", "annex-iv", "--system", "loans-credit-scoring",
                 "--model", "credit-scoring"})
                .exit_code,
            2);
}

TEST_F(ReportTest, ThePastIsReadFromTheJournal) {
  // An incident an hour from now; the report at the current instant, read
  // after the clock moved, does not show it and answers from the journal.
  const int64_t before = March2028();
  ASSERT_EQ(d_->AdvanceClock(7200), March2028() + 7200);
  const std::string incident = absl::StrCat(
      "kind: Incident\nincident_id: late-1\nsystem_id: loans-credit-scoring\n"
      "aware_at: ",
      Rfc3339(March2028() + 7000),
      "\ncategory: INCIDENT_CATEGORY_HEALTH\ndeath: true\n");
  const std::string path = dir_.path() + "/incident.yaml";
  std::ofstream(path) << incident;
  ASSERT_EQ(Ctl({"apply", "-f", path}).exit_code, 0);

  const Json now = Json::parse(Report("json"));
  EXPECT_EQ(now["source"], "evaluated");
  bool found = false;
  for (const Json& c : now["cases"]) found = found || c["id"] == "late-1";
  EXPECT_TRUE(found);

  const Json past = Json::parse(Report("json", {"--at", Rfc3339(before)}));
  EXPECT_EQ(past["source"], "journal");
  for (const Json& c : past["cases"]) EXPECT_NE(c["id"], "late-1");
  for (const Json& o : past["obligations"]) {
    if (o["status"] != "FINDING_STATUS_NOT_APPLICABLE" &&
        o["status"] != "FINDING_STATUS_NOT_YET_APPLICABLE") {
      EXPECT_NE(U(o["finding_sequence"]), 0u) << o.dump();
    }
  }
}

TEST_F(ReportTest, TheProofBundleVerifiesAndTamperingIsNamed) {
  const std::string bundle = dir_.path() + "/bundle";
  const CommandResult made = Ctl(
      {"compliance", "report", "--system", "loans-credit-scoring", "--format",
       "json", "--out", dir_.path() + "/r.json", "--bundle", bundle});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  for (const char* f :
       {"checkpoint", "public_key", "entries.jsonl", "report.json"}) {
    EXPECT_TRUE(std::filesystem::exists(bundle + "/" + f)) << f;
  }
  const Json report = Json::parse(ReadFile(bundle + "/report.json"));
  std::vector<std::string> lines = absl::StrSplit(
      ReadFile(bundle + "/entries.jsonl"), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), report["cited_sequences"].size());
  for (size_t i = 0; i < lines.size(); ++i) {
    const Json line = Json::parse(lines[i]);
    EXPECT_EQ(line["index"].get<uint64_t>(), U(report["cited_sequences"][i]));
    EXPECT_TRUE(line["inclusion_proof"].is_array());
    EXPECT_EQ(line["leaf_hash"].get<std::string>().size(), 64u);
  }
  const std::string key = absl::StrCat(
      absl::StripAsciiWhitespace(ReadFile(bundle + "/public_key")));
  CommandResult v =
      RunCommand({AigovctlPath(), "journal", "verify", bundle, "--key", key});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_THAT(v.out, HasSubstr(absl::StrCat("verified: ", lines.size(),
                                            " entries, each proven")));

  auto write_lines = [&](const std::vector<std::string>& ls) {
    std::ofstream out(bundle + "/entries.jsonl", std::ios::trunc);
    for (const std::string& l : ls) out << l << "\n";
  };
  // A flipped byte in a cited entry.
  const size_t victim = lines.size() / 2;
  const Json victim_line = Json::parse(lines[victim]);
  std::vector<std::string> tampered = lines;
  {
    Json l = victim_line;
    std::string b64 = l["entry_b64"];
    b64[4] = b64[4] == 'A' ? 'B' : 'A';
    l["entry_b64"] = b64;
    tampered[victim] = l.dump();
  }
  write_lines(tampered);
  v = RunCommand({AigovctlPath(), "journal", "verify", bundle, "--key", key});
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_THAT(v.err, HasSubstr(absl::StrCat(
                         "entry ", victim_line["index"].get<uint64_t>(), ":")));
  // A wrong node in a proof.
  tampered = lines;
  {
    Json l = victim_line;
    ASSERT_FALSE(l["inclusion_proof"].empty());
    std::string node = l["inclusion_proof"][0];
    node[0] = node[0] == '0' ? '1' : '0';
    l["inclusion_proof"][0] = node;
    tampered[victim] = l.dump();
  }
  write_lines(tampered);
  v = RunCommand({AigovctlPath(), "journal", "verify", bundle, "--key", key});
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_THAT(v.err, HasSubstr("inclusion proof does not lead"));
  // Another daemon's key.
  write_lines(lines);
  DaemonProcess other(dir_.path() + "/other");
  ASSERT_TRUE(other.Start()) << other.log();
  const CommandResult other_key =
      RunCommand({AigovctlPath(), "--target", other.grpc_target(), "journal",
                  "public-key"});
  ASSERT_EQ(other_key.exit_code, 0) << other_key.err;
  EXPECT_EQ(other.Stop(SIGTERM), 0);
  v = RunCommand({AigovctlPath(), "journal", "verify", bundle, "--key",
                  std::string(absl::StripAsciiWhitespace(other_key.out))});
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_THAT(v.err, HasSubstr("checkpoint:"));
}

// The bundle proves what the report says, not only the entries it cites:
// an edited status, deadline or evidence list, or an obligation left out of
// report.json, is refused naming the obligation; the untouched report
// verifies and says how many statuses rest on their finding entries.
TEST_F(ReportTest, TheBundleProvesTheReportsStatements) {
  const std::string bundle = dir_.path() + "/attested";
  const CommandResult made = Ctl(
      {"compliance", "report", "--system", "loans-credit-scoring", "--format",
       "html", "--out", dir_.path() + "/r.html", "--bundle", bundle});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string original = ReadFile(bundle + "/report.json");
  const Json report = Json::parse(original);
  ASSERT_FALSE(report["attestation"].get<std::string>().empty());
  EXPECT_THAT(report["attestation"].get<std::string>(),
              HasSubstr("aigov-report-attestation/v1\nsystem "
                        "loans-credit-scoring\n"));
  const std::string key = absl::StrCat(
      absl::StripAsciiWhitespace(ReadFile(bundle + "/public_key")));
  auto verify = [&](bool with_key) {
    std::vector<std::string> args = {AigovctlPath(), "journal", "verify",
                                     bundle};
    if (with_key) {
      args.push_back("--key");
      args.push_back(key);
    }
    return RunCommand(args);
  };
  CommandResult v = verify(true);
  ASSERT_EQ(v.exit_code, 0) << v.err;
  const size_t obligations = report["obligations"].size();
  EXPECT_THAT(v.out, HasSubstr(absl::StrCat(
                         "report.json: the ", obligations,
                         " obligations of loans-credit-scoring are as "
                         "attested at that checkpoint")));
  EXPECT_THAT(v.out, HasSubstr("signature valid for the --key given"));
  size_t applicable = 0;
  for (const Json& o : report["obligations"]) {
    applicable += U(o["finding_sequence"]) != 0;
  }
  EXPECT_GT(applicable, 10u);
  EXPECT_THAT(v.out, HasSubstr(absl::StrCat(applicable,
                                            " rest on the "
                                            "ComplianceFinding entry")));
  // Without --key: the bundle's own key, which proves nothing about who.
  v = verify(false);
  ASSERT_EQ(v.exit_code, 0) << v.err;
  EXPECT_THAT(v.out, HasSubstr("signed by the bundle's own key"));
  EXPECT_THAT(v.out, HasSubstr("proves nothing about who signed"));
  EXPECT_THAT(v.out, ::testing::Not(HasSubstr("signature valid")));
  v = RunCommand({AigovctlPath(), "journal", "verify", bundle, "--json"});
  ASSERT_EQ(v.exit_code, 0) << v.err;
  const Json vj = Json::parse(v.out);
  EXPECT_EQ(vj["key_source"], "bundle");
  EXPECT_EQ(vj["report"]["obligations"].get<size_t>(), obligations);

  auto refused = [&](Json edited, const std::string& why) {
    std::ofstream(bundle + "/report.json", std::ios::trunc) << edited.dump(1);
    const CommandResult r = verify(true);
    std::ofstream(bundle + "/report.json", std::ios::trunc) << original;
    EXPECT_EQ(r.exit_code, 1) << why << ": " << r.out;
    return r.err;
  };
  // Every violation turned into a satisfied obligation.
  std::string first_violated;
  Json statuses = report;
  for (Json& o : statuses["obligations"]) {
    if (o["status"] != "FINDING_STATUS_VIOLATED") continue;
    if (first_violated.empty()) first_violated = o["obligation_id"];
    o["status"] = "FINDING_STATUS_SATISFIED";
  }
  ASSERT_FALSE(first_violated.empty());
  EXPECT_THAT(refused(statuses, "statuses"),
              HasSubstr(absl::StrCat("obligation ", first_violated,
                                     ": status is SATISFIED in report.json "
                                     "but VIOLATED in the signed "
                                     "attestation")));
  // A deadline moved (or given to an obligation that had none).
  Json deadline = report;
  Json& moved = deadline["obligations"][0];
  moved["deadline"] = "2099-01-01T00:00:00Z";
  EXPECT_THAT(refused(deadline, "deadline"),
              HasSubstr(absl::StrCat("obligation ",
                                     moved["obligation_id"].get<std::string>(),
                                     ": deadline is 2099-01-01T00:00:00Z")));
  // An evidence sequence swapped for another.
  Json evidence = report;
  std::string cited_by;
  for (Json& o : evidence["obligations"]) {
    if (o["evidence_sequences"].empty()) continue;
    cited_by = o["obligation_id"];
    o["evidence_sequences"][0] =
        std::to_string(U(o["evidence_sequences"][0]) + 1);
    break;
  }
  ASSERT_FALSE(cited_by.empty());
  EXPECT_THAT(
      refused(evidence, "evidence"),
      HasSubstr(absl::StrCat("obligation ", cited_by, ": evidence is ")));
  // An obligation left out.
  Json omitted = report;
  const std::string gone = omitted["obligations"][3]["obligation_id"];
  omitted["obligations"].erase(3);
  EXPECT_THAT(refused(omitted, "omitted"),
              HasSubstr(absl::StrCat("obligation ", gone,
                                     " is stated in the signed attestation "
                                     "but missing from report.json")));
  // The attestation removed.
  Json unattested = report;
  unattested.erase("attestation");
  EXPECT_THAT(refused(unattested, "unattested"),
              HasSubstr("report.json carries no attestation"));
  // And the untouched report still verifies.
  EXPECT_EQ(verify(true).exit_code, 0);
}

// The web view: the list links the system, the system's page is its report
// with each cited entry linked, and an entry's page shows its leaf hash as
// the journal holds it and a proof against the signed checkpoint.
TEST_F(ReportTest, TheWebViewLeadsFromTheListToAnEntrysProof) {
  const HttpResponse list = HttpGet(d_->http_port(), "/compliance");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_THAT(list.body,
              HasSubstr("<a href=\"/compliance/systems/loans-credit-scoring\">"
                        "loans-credit-scoring</a>"));
  EXPECT_THAT(list.body, HasSubstr("high-risk"));
  EXPECT_THAT(list.body, ::testing::Not(HasSubstr("<script")));

  const HttpResponse page =
      HttpGet(d_->http_port(), "/compliance/systems/loans-credit-scoring");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_THAT(page.body, HasSubstr("<h2>10. Proof</h2>"));
  EXPECT_THAT(page.body, HasSubstr("&lt;script&gt;alert(&#39;owned&#39;)"));
  EXPECT_THAT(page.body, ::testing::Not(HasSubstr("<script")));
  const std::string link = "<a class=\"seq\" href=\"/journal/entries/";
  const size_t at = page.body.find(link);
  ASSERT_NE(at, std::string::npos);
  const size_t start = at + link.size();
  const std::string sequence =
      page.body.substr(start, page.body.find('"', start) - start);

  const HttpResponse entry =
      HttpGet(d_->http_port(), "/journal/entries/" + sequence);
  ASSERT_EQ(entry.status, 200) << entry.body;
  EXPECT_THAT(entry.body, HasSubstr("<h2>2. Inclusion proof</h2>"));
  const CommandResult proof =
      Ctl({"journal", "proof", "--index", sequence, "--tree-size",
           std::to_string(std::stoull(sequence) + 1), "--json"});
  ASSERT_EQ(proof.exit_code, 0) << proof.err;
  EXPECT_THAT(entry.body,
              HasSubstr(absl::StrCat(
                  "Leaf hash</dt><dd>",
                  Json::parse(proof.out)["leaf_hash"].get<std::string>())));

  EXPECT_EQ(HttpGet(d_->http_port(), "/journal/entries/99999").status, 404);
  EXPECT_EQ(HttpGet(d_->http_port(), "/compliance/systems/nobody").status, 404);
  EXPECT_EQ(HttpGet(d_->http_port(), "/journal/entries/x1").status, 404);
}

// Runs Debian's headless Chromium with a throwaway profile under `dir`.
CommandResult Chromium(const std::string& dir, std::vector<std::string> args) {
  std::vector<std::string> argv = {
      "/usr/bin/chromium",
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-pdf-header-footer",
      absl::StrCat("--user-data-dir=", dir, "/chromium")};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv);
}

// The pages of a PDF as pdftotext reads them.
std::vector<std::string> PdfPages(const std::string& pdf) {
  const CommandResult r = RunCommand({"pdftotext", "-layout", pdf, "-"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> pages = absl::StrSplit(r.out, '\f');
  if (!pages.empty() && absl::StripAsciiWhitespace(pages.back()).empty()) {
    pages.pop_back();
  }
  return pages;
}

// The section headings ("N. Title") that appear in a PDF, in order, with
// the page (from 1) each first appears on.
std::vector<std::pair<std::string, size_t>> PdfSections(
    const std::string& pdf) {
  std::vector<std::pair<std::string, size_t>> out;
  const std::vector<std::string> pages = PdfPages(pdf);
  for (size_t p = 0; p < pages.size(); ++p) {
    for (absl::string_view line : absl::StrSplit(pages[p], '\n')) {
      line = absl::StripAsciiWhitespace(line);
      for (size_t n = 1; n <= std::size(kSectionTitles); ++n) {
        const std::string heading =
            absl::StrCat(n, ". ", kSectionTitles[n - 1]);
        if (line == heading) out.emplace_back(heading, p + 1);
      }
    }
  }
  return out;
}

TEST_F(ReportTest, ChromiumRendersPrintsAndFollowsTheClickPath) {
  const std::string artifacts =
      absl::StrCat(AIGOV_ARTIFACT_DIR, "/browser/report");
  std::filesystem::create_directories(artifacts);
  const std::string html = dir_.path() + "/report.html";
  Report("html", {"--out", html});

  // The report file and the web view's page of the same system, each
  // printed: one page break before every section, the ten in order.
  const std::vector<std::pair<std::string, std::string>> printed = {
      {"file://" + html, artifacts + "/report-file.pdf"},
      {absl::StrCat("http://127.0.0.1:", d_->http_port(),
                    "/compliance/systems/loans-credit-scoring"),
       artifacts + "/report-web.pdf"}};
  for (const auto& [url, pdf] : printed) {
    SCOPED_TRACE(url);
    const CommandResult r =
        Chromium(dir_.path(), {"--print-to-pdf=" + pdf, url});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto sections = PdfSections(pdf);
    ASSERT_EQ(sections.size(), std::size(kSectionTitles))
        << ReadFile(pdf).size();
    for (size_t i = 0; i < sections.size(); ++i) {
      EXPECT_EQ(sections[i].first,
                absl::StrCat(i + 1, ". ", kSectionTitles[i]));
      if (i > 0) {
        EXPECT_GT(sections[i].second, sections[i - 1].second);
      }
    }
    const std::vector<std::string> pages = PdfPages(pdf);
    const std::string text = absl::StrJoin(pages, "\n");
    // The free text with markup is printed as text.
    EXPECT_THAT(text, HasSubstr("<script>alert('owned')</script>"));
    // Table cells break between words, not inside them: the status of a
    // finding is printed whole, and so is a deadline (the summary's).
    EXPECT_THAT(text, HasSubstr("Violated"));
    EXPECT_THAT(text, HasSubstr("Not applicable"));
    EXPECT_THAT(text, HasSubstr("2028-04-02T00:00:00Z"));
  }

  // Screenshots of the report and the list, kept as artefacts.
  for (const auto& [url, png] :
       std::vector<std::pair<std::string, std::string>>{
           {"file://" + html, artifacts + "/report-file.png"},
           {absl::StrCat("http://127.0.0.1:", d_->http_port(), "/compliance"),
            artifacts + "/compliance.png"}}) {
    const CommandResult r = Chromium(
        dir_.path(), {"--screenshot=" + png, "--window-size=1280,2000", url});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // A PNG that is more than a blank page.
    const std::string bytes = ReadFile(png);
    ASSERT_GT(bytes.size(), 8u);
    EXPECT_EQ(bytes.substr(1, 3), "PNG");
    EXPECT_GT(bytes.size(), 10000u) << png;
  }

  // The click path, driven by Playwright in the same Chromium.
  const CommandResult walk = RunCommand(
      {"node", absl::StrCat(AIGOV_SOURCE_DIR, "/tests/browser/click_path.js"),
       absl::StrCat("http://127.0.0.1:", d_->http_port()),
       "loans-credit-scoring", artifacts});
  ASSERT_EQ(walk.exit_code, 0) << walk.err;
  const Json seen = Json::parse(walk.out);
  EXPECT_TRUE(seen["dialogs"].empty()) << seen.dump();
  EXPECT_TRUE(seen["console_errors"].empty()) << seen.dump();
  const Json& steps = seen["steps"];
  ASSERT_EQ(steps.size(), 4u) << seen.dump();
  EXPECT_EQ(steps[0]["status"], 200);
  EXPECT_EQ(steps[0]["h1"], "AI systems and their obligations");
  EXPECT_THAT(steps[1]["url"].get<std::string>(),
              ::testing::EndsWith("/compliance/systems/loans-credit-scoring"));
  std::vector<std::string> expected;
  for (size_t n = 1; n <= std::size(kSectionTitles); ++n) {
    expected.push_back(absl::StrCat(n, ". ", kSectionTitles[n - 1]));
  }
  EXPECT_EQ(steps[1]["sections"].get<std::vector<std::string>>(), expected);
  EXPECT_EQ(steps[1]["scripts"], 0);
  // Readable labels: the list's columns and the report's status cells say
  // "Violated", never the enum's VIOLATED; the count has its plural right.
  const std::string subtitle = steps[0]["subtitle"];
  EXPECT_THAT(subtitle,
              ::testing::ContainsRegex("^(1 registered AI system|[02-9][0-9]* "
                                       "registered AI systems),"));
  const auto columns = steps[0]["columns"].get<std::vector<std::string>>();
  for (const char* label :
       {"Next deadline", "Violated", "At risk", "Pending", "Satisfied",
        "Not yet applicable", "Not applicable"}) {
    EXPECT_THAT(columns, ::testing::Contains(label));
  }
  EXPECT_THAT(columns, ::testing::Not(::testing::Contains("VIOLATED")));
  const auto statuses = steps[1]["statuses"].get<std::vector<std::string>>();
  EXPECT_THAT(statuses, ::testing::Contains("Violated"));
  EXPECT_THAT(statuses, ::testing::Contains("Not applicable"));
  for (const std::string& s : statuses) {
    EXPECT_THAT(s, ::testing::Not(::testing::ContainsRegex("[A-Z]_[A-Z]|"
                                                           "^[A-Z]+$")))
        << s;
  }
  // The download links of the system page, each served and usable: the
  // bundle unpacks and verifies, report and attestation included.
  std::map<std::string, std::string> downloads;
  for (const Json& d : steps[1]["downloads"]) {
    const std::string h = d["href"];
    downloads[h.substr(h.rfind('/') + 1)] = h;
  }
  ASSERT_EQ(downloads.size(), 3u) << steps[1]["downloads"].dump();
  const HttpResponse json_download =
      HttpGet(d_->http_port(), downloads["report.json"]);
  ASSERT_EQ(json_download.status, 200);
  EXPECT_EQ(Json::parse(json_download.body)["system_id"],
            "loans-credit-scoring");
  const HttpResponse md_download =
      HttpGet(d_->http_port(), downloads["report.md"]);
  ASSERT_EQ(md_download.status, 200);
  EXPECT_TRUE(absl::StartsWith(md_download.body, "# Compliance report: "));
  const HttpResponse tar_download =
      HttpGet(d_->http_port(), downloads["bundle.tar"]);
  ASSERT_EQ(tar_download.status, 200);
  const std::string tar = dir_.path() + "/bundle.tar";
  std::ofstream(tar, std::ios::binary) << tar_download.body;
  const CommandResult untar =
      RunCommand({"tar", "-xf", tar, "-C", dir_.path()});
  ASSERT_EQ(untar.exit_code, 0) << untar.err;
  const CommandResult verified =
      RunCommand({AigovctlPath(), "journal", "verify",
                  dir_.path() + "/loans-credit-scoring-bundle"});
  EXPECT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_THAT(verified.out,
              HasSubstr("obligations of loans-credit-scoring are as attested"));
  EXPECT_THAT(steps[1]["oversight_text"].get<std::string>(),
              HasSubstr("<script>alert('owned')</script> & stopped"));
  const std::string href = steps[2]["clicked"]["href"];
  ASSERT_TRUE(absl::StartsWith(href, "/journal/entries/")) << href;
  EXPECT_THAT(steps[2]["url"].get<std::string>(), ::testing::EndsWith(href));
  EXPECT_THAT(steps[2]["sections"].get<std::vector<std::string>>(),
              ::testing::Contains("2. Inclusion proof"));
  const std::string sequence = href.substr(href.rfind('/') + 1);
  const std::vector<std::string> prove = {
      "journal", "proof",       "--index",
      sequence,  "--tree-size", std::to_string(std::stoull(sequence) + 1),
      "--json"};
  CommandResult proof = Ctl(prove);
  if (proof.exit_code != 0 && absl::StrContains(proof.err, "UNAVAILABLE")) {
    // Seen once in a bare bookworm root, right after the browser runs: one
    // connect failed ("No such file or directory") while aigovd served on
    // (it stopped cleanly after). Said, and tried once more; a daemon that
    // is really gone fails the second try and the health check.
    std::cerr << "journal proof failed once: " << proof.err
              << "; aigovd /healthz answers "
              << HttpGet(d_->http_port(), "/healthz").status << "\n";
    proof = Ctl(prove);
  }
  ASSERT_EQ(proof.exit_code, 0) << proof.err << d_->log();
  EXPECT_EQ(steps[2]["leaf_hash"],
            Json::parse(proof.out)["leaf_hash"].get<std::string>());
  EXPECT_THAT(steps[3]["url"].get<std::string>(),
              ::testing::EndsWith("/compliance"));
  for (const char* png :
       {"1-compliance.png", "2-system-report.png", "3-evidence-entry.png"}) {
    EXPECT_TRUE(std::filesystem::exists(artifacts + "/" + png)) << png;
  }
}

}  // namespace
}  // namespace aigov::testing
