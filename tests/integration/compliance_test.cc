// The compliance engine end to end: the real aigovd on a clock the test
// drives, records applied with aigovctl, and the findings it journals read
// back from the journal. Fixture times are relative to the test's clock,
// which starts after every application date of both regimes.
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/integration/daemon_process.h"

namespace aigov::testing {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 24 * kHour;

// 1 March 2028, past every date of both regimes.
int64_t Start() {
  return absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilDay(2028, 3, 1), absl::UTCTimeZone()));
}

std::string Rfc3339(int64_t unix_seconds) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                          absl::FromUnixSeconds(unix_seconds),
                          absl::UTCTimeZone());
}

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
  d.UseControlledClock(Start());
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
      Rfc3339(Start()), "\n");
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
  d.UseControlledClock(Start());
  ASSERT_TRUE(d.Start()) << d.log();
  const std::string records = absl::StrCat(
      kSystem,
      "---\nkind: PersonalDataBreach\nbreach_id: b1\nsystem_id: credit\n"
      "aware_at: ",
      Rfc3339(Start()),
      "\nrisk: BREACH_RISK_RISK\n---\nkind: Incident\nincident_id: i1\n"
      "system_id: credit\naware_at: ",
      Rfc3339(Start()), "\ncategory: INCIDENT_CATEGORY_HEALTH\ndeath: true\n");
  CommandResult r = Ctl(d, {"apply", "-f", Write("records.yaml", records)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string f = Findings(d);
  EXPECT_TRUE(Has(f, "GDPR-12", "PENDING")) << f;
  EXPECT_TRUE(Has(f, "AIA-20", "PENDING")) << f;
  // 72 h from the instant of awareness.
  EXPECT_THAT(f, HasSubstr(absl::StrCat("\"deadline\":\"",
                                        Rfc3339(Start() + 72 * kHour))));

  ASSERT_EQ(d.AdvanceClock(40 * kHour), Start() + 40 * kHour);
  f = Findings(d);
  EXPECT_TRUE(Has(f, "GDPR-12", "AT_RISK")) << f;
  EXPECT_FALSE(Has(f, "GDPR-12", "VIOLATED")) << f;

  ASSERT_EQ(d.AdvanceClock(33 * kHour), Start() + 73 * kHour);
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
  EXPECT_THAT(f, HasSubstr("overdue since " + Rfc3339(Start() + 11 * kDay)));
  ASSERT_EQ(d.Stop(SIGTERM), 0) << d.log();
}

}  // namespace
}  // namespace aigov::testing
