#include "daemon/scrape/state_collector.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

#include "daemon/common/status_macros.h"
#include "daemon/metrics/exposition.h"
#include "daemon/rules/classification.h"

namespace aigov::scrape {
namespace {

using aigov::internal::v1::LastEvaluation;
using aigov::internal::v1::ModelDrift;
using aigov::internal::v1::SystemRecord;
using aigov::internal::v1::VersionMonitoring;
using aigov::v1::FeatureEvaluation;
using metrics::ExpositionWriter;
using metrics::Label;

constexpr auto kGauge = ExpositionWriter::Type::kGauge;
constexpr auto kCounter = ExpositionWriter::Type::kCounter;
constexpr size_t kSystemPage = 256;

// An enum value's name as a label value: the name without `prefix`, in
// lower case ("ENVIRONMENT_PROD" -> "prod").
std::string EnumLabel(const std::string& name, absl::string_view prefix) {
  absl::string_view rest = name;
  if (absl::StartsWith(rest, prefix)) rest.remove_prefix(prefix.size());
  return absl::AsciiStrToLower(rest);
}

std::string StageLabel(aigov::v1::LifecycleStage s) {
  return EnumLabel(aigov::v1::LifecycleStage_Name(s), "LIFECYCLE_STAGE_");
}

double UnixSeconds(const google::protobuf::Timestamp& t) {
  return static_cast<double>(t.seconds()) + t.nanos() * 1e-9;
}

// aigov_feature_drift_state's value: 0 OK, 1 WARN, 2 ALERT, -1 not enough
// samples; nullopt for a state the daemon never writes.
std::optional<double> StateValue(aigov::v1::DriftState s) {
  switch (s) {
    case aigov::v1::DRIFT_STATE_OK:
      return 0;
    case aigov::v1::DRIFT_STATE_WARN:
      return 1;
    case aigov::v1::DRIFT_STATE_ALERT:
      return 2;
    case aigov::v1::DRIFT_STATE_INSUFFICIENT_DATA:
      return -1;
    default:
      return std::nullopt;
  }
}

// The statistics exported as aigov_feature_drift_score, by method label.
struct Method {
  const char* name;
  bool (FeatureEvaluation::*has)() const;
  double (FeatureEvaluation::*value)() const;
};
constexpr Method kMethods[] = {
    {"psi", &FeatureEvaluation::has_psi, &FeatureEvaluation::psi},
    {"js_distance", &FeatureEvaluation::has_js_distance,
     &FeatureEvaluation::js_distance},
    {"hellinger", &FeatureEvaluation::has_hellinger,
     &FeatureEvaluation::hellinger},
    {"wasserstein", &FeatureEvaluation::has_wasserstein,
     &FeatureEvaluation::wasserstein},
    {"ks", &FeatureEvaluation::has_ks, &FeatureEvaluation::ks},
    {"chi2", &FeatureEvaluation::has_chi2, &FeatureEvaluation::chi2},
};

uint64_t SeriesOf(const FeatureEvaluation& f) {
  uint64_t n = 2;  // state and window samples
  for (const Method& m : kMethods)
    if ((f.*m.has)()) ++n;
  return n;
}

// Ranks a feature for the cap: higher is kept first.
int StateRank(aigov::v1::DriftState s) {
  switch (s) {
    case aigov::v1::DRIFT_STATE_ALERT:
      return 3;
    case aigov::v1::DRIFT_STATE_WARN:
      return 2;
    case aigov::v1::DRIFT_STATE_OK:
      return 1;
    default:
      return 0;
  }
}

// A deployed model version and what the views hold of it.
struct Deployed {
  const SystemRecord* system = nullptr;
  std::string model;
  std::string version;
  // The version's registration, when the system's record holds it.
  const aigov::v1::ModelVersion* record = nullptr;
  // Environments of its ENABLED deployments, as labels, sorted, unique.
  std::vector<std::string> environments;
  const VersionMonitoring* monitoring = nullptr;
  std::optional<LastEvaluation> last;
  ModelDrift drift;
  // Indexes into last->evaluation().features() of the exported features.
  std::vector<int> features;
};

// A system's record with what the scrape derives from it once.
struct System {
  SystemRecord record;
  std::string risk_class;  // empty when the system is not registered
};

class Writer {
 public:
  Writer(
      const std::vector<std::unique_ptr<System>>& systems,
      const std::map<std::pair<std::string, std::string>, Deployed>& deployed,
      const rules::Catalog& catalog, std::string* out)
      : systems_(systems), deployed_(deployed), catalog_(catalog), w_(out) {}

