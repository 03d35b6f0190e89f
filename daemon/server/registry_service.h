// aigov.v1.RegistryService over the gRPC callback API.
//
// Writes go through the shared WritePath: reactors only validate and
// enqueue; the reply is sent once the entry is durable. No handler blocks.
//
// Thread-safe. `writes` must outlive the service.
#pragma once

#include "aigov/v1/registry_service.grpc.pb.h"
#include "daemon/server/write_path.h"

namespace aigov::server {

class RegistryServiceImpl final
    : public aigov::v1::RegistryService::CallbackService {
 public:
  explicit RegistryServiceImpl(WritePath& writes) : writes_(writes) {}

  grpc::ServerUnaryReactor* RegisterModelVersion(
      grpc::CallbackServerContext* context,
      const aigov::v1::RegisterModelVersionRequest* request,
      aigov::v1::RegisterModelVersionResponse* response) override;

 private:
  WritePath& writes_;
};

}  // namespace aigov::server
