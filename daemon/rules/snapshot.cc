#include "daemon/rules/snapshot.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

#include "daemon/rules/classification.h"

namespace aigov::rules {
namespace {

using aigov::internal::v1::Fact;
using aigov::internal::v1::SystemRecord;
using aigov::v1::JournalEntry;

Fact FactOf(const JournalEntry& entry, uint64_t sequence) {
  Fact f;
  f.set_sequence(sequence);
  *f.mutable_at() = entry.recorded_at();
  return f;
}

template <typename List, typename Pred>
auto* FindOrAdd(List* list, Pred pred, bool* added) {
  for (auto& item : *list) {
    if (pred(item)) {
      *added = false;
      return &item;
    }
  }
  *added = true;
  return list->Add();
}

aigov::internal::v1::VersionMonitoring* MonitoringOf(
    SystemRecord* r, const std::string& model, const std::string& version) {
  bool added = false;
  auto* m = FindOrAdd(
      r->mutable_monitoring(),
      [&](const auto& x) {
        return x.model_id() == model && x.version() == version;
      },
      &added);
  if (added) {
    m->set_model_id(model);
    m->set_version(version);
  }
  return m;
}

}  // namespace

absl::Time TimeOf(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

google::protobuf::Timestamp TimestampOf(absl::Time t) {
  google::protobuf::Timestamp out;
  const int64_t nanos = absl::ToUnixNanos(t);
  int64_t seconds = nanos / 1000000000;
  int64_t rest = nanos % 1000000000;
  if (rest < 0) {
    rest += 1000000000;
    --seconds;
  }
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(rest));
  return out;
}

std::string VersionKey(const std::string& model_id,
                       const std::string& version) {
  return absl::StrCat(model_id, "@", version);
}

Routes RoutesOf(const JournalEntry& e) {
  Routes r;
  const auto system = [&r](const std::string& id) {
    if (!id.empty()) r.systems.push_back(id);
  };
  switch (e.event_case()) {
    case JournalEntry::kAiSystem:
      system(e.ai_system().system_id());
      break;
    case JournalEntry::kModelVersion:
      system(e.model_version().system_id());
      break;
    case JournalEntry::kDatasetVersion: {
      aigov::v1::DatasetRef d;
      d.set_dataset_id(e.dataset_version().dataset_id());
      d.set_version(e.dataset_version().version());
      r.datasets.push_back(d);
      break;
    }
    case JournalEntry::kDeployment:
      r.model_versions.push_back(e.deployment().model_version());
      break;
    case JournalEntry::kEvidenceDocument:
      system(e.evidence_document().system_id());
      for (const auto& mv : e.evidence_document().covers_model_versions())
        r.model_versions.push_back(mv);
      break;
    case JournalEntry::kOversightAction:
      system(e.oversight_action().system_id());
      break;
    case JournalEntry::kIncident:
      system(e.incident().system_id());
      break;
    case JournalEntry::kPersonalDataBreach:
      system(e.personal_data_breach().system_id());
      r.breach_id = e.personal_data_breach().breach_id();
      break;
    case JournalEntry::kDataSubjectRequest:
      system(e.data_subject_request().system_id());
      for (const auto& mv : e.data_subject_request().affected_model_versions())
        r.model_versions.push_back(mv);
      r.request_id = e.data_subject_request().request_id();
      break;
    case JournalEntry::kNotification:
      system(e.notification().system_id());
      r.incident_id = e.notification().incident_id();
      r.breach_id = e.notification().breach_id();
      r.request_id = e.notification().request_id();
      break;
    case JournalEntry::kPerformanceSample: {
      aigov::v1::ModelVersionRef mv;
      mv.set_model_id(e.performance_sample().model_id());
      mv.set_version(e.performance_sample().version());
      r.model_versions.push_back(mv);
      break;
    }
    case JournalEntry::kDriftEvaluation: {
      aigov::v1::ModelVersionRef mv;
      mv.set_model_id(e.drift_evaluation().model_id());
      mv.set_version(e.drift_evaluation().version());
      r.model_versions.push_back(mv);
      break;
    }
    case JournalEntry::kPerformanceBreach: {
      aigov::v1::ModelVersionRef mv;
      mv.set_model_id(e.performance_breach().model_id());
      mv.set_version(e.performance_breach().version());
      r.model_versions.push_back(mv);
      break;
    }
    case JournalEntry::kComplianceFinding:
      system(e.compliance_finding().system_id());
      break;
    case JournalEntry::kMarkingEvidence:
      system(e.marking_evidence().system_id());
      break;
    default:
      break;
  }
  return r;
}

bool Folds(const JournalEntry& e) {
  switch (e.event_case()) {
    case JournalEntry::kAiSystem:
    case JournalEntry::kModelVersion:
    case JournalEntry::kDatasetVersion:
    case JournalEntry::kDeployment:
    case JournalEntry::kEvidenceDocument:
    case JournalEntry::kOversightAction:
    case JournalEntry::kIncident:
    case JournalEntry::kPersonalDataBreach:
    case JournalEntry::kDataSubjectRequest:
    case JournalEntry::kNotification:
    case JournalEntry::kPerformanceSample:
    case JournalEntry::kDriftEvaluation:
    case JournalEntry::kPerformanceBreach:
    case JournalEntry::kComplianceFinding:
    case JournalEntry::kMarkingEvidence:
      return true;
    default:
      return false;
  }
}

void FoldDataset(const aigov::v1::DatasetVersion& dataset, const Fact& fact,
                 SystemRecord* r) {
  bool added = false;
  auto* d = FindOrAdd(
      r->mutable_datasets(),
      [&](const auto& x) {
        return x.record().dataset_id() == dataset.dataset_id() &&
               x.record().version() == dataset.version();
      },
      &added);
  *d->mutable_record() = dataset;
  *d->mutable_fact() = fact;
}

// Marking samples kept per deployment: enough to answer for a past instant
// shortly before the newest.
constexpr int kMaxMarkingsPerDeployment = 4;

// Metric-slice pairs kept per version (samples may name any metric).
constexpr int kMaxObservations = 64;

void FoldSample(const JournalEntry& e, uint64_t sequence,
                aigov::internal::v1::VersionMonitoring* m) {
  *m->mutable_last_sample() = FactOf(e, sequence);
  const aigov::v1::PerformanceSample& s = e.performance_sample();
  aigov::internal::v1::MetricObservation* o = nullptr;
  for (auto& x : *m->mutable_observations()) {
    if (x.metric() == s.metric() && x.slice() == s.slice()) o = &x;
  }
  if (o == nullptr) {
    if (m->observations_size() >= kMaxObservations) return;
    o = m->add_observations();
    o->set_metric(s.metric());
    o->set_slice(s.slice());
  } else if (TimeOf(s.window_start()) < TimeOf(o->window_start())) {
    return;
  }
  o->set_value(s.value());
  o->set_n(s.n());
  *o->mutable_window_start() = s.window_start();
  *o->mutable_fact() = FactOf(e, sequence);
}

void Fold(const JournalEntry& e, uint64_t sequence, SystemRecord* r) {
  const Fact fact = FactOf(e, sequence);
  bool added = false;
  switch (e.event_case()) {
    case JournalEntry::kAiSystem: {
      aigov::v1::AiSystem* s = r->mutable_system();
      const aigov::v1::LifecycleStage was = s->lifecycle_stage();
      *s = e.ai_system();
      if (s->lifecycle_stage() == aigov::v1::LIFECYCLE_STAGE_UNSPECIFIED) {
        r->clear_stage_fact();
      } else if (s->lifecycle_stage() != was || !r->has_stage_fact()) {
        *r->mutable_stage_fact() = fact;
      }
      for (auto& p : *s->mutable_people()) p.clear_id();
      *r->mutable_system_fact() = fact;
      if (s->risk().training_compute_flop() > kSystemicRiskFlop &&
          !r->has_gpai_compute_recorded()) {
        *r->mutable_gpai_compute_recorded() = fact;
      }
      break;
    }
    case JournalEntry::kModelVersion: {
      const auto& mv = e.model_version();
      auto* v = FindOrAdd(
          r->mutable_model_versions(),
          [&](const auto& x) {
            return x.record().model_id() == mv.model_id() &&
                   x.record().version() == mv.version();
          },
          &added);
      *v->mutable_record() = mv;
      v->mutable_record()->clear_created_by();
      *v->mutable_fact() = fact;
      break;
    }
    case JournalEntry::kDatasetVersion:
      FoldDataset(e.dataset_version(), fact, r);
      break;
    case JournalEntry::kDeployment: {
      const auto& d = e.deployment();
      auto* cur = FindOrAdd(
          r->mutable_deployments(),
          [&](const auto& x) {
            return x.record().deployment_id() == d.deployment_id();
          },
          &added);
      *cur->mutable_record() = d;
      cur->mutable_record()->clear_approver();
      *cur->mutable_fact() = fact;
      auto* c = r->add_changes();
      c->set_deployment_id(d.deployment_id());
      *c->mutable_model_version() = d.model_version();
      c->set_state(d.state());
      c->set_environment(d.environment());
      *c->mutable_fact() = fact;
      break;
    }
    case JournalEntry::kEvidenceDocument: {
      const auto& d = e.evidence_document();
      auto* doc = FindOrAdd(
          r->mutable_documents(),
          [&](const auto& x) {
            return x.record().document_id() == d.document_id();
          },
          &added);
      *doc->mutable_record() = d;
      doc->mutable_record()->clear_signer();
      *doc->mutable_fact() = fact;
      break;
    }
    case JournalEntry::kOversightAction: {
      const auto& a = e.oversight_action();
      r->set_oversight_actions(r->oversight_actions() + 1);
      switch (a.action()) {
        case aigov::v1::OVERSIGHT_ACTION_TYPE_APPROVE:
          r->set_oversight_approvals(r->oversight_approvals() + 1);
          break;
        case aigov::v1::OVERSIGHT_ACTION_TYPE_OVERRIDE:
          r->set_oversight_overrides(r->oversight_overrides() + 1);
          break;
        case aigov::v1::OVERSIGHT_ACTION_TYPE_STOP:
          r->set_oversight_stops(r->oversight_stops() + 1);
          break;
        default:
          break;
      }
      if (!r->has_first_oversight()) *r->mutable_first_oversight() = fact;
      *r->mutable_last_oversight() = fact;
      if (a.decision_ref().empty() || !a.has_model_version()) break;
      for (const auto& q : r->requests()) {
        if (q.record().request_id() == a.decision_ref() &&
            q.record().type() == aigov::v1::DATA_SUBJECT_REQUEST_TYPE_ERASURE) {
          auto* d = r->add_erasure_decisions();
          d->set_request_id(a.decision_ref());
          *d->mutable_model_version() = a.model_version();
          *d->mutable_fact() = fact;
          break;
        }
      }
      break;
    }
    case JournalEntry::kIncident: {
      const auto& i = e.incident();
      auto* inc = FindOrAdd(
          r->mutable_incidents(),
          [&](const auto& x) {
            return x.record().incident_id() == i.incident_id();
          },
          &added);
      *inc->mutable_record() = i;
      if (added) *inc->mutable_first() = fact;
      *inc->mutable_latest() = fact;
      break;
    }
    case JournalEntry::kPersonalDataBreach: {
      const auto& b = e.personal_data_breach();
      auto* br = FindOrAdd(
          r->mutable_breaches(),
          [&](const auto& x) {
            return x.record().breach_id() == b.breach_id();
          },
          &added);
      *br->mutable_record() = b;
      if (added) *br->mutable_first() = fact;
      break;
    }
    case JournalEntry::kDataSubjectRequest: {
      const auto& q = e.data_subject_request();
      auto* rq = FindOrAdd(
          r->mutable_requests(),
          [&](const auto& x) {
            return x.record().request_id() == q.request_id();
          },
          &added);
      // A later state keeps what aigovd found on receipt.
      google::protobuf::RepeatedPtrField<aigov::v1::ModelVersionRef> affected;
      if (q.affected_model_versions().empty()) {
        affected.Swap(rq->mutable_record()->mutable_affected_model_versions());
      }
      *rq->mutable_record() = q;
      if (!affected.empty()) {
        rq->mutable_record()->mutable_affected_model_versions()->Swap(
            &affected);
      }
      rq->mutable_record()->clear_subject();
      rq->mutable_record()->clear_erased_subject_id();
      if (added) *rq->mutable_received() = fact;
      if (q.status() == aigov::v1::DATA_SUBJECT_REQUEST_STATUS_EXTENDED &&
          !rq->has_extended()) {
        *rq->mutable_extended() = fact;
      }
      if ((q.status() == aigov::v1::DATA_SUBJECT_REQUEST_STATUS_COMPLETED ||
           q.status() == aigov::v1::DATA_SUBJECT_REQUEST_STATUS_REFUSED) &&
          !rq->has_completed()) {
        *rq->mutable_completed() = fact;
      }
      break;
    }
    case JournalEntry::kNotification: {
      const auto& n = e.notification();
      auto* nf = FindOrAdd(
          r->mutable_notifications(),
          [&](const auto& x) {
            return x.record().notification_id() == n.notification_id();
          },
          &added);
      *nf->mutable_record() = n;
      *nf->mutable_fact() = fact;
      break;
    }
    case JournalEntry::kPerformanceSample: {
      const auto& s = e.performance_sample();
      FoldSample(e, sequence, MonitoringOf(r, s.model_id(), s.version()));
      break;
    }
    case JournalEntry::kDriftEvaluation: {
      const auto& d = e.drift_evaluation();
      auto* m = MonitoringOf(r, d.model_id(), d.version());
      *m->mutable_last_sample() = fact;
      const bool alert = d.dataset_state() == aigov::v1::DRIFT_STATE_ALERT;
      if (alert && !m->in_alert()) {
        auto* f = r->add_drift_facts();
        f->set_model_id(d.model_id());
        f->set_version(d.version());
        f->set_what("drift ALERT");
        *f->mutable_fact() = fact;
      }
      m->set_in_alert(alert);
      break;
    }
    case JournalEntry::kPerformanceBreach: {
      const auto& b = e.performance_breach();
      auto* f = r->add_drift_facts();
      f->set_model_id(b.model_id());
      f->set_version(b.version());
      f->set_performance_breach(true);
      f->set_what(absl::StrCat("PerformanceBreach of ", b.metric()));
      *f->mutable_fact() = fact;
      break;
    }
    case JournalEntry::kMarkingEvidence: {
      const auto& m = e.marking_evidence();
      int same = 0;
      for (const auto& x : r->markings()) {
        same += x.record().deployment_id() == m.deployment_id();
      }
      if (same >= kMaxMarkingsPerDeployment) {
        auto* list = r->mutable_markings();
        for (int i = 0; i < list->size(); ++i) {
          if (list->Get(i).record().deployment_id() == m.deployment_id()) {
            list->DeleteSubrange(i, 1);
            break;
          }
        }
      }
      auto* f = r->add_markings();
      *f->mutable_record() = m;
      f->mutable_record()->clear_sampled_sha256();
      *f->mutable_fact() = fact;
      break;
    }
    case JournalEntry::kComplianceFinding: {
      const auto& c = e.compliance_finding();
      auto* f = FindOrAdd(
          r->mutable_findings(),
          [&](const auto& x) { return x.obligation_id() == c.obligation_id(); },
          &added);
      f->set_obligation_id(c.obligation_id());
      f->set_status(c.status());
      if (c.has_deadline()) {
        *f->mutable_deadline() = c.deadline();
      } else {
        f->clear_deadline();
      }
      f->set_sequence(sequence);
      *f->mutable_evaluated_at() = c.evaluated_at();
      f->set_reason(c.reason());
      break;
    }
    default:
      break;
  }
}

const aigov::internal::v1::MarkingFact* NewestMarking(
    const SystemRecord& record, const std::string& deployment_id,
    absl::Time at) {
  const aigov::internal::v1::MarkingFact* newest = nullptr;
  for (const auto& m : record.markings()) {
    if (m.record().deployment_id() != deployment_id ||
        TimeOf(m.fact().at()) > at) {
      continue;
    }
    if (newest == nullptr || TimeOf(m.record().sampled_at()) >=
                                 TimeOf(newest->record().sampled_at())) {
      newest = &m;
    }
  }
  return newest;
}

}  // namespace aigov::rules
