// aigov.v1.RegistryService over the gRPC callback API.
//
// Writes go through the shared WritePath: reactors only validate and
// enqueue; checks that depend on current state (a deployment's model
// version exists, ...) run in the sequencer (RegistryProjection::Check); the
// reply is sent once the entry is durable. Reads answer from the registry
// view with personal-data fields unsealed. No handler blocks on another
// request.
//
// Thread-safe. `writes`, `registry` and `journal` must outlive the service.
#pragma once

#include "aigov/v1/registry_service.grpc.pb.h"
#include "daemon/journal/journal_reader.h"
#include "daemon/registry/registry_projection.h"
#include "daemon/server/write_path.h"

namespace aigov::server {

class RegistryServiceImpl final
    : public aigov::v1::RegistryService::CallbackService {
 public:
  RegistryServiceImpl(WritePath& writes,
                      const registry::RegistryProjection& registry,
                      const journal::JournalReader& journal)
      : writes_(writes), registry_(registry), journal_(journal) {}

  grpc::ServerUnaryReactor* RegisterModelVersion(
      grpc::CallbackServerContext* context,
      const aigov::v1::RegisterModelVersionRequest* request,
      aigov::v1::RegisterModelVersionResponse* response) override;
  grpc::ServerUnaryReactor* RegisterAiSystem(
      grpc::CallbackServerContext* context,
      const aigov::v1::RegisterAiSystemRequest* request,
      aigov::v1::RegisterAiSystemResponse* response) override;
  grpc::ServerUnaryReactor* RegisterDatasetVersion(
      grpc::CallbackServerContext* context,
      const aigov::v1::RegisterDatasetVersionRequest* request,
      aigov::v1::RegisterDatasetVersionResponse* response) override;
  grpc::ServerUnaryReactor* RegisterDeployment(
      grpc::CallbackServerContext* context,
      const aigov::v1::RegisterDeploymentRequest* request,
      aigov::v1::RegisterDeploymentResponse* response) override;
  grpc::ServerUnaryReactor* RegisterEvidenceDocument(
      grpc::CallbackServerContext* context,
      const aigov::v1::RegisterEvidenceDocumentRequest* request,
      aigov::v1::RegisterEvidenceDocumentResponse* response) override;

  grpc::ServerUnaryReactor* GetRecord(
      grpc::CallbackServerContext* context,
      const aigov::v1::GetRecordRequest* request,
      aigov::v1::GetRecordResponse* response) override;
  grpc::ServerUnaryReactor* ListRecords(
      grpc::CallbackServerContext* context,
      const aigov::v1::ListRecordsRequest* request,
      aigov::v1::ListRecordsResponse* response) override;

 private:
  // Decrypts the record's sealed fields in place.
  absl::Status Unseal(aigov::v1::RegistryRecord* record) const;

  WritePath& writes_;
  const registry::RegistryProjection& registry_;
  const journal::JournalReader& journal_;
};

}  // namespace aigov::server
