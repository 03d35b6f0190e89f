#include "daemon/server/governance_service.h"

#include <algorithm>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

#include "daemon/common/sha256.h"
#include "daemon/common/status_macros.h"
#include "daemon/ingest/event_validator.h"
#include "daemon/journal/erasure_deriver.h"
#include "daemon/lineage/lineage_queries.h"
#include "daemon/server/grpc_status.h"

namespace aigov::server {
namespace {

using aigov::v1::DataSubjectRequest;

bool IsErasure(const DataSubjectRequest& r) {
  return r.type() == aigov::v1::DATA_SUBJECT_REQUEST_TYPE_ERASURE &&
         r.status() == aigov::v1::DATA_SUBJECT_REQUEST_STATUS_RECEIVED;
}

}  // namespace

grpc::ServerUnaryReactor* GovernanceServiceImpl::RecordOversightAction(
    grpc::CallbackServerContext* context,
    const aigov::v1::RecordOversightActionRequest* request,
    aigov::v1::RecordOversightActionResponse* response) {
  return writes_.Run(
      context, ingest::ValidateRecordOversightAction(*request, clock_.Now()),
      request->event_id(),
      [request](aigov::v1::JournalEntry* e) {
        *e->mutable_oversight_action() = request->oversight_action();
      },
      AnswerRegistered(response));
}

grpc::ServerUnaryReactor* GovernanceServiceImpl::RecordIncident(
    grpc::CallbackServerContext* context,
    const aigov::v1::RecordIncidentRequest* request,
    aigov::v1::RecordIncidentResponse* response) {
  return writes_.Run(
      context, ingest::ValidateRecordIncident(*request, clock_.Now()),
      request->event_id(),
      [request](aigov::v1::JournalEntry* e) {
        *e->mutable_incident() = request->incident();
      },
      AnswerRegistered(response));
}

grpc::ServerUnaryReactor* GovernanceServiceImpl::RecordBreach(
    grpc::CallbackServerContext* context,
    const aigov::v1::RecordBreachRequest* request,
    aigov::v1::RecordBreachResponse* response) {
  return writes_.Run(
      context, ingest::ValidateRecordBreach(*request, clock_.Now()),
      request->event_id(),
      [request](aigov::v1::JournalEntry* e) {
        *e->mutable_personal_data_breach() = request->personal_data_breach();
      },
      AnswerRegistered(response));
}

grpc::ServerUnaryReactor* GovernanceServiceImpl::RecordNotification(
    grpc::CallbackServerContext* context,
    const aigov::v1::RecordNotificationRequest* request,
    aigov::v1::RecordNotificationResponse* response) {
  return writes_.Run(
      context, ingest::ValidateRecordNotification(*request, clock_.Now()),
      request->event_id(),
      [request](aigov::v1::JournalEntry* e) {
        *e->mutable_notification() = request->notification();
      },
      AnswerRegistered(response));
}

grpc::ServerUnaryReactor* GovernanceServiceImpl::RecordMarkingEvidence(
    grpc::CallbackServerContext* context,
    const aigov::v1::RecordMarkingEvidenceRequest* request,
    aigov::v1::RecordMarkingEvidenceResponse* response) {
  return writes_.Run(
      context, ingest::ValidateRecordMarkingEvidence(*request, clock_.Now()),
      request->event_id(),
      [request](aigov::v1::JournalEntry* e) {
        *e->mutable_marking_evidence() = request->marking_evidence();
      },
      AnswerRegistered(response));
}

absl::Status GovernanceServiceImpl::WalkErasure(
    DataSubjectRequest* request) const {
  std::set<std::pair<std::string, std::string>> datasets, models;
  std::set<std::string> deployments;
  for (int i = 0; i < request->datasets_size(); ++i) {
    const aigov::v1::DatasetRef& ref = request->datasets(i);
    auto impact = lineage::Impact(registry_, lineage_, ref);
    if (absl::IsNotFound(impact.status())) {
      return absl::FailedPreconditionError(absl::StrCat(
          "data_subject_request.datasets[", i, "]: ", impact.status().message(),
          "; register it first"));
    }
    AIGOV_RETURN_IF_ERROR(impact.status());
    datasets.emplace(ref.dataset_id(), ref.version());
    for (const auto& d : impact->derived_datasets()) {
      datasets.emplace(d.dataset().dataset_id(), d.dataset().version());
    }
    for (const auto& m : impact->model_versions()) {
      models.emplace(m.model_id(), m.version());
    }
    for (const auto& p : impact->deployments()) {
      deployments.insert(p.deployment_id());
    }
  }
  for (const auto& [id, version] : datasets) {
    auto* d = request->add_affected_datasets();
    d->set_dataset_id(id);
    d->set_version(version);
  }
  for (const auto& [id, version] : models) {
    auto* m = request->add_affected_model_versions();
    m->set_model_id(id);
    m->set_version(version);
  }
  for (const auto& id : deployments) request->add_affected_deployments(id);
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* GovernanceServiceImpl::RecordDataSubjectRequest(
    grpc::CallbackServerContext* context,
    const aigov::v1::RecordDataSubjectRequestRequest* request,
    aigov::v1::RecordDataSubjectRequestResponse* response) {
  absl::Status valid =
      ingest::ValidateRecordDataSubjectRequest(*request, clock_.Now());
  DataSubjectRequest dsr = request->data_subject_request();
  const bool erasure = valid.ok() && IsErasure(dsr);
  if (erasure) {
    dsr.set_erased_subject_id(journal_.SubjectIdOf(dsr.subject()));
    valid = WalkErasure(&dsr);
  }
  // The request's entry and its subject's erasure are one write: the
  // journal's ErasureDeriver sequences the SubjectErasure right after the
  // request, in the same batch (journal/deriver.h).
  const std::string principal = PrincipalOf(*context);
  const std::string erasure_event_id =
      journal::ErasureEventId(request->event_id());
  journal::Sequencer& sequencer = sequencer_;
  const journal::JournalReader& journal = journal_;
  journal::KeyPurger& purger = purger_;
  return writes_.Run(
      context, valid, request->event_id(),
      [&dsr](aigov::v1::JournalEntry* e) {
        *e->mutable_data_subject_request() = dsr;
      },
      [response, erasure, dsr, principal, erasure_event_id, &sequencer,
       &journal, &purger](const journal::AppendOutcome& out,
                          const WriteCompletion& done) {
        response->set_sequence(out.sequence);
        response->set_deduplicated(out.deduplicated);
        response->set_leaf_hash(std::string(tlog::HashBytes(out.leaf_hash)));
        const metrics::IngestResult result =
            out.deduplicated ? metrics::IngestResult::kDuplicate
                             : metrics::IngestResult::kAccepted;
        if (!erasure) {
          done(grpc::Status::OK, result);
          return;
        }
        response->set_erased_subject_id(dsr.erased_subject_id());
        *response->mutable_affected_datasets() = dsr.affected_datasets();
        *response->mutable_affected_model_versions() =
            dsr.affected_model_versions();
        *response->mutable_affected_deployments() = dsr.affected_deployments();
        // The key is deleted; the purge flushes and compacts it away, on the
        // purger's thread.
        const auto purge = [response, done, result,
                            &purger](uint64_t erasure_sequence) {
          response->set_erasure_sequence(erasure_sequence);
          purger.Request([done, result](const absl::Status& purged) {
            done(ToGrpcStatus(purged),
                 purged.ok() ? result : metrics::IngestResult::kFailed);
          });
        };
        for (const auto& d : out.derived) {
          if (d.event_id == erasure_event_id) return purge(d.sequence);
        }
        // A retry: the erasure was sequenced with the original request.
        auto recorded = journal.SequenceOfEventId(erasure_event_id);
        if (!recorded.ok()) {
          done(ToGrpcStatus(recorded.status()), metrics::IngestResult::kFailed);
          return;
        }
        if (recorded->has_value()) return purge(**recorded);
        // A request recorded by an aigovd older than derived entries, whose
        // separate erasure never landed: erase now.
        journal::PendingEvent erase;
        erase.entry.set_event_id(erasure_event_id);
        erase.entry.set_principal(principal);
        erase.entry.mutable_subject_erasure()->set_subject_id(
            dsr.erased_subject_id());
        const absl::Status queued = sequencer.Submit(
            std::move(erase), [done, purge](const journal::AppendOutcome& e) {
              if (!e.status.ok()) {
                done(ToGrpcStatus(e.status), metrics::IngestResult::kFailed);
                return;
              }
              purge(e.sequence);
            });
        if (!queued.ok()) {
          done(ToGrpcStatus(queued), metrics::IngestResult::kRejected);
        }
      });
}

}  // namespace aigov::server
