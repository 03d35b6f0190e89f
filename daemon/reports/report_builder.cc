#include "daemon/reports/report_builder.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

#include "daemon/attestation/report_attestation.h"
#include "daemon/common/status_macros.h"
#include "daemon/common/suggest.h"
#include "daemon/lineage/lineage_queries.h"
#include "daemon/reports/report_render.h"
#include "daemon/rules/evaluate.h"
#include "daemon/rules/snapshot.h"

namespace aigov::reports {
namespace {

using aigov::internal::v1::Fact;
using aigov::internal::v1::StoredFinding;
using aigov::internal::v1::SystemRecord;
using aigov::v1::FindingStatus;

bool DoesNotApply(FindingStatus s) {
  return s == aigov::v1::FINDING_STATUS_NOT_APPLICABLE ||
         s == aigov::v1::FINDING_STATUS_NOT_YET_APPLICABLE;
}

void FromEvaluation(const rules::Finding& f, aigov::v1::ObligationStatus* out) {
  out->set_status(f.status);
  out->set_reason(f.reason);
  if (f.deadline) *out->mutable_deadline() = rules::TimestampOf(*f.deadline);
  for (const uint64_t s : f.evidence) out->add_evidence_sequences(s);
  for (const std::string& x : f.to_fix) out->add_to_fix(x);
}

absl::Status NotRegistered(const compliance::ComplianceView& view,
                           const std::string& system_id) {
  std::vector<std::string> known;
  if (auto ids = view.Systems("", 10000); ids.ok()) known = *std::move(ids);
  return absl::NotFoundError(absl::StrCat(
      "system_id: AI system \"", system_id, "\" is not registered",
      common::DidYouMean(system_id, known),
      " (record it with aigovctl apply, kind AiSystem; aigovctl get AiSystem "
      "lists those registered)"));
}

// True when the fact was recorded by `at`.
bool By(const Fact& f, absl::Time at) { return rules::TimeOf(f.at()) <= at; }

}  // namespace

absl::StatusOr<aigov::v1::GetStatusResponse> StatusAt(
    const compliance::ComplianceView& view,
    const journal::JournalReader& journal, const std::string& system_id,
    absl::Time at, absl::Time now) {
  aigov::v1::GetStatusResponse response;
  const uint64_t tree_size = journal.tree_size();
  AIGOV_ASSIGN_OR_RETURN(const auto record, view.Record(system_id));
  if (!record.has_value() || !record->has_system()) {
    return NotRegistered(view, system_id);
  }
  AIGOV_ASSIGN_OR_RETURN(const rules::Evaluation ev,
                         rules::Evaluate(*record, view.catalog(), view.regime(),
                                         view.settings(), at));
  response.set_system_id(system_id);
  response.set_regime(ev.regime->id);
  *response.mutable_at() = rules::TimestampOf(at);
  response.set_risk_class(rules::RiskClassName(ev.classification.risk_class));
  for (const std::string& r : ev.classification.reasons) {
    response.add_reasons(r);
  }
  response.set_tree_size(tree_size);

  if (at >= now) {
    response.set_source(aigov::v1::STATUS_SOURCE_EVALUATED);
    // The finding each status rests on: the last journalled, when it states
    // what the evaluation does (it does unless a due instant passed since
    // the last tick).
    AIGOV_ASSIGN_OR_RETURN(const std::vector<StoredFinding> stored,
                           view.FindingsAt(system_id, at));
    std::map<std::string, const StoredFinding*> journalled;
    for (const StoredFinding& s : stored) journalled[s.obligation_id()] = &s;
    for (const rules::Finding& f : ev.findings) {
      aigov::v1::ObligationStatus* o = response.add_obligations();
      o->set_obligation_id(f.obligation->id);
      o->set_article(f.obligation->article);
      o->set_title(f.obligation->title);
      FromEvaluation(f, o);
      auto it = journalled.find(f.obligation->id);
      if (it != journalled.end() && it->second->status() == f.status &&
          it->second->reason() == f.reason &&
          it->second->has_deadline() == f.deadline.has_value() &&
          (!f.deadline ||
           rules::TimeOf(it->second->deadline()) == *f.deadline)) {
        o->set_finding_sequence(it->second->sequence());
      }
    }
    if (ev.next_due) {
      *response.mutable_next_due() = rules::TimestampOf(*ev.next_due);
    }
    return response;
  }

  // A past instant: what aigovd had journalled by then.
  response.set_source(aigov::v1::STATUS_SOURCE_JOURNAL);
  AIGOV_ASSIGN_OR_RETURN(const std::vector<StoredFinding> stored,
                         view.FindingsAt(system_id, at));
  std::map<std::string, const StoredFinding*> by_id;
  const StoredFinding* newest = nullptr;
  for (const StoredFinding& f : stored) {
    by_id[f.obligation_id()] = &f;
    if (newest == nullptr || f.sequence() > newest->sequence()) newest = &f;
  }
  for (const rules::Finding& f : ev.findings) {
    aigov::v1::ObligationStatus* o = response.add_obligations();
    o->set_obligation_id(f.obligation->id);
    o->set_article(f.obligation->article);
    o->set_title(f.obligation->title);
    auto it = by_id.find(f.obligation->id);
    if (it == by_id.end()) {
      // Only what applies is journalled the first time: absent, it did not
      // apply yet; the evaluation at that instant tells which way.
      if (DoesNotApply(f.status)) {
        FromEvaluation(f, o);
      } else {
        o->set_status(aigov::v1::FINDING_STATUS_NOT_APPLICABLE);
        o->set_reason("aigovd had journalled no finding on it by then");
      }
      continue;
    }
    const StoredFinding& s = *it->second;
    o->set_finding_sequence(s.sequence());
    o->set_status(s.status());
    if (s.has_deadline()) *o->mutable_deadline() = s.deadline();
    auto entry = journal.Get(s.sequence());
    if (!entry.ok() || !entry->has_compliance_finding()) {
      o->set_reason(absl::StrCat(
          "the finding entry at sequence ", s.sequence(), " cannot be read: ",
          entry.ok() ? "not a ComplianceFinding" : entry.status().message()));
      continue;
    }
    const aigov::v1::ComplianceFinding& c = entry->compliance_finding();
    o->set_reason(c.reason());
    o->mutable_evidence_sequences()->CopyFrom(c.evidence_sequences());
    o->mutable_to_fix()->CopyFrom(c.to_fix());
    if (&s == newest) response.set_risk_class(c.risk_class());
  }
  return response;
}

void FillReportDocument(const aigov::internal::v1::DocumentFact& d,
                        aigov::v1::ReportDocument* r) {
  const aigov::v1::EvidenceDocument& e = d.record();
  r->set_sequence(d.fact().sequence());
  *r->mutable_recorded_at() = d.fact().at();
  r->set_document_id(e.document_id());
  r->set_type(e.type());
  r->set_version(e.version());
  r->set_content_sha256(e.content_sha256());
  r->set_uri(e.uri());
  r->mutable_covers_model_versions()->CopyFrom(e.covers_model_versions());
  if (e.has_valid_from()) *r->mutable_valid_from() = e.valid_from();
  if (e.has_valid_until()) *r->mutable_valid_until() = e.valid_until();
}

namespace {

// Builds one report; a class so the sections share the record and instant.
class Assembler {
 public:
  Assembler(const Sources& sources, const SystemRecord& record, absl::Time at,
            aigov::v1::ComplianceReport* out)
      : s_(sources), record_(record), at_(at), out_(out) {}

