#include "daemon/server/openlineage_endpoint.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "daemon/common/json.h"
#include "daemon/ingest/openlineage.h"

namespace aigov::server {
namespace {

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
  auto parsed = ingest::ParseOpenLineage(body, batch, clock_.Now());
  if (!parsed.ok()) {
    pipeline_.CountRefused(*kinds::Of(aigov::v1::EVENT_KIND_RUN_EVENT),
                           parsed.status());
    return Error(400, parsed.status().message());
  }
  std::vector<journal::PendingEvent> events(parsed->size());
  for (size_t i = 0; i < parsed->size(); ++i) {
    aigov::v1::JournalEntry& entry = events[i].entry;
    entry.set_event_id((*parsed)[i].event_id);
    entry.set_principal("anonymous");
    if ((*parsed)[i].is_declaration()) {
      *entry.mutable_lineage_declaration() =
          std::move((*parsed)[i].declaration);
    } else {
      *entry.mutable_run_event() = std::move((*parsed)[i].run);
    }
  }
  const std::vector<journal::AppendOutcome> outcomes =
      pipeline_.SubmitAllAndWait(std::move(events));

  std::vector<uint64_t> sequences;
  std::vector<std::string> failures;
  absl::StatusCode code = absl::StatusCode::kOk;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const journal::AppendOutcome& out = outcomes[i];
    if (out.status.ok()) {
      sequences.push_back(out.sequence);
      continue;
    }
    code = out.status.code();
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
                     " of ", outcomes.size(),
                     " events stored; posting the same request again stores "
                     "each event at most once)"));
  }
  common::Json reply;
  reply["sequences"] = sequences;
  return {201, common::DumpJson(reply) + "\n"};
}

}  // namespace aigov::server
