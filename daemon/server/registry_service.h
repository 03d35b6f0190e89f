// aigov.v1.RegistryService over the gRPC callback API.
//
// Reactors only validate and enqueue into the Sequencer; the reply is sent
// from the sequencer's callback once the entry is durable. No handler blocks.
//
// Writes are counted in `inflight` from admission to reply; once it is
// closed they get UNAVAILABLE.
//
// Thread-safe. `sequencer`, `metrics` and `inflight` must outlive the
// service.
#pragma once

#include "aigov/v1/registry_service.grpc.pb.h"
#include "daemon/journal/sequencer.h"
#include "daemon/metrics/daemon_metrics.h"
#include "daemon/server/inflight.h"

namespace aigov::server {

class RegistryServiceImpl final
    : public aigov::v1::RegistryService::CallbackService {
 public:
  RegistryServiceImpl(journal::Sequencer& sequencer,
                      metrics::IngestMetrics& metrics,
                      InflightTracker& inflight)
      : sequencer_(sequencer), metrics_(metrics), inflight_(inflight) {}

  grpc::ServerUnaryReactor* RegisterModelVersion(
      grpc::CallbackServerContext* context,
      const aigov::v1::RegisterModelVersionRequest* request,
      aigov::v1::RegisterModelVersionResponse* response) override;

 private:
  journal::Sequencer& sequencer_;
  metrics::IngestMetrics& metrics_;
  InflightTracker& inflight_;
};

// Returns the authenticated identity of the caller, or "anonymous" on an
// unauthenticated channel.
std::string PrincipalOf(const grpc::CallbackServerContext& context);

}  // namespace aigov::server