  void All() {
    Inventory();
    Drift();
    Performance();
    Oversight();
    OpenCases();
    Compliance();
  }

 private:
  void Inventory() {
    w_.Family("aigov_ai_system_info",
              "AI systems registered, by AI Act risk class (prohibited, "
              "high-risk, limited, minimal; REGULATION.md 1.3) and lifecycle "
              "stage (idea, proof_of_concept, pilot, production, retired, "
              "unspecified); the value is always 1.",
              kGauge);
    for (const auto& s : systems_) {
      if (s->risk_class.empty()) continue;
      const std::string stage =
          StageLabel(s->record.system().lifecycle_stage());
      w_.Sample({{"system", s->record.system_id()},
                 {"risk_class", s->risk_class},
                 {"lifecycle_stage", stage}},
                1);
    }
    w_.Family("aigov_ai_system_lifecycle_stage_entered_timestamp_seconds",
              "When each registered AI system entered its current lifecycle "
              "stage (unix seconds): the last stage_history entry, else when "
              "the first registration naming the stage was recorded. "
              "time() minus this is how long a pilot has been a pilot.",
              kGauge);
    for (const auto& s : systems_) {
      const aigov::v1::AiSystem& sys = s->record.system();
      if (s->risk_class.empty() ||
          sys.lifecycle_stage() == aigov::v1::LIFECYCLE_STAGE_UNSPECIFIED) {
        continue;
      }
      double entered;
      if (sys.stage_history_size() > 0) {
        entered = UnixSeconds(
            sys.stage_history(sys.stage_history_size() - 1).entered_at());
      } else if (s->record.has_stage_fact()) {
        entered = UnixSeconds(s->record.stage_fact().at());
      } else {
        continue;
      }
      w_.Sample({{"system", s->record.system_id()},
                 {"lifecycle_stage", StageLabel(sys.lifecycle_stage())}},
                entered);
    }
    w_.Family("aigov_ai_system_technology_readiness_level",
              "Technology readiness level (1-9) of each AI system that "
              "declares one.",
              kGauge);
    for (const auto& s : systems_) {
      if (s->risk_class.empty() ||
          !s->record.system().has_technology_readiness_level()) {
        continue;
      }
      w_.Sample({{"system", s->record.system_id()}},
                s->record.system().technology_readiness_level());
    }
    w_.Family("aigov_model_version_info",
              "Model versions with an ENABLED deployment, one series per "
              "environment they serve in; the value is always 1. A version "
              "whose deployments are all disabled or rolled back has no "
              "series.",
              kGauge);
    for (const auto& [key, d] : deployed_) {
      for (const std::string& env : d.environments) {
        w_.Sample({{"system", d.system->system_id()},
                   {"model", d.model},
                   {"version", d.version},
                   {"environment", env}},
                  1);
      }
    }
  }

