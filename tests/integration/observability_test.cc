// What the on-call engineer and the compliance officer see: the metrics,
// the Grafana dashboards, the alert rules and the Alertmanager routing,
// checked with Debian's promtool, amtool and yamllint and, end to end, with
// a real Prometheus server scraping a real aigovd that holds drift, a
// performance breach, a violation, an incident and a breach (issue 14).
//
// The daemon runs on a controlled clock set hours behind the wall clock, so
// that what Prometheus (on the wall clock) sees is stale where the alerts
// look for staleness; everything else is relative to the test's start.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "yaml-cpp/yaml.h"

#include "daemon/monitoring/drift_state.h"
#include "nlohmann/json.hpp"
#include "tests/integration/daemon_process.h"

namespace aigov::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Source(const std::string& relative) {
  return std::string(AIGOV_SOURCE_DIR) + "/" + relative;
}

const char* const kDashboards[] = {"aigov-oncall", "aigov-compliance",
                                   "aigov-health"};

nlohmann::json Dashboard(const std::string& name) {
  return nlohmann::json::parse(
      ReadFile(Source("dashboards/grafana/" + name + ".json")));
}

// Every PromQL expression of a dashboard: its panels' targets and its query
// variables (label_values(SELECTOR, LABEL) gives SELECTOR).
struct Expr {
  std::string where;
  std::string expr;
  std::string label;  // for a variable: the label its values come from
};
std::vector<Expr> ExprsOf(const std::string& name) {
  const nlohmann::json d = Dashboard(name);
  std::vector<Expr> out;
  for (const auto& p : d["panels"]) {
    for (const auto& t : p["targets"]) {
      out.push_back(
          {absl::StrCat(name, " panel \"", p["title"].get<std::string>(), "\" ",
                        t["refId"].get<std::string>()),
           t["expr"].get<std::string>(), ""});
    }
  }
  static const std::regex kLabelValues(R"(^label_values\((.*),\s*(\w+)\)$)");
  for (const auto& v : d["templating"]["list"]) {
    if (v["type"] != "query") continue;
    const std::string q = v["query"]["query"].get<std::string>();
    std::smatch m;
    EXPECT_TRUE(std::regex_match(q, m, kLabelValues)) << name << ": " << q;
    if (m.empty()) continue;
    out.push_back(
        {absl::StrCat(name, " variable ", v["name"].get<std::string>()),
         m[1].str(), m[2].str()});
  }
  return out;
}

struct Rule {
  std::string name;  // alert or record
  bool alert = false;
  std::string expr;
  YAML::Node node;
};
std::vector<Rule> Rules() {
  std::vector<Rule> out;
  const YAML::Node file =
      YAML::LoadFile(Source("deploy/prometheus/rules/aigov.rules.yml"));
  for (const auto& group : file["groups"]) {
    for (const YAML::Node& r : group["rules"]) {
      Rule rule;
      rule.alert = static_cast<bool>(r["alert"]);
      rule.name = (rule.alert ? r["alert"] : r["record"]).as<std::string>();
      rule.expr = r["expr"].as<std::string>();
      rule.node = r;
      out.push_back(rule);
    }
  }
  return out;
}

// The metric names an expression reads (aigov_* only; up is Prometheus's),
// histogram series folded to their family.
std::set<std::string> MetricsOf(const std::string& expr) {
  std::set<std::string> out;
  static const std::regex kName(R"(\baigov_[a-z0-9_]+\b)");
  for (auto it = std::sregex_iterator(expr.begin(), expr.end(), kName);
       it != std::sregex_iterator(); ++it) {
    std::string n = it->str();
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      if (absl::EndsWith(n, suffix)) n.resize(n.size() - strlen(suffix));
    }
    out.insert(n);
  }
  return out;
}

