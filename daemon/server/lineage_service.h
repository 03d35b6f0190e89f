// aigov.v1.LineageService over the gRPC callback API.
//
// RecordRun goes through the shared WritePath (a run reading an unregistered
// dataset or model version is refused in the sequencer, by
// RegistryProjection::Check). Impact and provenance walk the lineage view
// and answer from committed state.
//
// Thread-safe. Every reference must outlive the service.
#pragma once

#include "aigov/v1/lineage_service.grpc.pb.h"
#include "daemon/common/clock.h"
#include "daemon/lineage/lineage_projection.h"
#include "daemon/registry/registry_projection.h"
#include "daemon/server/write_path.h"

namespace aigov::server {

class LineageServiceImpl final
    : public aigov::v1::LineageService::CallbackService {
 public:
  LineageServiceImpl(WritePath& writes,
                     const registry::RegistryProjection& registry,
                     const lineage::LineageProjection& lineage,
                     const common::Clock& clock)
      : writes_(writes),
        registry_(registry),
        lineage_(lineage),
        clock_(clock) {}

  grpc::ServerUnaryReactor* RecordRun(
      grpc::CallbackServerContext* context,
      const aigov::v1::RecordRunRequest* request,
      aigov::v1::RecordRunResponse* response) override;
  grpc::ServerUnaryReactor* GetImpact(
      grpc::CallbackServerContext* context,
      const aigov::v1::GetImpactRequest* request,
      aigov::v1::GetImpactResponse* response) override;
  grpc::ServerUnaryReactor* GetProvenance(
      grpc::CallbackServerContext* context,
      const aigov::v1::GetProvenanceRequest* request,
      aigov::v1::GetProvenanceResponse* response) override;
  grpc::ServerUnaryReactor* GetRun(
      grpc::CallbackServerContext* context,
      const aigov::v1::GetRunRequest* request,
      aigov::v1::GetRunResponse* response) override;
  grpc::ServerUnaryReactor* ListRuns(
      grpc::CallbackServerContext* context,
      const aigov::v1::ListRunsRequest* request,
      aigov::v1::ListRunsResponse* response) override;

 private:
  WritePath& writes_;
  const registry::RegistryProjection& registry_;
  const lineage::LineageProjection& lineage_;
  const common::Clock& clock_;
};

}  // namespace aigov::server