  void Drift() {
    w_.Family(
        "aigov_feature_drift_score",
        "Drift statistic of a feature in the last evaluated window against "
        "the reference profile, by method (psi, js_distance, hellinger, "
        "wasserstein, ks, chi2; DESIGN.md \"Drift and performance\"). "
        "Deployed versions only, at most metrics.max_features_per_model "
        "features per version.",
        kGauge);
    ForEachFeature([&](const Deployed& d, const FeatureEvaluation& f) {
      for (const Method& m : kMethods) {
        if (!(f.*m.has)()) continue;
        w_.Sample({{"system", d.system->system_id()},
                   {"model", d.model},
                   {"version", d.version},
                   {"feature", f.feature()},
                   {"method", m.name}},
                  (f.*m.value)());
      }
    });
    FeatureFamily(
        "aigov_feature_drift_state",
        "Drift state of a feature after the last evaluated window: "
        "0 OK, 1 WARN, 2 ALERT, -1 too few samples to judge.",
        [](const FeatureEvaluation& f) { return StateValue(f.state()); });
    FeatureFamily(
        "aigov_feature_drift_state_since_timestamp_seconds",
        "Start of the window in which the feature entered its current drift "
        "state (unix seconds): how long it has been in ALERT.",
        [](const FeatureEvaluation& f) -> std::optional<double> {
          if (!f.has_since()) return std::nullopt;
          return UnixSeconds(f.since());
        });
    FeatureFamily("aigov_feature_window_samples",
                  "Non-null values of a feature counted in the last "
                  "evaluated window.",
                  [](const FeatureEvaluation& f) {
                    return std::optional<double>(static_cast<double>(f.n()));
                  });
    w_.Family("aigov_dataset_drift_state",
              "Drift state of a deployed model version's inputs as a whole "
              "after its last evaluated window: 0 OK, 1 WARN, 2 ALERT "
              "(monitoring.thresholds.dataset_alert_share of the features, "
              "or one critical feature, in ALERT), -1 too few samples.",
              kGauge);
    for (const auto& [key, d] : deployed_) {
      if (!d.last) continue;
      const auto v = StateValue(d.last->evaluation().dataset_state());
      if (v) w_.Sample(VersionLabels(d), *v);
    }
    w_.Family("aigov_drift_last_evaluation_timestamp_seconds",
              "End of the last window evaluated for drift (unix seconds); "
              "time() minus this is how stale the drift figures are. "
              "Versions never evaluated have no series.",
              kGauge);
    for (const auto& [key, d] : deployed_) {
      if (!d.last) continue;
      w_.Sample(VersionLabels(d),
                UnixSeconds(d.last->evaluation().window_end()));
    }
    w_.Family("aigov_drift_late_reports_total",
              "Window reports that arrived after their window was evaluated "
              "(journalled, not counted in any evaluation).",
              kCounter);
    for (const auto& [key, d] : deployed_) {
      if (!d.last && d.drift.late_reports() == 0) continue;
      w_.Sample(VersionLabels(d), static_cast<double>(d.drift.late_reports()));
    }
  }

  void Performance() {
    w_.Family("aigov_model_performance",
              "Newest performance sample of a deployed model version's metric "
              "and slice (slice \"\" is the whole population).",
              kGauge);
    for (const auto& [key, d] : deployed_) {
      if (d.monitoring == nullptr) continue;
      for (const auto& o : d.monitoring->observations()) {
        w_.Sample(MetricLabels(d, o.metric(), o.slice()), o.value());
      }
    }
    w_.Family("aigov_model_performance_threshold",
              "Threshold a deployed model version declared for a metric and "
              "slice; a sample on the wrong side of it breaches (direction "
              "is the declared metric's: higher_is_better or "
              "lower_is_better).",
              kGauge);
    for (const auto& [key, d] : deployed_) {
      if (d.record == nullptr) continue;
      for (const auto& m : d.record->declared_metrics()) {
        auto labels = MetricLabels(d, m.name(), m.slice());
        const std::string direction =
            EnumLabel(aigov::v1::MetricDirection_Name(m.direction()),
                      "METRIC_DIRECTION_");
        labels.push_back({"direction", direction});
        w_.Sample(labels, m.threshold());
      }
    }
    w_.Family("aigov_model_performance_breach",
              "1 while a declared metric of a deployed model version is in a "
              "PerformanceBreach (monitoring.breach_windows consecutive "
              "breaching windows, until a window that does not breach), "
              "else 0.",
              kGauge);
    for (const auto& [key, d] : deployed_) {
      if (d.record == nullptr) continue;
      for (const auto& m : d.record->declared_metrics()) {
        bool breach = false;
        for (const auto& run : d.drift.streaks()) {
          if (run.metric() == m.name() && run.slice() == m.slice()) {
            breach = run.reported();
          }
        }
        w_.Sample(MetricLabels(d, m.name(), m.slice()), breach ? 1 : 0);
      }
    }
  }

