#include "daemon/server/registry_service.h"

#include <utility>

#include "absl/time/clock.h"

#include "daemon/common/logging.h"
#include "daemon/ingest/event_validator.h"
#include "daemon/server/grpc_status.h"

namespace aigov::server {

using metrics::IngestKind;
using metrics::IngestResult;

std::string PrincipalOf(const grpc::CallbackServerContext& context) {
  const auto auth = context.auth_context();
  if (auth && auth->IsPeerAuthenticated()) {
    const auto identity = auth->GetPeerIdentity();
    if (!identity.empty()) {
      return std::string(identity.front().data(), identity.front().size());
    }
  }
  return "anonymous";
}

grpc::ServerUnaryReactor* RegistryServiceImpl::RegisterModelVersion(
    grpc::CallbackServerContext* context,
    const aigov::v1::RegisterModelVersionRequest* request,
    aigov::v1::RegisterModelVersionResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const absl::Time start = absl::Now();
  const absl::Status valid = ingest::ValidateRegisterModelVersion(*request);
  if (!valid.ok()) {
    metrics_.Record(IngestKind::kModelVersion, IngestResult::kInvalid, 0);
    reactor->Finish(ToGrpcStatus(valid));
    return reactor;
  }

  if (!inflight_.Enter()) {
    metrics_.Record(IngestKind::kModelVersion, IngestResult::kRejected, 0);
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                 "aigovd is shutting down; retry later"));
    return reactor;
  }
  journal::PendingEvent event;
  event.entry.set_event_id(request->event_id());
  event.entry.set_principal(PrincipalOf(*context));
  *event.entry.mutable_model_version() = request->model_version();

  metrics::IngestMetrics& metrics = metrics_;
  InflightTracker& inflight = inflight_;
  const absl::Status queued = sequencer_.Submit(
      std::move(event), [reactor, response, start, &metrics,
                         &inflight](const journal::AppendOutcome& out) {
        const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
        if (!out.status.ok()) {
          const bool conflict =
              out.status.code() == absl::StatusCode::kAlreadyExists;
          metrics.Record(
              IngestKind::kModelVersion,
              conflict ? IngestResult::kConflict : IngestResult::kFailed,
              seconds);
          reactor->Finish(ToGrpcStatus(out.status));
          inflight.Exit();
          return;
        }
        response->set_sequence(out.sequence);
        response->set_deduplicated(out.deduplicated);
        response->set_leaf_hash(std::string(journal::HashBytes(out.leaf_hash)));
        metrics.Record(IngestKind::kModelVersion,
                       out.deduplicated ? IngestResult::kDuplicate
                                        : IngestResult::kAccepted,
                       seconds);
        reactor->Finish(grpc::Status::OK);
        inflight.Exit();
      });
  if (!queued.ok()) {
    metrics_.Record(IngestKind::kModelVersion, IngestResult::kRejected,
                    absl::ToDoubleSeconds(absl::Now() - start));
    // Counted in aigov_ingest_events_total{result="rejected"}; logged only
    // at debug level, since overload would otherwise flood the log.
    common::Log(common::LogLevel::kDebug, "write refused",
                {{"event_id", request->event_id()},
                 {"reason", std::string(queued.message())}});
    reactor->Finish(ToGrpcStatus(queued));
    inflight_.Exit();
  }
  return reactor;
}

}  // namespace aigov::server
