// The path every write RPC shares: validation result → admission (counted in
// flight; UNAVAILABLE once shutting down) → the Sequencer → an answer only
// once the entry is durable, with aigov_ingest_events_total counted for each
// outcome. Handlers supply what differs: how the event is built and what a
// committed outcome puts in the response.
//
// Thread-safe. The sequencer, metrics and in-flight tracker must outlive it.
#pragma once

#include <functional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"

#include "aigov/v1/journal.pb.h"
#include "daemon/journal/sequencer.h"
#include "daemon/metrics/daemon_metrics.h"
#include "daemon/server/inflight.h"

namespace aigov::server {

// Answers one admitted write: records `result`, finishes the reactor with
// `status` and leaves the in-flight count. Call exactly once, from any
// thread.
class WriteCompletion {
 public:
  WriteCompletion(grpc::ServerUnaryReactor* reactor,
                  metrics::IngestMetrics& metrics, InflightTracker& inflight,
                  metrics::IngestKind kind, absl::Time start)
      : reactor_(reactor),
        metrics_(&metrics),
        inflight_(&inflight),
        kind_(kind),
        start_(start) {}
  void operator()(const grpc::Status& status,
                  metrics::IngestResult result) const;

 private:
  grpc::ServerUnaryReactor* reactor_;
  metrics::IngestMetrics* metrics_;
  InflightTracker* inflight_;
  metrics::IngestKind kind_;
  absl::Time start_;
};

class WritePath {
 public:
  WritePath(journal::Sequencer& sequencer, metrics::IngestMetrics& metrics,
            InflightTracker& inflight)
      : sequencer_(sequencer), metrics_(metrics), inflight_(inflight) {}

  // Runs one write RPC and returns its reactor. When `valid` is not OK it is
  // the answer (INVALID_ARGUMENT, nothing queued). Otherwise `fill` sets the
  // entry's event (event_id and principal are set here), and once it is
  // durably committed or recognised as a retry, `on_committed` runs on the
  // sequencer thread and must call the completion exactly once (it may hand
  // it to another thread). A conflict or a failed write is answered here.
  grpc::ServerUnaryReactor* Run(
      grpc::CallbackServerContext* context, metrics::IngestKind kind,
      const absl::Status& valid, const std::string& event_id,
      absl::FunctionRef<void(aigov::v1::JournalEntry*)> fill,
      std::function<void(const journal::AppendOutcome&, const WriteCompletion&)>
          on_committed);

 private:
  journal::Sequencer& sequencer_;
  metrics::IngestMetrics& metrics_;
  InflightTracker& inflight_;
};

// Answers a committed write with any response that has sequence,
// deduplicated and leaf_hash (RegisterModelVersionResponse and its kin).
template <typename Response>
std::function<void(const journal::AppendOutcome&, const WriteCompletion&)>
AnswerRegistered(Response* response) {
  return [response](const journal::AppendOutcome& out,
                    const WriteCompletion& done) {
    response->set_sequence(out.sequence);
    response->set_deduplicated(out.deduplicated);
    response->set_leaf_hash(std::string(journal::HashBytes(out.leaf_hash)));
    done(grpc::Status::OK, out.deduplicated ? metrics::IngestResult::kDuplicate
                                            : metrics::IngestResult::kAccepted);
  };
}

// Returns the authenticated identity of the caller, or "anonymous" on an
// unauthenticated channel.
std::string PrincipalOf(const grpc::CallbackServerContext& context);

}  // namespace aigov::server