  void Oversight() {
    w_.Family("aigov_oversight_actions_total",
              "Human-oversight actions recorded for an AI system, by action "
              "(approve, override, stop; AI Act Art. 14). The override ratio "
              "is the rate of override over the rate of all.",
              kCounter);
    for (const auto& s : systems_) {
      const SystemRecord& r = s->record;
      for (const auto& [action, n] :
           {std::pair("approve", r.oversight_approvals()),
            std::pair("override", r.oversight_overrides()),
            std::pair("stop", r.oversight_stops())}) {
        w_.Sample({{"system", r.system_id()}, {"action", action}},
                  static_cast<double>(n));
      }
    }
  }

  void OpenCases() {
    w_.Family("aigov_incidents_open",
              "Incidents not closed, by Art. 3(49) category (health, "
              "critical_infrastructure, fundamental_rights, "
              "property_or_environment, not_serious, unspecified); their "
              "Art. 73 reporting clock is AIA-20's deadline.",
              kGauge);
    for (const auto& s : systems_) {
      std::map<std::string, uint64_t> open;
      for (int c = aigov::v1::IncidentCategory_MIN;
           c <= aigov::v1::IncidentCategory_MAX; ++c) {
        if (!aigov::v1::IncidentCategory_IsValid(c)) continue;
        open[CategoryLabel(c)] = 0;
      }
      for (const auto& i : s->record.incidents()) {
        if (i.record().status() == aigov::v1::INCIDENT_STATUS_CLOSED) continue;
        ++open[CategoryLabel(i.record().category())];
      }
      for (const auto& [category, n] : open) {
        w_.Sample({{"system", s->record.system_id()}, {"category", category}},
                  static_cast<double>(n));
      }
    }
    w_.Family("aigov_personal_data_breaches_open",
              "Personal-data breaches not recorded as unlikely to result in "
              "a risk and with no notification of the supervisory authority "
              "recorded: their GDPR Art. 33 clock (GDPR-12) runs.",
              kGauge);
    for (const auto& s : systems_) {
      uint64_t open = 0;
      for (const auto& b : s->record.breaches()) {
        if (b.record().risk() == aigov::v1::BREACH_RISK_UNLIKELY) continue;
        bool notified = false;
        for (const auto& n : s->record.notifications()) {
          notified |=
              n.record().breach_id() == b.record().breach_id() &&
              n.record().recipient() ==
                  aigov::v1::NOTIFICATION_RECIPIENT_SUPERVISORY_AUTHORITY;
        }
        open += notified ? 0 : 1;
      }
      w_.Sample({{"system", s->record.system_id()}}, static_cast<double>(open));
    }
    w_.Family("aigov_data_subject_requests_open",
              "Data-subject requests received or extended and not yet "
              "completed or refused, by type (access, erasure, objection, "
              "art22_contest, art86_explanation); their one-month clock "
              "(three when extended) is GDPR Art. 12(3).",
              kGauge);
    for (const auto& s : systems_) {
      std::map<std::string, uint64_t> open;
      for (int t = aigov::v1::DataSubjectRequestType_MIN;
           t <= aigov::v1::DataSubjectRequestType_MAX; ++t) {
        if (!aigov::v1::DataSubjectRequestType_IsValid(t) || t == 0) continue;
        open[RequestLabel(t)] = 0;
      }
      for (const auto& q : s->record.requests()) {
        const auto status = q.record().status();
        if (status != aigov::v1::DATA_SUBJECT_REQUEST_STATUS_RECEIVED &&
            status != aigov::v1::DATA_SUBJECT_REQUEST_STATUS_EXTENDED) {
          continue;
        }
        ++open[RequestLabel(q.record().type())];
      }
      for (const auto& [type, n] : open) {
        w_.Sample({{"system", s->record.system_id()}, {"type", type}},
                  static_cast<double>(n));
      }
    }
  }

