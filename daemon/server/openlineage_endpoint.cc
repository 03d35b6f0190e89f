#include "daemon/server/openlineage_endpoint.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

#include "daemon/common/json.h"
#include "daemon/ingest/openlineage.h"

namespace aigov::server {
namespace {

using metrics::IngestKind;
using metrics::IngestResult;

HttpReply Error(int status, absl::string_view message) {
  common::Json body;
  // "path: reason" → separate fields, so tools can point at the field.
  const size_t colon = message.find(": ");
  if (status == 400 && colon != absl::string_view::npos && message[0] == '$') {
    body["error"] = std::string(message.substr(colon + 2));
    body["path"] = std::string(message.substr(0, colon));
  } else {
    body["error"] = std::string(message);
  }
  return {status, common::DumpJson(body) + "\n"};
}

int HttpStatusOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
      return 409;
    default:
      return 500;
  }
}

}  // namespace

HttpReply OpenLineageEndpoint::Post(absl::string_view body, bool batch) {
  const absl::Time start = absl::Now();
  auto parsed = ingest::ParseOpenLineage(body, batch, clock_.Now());
  if (!parsed.ok()) {
    metrics_.Record(IngestKind::kRunEvent, IngestResult::kInvalid, 0);
    return Error(400, parsed.status().message());
  }
  if (!inflight_.Enter()) {
    metrics_.Record(IngestKind::kRunEvent, IngestResult::kRejected, 0);
    return Error(503, "aigovd is shutting down; retry later");
  }
  struct Waiter {
    absl::Mutex mu;
    size_t pending = 0;
    std::vector<journal::AppendOutcome> outcomes;
  } waiter;
  waiter.outcomes.resize(parsed->size());
  std::vector<IngestKind> kinds;
  for (const ingest::ParsedEvent& e : *parsed) {
    kinds.push_back(e.is_declaration() ? IngestKind::kLineageDeclaration
                                       : IngestKind::kRunEvent);
  }
  waiter.pending = parsed->size();
  for (size_t i = 0; i < parsed->size(); ++i) {
    journal::PendingEvent event;
    event.entry.set_event_id((*parsed)[i].event_id);
    event.entry.set_principal("anonymous");
    if ((*parsed)[i].is_declaration()) {
      *event.entry.mutable_lineage_declaration() =
          std::move((*parsed)[i].declaration);
    } else {
      *event.entry.mutable_run_event() = std::move((*parsed)[i].run);
    }
    const absl::Status queued = sequencer_.Submit(
        std::move(event), [&waiter, i](const journal::AppendOutcome& out) {
          absl::MutexLock lock(&waiter.mu);
          waiter.outcomes[i] = out;
          --waiter.pending;
        });
    if (!queued.ok()) {
      absl::MutexLock lock(&waiter.mu);
      waiter.outcomes[i].status = queued;
      --waiter.pending;
    }
  }
  {
    absl::MutexLock lock(&waiter.mu);
    waiter.mu.Await(absl::Condition(
        +[](size_t* pending) { return *pending == 0; }, &waiter.pending));
  }
  inflight_.Exit();

  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::vector<uint64_t> sequences;
  std::vector<std::string> failures;
  absl::StatusCode code = absl::StatusCode::kOk;
  for (size_t i = 0; i < waiter.outcomes.size(); ++i) {
    const journal::AppendOutcome& out = waiter.outcomes[i];
    const IngestKind kind = kinds[i];
    if (out.status.ok()) {
      metrics_.Record(
          kind,
          out.deduplicated ? IngestResult::kDuplicate : IngestResult::kAccepted,
          seconds);
      sequences.push_back(out.sequence);
      continue;
    }
    code = out.status.code();
    metrics_.Record(kind,
                    code == absl::StatusCode::kResourceExhausted ||
                            code == absl::StatusCode::kUnavailable
                        ? IngestResult::kRejected
                        : IngestResult::kFailed,
                    seconds);
    failures.push_back(batch
                           ? absl::StrCat("$[", i, "]: ", out.status.message())
                           : std::string(out.status.message()));
  }
  if (!failures.empty()) {
    // Events before the failure may be stored: say which, so that a retry of
    // the whole request (deduplicated by content) is known to be safe.
    return Error(
        HttpStatusOf(code),
        absl::StrCat(absl::StrJoin(failures, "; "), " (", sequences.size(),
                     " of ", waiter.outcomes.size(),
                     " events stored; posting the same request again stores "
                     "each event at most once)"));
  }
  common::Json reply;
  reply["sequences"] = sequences;
  return {201, common::DumpJson(reply) + "\n"};
}

}  // namespace aigov::server