  absl::Status Run(const aigov::v1::GetStatusResponse& status) {
    Obligations(status);
    Documents();
    Deployments();
    AIGOV_RETURN_IF_ERROR(ModelVersions());
    AIGOV_RETURN_IF_ERROR(Oversight());
    Cases();
    return absl::OkStatus();
  }

 private:
  void Obligations(const aigov::v1::GetStatusResponse& status) {
    const rules::Catalog& catalog = s_.compliance->catalog();
    for (const aigov::v1::ObligationStatus& o : status.obligations()) {
      aigov::v1::ReportObligation* r = out_->add_obligations();
      r->set_obligation_id(o.obligation_id());
      r->set_article(o.article());
      r->set_title(o.title());
      if (const rules::Obligation* c = catalog.Find(o.obligation_id())) {
        r->set_severity(rules::SeverityName(c->severity));
      }
      r->set_status(o.status());
      r->set_reason(o.reason());
      if (o.has_deadline()) *r->mutable_deadline() = o.deadline();
      r->mutable_evidence_sequences()->CopyFrom(o.evidence_sequences());
      r->set_finding_sequence(o.finding_sequence());
      r->mutable_to_fix()->CopyFrom(o.to_fix());
    }
  }

  void Documents() {
    std::vector<const aigov::internal::v1::DocumentFact*> docs;
    for (const auto& d : record_.documents()) {
      if (By(d.fact(), at_)) docs.push_back(&d);
    }
    std::sort(docs.begin(), docs.end(), [](const auto* a, const auto* b) {
      return std::make_pair(a->record().type(), a->record().document_id()) <
             std::make_pair(b->record().type(), b->record().document_id());
    });
    for (const auto* d : docs) FillReportDocument(*d, out_->add_documents());
  }

