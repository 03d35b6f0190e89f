#include "daemon/server/registry_service.h"

#include "daemon/ingest/event_validator.h"

namespace aigov::server {

grpc::ServerUnaryReactor* RegistryServiceImpl::RegisterModelVersion(
    grpc::CallbackServerContext* context,
    const aigov::v1::RegisterModelVersionRequest* request,
    aigov::v1::RegisterModelVersionResponse* response) {
  return writes_.Run(
      context, metrics::IngestKind::kModelVersion,
      ingest::ValidateRegisterModelVersion(*request), request->event_id(),
      [request](aigov::v1::JournalEntry* entry) {
        *entry->mutable_model_version() = request->model_version();
      },
      [response](const journal::AppendOutcome& out,
                 const WriteCompletion& done) {
        response->set_sequence(out.sequence);
        response->set_deduplicated(out.deduplicated);
        response->set_leaf_hash(std::string(journal::HashBytes(out.leaf_hash)));
        done(grpc::Status::OK, out.deduplicated
                                   ? metrics::IngestResult::kDuplicate
                                   : metrics::IngestResult::kAccepted);
      });
}

}  // namespace aigov::server
