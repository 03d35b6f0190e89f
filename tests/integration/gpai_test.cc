// A general-purpose model behind a writing assistant that generates
// synthetic content (tests/testdata/gpai), end to end on the real aigovd on
// a clock the test drives: Art. 50(2) marking evidence and the AIA-26
// finding it decides, through aigovctl apply and the compliance report.
#include <fstream>
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

}  // namespace
}  // namespace aigov::testing