  // Each deployment's last change recorded by the instant.
  void Deployments() {
    std::map<std::string, const aigov::internal::v1::DeploymentChange*> last;
    for (const auto& c : record_.changes()) {
      if (!By(c.fact(), at_)) continue;
      auto& slot = last[c.deployment_id()];
      if (slot == nullptr || c.fact().sequence() > slot->fact().sequence()) {
        slot = &c;
      }
    }
    for (const auto& [id, c] : last) {
      aigov::v1::ReportDeployment* r = out_->add_deployments();
      r->set_deployment_id(id);
      *r->mutable_model_version() = c->model_version();
      r->set_environment(c->environment());
      r->set_state(c->state());
      r->set_sequence(c->fact().sequence());
      *r->mutable_recorded_at() = c->fact().at();
      const aigov::internal::v1::MarkingFact* marking =
          rules::NewestMarking(record_, id, at_);
      if (marking != nullptr) {
        aigov::v1::ReportMarking* w = r->mutable_marking();
        w->set_method(marking->record().method());
        w->set_outputs_sampled(marking->record().outputs_sampled());
        w->set_outputs_marked(marking->record().outputs_marked());
        *w->mutable_sampled_at() = marking->record().sampled_at();
        w->set_verifier(marking->record().verifier());
        w->set_sequence(marking->fact().sequence());
      }
      if (c->state() == aigov::v1::DEPLOYMENT_STATE_ENABLED) {
        deployed_.insert(rules::VersionKey(c->model_version().model_id(),
                                           c->model_version().version()));
      }
    }
  }

  absl::Status ModelVersions() {
    std::vector<const aigov::internal::v1::VersionFact*> versions;
    for (const auto& v : record_.model_versions()) {
      if (By(v.fact(), at_)) versions.push_back(&v);
    }
    std::sort(
        versions.begin(), versions.end(), [](const auto* a, const auto* b) {
          return std::make_pair(a->record().model_id(), a->record().version()) <
                 std::make_pair(b->record().model_id(), b->record().version());
        });
    for (const auto* v : versions) {
      const aigov::v1::ModelVersion& mv = v->record();
      aigov::v1::ReportModelVersion* r = out_->add_model_versions();
      r->set_model_id(mv.model_id());
      r->set_version(mv.version());
      r->set_sequence(v->fact().sequence());
      *r->mutable_recorded_at() = v->fact().at();
      r->set_artifact_sha256(mv.artifact_sha256());
      r->set_parent_version(mv.parent_version());
      r->set_change_class(mv.change_class());
      r->set_training_run_id(mv.training_run_id());
      r->set_code_ref(mv.code_ref());
      r->set_base_model(mv.base_model());
      r->set_base_model_provider(mv.base_model_provider());
      r->mutable_training_datasets()->CopyFrom(mv.training_datasets());
      r->mutable_evaluation_datasets()->CopyFrom(mv.evaluation_datasets());
      const std::string key = rules::VersionKey(mv.model_id(), mv.version());
      r->set_deployed(deployed_.count(key) > 0);
      AIGOV_RETURN_IF_ERROR(Provenance(mv, r));
      if (r->deployed()) AIGOV_RETURN_IF_ERROR(Drift(mv, r));
      for (const auto& f : record_.drift_facts()) {
        if (f.model_id() != mv.model_id() || f.version() != mv.version() ||
            !By(f.fact(), at_)) {
          continue;
        }
        aigov::v1::ReportDriftEvent* e = r->add_drift_events();
        e->set_what(f.what());
        e->set_performance_breach(f.performance_breach());
        e->set_sequence(f.fact().sequence());
        *e->mutable_recorded_at() = f.fact().at();
      }
      Indicators(mv, r);
    }
    return absl::OkStatus();
  }

