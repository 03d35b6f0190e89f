// The gRPC unary side of the ingest pipeline: every write RPC builds its
// event, hands it to ingest::Pipeline with its validation result, and
// answers from the outcome. Handlers supply what differs: how the event is
// built and what a committed outcome puts in the response.
#pragma once

#include <functional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"

#include "aigov/v1/journal.pb.h"
#include "daemon/ingest/pipeline.h"
#include "daemon/journal/sequencer.h"
#include "daemon/metrics/daemon_metrics.h"

namespace aigov::server {

// Answers one write RPC: finishes the reactor with `status`, then closes the
// pipeline's receipt with `result`. Call exactly once, from any thread.
class WriteCompletion {
 public:
  WriteCompletion(grpc::ServerUnaryReactor* reactor, ingest::Receipt receipt)
      : reactor_(reactor), receipt_(receipt) {}
  void operator()(const grpc::Status& status,
                  metrics::IngestResult result) const;

 private:
  grpc::ServerUnaryReactor* reactor_;
  ingest::Receipt receipt_;
};

// The gRPC unary transport of the ingest pipeline (ingest/pipeline.h).
//
// Thread-safe. The pipeline must outlive it.
class WritePath {
 public:
  explicit WritePath(ingest::Pipeline& pipeline) : pipeline_(pipeline) {}

  // Runs one write RPC and returns its reactor. `fill` sets the entry's
  // event (event_id and principal are set here). When `valid` is not OK it
  // is the answer (nothing queued). Once the entry is durably committed or
  // recognised as a retry, `on_committed` runs on the sequencer thread and
  // must call the completion exactly once (it may hand it to another
  // thread). A refusal is answered here.
  grpc::ServerUnaryReactor* Run(
      grpc::CallbackServerContext* context, const absl::Status& valid,
      const std::string& event_id,
      absl::FunctionRef<void(aigov::v1::JournalEntry*)> fill,
      std::function<void(const journal::AppendOutcome&, const WriteCompletion&)>
          on_committed);

 private:
  ingest::Pipeline& pipeline_;
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
    response->set_leaf_hash(std::string(tlog::HashBytes(out.leaf_hash)));
    done(grpc::Status::OK, ingest::ResultOf(out));
  };
}

// Returns the authenticated identity of the caller, or "anonymous" on an
// unauthenticated channel.
std::string PrincipalOf(const grpc::CallbackServerContext& context);

}  // namespace aigov::server
