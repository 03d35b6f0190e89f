// The compliance engine end to end: the real aigovd on a clock the test
// drives, records applied with aigovctl, and the findings it journals read
// back from the journal. Fixture times are relative to the test's clock,
// which starts after every application date of both regimes.
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

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

constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 24 * kHour;

constexpr char kSystem[] = R"yaml(kind: AiSystem
system_id: credit
intended_purpose: score consumer-loan applicants
roles: [ROLE_PROVIDER, ROLE_DEPLOYER]
risk: {annex_iii_point: "5(b)", performs_profiling: true, decides_about_persons: true, eu_market: true}
gdpr: {personal_data: true, lawful_basis: LAWFUL_BASIS_CONTRACT, retention_days: 365}
people: [{id: officer@bank.example, role: overseer}]
---
kind: ModelVersion
model_id: scorer
version: "1"
system_id: credit
artifact_sha256: 1111111111111111111111111111111111111111111111111111111111111111
---
kind: Deployment
deployment_id: prod
model_version: {model_id: scorer, version: "1"}
environment: ENVIRONMENT_PROD
state: DEPLOYMENT_STATE_ENABLED
)yaml";

class ComplianceTest : public ::testing::Test {
 protected:
  CommandResult Ctl(const DaemonProcess& d, std::vector<std::string> args) {
    args.insert(args.begin(), {AigovctlPath(), "--target", d.grpc_target()});
    return RunCommand(args);
  }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_.path() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  // The ComplianceFinding entries journalled so far, one JSON line each.
  std::string Findings(const DaemonProcess& d) {
    const CommandResult r =
        Ctl(d, {"journal", "list", "--kind", "ComplianceFinding", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
  // `aigovctl compliance status --json` of credit (at `at` when set),
  // parsed; null when it failed.
  nlohmann::json Status(const DaemonProcess& d, const std::string& at = "") {
    std::vector<std::string> args = {"compliance", "status", "--system",
                                     "credit", "--json"};
    if (!at.empty()) args.insert(args.end(), {"--at", at});
    const CommandResult r = Ctl(d, args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (r.exit_code != 0) return nullptr;
    return nlohmann::json::parse(r.out);
  }
  // The obligation `id` of a status, or null.
  static nlohmann::json Obligation(const nlohmann::json& status,
                                   const std::string& id) {
    if (!status.is_object()) return nullptr;
    for (const nlohmann::json& o : status["obligations"]) {
      if (o["id"] == id) return o;
    }
    return nullptr;
  }
  // True when a line of `findings` is about `id` with `status`.
  static bool Has(const std::string& findings, const std::string& id,
                  const std::string& status) {
    size_t start = 0;
    while (start < findings.size()) {
      size_t end = findings.find('\n', start);
      if (end == std::string::npos) end = findings.size();
      const std::string line = findings.substr(start, end - start);
      if (line.find(absl::StrCat("\"obligation_id\":\"", id, "\"")) !=
              std::string::npos &&
          line.find(absl::StrCat("\"status\":\"FINDING_STATUS_", status,
                                 "\"")) != std::string::npos) {
        return true;
      }
      start = end + 1;
    }
    return false;
  }

  TempDir dir_;
};

// A credit-scoring system deployed without DPIA and FRIA: both are
// violations; once the documents (and the FRIA's notification) arrive, both
// are satisfied, and the journal holds both changes.
TEST_F(ComplianceTest, DeployedWithoutDpiaAndFriaThenDocumented) {
  DaemonProcess d(dir_.path() + "/data");
  d.UseControlledClock(March2028());
  ASSERT_TRUE(d.Start()) << d.log();
  CommandResult r = Ctl(d, {"apply", "-f", Write("system.yaml", kSystem)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string f = Findings(d);
  EXPECT_TRUE(Has(f, "GDPR-14", "VIOLATED")) << f;
  EXPECT_TRUE(Has(f, "AIA-24", "VIOLATED")) << f;
  EXPECT_THAT(f, HasSubstr("DPIA not recorded; due before the system's first "
                           "enabled production deployment"));
  EXPECT_THAT(f, HasSubstr("\"principal\":\"aigovd\""));
  EXPECT_THAT(f, HasSubstr("high-risk: Annex III 5(b)"));
  EXPECT_FALSE(Has(f, "GDPR-14", "SATISFIED"));

  const std::string docs = absl::StrCat(
      "kind: EvidenceDocument\ndocument_id: dpia\ntype: DOCUMENT_TYPE_DPIA\n"
      "system_id: credit\ncontent_sha256: ",
      std::string(64, 'a'),
      "\n---\nkind: EvidenceDocument\ndocument_id: fria\ntype: "
      "DOCUMENT_TYPE_FRIA\nsystem_id: credit\ncontent_sha256: ",
      std::string(64, 'b'),
      "\n---\nkind: Notification\nnotification_id: fria-msa\nrecipient: "
      "NOTIFICATION_RECIPIENT_MARKET_SURVEILLANCE_AUTHORITY\nsystem_id: "
      "credit\nsent_at: ",
      Rfc3339(March2028()), "\n");
  r = Ctl(d, {"apply", "-f", Write("docs.yaml", docs)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  f = Findings(d);
  EXPECT_TRUE(Has(f, "GDPR-14", "SATISFIED")) << f;
  EXPECT_TRUE(Has(f, "AIA-24", "SATISFIED")) << f;
  EXPECT_TRUE(Has(f, "GDPR-14", "VIOLATED")) << f;  // the history stays
  EXPECT_THAT(f, HasSubstr("\"previous_status\":\"FINDING_STATUS_VIOLATED\""));
  ASSERT_EQ(d.Stop(SIGTERM), 0) << d.log();
}

// A personal-data breach starts GDPR Art. 33's 72 h: at risk past half of
// it, violated past it, with no entry in between (the sweep on the clock).
// An incident with a death: Art. 73's ten days.
TEST_F(ComplianceTest, StatutoryClocksRunOnTheDaemonsClock) {
  DaemonProcess d(dir_.path() + "/data");
  d.UseControlledClock(March2028());
  ASSERT_TRUE(d.Start()) << d.log();
  const std::string records = absl::StrCat(
      kSystem,
      "---\nkind: PersonalDataBreach\nbreach_id: b1\nsystem_id: credit\n"
      "aware_at: ",
      Rfc3339(March2028()),
      "\nrisk: BREACH_RISK_RISK\n---\nkind: Incident\nincident_id: i1\n"
      "system_id: credit\naware_at: ",
      Rfc3339(March2028()),
      "\ncategory: INCIDENT_CATEGORY_HEALTH\ndeath: true\n");
  CommandResult r = Ctl(d, {"apply", "-f", Write("records.yaml", records)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string f = Findings(d);
  EXPECT_TRUE(Has(f, "GDPR-12", "PENDING")) << f;
  EXPECT_TRUE(Has(f, "AIA-20", "PENDING")) << f;
  // 72 h from the instant of awareness.
  EXPECT_THAT(f, HasSubstr(absl::StrCat("\"deadline\":\"",
                                        Rfc3339(March2028() + 72 * kHour))));
  // "What will be late in 80 hours if nothing happens": today's record
  // projected, nothing journalled.
  nlohmann::json st = Status(d, Rfc3339(March2028() + 80 * kHour));
  EXPECT_EQ(st["source"], "evaluated");
  EXPECT_EQ(st["risk_class"], "high-risk");
  EXPECT_EQ(Obligation(st, "GDPR-12")["status"], "VIOLATED") << st;
  EXPECT_EQ(Obligation(st, "GDPR-12")["deadline"],
            Rfc3339(March2028() + 72 * kHour));
  EXPECT_FALSE(Has(Findings(d), "GDPR-12", "VIOLATED"));

  ASSERT_EQ(d.AdvanceClock(40 * kHour), March2028() + 40 * kHour);
  f = Findings(d);
  EXPECT_TRUE(Has(f, "GDPR-12", "AT_RISK")) << f;
  EXPECT_FALSE(Has(f, "GDPR-12", "VIOLATED")) << f;

  ASSERT_EQ(d.AdvanceClock(33 * kHour), March2028() + 73 * kHour);
  f = Findings(d);
  EXPECT_TRUE(Has(f, "GDPR-12", "VIOLATED")) << f;
  EXPECT_FALSE(Has(f, "AIA-20", "VIOLATED")) << f;

  // Day 6: past half of the ten days.
  ASSERT_GT(d.AdvanceClock(3 * kDay), 0);
  f = Findings(d);
  EXPECT_TRUE(Has(f, "AIA-20", "AT_RISK")) << f;
  EXPECT_FALSE(Has(f, "AIA-20", "VIOLATED")) << f;
  // Ten days from day 0 end with day 10.
  ASSERT_GT(d.AdvanceClock(5 * kDay + kHour), 0);
  f = Findings(d);
  EXPECT_TRUE(Has(f, "AIA-20", "VIOLATED")) << f;
  EXPECT_THAT(f,
              HasSubstr("overdue since " + Rfc3339(March2028() + 11 * kDay)));
  ASSERT_EQ(d.Stop(SIGTERM), 0) << d.log();

  // After a restart, a past instant is answered from the findings
  // journalled by then, each citing its entry.
  DaemonProcess again(dir_.path() + "/data");
  again.UseControlledClock(March2028() + 12 * kDay);
  ASSERT_TRUE(again.Start()) << again.log();
  st = Status(again, Rfc3339(March2028() + 41 * kHour));
  EXPECT_EQ(st["source"], "journal") << st;
  EXPECT_EQ(st["at"], Rfc3339(March2028() + 41 * kHour));
  EXPECT_EQ(st["risk_class"], "high-risk");
  nlohmann::json breach = Obligation(st, "GDPR-12");
  EXPECT_EQ(breach["status"], "AT_RISK") << breach;
  EXPECT_EQ(breach["deadline"], Rfc3339(March2028() + 72 * kHour));
  ASSERT_TRUE(breach["finding_sequence"].is_number()) << breach;
  const CommandResult entry =
      Ctl(again, {"journal", "get",
                  std::to_string(breach["finding_sequence"].get<uint64_t>()),
                  "--json"});
  ASSERT_EQ(entry.exit_code, 0) << entry.err;
  EXPECT_THAT(entry.out, HasSubstr("FINDING_STATUS_AT_RISK"));
  EXPECT_EQ(Obligation(st, "AIA-20")["status"], "PENDING");
  // Before the records: nothing applied yet.
  st = Status(again, Rfc3339(March2028() - kDay));
  EXPECT_EQ(Obligation(st, "GDPR-12")["status"], "NOT_APPLICABLE") << st;
  EXPECT_TRUE(Obligation(st, "GDPR-12")["finding_sequence"].is_null());
  // Now: evaluated from the record, as journalled.
  st = Status(again);
  EXPECT_EQ(st["source"], "evaluated");
  EXPECT_EQ(Obligation(st, "GDPR-12")["status"], "VIOLATED");
  EXPECT_EQ(Obligation(st, "AIA-20")["status"], "VIOLATED");
  // The findings in force, filtered.
  CommandResult r2 =
      Ctl(again, {"compliance", "findings", "--status", "violated", "--json"});
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  const nlohmann::json violated = nlohmann::json::parse(r2.out);
  std::vector<std::string> ids;
  for (const nlohmann::json& v : violated) {
    EXPECT_EQ(v["status"], "VIOLATED");
    ids.push_back(v["obligation_id"]);
  }
  EXPECT_THAT(ids, ::testing::IsSupersetOf({"AIA-20", "GDPR-12"}));
  r2 = Ctl(again,
           {"compliance", "findings", "--obligation", "GDPR-12", "--json"});
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_EQ(nlohmann::json::parse(r2.out).size(), 1u);
  r2 = Ctl(again, {"compliance", "findings", "--status", "late"});
  EXPECT_EQ(r2.exit_code, 2);
  EXPECT_THAT(r2.err, HasSubstr("--status: expected SATISFIED"));
  r2 = Ctl(again, {"compliance", "status", "--system", "nobody"});
  EXPECT_EQ(r2.exit_code, 1);
  EXPECT_THAT(r2.err, HasSubstr("NOT_FOUND: system_id"));
  ASSERT_EQ(again.Stop(SIGTERM), 0) << again.log();
}

// A retrained model version deployed without updated Annex IV coverage is
// a gap (AIA-06), naming the version and the missing documents.
TEST_F(ComplianceTest, RetrainedVersionWithoutAnnexIvCoverageIsAGap) {
  DaemonProcess d(dir_.path() + "/data");
  d.UseControlledClock(March2028());
  ASSERT_TRUE(d.Start()) << d.log();
  std::string docs;
  for (const char* type :
       {"ANNEX_IV_1", "ANNEX_IV_2", "ANNEX_IV_3", "ANNEX_IV_4", "ANNEX_IV_5",
        "ANNEX_IV_6", "ANNEX_IV_7", "ANNEX_IV_8", "ANNEX_IV_9",
        "INSTRUCTIONS_FOR_USE", "CONFORMITY_ASSESSMENT"}) {
    absl::StrAppend(
        &docs, "---\nkind: EvidenceDocument\ndocument_id: ", type,
        "\ntype: DOCUMENT_TYPE_", type,
        "\nsystem_id: credit\ncontent_sha256: ", std::string(64, 'c'),
        "\ncovers_model_versions: [{model_id: scorer, version: "
        "\"1\"}]\n");
  }
  CommandResult r = Ctl(d, {"apply", "-f", Write("system.yaml", kSystem), "-f",
                            Write("docs.yaml", docs)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json st = Status(d);
  EXPECT_EQ(Obligation(st, "AIA-06")["status"], "SATISFIED") << st;
  EXPECT_FALSE(Obligation(st, "AIA-06")["evidence_sequences"].empty());

  ASSERT_GT(d.AdvanceClock(kDay), 0);
  const std::string retrained = absl::StrCat(
      "kind: ModelVersion\nmodel_id: scorer\nversion: \"2\"\nsystem_id: "
      "credit\nparent_version: \"1\"\nchange_class: CHANGE_CLASS_RETRAIN\n"
      "artifact_sha256: ",
      std::string(64, '2'),
      "\n---\nkind: Deployment\ndeployment_id: prod\nmodel_version: "
      "{model_id: scorer, version: \"2\"}\nenvironment: ENVIRONMENT_PROD\n"
      "state: DEPLOYMENT_STATE_ENABLED\n");
  r = Ctl(d, {"apply", "-f", Write("retrained.yaml", retrained)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Ctl(d, {"compliance", "findings", "--system", "credit", "--obligation",
              "AIA-06", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json found = nlohmann::json::parse(r.out);
  ASSERT_EQ(found.size(), 1u) << found;
  EXPECT_EQ(found[0]["status"], "VIOLATED");
  EXPECT_EQ(found[0]["previous_status"], "SATISFIED");
  EXPECT_THAT(found[0]["reason"].get<std::string>(),
              HasSubstr("scorer@2: ANNEX_IV_1"));
  // The text table names it too.
  r = Ctl(d, {"compliance", "status", "--system", "credit"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("credit  high-risk"));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("AIA-06 +Art. 11, Annex IV +"
                                              "VIOLATED"));
  ASSERT_EQ(d.Stop(SIGTERM), 0) << d.log();
}

// The same system under the two regimes on 15 January 2027: the omnibus
// moved the Annex III date to 2 December 2027, so its high-risk obligations
// are not yet applicable there and apply under the original dates.
TEST_F(ComplianceTest, TheTwoRegimesGiveDifferentNotYetApplicableSets) {
  const int64_t day = absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilDay(2027, 1, 15), absl::UTCTimeZone()));
  std::map<std::string, std::set<std::string>> not_yet;
  for (const std::string regime :
       {"eu-ai-act-2024", "eu-ai-act-omnibus-2026"}) {
    const std::string config =
        Write(regime + ".yaml",
              absl::StrCat("compliance:\n  regime: ", regime, "\n"));
    DaemonProcess d(dir_.path() + "/" + regime, {"--config=" + config});
    d.UseControlledClock(day);
    ASSERT_TRUE(d.Start()) << d.log();
    CommandResult r = Ctl(d, {"apply", "-f", Write("system.yaml", kSystem)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const nlohmann::json st = Status(d);
    EXPECT_EQ(st["regime"], regime);
    for (const nlohmann::json& o : st["obligations"]) {
      if (o["status"] == "NOT_YET_APPLICABLE") not_yet[regime].insert(o["id"]);
    }
    r = Ctl(d, {"compliance", "obligations", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const nlohmann::json catalog = nlohmann::json::parse(r.out);
    EXPECT_EQ(catalog["regime"], regime);
    EXPECT_EQ(catalog["obligations"].size(), 47u);
    for (const nlohmann::json& o : catalog["obligations"]) {
      if (o["id"] == "AIA-06") {
        EXPECT_EQ(o["applies_from"],
                  regime == "eu-ai-act-2024" ? "2026-08-02" : "2027-12-02");
      }
    }
    ASSERT_EQ(d.Stop(SIGTERM), 0) << d.log();
  }
  EXPECT_NE(not_yet["eu-ai-act-2024"], not_yet["eu-ai-act-omnibus-2026"]);
  EXPECT_EQ(not_yet["eu-ai-act-omnibus-2026"].count("AIA-06"), 1u);
  EXPECT_EQ(not_yet["eu-ai-act-omnibus-2026"].count("AIA-24"), 1u);
  EXPECT_EQ(not_yet["eu-ai-act-2024"].count("AIA-06"), 0u);
}

}  // namespace
}  // namespace aigov::testing