  absl::Status Provenance(const aigov::v1::ModelVersion& mv,
                          aigov::v1::ReportModelVersion* r) {
    aigov::v1::GetProvenanceRequest request;
    request.mutable_model_version()->set_model_id(mv.model_id());
    request.mutable_model_version()->set_version(mv.version());
    auto provenance = lineage::Provenance(*s_.registry, *s_.lineage, request);
    if (absl::IsNotFound(provenance.status())) return absl::OkStatus();
    AIGOV_RETURN_IF_ERROR(provenance.status());
    for (const aigov::v1::DatasetSummary& d : provenance->source_datasets()) {
      aigov::v1::ReportDataset* out = r->add_source_datasets();
      *out->mutable_summary() = d;
      AIGOV_ASSIGN_OR_RETURN(
          const std::string key,
          registry::RecordKey(aigov::v1::EVENT_KIND_DATASET_VERSION,
                              d.dataset().dataset_id(), d.dataset().version()));
      AIGOV_ASSIGN_OR_RETURN(const auto stored, s_.registry->Get(key));
      if (stored && !stored->sequences().empty()) {
        out->set_sequence(stored->sequences(stored->sequences_size() - 1));
      }
    }
    return absl::OkStatus();
  }

  absl::Status Drift(const aigov::v1::ModelVersion& mv,
                     aigov::v1::ReportModelVersion* r) {
    AIGOV_ASSIGN_OR_RETURN(const auto last,
                           s_.drift->Last(mv.model_id(), mv.version()));
    if (!last || rules::TimeOf(last->evaluation().window_end()) > at_) {
      return absl::OkStatus();
    }
    const aigov::v1::DriftEvaluation& e = last->evaluation();
    r->set_dataset_drift_state(e.dataset_state());
    r->set_last_evaluation_sequence(last->sequence());
    *r->mutable_last_window_start() = e.window_start();
    for (const aigov::v1::FeatureEvaluation& f : e.features()) {
      aigov::v1::ReportFeatureDrift* out = r->add_features();
      out->set_feature(f.feature());
      out->set_state(f.state());
      if (f.has_psi()) out->set_psi(f.psi());
      out->set_n(f.n());
      if (f.has_since()) *out->mutable_since() = f.since();
    }
    return absl::OkStatus();
  }

  void Indicators(const aigov::v1::ModelVersion& mv,
                  aigov::v1::ReportModelVersion* r) {
    const aigov::internal::v1::VersionMonitoring* monitoring = nullptr;
    for (const auto& m : record_.monitoring()) {
      if (m.model_id() == mv.model_id() && m.version() == mv.version()) {
        monitoring = &m;
      }
    }
    for (const aigov::v1::DeclaredMetric& d : mv.declared_metrics()) {
      aigov::v1::ReportIndicator* out = r->add_indicators();
      out->set_metric(d.name());
      out->set_slice(d.slice());
      out->set_direction(d.direction());
      out->set_declared_value(d.value());
      out->set_threshold(d.threshold());
      if (monitoring == nullptr) continue;
      for (const auto& o : monitoring->observations()) {
        if (o.metric() != d.name() || o.slice() != d.slice() ||
            !By(o.fact(), at_)) {
          continue;
        }
        out->set_observed_value(o.value());
        out->set_observed_n(o.n());
        out->set_observed_sequence(o.fact().sequence());
        *out->mutable_observed_window_start() = o.window_start();
        const bool lower =
            d.direction() == aigov::v1::METRIC_DIRECTION_LOWER_IS_BETTER;
        const double num = lower ? d.value() : o.value();
        const double den = lower ? o.value() : d.value();
        if (den != 0) out->set_realisation_ratio(num / den);
        out->set_below_threshold(lower ? o.value() > d.threshold()
                                       : o.value() < d.threshold());
      }
    }
  }