TEST(PrometheusConfigTest,
     PromtoolAndAmtoolAcceptTheConfigAndEveryRuleIsTested) {
  CommandResult r = RunCommand({"promtool", "check", "config",
                                Source("deploy/prometheus/prometheus.yml")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = RunCommand({"promtool", "check", "rules",
                  Source("deploy/prometheus/rules/aigov.rules.yml")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = RunCommand({"promtool", "test", "rules",
                  Source("deploy/prometheus/tests/aigov.test.yml")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = RunCommand(
      {"amtool", "check-config", Source("deploy/prometheus/alertmanager.yml")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

  // Each alert is tested firing (some exp_alerts) and not firing (none).
  std::map<std::string, std::pair<int, int>> tested;
  const YAML::Node tests =
      YAML::LoadFile(Source("deploy/prometheus/tests/aigov.test.yml"));
  for (const auto& t : tests["tests"]) {
    for (const auto& a : t["alert_rule_test"]) {
      auto& [firing, quiet] = tested[a["alertname"].as<std::string>()];
      (a["exp_alerts"].size() > 0 ? firing : quiet) += 1;
    }
  }
  const std::string runbooks = ReadFile(Source("docs/RUNBOOKS.md"));
  const std::vector<Rule> rules = Rules();
  int alerts = 0;
  for (const Rule& rule : rules) {
    if (!rule.alert) continue;
    ++alerts;
    SCOPED_TRACE(rule.name);
    EXPECT_GT(tested[rule.name].first, 0) << "never tested firing";
    EXPECT_GT(tested[rule.name].second, 0) << "never tested quiet";
    const YAML::Node ann = rule.node["annotations"];
    EXPECT_FALSE(ann["summary"].as<std::string>("").empty());
    EXPECT_FALSE(ann["description"].as<std::string>("").empty());
    // The runbook link names a section of docs/RUNBOOKS.md that exists,
    // under the external label's base or the runbooks the scraped aigovd
    // serves (followed live in ObservabilityTest).
    std::string anchor = rule.name;
    for (char& c : anchor) c = static_cast<char>(std::tolower(c));
    EXPECT_EQ(ann["runbook_url"].as<std::string>(""),
              "{{ with $externalLabels.aigov_runbook_base }}{{ . }}{{ else "
              "}}http://{{ $labels.instance }}/runbooks{{ end }}#" +
                  anchor);
    EXPECT_THAT(runbooks, HasSubstr("\n## " + rule.name + "\n"));
    // Routed to its team's receiver.
    const std::string team = rule.node["labels"]["team"].as<std::string>("");
    ASSERT_THAT(team, ::testing::AnyOf("oncall", "compliance"));
    r = RunCommand(
        {"amtool", "config", "routes", "test",
         "--config.file=" + Source("deploy/prometheus/alertmanager.yml"),
         "--verify.receivers=" + team, "alertname=" + rule.name, "team=" + team,
         "severity=" + rule.node["labels"]["severity"].as<std::string>("")});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  EXPECT_EQ(alerts, 9);
  // An alert without a team falls back to on-call, never to compliance.
  r = RunCommand(
      {"amtool", "config", "routes", "test",
       "--config.file=" + Source("deploy/prometheus/alertmanager.yml"),
       "--verify.receivers=oncall", "alertname=Unknown"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

  r = RunCommand({"yamllint", "-s", "-d",
                  "{extends: default, rules: {line-length: disable, "
                  "document-start: disable, truthy: {check-keys: false}}}",
                  Source("deploy/prometheus"),
                  Source("dashboards/provisioning")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST(DashboardTest, StructureFollowsTheLinterRules) {
  std::set<std::string> uids;
  std::string rules = "groups:\n  - name: dashboards\n    rules:\n";
  int n = 0;
  for (const char* name : kDashboards) {
    SCOPED_TRACE(name);
    const nlohmann::json d = Dashboard(name);
    EXPECT_TRUE(d["id"].is_null());
    EXPECT_EQ(d["uid"], name);
    EXPECT_TRUE(uids.insert(d["uid"].get<std::string>()).second);
    EXPECT_GE(d["schemaVersion"].get<int>(), 37);
    bool datasource_var = false;
    std::set<std::string> vars;
    for (const auto& v : d["templating"]["list"]) {
      vars.insert(v["name"].get<std::string>());
      if (v["name"] == "datasource") {
        datasource_var =
            v["type"] == "datasource" && v["query"] == "prometheus";
      } else {
        EXPECT_EQ(v["datasource"]["uid"], "${datasource}") << v["name"];
      }
    }
    EXPECT_TRUE(datasource_var);
    EXPECT_TRUE(vars.count("job"));
    EXPECT_TRUE(vars.count("system") || vars.count("instance"));
    // Links to the runbooks aigovd serves and, where a system is chosen, to
    // its report; the firing aigov alerts as annotations.
    EXPECT_TRUE(vars.count("instance"));
    std::vector<std::string> urls;
    for (const auto& l : d["links"]) {
      if (l["type"] == "link") urls.push_back(l["url"].get<std::string>());
    }
    EXPECT_THAT(urls, ::testing::Contains(::testing::StartsWith(
                          "http://${instance}/runbooks#")));
    if (vars.count("system")) {
      EXPECT_THAT(urls, ::testing::Contains(
                            "http://${instance}/compliance/systems/${system}"));
    }
    bool alert_annotation = false;
    for (const auto& a : d["annotations"]["list"]) {
      if (!a.contains("expr")) continue;
      alert_annotation = true;
      EXPECT_EQ(a["datasource"]["uid"], "${datasource}");
      absl::StrAppend(&rules, "      - record: dashboard:annotation:", ++n,
                      "\n        expr: '",
                      absl::StrReplaceAll(a["expr"].get<std::string>(),
                                          {{"'", "''"}, {"$job", ".*"}}),
                      "'\n");
    }
    EXPECT_TRUE(alert_annotation);
    std::set<int> ids;
    for (const auto& p : d["panels"]) {
      const std::string title = p["title"].get<std::string>();
      SCOPED_TRACE(title);
      EXPECT_TRUE(ids.insert(p["id"].get<int>()).second);
      EXPECT_FALSE(p["description"].get<std::string>().empty());
      EXPECT_FALSE(
          p["fieldConfig"]["defaults"]["unit"].get<std::string>().empty());
      EXPECT_EQ(p["datasource"]["uid"], "${datasource}");
      const auto& g = p["gridPos"];
      EXPECT_LE(g["x"].get<int>() + g["w"].get<int>(), 24);
      ASSERT_FALSE(p["targets"].empty());
      for (const auto& t : p["targets"]) {
        EXPECT_EQ(t["datasource"]["uid"], "${datasource}");
        const std::string expr = t["expr"].get<std::string>();
        // rate() and increase() over $__rate_interval; every aigov
        // selector filtered by the job variable.
        static const std::regex kRange(R"(\[([^\]]+)\])");
        for (auto it = std::sregex_iterator(expr.begin(), expr.end(), kRange);
             it != std::sregex_iterator(); ++it) {
          EXPECT_EQ((*it)[1].str(), "$__rate_interval") << expr;
        }
        static const std::regex kSelector(
            R"(\b(aigov_[a-z0-9_]+|up)(\{[^}]*\})?)");
        for (auto it =
                 std::sregex_iterator(expr.begin(), expr.end(), kSelector);
             it != std::sregex_iterator(); ++it) {
          EXPECT_THAT((*it)[2].str(), HasSubstr("job=~\"$job\"")) << expr;
        }
        absl::StrAppend(&rules, "      - record: dashboard:expr:", ++n,
                        "\n        expr: '",
                        absl::StrReplaceAll(expr, {{"'", "''"},
                                                   {"$__rate_interval", "5m"},
                                                   {"$job", ".*"},
                                                   {"$system", ".*"},
                                                   {"$model", ".*"},
                                                   {"$instance", ".*"}}),
                        "'\n");
      }
    }
  }
  // The drift panels' thresholds are the daemon's defaults.
  const monitoring::DriftThresholds defaults;
  int psi_panels = 0;
  const nlohmann::json oncall = Dashboard("aigov-oncall");
  for (const auto& p : oncall["panels"]) {
    if (p["title"] != "PSI by feature") continue;
    ++psi_panels;
    const auto& steps = p["fieldConfig"]["defaults"]["thresholds"]["steps"];
    ASSERT_EQ(steps.size(), 3u);
    EXPECT_EQ(steps[1]["value"].get<double>(), defaults.psi_warn);
    EXPECT_EQ(steps[2]["value"].get<double>(), defaults.psi_alert);
  }
  EXPECT_EQ(psi_panels, 1);
  // The drift panels name what drifts: a table of features, one of versions.
  for (const auto& p : oncall["panels"]) {
    if (p["title"] == "Features in drift ALERT" ||
        p["title"] == "Dataset drift state") {
      EXPECT_EQ(p["type"], "table") << p["title"];
      EXPECT_EQ(p["targets"][0]["format"], "table") << p["title"];
    }
  }
  // Violated obligations carry their titles (joined from
  // aigov_obligation_info) and link the system's report.
  const nlohmann::json compliance = Dashboard("aigov-compliance");
  for (const auto& p : compliance["panels"]) {
    if (p["title"] != "Violated obligations") continue;
    EXPECT_THAT(
        p["targets"][0]["expr"].get<std::string>(),
        HasSubstr("group_left (title, severity) aigov_obligation_info"));
    EXPECT_THAT(
        p["fieldConfig"]["defaults"]["links"][0]["url"].get<std::string>(),
        HasSubstr("/compliance/systems/"));
  }
  // Every expression parses (promtool reads them as recording rules).
  TempDir tmp;
  const std::string file = tmp.path() + "/dashboards.rules.yml";
  std::ofstream(file) << rules;
  const CommandResult r = RunCommand({"promtool", "check", "rules", file});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat(n, " rules found")));

  // The provisioned datasource is the one the variable defaults to.
  const YAML::Node ds = YAML::LoadFile(
      Source("dashboards/provisioning/datasources/prometheus.yaml"));
  EXPECT_EQ(ds["apiVersion"].as<int>(), 1);
  EXPECT_EQ(ds["datasources"][0]["type"].as<std::string>(), "prometheus");
  const YAML::Node providers =
      YAML::LoadFile(Source("dashboards/provisioning/dashboards/aigov.yaml"));
  EXPECT_EQ(providers["providers"][0]["type"].as<std::string>(), "file");
}

// A loopback port nothing listens on (bound, read back, released).
int FreePort() {
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  return ntohs(a.sin_port);
}

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppend(&out, "%", absl::Hex(c, absl::kZeroPad2));
    }
  }
  return out;
}

constexpr char kSha[] =
    "1111111111111111111111111111111111111111111111111111111111111111";

class ObservabilityTest : public ::testing::Test {
 protected:
  CommandResult Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {AigovctlPath(), "--target", d_->grpc_target()});
    return RunCommand(args);
  }
  void Apply(const std::string& yaml) {
    const std::string path = tmp_.path() + "/apply.yaml";
    std::ofstream(path) << yaml;
    const CommandResult r = Ctl({"apply", "-f", path});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err << yaml;
  }
  std::string Metrics() { return HttpGet(d_->http_port(), "/metrics").body; }

  // The JSON answer of Prometheus's instant query `q`.
  nlohmann::json Query(const std::string& q) {
    const HttpResponse r =
        HttpGet(prometheus_port_, "/api/v1/query?query=" + UrlEncode(q));
    if (r.status != 200) return {{"error", r.body}};
    return nlohmann::json::parse(r.body, nullptr, false);
  }

  // Loads the scenario into a daemon on a clock starting at `t0`.
  void Scenario(int64_t t0);

  TempDir tmp_;
  std::unique_ptr<DaemonProcess> d_;
  int prometheus_port_ = 0;
};

std::string Window(const std::string& version, int64_t start,
                   const std::string& income) {
  return absl::StrCat(R"(---
kind: WindowProfile
model_id: credit-scoring
version: ")",
                      version, R"("
window_start: )",
                      Rfc3339(start), R"(
features:
  - {name: income, counts: )",
                      income, R"(}
  - {name: age, counts: [250, 250, 250, 250]}
  - {name: region, counts: [480, 470, 40, 10]}
)");
}

std::string Reference(const std::string& version) {
  return absl::StrCat(R"(---
kind: ReferenceProfile
model_id: credit-scoring
version: ")",
                      version, R"("
window: 3600s
features:
  - name: income
    numeric: {edges: [1000, 2000, 3000], counts: [250, 250, 250, 250], std: 800}
    critical: true
  - name: age
    numeric: {edges: [30, 45, 60], counts: [250, 250, 250, 250], std: 12}
  - name: region
    categorical: {categories: [north, south], counts: [500, 450, 40, 10]}
)");
}

void ObservabilityTest::Scenario(int64_t t0) {
  Apply(absl::StrCat(R"(kind: AiSystem
system_id: loans
name: Consumer loan scoring
roles: [ROLE_PROVIDER, ROLE_DEPLOYER]
risk: {annex_iii_point: 5(b), decides_about_persons: true, eu_market: true}
gdpr: {personal_data: true, lawful_basis: LAWFUL_BASIS_CONTRACT}
lifecycle_stage: LIFECYCLE_STAGE_PILOT
technology_readiness_level: 6
---
kind: ModelVersion
model_id: credit-scoring
version: "2.0"
system_id: loans
artifact_sha256: )",
                     kSha, R"(
declared_metrics:
  - {name: auc, value: 0.82, threshold: 0.7, direction: METRIC_DIRECTION_HIGHER_IS_BETTER}
---
kind: ModelVersion
model_id: credit-scoring
version: "1.0"
system_id: loans
artifact_sha256: )",
                     kSha, R"(
---
kind: Deployment
deployment_id: prod
model_version: {model_id: credit-scoring, version: "2.0"}
environment: ENVIRONMENT_PROD
state: DEPLOYMENT_STATE_ENABLED
---
kind: Deployment
deployment_id: shadow
model_version: {model_id: credit-scoring, version: "1.0"}
environment: ENVIRONMENT_STAGING
state: DEPLOYMENT_STATE_ENABLED
)",
                     Reference("2.0"), Reference("1.0"),
                     Window("2.0", t0, "[0, 0, 100, 900]"),
                     Window("2.0", t0 + 3600, "[0, 0, 100, 900]"),
                     Window("1.0", t0, "[250, 250, 250, 250]"), R"(---
kind: PerformanceSample
model_id: credit-scoring
version: "2.0"
window_start: )",
                     Rfc3339(t0), R"(
metric: auc
value: 0.55
n: 1000
---
kind: PerformanceSample
model_id: credit-scoring
version: "2.0"
window_start: )",
                     Rfc3339(t0 + 3600), R"(
metric: auc
value: 0.52
n: 1000
---
kind: OversightAction
action_id: o1
system_id: loans
action: OVERSIGHT_ACTION_TYPE_OVERRIDE
model_version: {model_id: credit-scoring, version: "2.0"}
reviewers: [{id: officer@bank.example, role: credit officer}]
occurred_at: )",
                     Rfc3339(t0), R"(
---
kind: Incident
incident_id: i1
system_id: loans
category: INCIDENT_CATEGORY_FUNDAMENTAL_RIGHTS
aware_at: )",
                     Rfc3339(t0), R"(
---
kind: PersonalDataBreach
breach_id: b1
system_id: loans
aware_at: )",
                     Rfc3339(t0 - 50 * 3600), R"(
risk: BREACH_RISK_RISK
)"));
}