  void Compliance() {
    w_.Family("aigov_obligation_status",
              "Status of each obligation of the catalog that aigov has "
              "evaluated for an AI system: 1 SATISFIED, 2 PENDING (a clock "
              "runs), 3 AT_RISK (past compliance.at_risk_share of its period "
              "or due within 24 h), 4 VIOLATED. Obligations that do not "
              "apply have no series.",
              kGauge);
    std::map<aigov::v1::FindingStatus, uint64_t> by_status;
    for (const auto s :
         {aigov::v1::FINDING_STATUS_SATISFIED,
          aigov::v1::FINDING_STATUS_PENDING, aigov::v1::FINDING_STATUS_AT_RISK,
          aigov::v1::FINDING_STATUS_VIOLATED}) {
      by_status[s] = 0;
    }
    for (const auto& s : systems_) {
      for (const auto& f : s->record.findings()) {
        if (by_status.count(f.status()) == 0) continue;
        ++by_status[f.status()];
        w_.Sample(FindingLabels(*s, f.obligation_id()), f.status());
      }
    }
    w_.Family("aigov_obligation_info",
              "One series per obligation of the catalog, always 1, carrying "
              "its title and severity: join it to aigov_obligation_status "
              "on (obligation) to show titles.",
              kGauge);
    for (const rules::Obligation& o : catalog_.obligations) {
      w_.Sample({{"obligation", o.id},
                 {"article", o.article},
                 {"title", o.title},
                 {"severity", rules::SeverityName(o.severity)}},
                1);
    }
    w_.Family("aigov_obligation_deadline_timestamp_seconds",
              "When an obligation's running clock ends (unix seconds): the "
              "deadline of the finding, for findings that have one.",
              kGauge);
    for (const auto& s : systems_) {
      for (const auto& f : s->record.findings()) {
        if (by_status.count(f.status()) == 0 || !f.has_deadline()) continue;
        w_.Sample(FindingLabels(*s, f.obligation_id()),
                  UnixSeconds(f.deadline()));
      }
    }
    w_.Family("aigov_findings",
              "Findings of every AI system by status (satisfied, pending, "
              "at_risk, violated).",
              kGauge);
    for (const auto& [status, n] : by_status) {
      w_.Sample({{"status", EnumLabel(aigov::v1::FindingStatus_Name(status),
                                      "FINDING_STATUS_")}},
                static_cast<double>(n));
    }
  }

  // Calls fn(version, feature) for every exported feature of every
  // deployed version with an evaluation, in key then feature order.
  template <typename Fn>
  void ForEachFeature(Fn fn) const {
    for (const auto& [key, d] : deployed_) {
      if (!d.last) continue;
      const auto& features = d.last->evaluation().features();
      for (int i : d.features) fn(d, features.Get(i));
    }
  }

  template <typename ValueFn>
  void FeatureFamily(absl::string_view name, absl::string_view help,
                     ValueFn value) {
    w_.Family(name, help, kGauge);
    ForEachFeature([&](const Deployed& d, const FeatureEvaluation& f) {
      const std::optional<double> v = value(f);
      if (!v) return;
      w_.Sample({{"system", d.system->system_id()},
                 {"model", d.model},
                 {"version", d.version},
                 {"feature", f.feature()}},
                *v);
    });
  }

  static std::vector<Label> VersionLabels(const Deployed& d) {
    return {{"system", d.system->system_id()},
            {"model", d.model},
            {"version", d.version}};
  }
  static std::vector<Label> MetricLabels(const Deployed& d,
                                         absl::string_view metric,
                                         absl::string_view slice) {
    return {{"system", d.system->system_id()},
            {"model", d.model},
            {"version", d.version},
            {"metric", metric},
            {"slice", slice}};
  }
  std::vector<Label> FindingLabels(const System& s,
                                   const std::string& obligation) {
    const rules::Obligation* o = catalog_.Find(obligation);
    return {{"system", s.record.system_id()},
            {"obligation", obligation},
            {"article", o != nullptr ? absl::string_view(o->article)
                                     : absl::string_view()}};
  }
  static std::string CategoryLabel(int c) {
    return EnumLabel(aigov::v1::IncidentCategory_Name(
                         static_cast<aigov::v1::IncidentCategory>(c)),
                     "INCIDENT_CATEGORY_");
  }
  static std::string RequestLabel(int t) {
    return EnumLabel(aigov::v1::DataSubjectRequestType_Name(
                         static_cast<aigov::v1::DataSubjectRequestType>(t)),
                     "DATA_SUBJECT_REQUEST_TYPE_");
  }