  // The system's oversight actions recorded by the instant, from the
  // registry (a scan of every action: the record keeps only counts).
  absl::Status Oversight() {
    std::string start;
    std::vector<std::pair<uint64_t, aigov::v1::ReportOversightAction>> found;
    for (;;) {
      AIGOV_ASSIGN_OR_RETURN(
          registry::RegistryProjection::ListPage page,
          s_.registry->List(aigov::v1::EVENT_KIND_OVERSIGHT_ACTION, "", false,
                            start, 1000));
      for (const aigov::v1::RegistryRecord& rec : page.records) {
        const aigov::v1::OversightAction& a = rec.oversight_action();
        if (a.system_id() != record_.system_id() || rec.sequences().empty() ||
            rules::TimeOf(a.occurred_at()) > at_) {
          continue;
        }
        aigov::v1::ReportOversightAction r;
        r.set_action_id(a.action_id());
        r.set_action(a.action());
        *r.mutable_model_version() = a.model_version();
        r.set_deployment_id(a.deployment_id());
        r.set_decision_ref(a.decision_ref());
        r.set_reason(a.reason());
        *r.mutable_occurred_at() = a.occurred_at();
        r.set_sequence(rec.sequences(rec.sequences_size() - 1));
        found.emplace_back(r.sequence(), std::move(r));
      }
      if (page.next_key.empty()) break;
      start = page.next_key;
    }
    std::sort(found.begin(), found.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [seq, r] : found) *out_->add_oversight_actions() = std::move(r);
    return absl::OkStatus();
  }

  // The clocks of a case: obligations whose evidence cites one of `cited`.
  void Clocks(const std::set<uint64_t>& cited, aigov::v1::ReportCase* c) {
    for (const aigov::v1::ReportObligation& o : out_->obligations()) {
      const bool cites = std::any_of(
          o.evidence_sequences().begin(), o.evidence_sequences().end(),
          [&](uint64_t s) { return cited.count(s) > 0; });
      if (!cites) continue;
      aigov::v1::ReportClock* k = c->add_clocks();
      k->set_obligation_id(o.obligation_id());
      k->set_article(o.article());
      k->set_status(o.status());
      if (o.has_deadline()) *k->mutable_deadline() = o.deadline();
    }
  }

