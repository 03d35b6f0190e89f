// aigov.v1.MonitoringService over the gRPC callback API.
//
// Writes go through the one ingest pipeline: unary writes through the
// shared WritePath, window reports one pipeline submission per report
// (ReportWindows streams them, ReportWindowBatch sends them in one message);
// each report's result is its own, in order, and the answer comes once every
// report is durable or refused. Checks against the reference profile and
// window closing happen in the sequencer (drift/drift_view.h). Reads answer
// from the drift view and the journal.
//
// Thread-safe. Everything passed to the constructor must outlive it.
#pragma once

#include "aigov/v1/monitoring_service.grpc.pb.h"
#include "daemon/common/clock.h"
#include "daemon/drift/drift_view.h"
#include "daemon/ingest/pipeline.h"
#include "daemon/journal/journal_reader.h"
#include "daemon/server/write_path.h"

namespace aigov::server {

class MonitoringServiceImpl final
    : public aigov::v1::MonitoringService::CallbackService {
 public:
  // Reports of one ReportWindows stream waiting for the journal at most;
  // reading the stream pauses beyond it (flow control back to the client).
  static constexpr size_t kMaxStreamInFlight = 4096;

  MonitoringServiceImpl(WritePath& writes, ingest::Pipeline& pipeline,
                        const drift::DriftView& view,
                        const journal::JournalReader& journal,
                        const common::Clock& clock)
      : writes_(writes),
        pipeline_(pipeline),
        view_(view),
        journal_(journal),
        clock_(clock) {}

  grpc::ServerUnaryReactor* PutReferenceProfile(
      grpc::CallbackServerContext* context,
      const aigov::v1::PutReferenceProfileRequest* request,
      aigov::v1::PutReferenceProfileResponse* response) override;
  grpc::ServerReadReactor<aigov::v1::ReportWindowsRequest>* ReportWindows(
      grpc::CallbackServerContext* context,
      aigov::v1::ReportWindowsResponse* response) override;
  grpc::ServerUnaryReactor* ReportWindowBatch(
      grpc::CallbackServerContext* context,
      const aigov::v1::ReportWindowBatchRequest* request,
      aigov::v1::ReportWindowBatchResponse* response) override;
  grpc::ServerUnaryReactor* ReportPerformance(
      grpc::CallbackServerContext* context,
      const aigov::v1::ReportPerformanceRequest* request,
      aigov::v1::ReportPerformanceResponse* response) override;
  grpc::ServerUnaryReactor* ReportDriftScore(
      grpc::CallbackServerContext* context,
      const aigov::v1::ReportDriftScoreRequest* request,
      aigov::v1::ReportDriftScoreResponse* response) override;
  grpc::ServerUnaryReactor* GetDriftStatus(
      grpc::CallbackServerContext* context,
      const aigov::v1::GetDriftStatusRequest* request,
      aigov::v1::GetDriftStatusResponse* response) override;
  grpc::ServerUnaryReactor* ListDriftEvaluations(
      grpc::CallbackServerContext* context,
      const aigov::v1::ListDriftEvaluationsRequest* request,
      aigov::v1::ListDriftEvaluationsResponse* response) override;

 private:
  WritePath& writes_;
  ingest::Pipeline& pipeline_;
  const drift::DriftView& view_;
  const journal::JournalReader& journal_;
  const common::Clock& clock_;
};

}  // namespace aigov::server