TEST_F(ObservabilityTest, RealPrometheusScrapesEvaluatesAndAlerts) {
  // Hours behind the wall clock, on a window boundary.
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  const int64_t t0 = (now - 8 * 3600) / 3600 * 3600;
  d_ = std::make_unique<DaemonProcess>(tmp_.path() + "/data");
  d_->UseControlledClock(t0);
  ASSERT_TRUE(d_->Start()) << d_->log();
  ASSERT_NO_FATAL_FAILURE(Scenario(t0));
  // Both windows of 2.0 and the one of 1.0 close, at the tick the clock's
  // advance makes (journalled after AdvanceClock returns).
  d_->AdvanceClock(3 * 3600);
  std::string text;
  for (int i = 0; i < 3000; ++i) {
    text = Metrics();
    if (absl::StrContains(text,
                          "aigov_dataset_drift_state{system=\"loans\","
                          "model=\"credit-scoring\",version=\"1.0\"}") &&
        absl::StrContains(text,
                          "aigov_dataset_drift_state{system=\"loans\","
                          "model=\"credit-scoring\",version=\"2.0\"}")) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  // The live exposition: promtool finds nothing to object to, and every
  // family of the issue has a sample.
  CommandResult r = RunCommand({"promtool", "check", "metrics"}, text);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  text.insert(0, "\n");  // every line, the first too, follows a newline
  for (const char* family :
       {"aigov_ai_system_info",
        "aigov_ai_system_lifecycle_stage_entered_timestamp_seconds",
        "aigov_ai_system_technology_readiness_level",
        "aigov_model_version_info",
        "aigov_feature_drift_score",
        "aigov_feature_drift_state",
        "aigov_feature_window_samples",
        "aigov_dataset_drift_state",
        "aigov_drift_last_evaluation_timestamp_seconds",
        "aigov_model_performance",
        "aigov_model_performance_threshold",
        "aigov_model_performance_breach",
        "aigov_oversight_actions_total",
        "aigov_incidents_open",
        "aigov_personal_data_breaches_open",
        "aigov_data_subject_requests_open",
        "aigov_obligation_status",
        "aigov_obligation_deadline_timestamp_seconds",
        "aigov_findings",
        "aigov_journal_checkpoint_timestamp_seconds",
        "aigov_journal_checkpoint_tree_size",
        "aigov_metrics_series_dropped_total",
        "aigov_ingest_events_total",
        "aigov_journal_tree_size",
        "aigov_journal_entries_total",
        "aigov_obligation_info",
        "aigov_feature_drift_state_since_timestamp_seconds"}) {
    EXPECT_THAT(text, HasSubstr(absl::StrCat("\n# HELP ", family, " ")));
    EXPECT_TRUE(absl::StrContains(text, absl::StrCat("\n", family, "{")) ||
                absl::StrContains(text, absl::StrCat("\n", family, " ")))
        << family << " has no sample";
  }
  const std::string v2 =
      "{system=\"loans\",model=\"credit-scoring\",version=\"2.0\"";
  EXPECT_THAT(text, HasSubstr("aigov_feature_drift_state" + v2 +
                              ",feature=\"income\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("aigov_feature_drift_state" + v2 +
                              ",feature=\"age\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("aigov_dataset_drift_state" + v2 + "} 2\n"));
  EXPECT_THAT(text, HasSubstr("aigov_model_performance_breach" + v2 +
                              ",metric=\"auc\",slice=\"\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("aigov_personal_data_breaches_open{system="
                              "\"loans\"} 1\n"));

  // Every metric a dashboard or a rule reads is in the live exposition.
  std::set<std::string> used;
  for (const char* name : kDashboards) {
    for (const Expr& e : ExprsOf(name)) {
      for (const std::string& m : MetricsOf(e.expr)) used.insert(m);
    }
  }
  for (const Rule& rule : Rules()) {
    for (const std::string& m : MetricsOf(rule.expr)) used.insert(m);
  }
  for (const std::string& m : used) {
    EXPECT_THAT(text, HasSubstr(absl::StrCat("\n# TYPE ", m, " "))) << m;
  }

  // A retired version: its staging deployment disabled, its series leave
  // the next scrape; 2.0's stay.
  const std::string v1 =
      "{system=\"loans\",model=\"credit-scoring\",version=\"1.0\"";
  EXPECT_THAT(text, HasSubstr("aigov_model_version_info" + v1));
  EXPECT_THAT(text, HasSubstr("aigov_feature_drift_score" + v1));
  Apply(R"(kind: Deployment
deployment_id: shadow
model_version: {model_id: credit-scoring, version: "1.0"}
environment: ENVIRONMENT_STAGING
state: DEPLOYMENT_STATE_DISABLED
)");
  text = Metrics();
  EXPECT_THAT(text, Not(HasSubstr("version=\"1.0\"")));
  EXPECT_THAT(text, HasSubstr("aigov_feature_drift_score" + v2));

  // Prometheus on loopback: the daemon and a target where nothing listens
  // (AigovdDown), the project's rules with every for: cut to 1 s.
  prometheus_port_ = FreePort();
  const std::string rules = std::regex_replace(
      ReadFile(Source("deploy/prometheus/rules/aigov.rules.yml")),
      std::regex(R"(for: \w+)"), "for: 1s");
  std::ofstream(tmp_.path() + "/rules.yml") << rules;
  std::ofstream(tmp_.path() + "/prometheus.yml") << absl::StrCat(
      "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
      "rule_files: [rules.yml]\n"
      "scrape_configs:\n"
      "  - job_name: aigovd\n"
      "    static_configs:\n"
      "      - targets: [\"127.0.0.1:",
      d_->http_port(), "\", \"127.0.0.1:", FreePort(), "\"]\n");
  BackgroundProcess prometheus(
      {"prometheus", "--config.file=" + tmp_.path() + "/prometheus.yml",
       "--storage.tsdb.path=" + tmp_.path() + "/tsdb",
       absl::StrCat("--web.listen-address=127.0.0.1:", prometheus_port_)},
      tmp_.path() + "/prometheus.log");
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(60);
  auto wait = [&](const std::function<bool()>& done) {
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return done();
  };
  ASSERT_TRUE(wait([&] {
    const nlohmann::json j = Query("up{job=\"aigovd\"} == 1");
    return j.contains("data") && !j["data"]["result"].empty();
  })) << ReadFile(tmp_.path() + "/prometheus.log");

  // Now that Prometheus has a first sample: writes that fail (for
  // AigovIngestErrors), then one entry the stalled checkpointer (its clock
  // does not move) leaves unsigned (AigovJournalCheckpointStale).
  for (int i = 0; i < 3; ++i) {
    const std::string bad = tmp_.path() + "/bad.yaml";
    std::ofstream(bad) << "kind: ModelVersion\nmodel_id: x\nversion: \"1\"\n"
                          "system_id: loans\nartifact_sha256: nothex\n";
    EXPECT_NE(Ctl({"apply", "-f", bad}).exit_code, 0);
  }
  ASSERT_NO_FATAL_FAILURE(Apply(absl::StrCat(R"(kind: OversightAction
action_id: o2
system_id: loans
action: OVERSIGHT_ACTION_TYPE_APPROVE
reviewers: [{id: officer@bank.example, role: credit officer}]
occurred_at: )",
                                             Rfc3339(t0 + 3 * 3600))));

  // Every dashboard expression and variable, with the variables set to the
  // scenario's values, and every rule, returns series.
  const std::map<std::string, std::string> vars = {
      {"$__rate_interval", "1m"},
      {"$job", "aigovd"},
      {"$system", "loans"},
      {"$model", "credit-scoring"},
      {"$instance", absl::StrCat("127.0.0.1:", d_->http_port())}};
  std::vector<Expr> exprs;
  for (const char* name : kDashboards) {
    for (Expr e : ExprsOf(name)) {
      e.expr = absl::StrReplaceAll(e.expr, vars);
      exprs.push_back(e);
    }
  }
  for (const Rule& rule : Rules()) {
    exprs.push_back({"rule " + rule.name, rule.expr, ""});
  }
  for (const Expr& e : exprs) {
    SCOPED_TRACE(e.where);
    nlohmann::json j;
    EXPECT_TRUE(wait([&] {
      j = Query(e.expr);
      return j.contains("data") && !j["data"]["result"].empty();
    })) << e.expr
        << "\n"
        << j.dump();
    if (!e.label.empty() && j.contains("data")) {
      for (const auto& s : j["data"]["result"]) {
        EXPECT_TRUE(s["metric"].contains(e.label)) << s.dump();
      }
    }
  }

  // The alerts fire: drift, the violation and every other.
  std::set<std::string> firing;
  EXPECT_TRUE(wait([&] {
    const HttpResponse a = HttpGet(prometheus_port_, "/api/v1/alerts");
    const nlohmann::json j = nlohmann::json::parse(a.body, nullptr, false);
    firing.clear();
    if (j.is_discarded() || !j.contains("data")) return false;
    for (const auto& alert : j["data"]["alerts"]) {
      if (alert["state"] == "firing") {
        firing.insert(alert["labels"]["alertname"].get<std::string>());
      }
    }
    return firing.size() == 9;
  }));
  for (const Rule& rule : Rules()) {
    if (rule.alert) {
      EXPECT_TRUE(firing.count(rule.name)) << rule.name;
    }
  }

  // What the on-call engineer reads: the drift alert gives the PSI, since
  // when, and the command; every runbook link opens the section it names
  // on the aigovd Prometheus scrapes.
  const HttpResponse a = HttpGet(prometheus_port_, "/api/v1/alerts");
  const nlohmann::json alerts = nlohmann::json::parse(a.body);
  const HttpResponse runbooks = HttpGet(d_->http_port(), "/runbooks");
  ASSERT_EQ(runbooks.status, 200);
  bool drift_seen = false;
  for (const auto& alert : alerts["data"]["alerts"]) {
    const std::string name = alert["labels"]["alertname"];
    const std::string url = alert["annotations"]["runbook_url"];
    const std::string instance = alert["labels"]["instance"];
    SCOPED_TRACE(name);
    EXPECT_EQ(url.substr(0, url.find('#')),
              absl::StrCat("http://", instance, "/runbooks"));
    EXPECT_THAT(
        runbooks.body,
        HasSubstr(absl::StrCat("id=\"", url.substr(url.find('#') + 1), "\"")));
    if (name == "AigovFeatureDriftAlert" &&
        alert["labels"]["feature"] == "income") {
      drift_seen = true;
      const std::string d = alert["annotations"]["description"];
      EXPECT_THAT(d, ::testing::ContainsRegex("PSI [0-9]+\\.[0-9]{3} in the "
                                              "last window"));
      EXPECT_THAT(d, ::testing::ContainsRegex("in ALERT since 20[0-9][0-9]-"));
      EXPECT_THAT(d, HasSubstr("Run: aigovctl drift status --model "
                               "credit-scoring@2.0"));
    }
  }
  EXPECT_TRUE(drift_seen) << alerts.dump();
  // The journal counts derived entries by kind; kinds never sent have no
  // ingest series.
  const std::string exposition = Metrics();
  EXPECT_THAT(exposition, ::testing::ContainsRegex(
                              "aigov_journal_entries_total\\{kind=\"drift_"
                              "evaluation\",origin=\"derived\"\\} [1-9]"));
  EXPECT_THAT(exposition, HasSubstr("aigov_ingest_events_total{kind=\"window_"
                                    "profile\",result=\"accepted\"}"));
  EXPECT_THAT(exposition,
              Not(HasSubstr("aigov_ingest_events_total{kind=\"drift_"
                            "evaluation\"")));
  EXPECT_THAT(exposition,
              Not(HasSubstr("aigov_ingest_events_total{kind=\"marking_"
                            "evidence\"")));
}

}  // namespace
}  // namespace aigov::testing
