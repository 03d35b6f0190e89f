// The state families over a real journal on disk with the registry, drift
// and compliance views and their derivers, on a fake clock: what a scrape
// shows of a deployed, drifting, breaching system, the feature cap and
// what it cuts, and that a retired version's series are gone.
#include "daemon/scrape/state_collector.h"

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

#include "daemon/common/clock.h"
#include "daemon/journal/rocksdb_journal.h"
#include "daemon/registry/registry_projection.h"
#include "daemon/rules/catalog.h"

namespace aigov::scrape {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

absl::Time Start() {
  return absl::FromCivil(absl::CivilDay(2028, 3, 1), absl::UTCTimeZone());
}

// The lines of `text` that start with `prefix`.
std::vector<std::string> Lines(const std::string& text,
                               absl::string_view prefix) {
  std::vector<std::string> out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StartsWith(line, prefix)) out.emplace_back(line);
  }
  return out;
}

class StateCollectorTest : public ::testing::Test {
 protected:
  StateCollectorTest()
      : dir_(std::filesystem::path(::testing::TempDir()) /
             ("state_collector_test_" + std::to_string(::getpid()))),
        clock_(Start()),
        catalog_(rules::EmbeddedCatalog().value()),
        compliance_(catalog_, *catalog_.FindRegime("eu-ai-act-omnibus-2026"),
                    rules::Settings()) {
    std::filesystem::remove_all(dir_);
    journal::JournalOptions options;
    options.path = dir_.string();
    options.projections = {&registry_, &drift_, &compliance_};
    options.derivers = {&drift_, &compliance_};
    auto j = journal::RocksDbJournal::Open(options, clock_);
    EXPECT_TRUE(j.ok()) << j.status();
    journal_ = std::move(*j);
  }
  ~StateCollectorTest() override {
    journal_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Appends one entry (text format), or a tick when empty.
  void Append(const std::string& text) {
    std::vector<journal::PendingEvent> group(1);
    journal::PendingEvent& e = group[0];
    if (text.empty()) {
      e.tick = true;
    } else {
      ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &e.entry))
          << text;
      e.entry.set_event_id("e" + std::to_string(++events_));
      e.entry.set_principal("test");
    }
    std::vector<journal::AppendOutcome> out;
    ASSERT_TRUE(journal_->AppendGroup(std::move(group), &out).ok());
    for (const auto& o : out) ASSERT_TRUE(o.status.ok()) << o.status << text;
  }

  std::string Scrape(uint32_t cap, uint64_t* dropped = nullptr) {
    StateCollector collector(compliance_, drift_, {cap});
    std::string out = "# before\n";
    auto n = collector.Collect(&out);
    EXPECT_TRUE(n.ok()) << n.status();
    if (dropped != nullptr) *dropped = n.ok() ? *n : 0;
    EXPECT_TRUE(absl::StartsWith(out, "# before\n"));
    return out;
  }

  // A high-risk pilot system with version m@1 deployed in prod and test,
  // monitored on five numeric features f0..f4 (f4 critical); two windows
  // in which f0 and f1 move wholly to the top bin, f2 partly, and f3, f4
  // stay; then the ticks that close and evaluate both windows.
  void DriftingDeployment() {
    Append(
        "ai_system { system_id: 'credit' roles: ROLE_PROVIDER roles: "
        "ROLE_DEPLOYER risk { annex_iii_point: '5(b)' eu_market: true } "
        "lifecycle_stage: LIFECYCLE_STAGE_PILOT technology_readiness_level: "
        "6 }");
    Append(
        "model_version { model_id: 'm' version: '1' system_id: 'credit' "
        "artifact_sha256: 'ab' declared_metrics { name: 'auc' value: 0.8 "
        "threshold: 0.7 direction: METRIC_DIRECTION_HIGHER_IS_BETTER } }");
    for (const char* env : {"PROD", "TEST"}) {
      Append(absl::StrCat("deployment { deployment_id: '", env,
                          "' model_version { model_id: 'm' version: '1' } "
                          "environment: ENVIRONMENT_",
                          env, " state: DEPLOYMENT_STATE_ENABLED }"));
    }
    std::string profile =
        "reference_profile { model_id: 'm' version: '1' window { seconds: "
        "3600 } ";
    for (int f = 0; f < 5; ++f) {
      absl::StrAppend(&profile, "features { name: 'f", f,
                      "' numeric { edges: [1, 2, 3] counts: [250, 250, 250, "
                      "250] std: 1 } ",
                      f == 4 ? "critical: true " : "", "} ");
    }
    Append(profile + "}");
    for (int w = 0; w < 2; ++w) {
      std::string window = absl::StrCat(
          "window_profile { model_id: 'm' version: '1' window_start { "
          "seconds: ",
          absl::ToUnixSeconds(Start()) + w * 3600, " } ");
      const char* counts[] = {"[0, 0, 0, 1000]", "[0, 0, 0, 1000]",
                              "[200, 200, 200, 400]", "[250, 250, 250, 250]",
                              "[250, 250, 250, 250]"};
      for (int f = 0; f < 5; ++f) {
        absl::StrAppend(&window, "features { name: 'f", f,
                        "' counts: ", counts[f], " } ");
      }
      Append(window + "}");
      Append(absl::StrCat(
          "performance_sample { model_id: 'm' version: '1' window_start { "
          "seconds: ",
          absl::ToUnixSeconds(Start()) + w * 3600,
          " } metric: 'auc' value: 0.5 n: 1000 }"));
    }
    clock_.Set(Start() + absl::Hours(3));
    Append("");
  }

  std::filesystem::path dir_;
  common::FakeClock clock_;
  const rules::Catalog catalog_;
  registry::RegistryProjection registry_;
  drift::DriftView drift_{registry_, drift::DriftOptions()};
  compliance::ComplianceView compliance_;
  std::unique_ptr<journal::RocksDbJournal> journal_;
  int events_ = 0;
};