  // Notifications about `id` of the given field ("incident_id", ...).
  std::vector<uint64_t> NotificationsOf(
      const std::function<bool(const aigov::v1::Notification&)>& about) {
    std::vector<uint64_t> out;
    for (const auto& n : record_.notifications()) {
      if (By(n.fact(), at_) && about(n.record())) {
        out.push_back(n.fact().sequence());
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  void AddCase(aigov::v1::ReportCase c, const std::vector<uint64_t>& notes) {
    std::set<uint64_t> cited = {c.sequence(), c.latest_sequence()};
    for (const uint64_t n : notes) {
      c.add_notification_sequences(n);
      cited.insert(n);
    }
    Clocks(cited, &c);
    *out_->add_cases() = std::move(c);
  }

  void Cases() {
    for (const auto& i : record_.incidents()) {
      if (!By(i.first(), at_)) continue;
      const aigov::v1::Incident& rec = i.record();
      aigov::v1::ReportCase c;
      c.set_kind("incident");
      c.set_id(rec.incident_id());
      c.set_what(EnumText(aigov::v1::IncidentCategory_Name(rec.category()),
                          "INCIDENT_CATEGORY_"));
      c.set_state(rec.has_status()
                      ? EnumText(aigov::v1::IncidentStatus_Name(rec.status()),
                                 "INCIDENT_STATUS_")
                      : "OPEN");
      *c.mutable_started_at() = rec.aware_at();
      c.set_sequence(i.first().sequence());
      c.set_latest_sequence(By(i.latest(), at_) ? i.latest().sequence()
                                                : i.first().sequence());
      c.set_description(rec.description());
      AddCase(std::move(c), NotificationsOf([&](const auto& n) {
                return n.incident_id() == rec.incident_id();
              }));
    }
    for (const auto& b : record_.breaches()) {
      if (!By(b.first(), at_)) continue;
      const aigov::v1::PersonalDataBreach& rec = b.record();
      aigov::v1::ReportCase c;
      c.set_kind("breach");
      c.set_id(rec.breach_id());
      c.set_what(absl::StrCat(
          "risk ",
          EnumText(aigov::v1::BreachRisk_Name(rec.risk()), "BREACH_RISK_")));
      *c.mutable_started_at() = rec.aware_at();
      c.set_sequence(b.first().sequence());
      c.set_latest_sequence(b.first().sequence());
      c.set_description(rec.description());
      AddCase(std::move(c), NotificationsOf([&](const auto& n) {
                return n.breach_id() == rec.breach_id();
              }));
    }
    for (const auto& q : record_.requests()) {
      if (!By(q.received(), at_)) continue;
      const aigov::v1::DataSubjectRequest& rec = q.record();
      aigov::v1::ReportCase c;
      c.set_kind("request");
      c.set_id(rec.request_id());
      c.set_what(EnumText(aigov::v1::DataSubjectRequestType_Name(rec.type()),
                          "DATA_SUBJECT_REQUEST_TYPE_"));
      uint64_t latest = q.received().sequence();
      std::string state = "RECEIVED";
      if (q.has_extended() && By(q.extended(), at_)) {
        latest = std::max(latest, q.extended().sequence());
        state = "EXTENDED";
      }
      if (q.has_completed() && By(q.completed(), at_)) {
        latest = std::max(latest, q.completed().sequence());
        state = EnumText(aigov::v1::DataSubjectRequestStatus_Name(rec.status()),
                         "DATA_SUBJECT_REQUEST_STATUS_");
      }
      c.set_state(state);
      *c.mutable_started_at() = rec.received_at();
      c.set_sequence(q.received().sequence());
      c.set_latest_sequence(latest);
      AddCase(std::move(c), NotificationsOf([&](const auto& n) {
                return n.request_id() == rec.request_id();
              }));
    }
  }

  const Sources& s_;
  const SystemRecord& record_;
  const absl::Time at_;
  aigov::v1::ComplianceReport* out_;
  std::set<std::string> deployed_;
};

// Every sequence the report cites, sorted and unique.
std::vector<uint64_t> Cited(const aigov::v1::ComplianceReport& r) {
  std::set<uint64_t> s;
  auto add = [&s](uint64_t v) { s.insert(v); };
  add(r.system_sequence());
  for (const auto& o : r.obligations()) {
    for (const uint64_t e : o.evidence_sequences()) add(e);
    if (o.finding_sequence() != 0) add(o.finding_sequence());
  }
  for (const auto& d : r.documents()) add(d.sequence());
  for (const auto& d : r.deployments()) {
    add(d.sequence());
    if (d.has_marking()) add(d.marking().sequence());
  }
  for (const auto& v : r.model_versions()) {
    add(v.sequence());
    for (const auto& d : v.source_datasets()) {
      if (d.summary().registered() || d.summary().declared_by_lineage()) {
        add(d.sequence());
      }
    }
    if (v.last_evaluation_sequence() != 0) add(v.last_evaluation_sequence());
    for (const auto& e : v.drift_events()) add(e.sequence());
    for (const auto& i : v.indicators()) {
      if (i.has_observed_value()) add(i.observed_sequence());
    }
  }
  for (const auto& a : r.oversight_actions()) add(a.sequence());
  for (const auto& c : r.cases()) {
    add(c.sequence());
    add(c.latest_sequence());
    for (const uint64_t n : c.notification_sequences()) add(n);
  }
  return std::vector<uint64_t>(s.begin(), s.end());
}

}  // namespace

absl::StatusOr<aigov::v1::ComplianceReport> ReportBuilder::Build(
    const std::string& system_id, std::optional<absl::Time> at,
    std::optional<absl::Time> since) const {
  const absl::Time now = clock_.Now();
  const absl::Time when = at.value_or(now);
  const absl::Time from = since.value_or(when - absl::Hours(30 * 24));
  if (from > when) {
    return absl::InvalidArgumentError(
        "since: after the report's instant (give the previous report's "
        "instant, or leave it unset for the 30 days before)");
  }
  AIGOV_ASSIGN_OR_RETURN(
      const aigov::v1::GetStatusResponse status,
      StatusAt(*sources_.compliance, *sources_.journal, system_id, when, now));
  AIGOV_ASSIGN_OR_RETURN(const auto record,
                         sources_.compliance->Record(system_id));
  if (!record.has_value() || !record->has_system()) {
    return NotRegistered(*sources_.compliance, system_id);
  }
  aigov::v1::ComplianceReport report;
  report.set_system_id(system_id);
  *report.mutable_at() = rules::TimestampOf(when);
  *report.mutable_generated_at() = rules::TimestampOf(now);
  report.set_regime(status.regime());
  report.set_source(status.source() == aigov::v1::STATUS_SOURCE_JOURNAL
                        ? "journal"
                        : "evaluated");
  *report.mutable_system() = record->system();
  report.set_system_sequence(record->system_fact().sequence());
  report.set_risk_class(status.risk_class());
  report.mutable_risk_reasons()->CopyFrom(status.reasons());
  Assembler assembler(sources_, *record, when, &report);
  AIGOV_RETURN_IF_ERROR(assembler.Run(status));
  AIGOV_ASSIGN_OR_RETURN(
      const aigov::v1::GetStatusResponse before,
      StatusAt(*sources_.compliance, *sources_.journal, system_id, from, now));
  *report.mutable_changes_since() = rules::TimestampOf(from);
  std::map<std::string, const aigov::v1::ObligationStatus*> then;
  for (const auto& o : before.obligations()) then[o.obligation_id()] = &o;
  for (const auto& o : report.obligations()) {
    auto it = then.find(o.obligation_id());
    const FindingStatus was = it == then.end()
                                  ? aigov::v1::FINDING_STATUS_UNSPECIFIED
                                  : it->second->status();
    if (was == o.status()) continue;
    aigov::v1::ReportChange* c = report.add_changes();
    c->set_obligation_id(o.obligation_id());
    c->set_title(o.title());
    c->set_was(was);
    c->set_now(o.status());
  }
  const std::vector<uint64_t> cited = Cited(report);
  for (const uint64_t s : cited) report.add_cited_sequences(s);

  AIGOV_ASSIGN_OR_RETURN(
      *report.mutable_checkpoint(),
      CheckpointCovering(cited.empty() ? 0 : cited.back() + 1));
  if (attester_ != nullptr) {
    AIGOV_ASSIGN_OR_RETURN(*report.mutable_attestation(),
                           attester_->Sign(attestation::StatementOf(report)));
  }
  return report;
}

absl::StatusOr<aigov::v1::ReportCheckpoint> ReportBuilder::CheckpointCovering(
    uint64_t needed) const {
  // The views are written in their entries' batch, so the head reaches the
  // entries at once or within moments.
  for (int attempt = 0;; ++attempt) {
    AIGOV_ASSIGN_OR_RETURN(const journal::SignedCheckpoint signed_checkpoint,
                           sign_());
    if (signed_checkpoint.checkpoint.size >= needed) {
      aigov::v1::ReportCheckpoint c;
      c.set_origin(signed_checkpoint.checkpoint.origin);
      c.set_tree_size(signed_checkpoint.checkpoint.size);
      c.set_root_hash(tlog::HashHex(signed_checkpoint.checkpoint.root));
      c.set_note(signed_checkpoint.note);
      c.set_public_key(public_key_);
      return c;
    }
    if (attempt == 100) {
      return absl::UnavailableError(absl::StrCat(
          "no signed checkpoint covers entry ", needed - 1, " yet; try again"));
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
}

}  // namespace aigov::reports
