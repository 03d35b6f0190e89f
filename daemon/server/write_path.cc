#include "daemon/server/write_path.h"

#include <utility>

#include "absl/time/clock.h"

#include "daemon/common/logging.h"
#include "daemon/server/grpc_status.h"

namespace aigov::server {

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

void WriteCompletion::operator()(const grpc::Status& status,
                                 IngestResult result) const {
  metrics_->Record(kind_, result, absl::ToDoubleSeconds(absl::Now() - start_));
  reactor_->Finish(status);
  inflight_->Exit();
}

grpc::ServerUnaryReactor* WritePath::Run(
    grpc::CallbackServerContext* context, metrics::IngestKind kind,
    const absl::Status& valid, const std::string& event_id,
    absl::FunctionRef<void(aigov::v1::JournalEntry*)> fill,
    std::function<void(const journal::AppendOutcome&, const WriteCompletion&)>
        on_committed) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (!valid.ok()) {
    metrics_.Record(kind, IngestResult::kInvalid, 0);
    reactor->Finish(ToGrpcStatus(valid));
    return reactor;
  }
  if (!inflight_.Enter()) {
    metrics_.Record(kind, IngestResult::kRejected, 0);
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                 "aigovd is shutting down; retry later"));
    return reactor;
  }
  const WriteCompletion done(reactor, metrics_, inflight_, kind, absl::Now());
  journal::PendingEvent event;
  event.entry.set_event_id(event_id);
  event.entry.set_principal(PrincipalOf(*context));
  fill(&event.entry);
  const absl::Status queued = sequencer_.Submit(
      std::move(event), [done, on_committed = std::move(on_committed)](
                            const journal::AppendOutcome& out) {
        if (!out.status.ok()) {
          IngestResult result = IngestResult::kFailed;
          if (out.status.code() == absl::StatusCode::kAlreadyExists) {
            result = IngestResult::kConflict;
          } else if (out.status.code() ==
                     absl::StatusCode::kFailedPrecondition) {
            result = IngestResult::kPrecondition;
          }
          done(ToGrpcStatus(out.status), result);
          return;
        }
        on_committed(out, done);
      });
  if (!queued.ok()) {
    // Counted in aigov_ingest_events_total{result="rejected"}; logged only at
    // debug level, since overload would otherwise flood the log.
    common::Log(
        common::LogLevel::kDebug, "write refused",
        {{"event_id", event_id}, {"reason", std::string(queued.message())}});
    done(ToGrpcStatus(queued), IngestResult::kRejected);
  }
  return reactor;
}

}  // namespace aigov::server
