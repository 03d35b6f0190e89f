#include "daemon/server/journal_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

#include "daemon/ingest/event_validator.h"
#include "daemon/server/grpc_status.h"

namespace aigov::server {

grpc::ServerUnaryReactor* JournalServiceImpl::GetEntry(
    grpc::CallbackServerContext* context,
    const aigov::v1::GetEntryRequest* request,
    aigov::v1::GetEntryResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto entry = journal_.Get(request->sequence());
  if (!entry.ok()) {
    reactor->Finish(ToGrpcStatus(entry.status()));
    return reactor;
  }
  *response->mutable_entry() = std::move(*entry);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* JournalServiceImpl::ListEntries(
    grpc::CallbackServerContext* context,
    const aigov::v1::ListEntriesRequest* request,
    aigov::v1::ListEntriesResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (!aigov::v1::EventKind_IsValid(request->kind())) {
    reactor->Finish(ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("kind: unknown value ", request->kind()))));
    return reactor;
  }
  if (!request->model_id().empty()) {
    const absl::Status s = ingest::ValidateId(request->model_id(), "model_id");
    if (!s.ok()) {
      reactor->Finish(ToGrpcStatus(s));
      return reactor;
    }
  }
  journal::ListQuery query;
  query.start_sequence = request->start_sequence();
  query.page_size = request->page_size() == 0
                        ? kDefaultPageSize
                        : std::min(request->page_size(), kMaxPageSize);
  query.model_id = request->model_id();
  query.kind = request->kind();
  query.max_bytes = kMaxPageBytes;
  auto page = journal_.List(query);
  if (!page.ok()) {
    reactor->Finish(ToGrpcStatus(page.status()));
    return reactor;
  }
  for (auto& e : page->entries) *response->add_entries() = std::move(e);
  response->set_next_sequence(page->next_sequence);
  response->set_has_more(page->has_more);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace aigov::server
