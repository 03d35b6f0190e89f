// The one path every write takes, whatever its transport (gRPC unary, gRPC
// client streams, HTTP): validation result → admission (counted in flight;
// UNAVAILABLE once closing) → the Sequencer (where the admission rules and
// the views' checks run, in order: journal/admission_rule.h) → the outcome,
// only once the entry is durable → aigov_ingest_events_total and the
// latency histogram, counted once per event. Transports only translate:
// request to PendingEvent, outcome to their answer.
//
// Thread-safe. The sequencer and metrics must outlive the pipeline.
#pragma once

#include <functional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#include "aigov/v1/journal.pb.h"
#include "daemon/journal/sequencer.h"
#include "daemon/kinds/kinds.h"
#include "daemon/metrics/daemon_metrics.h"

namespace aigov::ingest {

// The `result` label of an outcome: OK is accepted (or duplicate), and each
// refusal by its code (INVALID_ARGUMENT invalid, ALREADY_EXISTS conflict,
// FAILED_PRECONDITION precondition, RESOURCE_EXHAUSTED and UNAVAILABLE
// rejected, anything else failed).
metrics::IngestResult ResultOf(const journal::AppendOutcome& outcome);

class Pipeline;

// The end of one submission, handed to its transport with the outcome.
// The transport calls Close() exactly once, from any thread (it may first
// hand the receipt to another thread, as an erasure does while its key is
// purged), with the function that answers its caller. Closing counts the
// event, then answers, then (when it was admitted) leaves admission: a
// caller that got its answer finds the event counted, and CloseAndWait()
// returns only once every admitted event was answered.
class Receipt {
 public:
  // Counts the event as ResultOf(outcome) and answers.
  void Close(absl::FunctionRef<void()> answer) const;
  // Counts the event as `result` (when what followed the commit failed)
  // and answers.
  void Close(metrics::IngestResult result,
             absl::FunctionRef<void()> answer) const;

 private:
  friend class Pipeline;
  Receipt(Pipeline* pipeline, const kinds::Kind* kind,
          metrics::IngestResult result, absl::Time start, bool admitted)
      : pipeline_(pipeline),
        kind_(kind),
        result_(result),
        start_(start),
        admitted_(admitted) {}

  Pipeline* pipeline_;
  const kinds::Kind* kind_;  // nullptr: an event of no kind, not counted
  metrics::IngestResult result_;
  absl::Time start_;
  bool admitted_;
};

class Pipeline {
 public:
  // Called exactly once per submission with its outcome: a refusal before
  // queuing (the validation status; UNAVAILABLE when closing;
  // RESOURCE_EXHAUSTED when the queue is full) on the submitting thread, or
  // the journal's outcome on the sequencer thread once the entry is durable
  // (or refused: ALREADY_EXISTS, FAILED_PRECONDITION, a storage error).
  using OnOutcome =
      std::function<void(const journal::AppendOutcome&, const Receipt&)>;

  Pipeline(journal::Sequencer& sequencer, metrics::IngestMetrics& metrics)
      : sequencer_(sequencer), metrics_(metrics) {}

  // Runs one event. When `valid` is not OK it is the outcome and nothing is
  // queued. `event` carries the event oneof, event_id and principal.
  void Submit(const absl::Status& valid, journal::PendingEvent event,
              OnOutcome on_outcome);

  // Runs `events` as one admission and blocks until each is durable or
  // refused; returns their outcomes in order, each already counted. For
  // transports that answer a whole request at once (OpenLineage batches).
  std::vector<journal::AppendOutcome> SubmitAllAndWait(
      std::vector<journal::PendingEvent> events);

  // Counts an event refused before it could be built (a body that does not
  // parse).
  void CountRefused(const kinds::Kind& kind, const absl::Status& status);

  // Refuses further submissions (UNAVAILABLE) and waits up to `timeout` for
  // every admitted one to be closed. Returns true when all were.
  bool CloseAndWait(absl::Duration timeout);

 private:
  friend class Receipt;
  bool Enter();
  void Exit();

  journal::Sequencer& sequencer_;
  metrics::IngestMetrics& metrics_;
  absl::Mutex mu_;
  int64_t inflight_ ABSL_GUARDED_BY(mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace aigov::ingest