  const std::vector<std::unique_ptr<System>>& systems_;
  const std::map<std::pair<std::string, std::string>, Deployed>& deployed_;
  const rules::Catalog& catalog_;
  ExpositionWriter w_;
};

}  // namespace

StateCollector::StateCollector(const compliance::ComplianceView& compliance,
                               const drift::DriftView& drift,
                               CollectorOptions options)
    : compliance_(compliance), drift_(drift), options_(options) {}

absl::StatusOr<uint64_t> StateCollector::Collect(std::string* out) const {
  std::vector<std::unique_ptr<System>> systems;
  for (std::string start;;) {
    AIGOV_ASSIGN_OR_RETURN(const std::vector<std::string> ids,
                           compliance_.Systems(start, kSystemPage));
    for (const std::string& id : ids) {
      AIGOV_ASSIGN_OR_RETURN(std::optional<SystemRecord> r,
                             compliance_.Record(id));
      if (!r) continue;
      auto s = std::make_unique<System>();
      s->record = *std::move(r);
      if (s->record.has_system()) {
        s->risk_class = rules::RiskClassName(
            rules::Classify(s->record.system().risk()).risk_class);
      }
      systems.push_back(std::move(s));
    }
    if (ids.size() < kSystemPage) break;
    start = ids.back();
  }

  std::map<std::pair<std::string, std::string>, Deployed> deployed;
  for (const auto& s : systems) {
    for (const auto& dep : s->record.deployments()) {
      const aigov::v1::Deployment& r = dep.record();
      if (r.state() != aigov::v1::DEPLOYMENT_STATE_ENABLED) continue;
      const auto key = std::make_pair(r.model_version().model_id(),
                                      r.model_version().version());
      auto [it, added] = deployed.try_emplace(key);
      Deployed& d = it->second;
      if (added) {
        d.system = &s->record;
        d.model = key.first;
        d.version = key.second;
      }
      if (d.system != &s->record) continue;  // recorded under another system
      d.environments.push_back(EnumLabel(
          aigov::v1::Environment_Name(r.environment()), "ENVIRONMENT_"));
    }
  }

  uint64_t dropped = 0;
  for (auto& [key, d] : deployed) {
    std::sort(d.environments.begin(), d.environments.end());
    d.environments.erase(
        std::unique(d.environments.begin(), d.environments.end()),
        d.environments.end());
    for (const auto& v : d.system->model_versions()) {
      if (v.record().model_id() == d.model &&
          v.record().version() == d.version) {
        d.record = &v.record();
      }
    }
    for (const auto& m : d.system->monitoring()) {
      if (m.model_id() == d.model && m.version() == d.version)
        d.monitoring = &m;
    }
    AIGOV_ASSIGN_OR_RETURN(d.last, drift_.Last(d.model, d.version));
    AIGOV_ASSIGN_OR_RETURN(d.drift, drift_.State(d.model, d.version));
    if (!d.last) continue;
    const auto& features = d.last->evaluation().features();
    d.features.resize(static_cast<size_t>(features.size()));
    for (int i = 0; i < features.size(); ++i) {
      d.features[static_cast<size_t>(i)] = i;
    }
    const size_t cap = options_.max_features_per_model;
    if (d.features.size() <= cap) continue;
    std::sort(d.features.begin(), d.features.end(), [&](int a, int b) {
      const FeatureEvaluation& x = features.Get(a);
      const FeatureEvaluation& y = features.Get(b);
      const auto rank = [](const FeatureEvaluation& f) {
        return std::make_tuple(f.critical(), StateRank(f.state()),
                               f.has_psi() ? f.psi() : -1.0);
      };
      if (rank(x) != rank(y)) return rank(x) > rank(y);
      return x.feature() < y.feature();
    });
    for (size_t i = cap; i < d.features.size(); ++i) {
      dropped += SeriesOf(features.Get(d.features[i]));
    }
    d.features.resize(cap);
    std::sort(d.features.begin(), d.features.end());
  }

  std::string text;
  Writer(systems, deployed, compliance_.catalog(), &text).All();
  out->append(text);
  return dropped;
}

}  // namespace aigov::scrape
