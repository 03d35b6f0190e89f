#include "daemon/ingest/pipeline.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/time/clock.h"

#include "daemon/common/logging.h"

namespace aigov::ingest {

using metrics::IngestResult;

IngestResult ResultOf(const journal::AppendOutcome& outcome) {
  switch (outcome.status.code()) {
    case absl::StatusCode::kOk:
      return outcome.deduplicated ? IngestResult::kDuplicate
                                  : IngestResult::kAccepted;
    case absl::StatusCode::kInvalidArgument:
      return IngestResult::kInvalid;
    case absl::StatusCode::kAlreadyExists:
      return IngestResult::kConflict;
    case absl::StatusCode::kFailedPrecondition:
      return IngestResult::kPrecondition;
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kUnavailable:
      return IngestResult::kRejected;
    default:
      return IngestResult::kFailed;
  }
}

void Receipt::Close(absl::FunctionRef<void()> answer) const {
  Close(result_, answer);
}

void Receipt::Close(IngestResult result,
                    absl::FunctionRef<void()> answer) const {
  if (kind_ != nullptr) {
    pipeline_->metrics_.Record(*kind_, result,
                               absl::ToDoubleSeconds(absl::Now() - start_));
  }
  answer();
  if (admitted_) pipeline_->Exit();
}

bool Pipeline::Enter() {
  absl::MutexLock lock(&mu_);
  if (closed_) return false;
  ++inflight_;
  return true;
}

void Pipeline::Exit() {
  absl::MutexLock lock(&mu_);
  --inflight_;
}

bool Pipeline::CloseAndWait(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  auto idle = [this]()
                  ABSL_SHARED_LOCKS_REQUIRED(mu_) { return inflight_ == 0; };
  return mu_.AwaitWithTimeout(absl::Condition(&idle), timeout);
}

void Pipeline::CountRefused(const kinds::Kind& kind,
                            const absl::Status& status) {
  journal::AppendOutcome refused;
  refused.status = status;
  metrics_.Record(kind, ResultOf(refused), 0);
}

void Pipeline::Submit(const absl::Status& valid, journal::PendingEvent event,
                      OnOutcome on_outcome) {
  const kinds::Kind* kind = kinds::Of(event.entry);
  const absl::Time start = absl::Now();
  journal::AppendOutcome refused;
  if (!valid.ok()) {
    refused.status = valid;
    on_outcome(refused, Receipt(this, kind, ResultOf(refused), start, false));
    return;
  }
  if (!Enter()) {
    refused.status =
        absl::UnavailableError("aigovd is shutting down; retry later");
    on_outcome(refused, Receipt(this, kind, ResultOf(refused), start, false));
    return;
  }
  // Shared with the sequencer's callback, which Submit destroys when it
  // refuses the event.
  auto answer = std::make_shared<OnOutcome>(std::move(on_outcome));
  const std::string event_id = event.entry.event_id();
  const absl::Status queued = sequencer_.Submit(
      std::move(event),
      [this, kind, start, answer](const journal::AppendOutcome& out) {
        (*answer)(out, Receipt(this, kind, ResultOf(out), start, true));
      });
  if (!queued.ok()) {
    // Counted in aigov_ingest_events_total{result="rejected"}; logged only
    // at debug level, since overload would otherwise flood the log.
    common::Log(
        common::LogLevel::kDebug, "write refused",
        {{"event_id", event_id}, {"reason", std::string(queued.message())}});
    refused.status = queued;
    (*answer)(refused, Receipt(this, kind, ResultOf(refused), start, true));
  }
}

std::vector<journal::AppendOutcome> Pipeline::SubmitAllAndWait(
    std::vector<journal::PendingEvent> events) {
  std::vector<journal::AppendOutcome> outcomes(events.size());
  if (!Enter()) {
    for (size_t i = 0; i < events.size(); ++i) {
      outcomes[i].status =
          absl::UnavailableError("aigovd is shutting down; retry later");
      Receipt(this, kinds::Of(events[i].entry), ResultOf(outcomes[i]),
              absl::Now(), false)
          .Close([] {});
    }
    return outcomes;
  }
  absl::Mutex mu;
  size_t pending = events.size();
  // Each event's receipt is closed by this thread once all are answered; the
  // batch leaves admission once, here.
  std::vector<std::pair<const kinds::Kind*, absl::Time>> counted;
  counted.reserve(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    counted.emplace_back(kinds::Of(events[i].entry), absl::Now());
    const absl::Status queued = sequencer_.Submit(
        std::move(events[i]),
        [&mu, &pending, &outcomes, i](const journal::AppendOutcome& out) {
          absl::MutexLock lock(&mu);
          outcomes[i] = out;
          --pending;
        });
    if (!queued.ok()) {
      absl::MutexLock lock(&mu);
      outcomes[i].status = queued;
      --pending;
    }
  }
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(
        +[](size_t* left) { return *left == 0; }, &pending));
  }
  for (size_t i = 0; i < outcomes.size(); ++i) {
    Receipt(this, counted[i].first, ResultOf(outcomes[i]), counted[i].second,
            false)
        .Close([] {});
  }
  Exit();
  return outcomes;
}

}  // namespace aigov::ingest
