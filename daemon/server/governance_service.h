// aigov.v1.GovernanceService over the gRPC callback API.
//
// Every write goes through the shared WritePath; checks that depend on
// current state (Art. 14(5) verifiers, references to recorded incidents and
// model versions) run in the sequencer (RegistryProjection::Check). A
// received erasure request walks the lineage view from the request's
// datasets before it is queued (so the entry records what was affected as
// of then), and once it is durable the subject is erased as
// JournalService.EraseSubject does, under an event id derived from the
// request's, so a retried request erases at most once.
//
// Thread-safe. Every reference must outlive the service.
#pragma once

#include "aigov/v1/governance_service.grpc.pb.h"
#include "daemon/common/clock.h"
#include "daemon/journal/journal_reader.h"
#include "daemon/journal/key_purger.h"
#include "daemon/journal/sequencer.h"
#include "daemon/lineage/lineage_projection.h"
#include "daemon/registry/registry_projection.h"
#include "daemon/server/write_path.h"

namespace aigov::server {

class GovernanceServiceImpl final
    : public aigov::v1::GovernanceService::CallbackService {
 public:
  GovernanceServiceImpl(WritePath& writes, journal::Sequencer& sequencer,
                        const journal::JournalReader& journal,
                        const registry::RegistryProjection& registry,
                        const lineage::LineageProjection& lineage,
                        const common::Clock& clock, journal::KeyPurger& purger)
      : writes_(writes),
        sequencer_(sequencer),
        journal_(journal),
        registry_(registry),
        lineage_(lineage),
        clock_(clock),
        purger_(purger) {}

  grpc::ServerUnaryReactor* RecordOversightAction(
      grpc::CallbackServerContext* context,
      const aigov::v1::RecordOversightActionRequest* request,
      aigov::v1::RecordOversightActionResponse* response) override;
  grpc::ServerUnaryReactor* RecordIncident(
      grpc::CallbackServerContext* context,
      const aigov::v1::RecordIncidentRequest* request,
      aigov::v1::RecordIncidentResponse* response) override;
  grpc::ServerUnaryReactor* RecordBreach(
      grpc::CallbackServerContext* context,
      const aigov::v1::RecordBreachRequest* request,
      aigov::v1::RecordBreachResponse* response) override;
  grpc::ServerUnaryReactor* RecordDataSubjectRequest(
      grpc::CallbackServerContext* context,
      const aigov::v1::RecordDataSubjectRequestRequest* request,
      aigov::v1::RecordDataSubjectRequestResponse* response) override;
  grpc::ServerUnaryReactor* RecordNotification(
      grpc::CallbackServerContext* context,
      const aigov::v1::RecordNotificationRequest* request,
      aigov::v1::RecordNotificationResponse* response) override;
  grpc::ServerUnaryReactor* RecordMarkingEvidence(
      grpc::CallbackServerContext* context,
      const aigov::v1::RecordMarkingEvidenceRequest* request,
      aigov::v1::RecordMarkingEvidenceResponse* response) override;

 private:
  // Sets the affected_* fields of an erasure request from a lineage walk
  // downstream of its datasets. kFailedPrecondition naming the path when a
  // dataset is unknown.
  absl::Status WalkErasure(aigov::v1::DataSubjectRequest* request) const;

  WritePath& writes_;
  journal::Sequencer& sequencer_;
  const journal::JournalReader& journal_;
  const registry::RegistryProjection& registry_;
  const lineage::LineageProjection& lineage_;
  const common::Clock& clock_;
  journal::KeyPurger& purger_;
};

}  // namespace aigov::server
