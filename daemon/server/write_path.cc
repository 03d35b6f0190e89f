#include "daemon/server/write_path.h"

#include <utility>

#include "daemon/server/grpc_status.h"

namespace aigov::server {

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
                                 metrics::IngestResult result) const {
  receipt_.Close(result, [&] { reactor_->Finish(status); });
}

grpc::ServerUnaryReactor* WritePath::Run(
    grpc::CallbackServerContext* context, const absl::Status& valid,
    const std::string& event_id,
    absl::FunctionRef<void(aigov::v1::JournalEntry*)> fill,
    std::function<void(const journal::AppendOutcome&, const WriteCompletion&)>
        on_committed) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  journal::PendingEvent event;
  event.entry.set_event_id(event_id);
  event.entry.set_principal(PrincipalOf(*context));
  fill(&event.entry);
  pipeline_.Submit(
      valid, std::move(event),
      [reactor, on_committed = std::move(on_committed)](
          const journal::AppendOutcome& out, const ingest::Receipt& receipt) {
        const WriteCompletion done(reactor, receipt);
        if (!out.status.ok()) {
          done(ToGrpcStatus(out.status), ingest::ResultOf(out));
          return;
        }
        on_committed(out, done);
      });
  return reactor;
}

}  // namespace aigov::server