TEST_F(StateCollectorTest, ADeployedDriftingVersionAndItsSystem) {
  DriftingDeployment();
  Append(
      "oversight_action { action_id: 'o1' system_id: 'credit' action: "
      "OVERSIGHT_ACTION_TYPE_OVERRIDE occurred_at { seconds: 1835481600 } }");
  Append(
      "incident { incident_id: 'i1' system_id: 'credit' category: "
      "INCIDENT_CATEGORY_FUNDAMENTAL_RIGHTS aware_at { seconds: 1835481600 } "
      "}");
  uint64_t dropped = 1;
  const std::string text = Scrape(20, &dropped);
  EXPECT_EQ(dropped, 0u);

  EXPECT_THAT(text, HasSubstr("aigov_ai_system_info{system=\"credit\","
                              "risk_class=\"high-risk\",lifecycle_stage="
                              "\"pilot\"} 1\n"));
  EXPECT_THAT(text,
              HasSubstr(absl::StrCat(
                  "aigov_ai_system_lifecycle_stage_entered_timestamp_seconds{"
                  "system=\"credit\",lifecycle_stage=\"pilot\"} ",
                  absl::ToUnixSeconds(Start()), "\n")));
  EXPECT_THAT(text, HasSubstr("aigov_ai_system_technology_readiness_level{"
                              "system=\"credit\"} 6\n"));
  EXPECT_EQ(Lines(text, "aigov_model_version_info{"),
            (std::vector<std::string>{
                "aigov_model_version_info{system=\"credit\",model=\"m\","
                "version=\"1\",environment=\"prod\"} 1",
                "aigov_model_version_info{system=\"credit\",model=\"m\","
                "version=\"1\",environment=\"test\"} 1"}));
  const std::string v = "{system=\"credit\",model=\"m\",version=\"1\"";
  EXPECT_THAT(text, HasSubstr("aigov_feature_drift_state" + v +
                              ",feature=\"f0\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("aigov_feature_drift_state" + v +
                              ",feature=\"f3\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("aigov_feature_window_samples" + v +
                              ",feature=\"f0\"} 1000\n"));
  EXPECT_THAT(text, HasSubstr("aigov_dataset_drift_state" + v + "} 2\n"));
  EXPECT_THAT(text, HasSubstr(absl::StrCat(
                        "aigov_drift_last_evaluation_timestamp_seconds", v,
                        "} ", absl::ToUnixSeconds(Start()) + 7200, "\n")));
  EXPECT_EQ(
      Lines(text, "aigov_feature_drift_score" + v + ",feature=\"f0\"").size(),
      5u);  // numeric: psi, js_distance, hellinger, wasserstein, ks
  EXPECT_THAT(text, HasSubstr("aigov_feature_drift_score" + v +
                              ",feature=\"f3\",method=\"psi\"} 0\n"));
  const std::string auc = v + ",metric=\"auc\",slice=\"\"";
  EXPECT_THAT(text, HasSubstr("aigov_model_performance" + auc + "} 0.5\n"));
  EXPECT_THAT(text, HasSubstr("aigov_model_performance_threshold" + auc +
                              ",direction=\"higher_is_better\"} 0.7\n"));
  EXPECT_THAT(text,
              HasSubstr("aigov_model_performance_breach" + auc + "} 1\n"));
  EXPECT_THAT(text, HasSubstr("aigov_oversight_actions_total{system="
                              "\"credit\",action=\"override\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("aigov_oversight_actions_total{system="
                              "\"credit\",action=\"approve\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("aigov_incidents_open{system=\"credit\","
                              "category=\"fundamental_rights\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("aigov_incidents_open{system=\"credit\","
                              "category=\"health\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("aigov_personal_data_breaches_open{system="
                              "\"credit\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("aigov_data_subject_requests_open{system="
                              "\"credit\",type=\"erasure\"} 0\n"));
  // AIA-06 (Art. 11 technical documentation) has no document.
  EXPECT_THAT(text,
              HasSubstr("aigov_obligation_status{system=\"credit\","
                        "obligation=\"AIA-06\",article=\"Art. 11, Annex IV\"} "
                        "4\n"));
  // Every finding counted once, by status.
  const auto status_lines = Lines(text, "aigov_obligation_status{");
  double counted = 0;
  for (const std::string& line : Lines(text, "aigov_findings{")) {
    counted += std::stod(line.substr(line.rfind(' ') + 1));
  }
  EXPECT_EQ(counted, static_cast<double>(status_lines.size()));
  EXPECT_GT(status_lines.size(), 5u);

  // Every family has HELP and TYPE, once.
  for (absl::string_view family :
       {"aigov_ai_system_info", "aigov_model_version_info",
        "aigov_feature_drift_score",
        "aigov_obligation_deadline_timestamp_"
        "seconds",
        "aigov_findings"}) {
    EXPECT_EQ(Lines(text, absl::StrCat("# HELP ", family, " ")).size(), 1u)
        << family;
    EXPECT_EQ(Lines(text, absl::StrCat("# TYPE ", family, " ")).size(), 1u)
        << family;
  }
  // Two scrapes of the same state are the same bytes.
  EXPECT_EQ(Scrape(20), text);
}

TEST_F(StateCollectorTest, TheCapKeepsTheMostTellingFeaturesAndCountsTheRest) {
  DriftingDeployment();
  uint64_t dropped = 0;
  const std::string text = Scrape(3, &dropped);
  const std::string v = "{system=\"credit\",model=\"m\",version=\"1\"";
  // f4 (critical), then f0 and f1 (ALERT); f2 (WARN or OK) and f3 (OK) cut.
  std::vector<std::string> kept;
  for (const std::string& line : Lines(text, "aigov_feature_drift_state{")) {
    kept.push_back(line.substr(line.find("feature=")));
  }
  EXPECT_EQ(kept,
            (std::vector<std::string>{"feature=\"f0\"} 2", "feature=\"f1\"} 2",
                                      "feature=\"f4\"} 0"}));
  EXPECT_THAT(text, Not(HasSubstr("feature=\"f2\"")));
  EXPECT_THAT(text, Not(HasSubstr("feature=\"f3\"")));
  // Each cut feature had its scores, a state and a window count.
  const size_t per_feature =
      Lines(text, "aigov_feature_drift_score" + v + ",feature=\"f4\"").size() +
      2;
  EXPECT_EQ(dropped, 2 * per_feature);

  EXPECT_TRUE(Lines(Scrape(0), "aigov_feature_drift_state{").empty());
}

TEST_F(StateCollectorTest, ARetiredVersionLeavesTheNextScrape) {
  DriftingDeployment();
  ASSERT_FALSE(Lines(Scrape(20), "aigov_feature_drift_score{").empty());
  for (const char* env : {"PROD", "TEST"}) {
    Append(absl::StrCat("deployment { deployment_id: '", env,
                        "' model_version { model_id: 'm' version: '1' } "
                        "environment: ENVIRONMENT_",
                        env, " state: DEPLOYMENT_STATE_DISABLED }"));
  }
  const std::string text = Scrape(20);
  for (absl::string_view family :
       {"aigov_model_version_info{", "aigov_feature_drift_score{",
        "aigov_feature_drift_state{", "aigov_feature_window_samples{",
        "aigov_dataset_drift_state{", "aigov_model_performance{",
        "aigov_model_performance_breach{",
        "aigov_drift_last_evaluation_timestamp_seconds{"}) {
    EXPECT_TRUE(Lines(text, family).empty()) << family;
  }
  // The system and its findings stay.
  EXPECT_FALSE(Lines(text, "aigov_ai_system_info{").empty());
  EXPECT_FALSE(Lines(text, "aigov_obligation_status{").empty());
}

}  // namespace
}  // namespace aigov::scrape
