#include "daemon/server/lineage_service.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

#include "daemon/common/status_macros.h"
#include "daemon/ingest/event_validator.h"
#include "daemon/lineage/lineage_queries.h"
#include "daemon/server/grpc_status.h"

namespace aigov::server {
namespace {

constexpr uint32_t kDefaultPageSize = 100;
constexpr uint32_t kMaxPageSize = 1000;

absl::Status ValidateRef(const std::string& id, const std::string& version,
                         absl::string_view path, absl::string_view id_name) {
  AIGOV_RETURN_IF_ERROR(
      ingest::ValidateId(id, absl::StrCat(path, ".", id_name)));
  return ingest::ValidateId(version, absl::StrCat(path, ".version"));
}

}  // namespace

grpc::ServerUnaryReactor* LineageServiceImpl::RecordRun(
    grpc::CallbackServerContext* context,
    const aigov::v1::RecordRunRequest* request,
    aigov::v1::RecordRunResponse* response) {
  return writes_.Run(
      context, ingest::ValidateRecordRun(*request, clock_.Now()),
      request->event_id(),
      [request](aigov::v1::JournalEntry* e) {
        *e->mutable_run_event() = request->run();
        e->mutable_run_event()->set_source(aigov::v1::RUN_SOURCE_GRPC);
      },
      AnswerRegistered(response));
}

grpc::ServerUnaryReactor* LineageServiceImpl::GetImpact(
    grpc::CallbackServerContext* context,
    const aigov::v1::GetImpactRequest* request,
    aigov::v1::GetImpactResponse* response) {
  const absl::Status valid =
      ValidateRef(request->dataset().dataset_id(), request->dataset().version(),
                  "dataset", "dataset_id");
  if (!valid.ok()) return FinishUnary(context, valid);
  auto impact = lineage::Impact(registry_, lineage_, request->dataset());
  if (!impact.ok()) return FinishUnary(context, impact.status());
  *response = std::move(*impact);
  return FinishUnary(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* LineageServiceImpl::GetProvenance(
    grpc::CallbackServerContext* context,
    const aigov::v1::GetProvenanceRequest* request,
    aigov::v1::GetProvenanceResponse* response) {
  absl::Status valid;
  if (request->has_model_version()) {
    valid = ValidateRef(request->model_version().model_id(),
                        request->model_version().version(), "model_version",
                        "model_id");
  } else if (request->target_case() ==
             aigov::v1::GetProvenanceRequest::kDeploymentId) {
    valid = ingest::ValidateId(request->deployment_id(), "deployment_id");
  }
  if (!valid.ok()) return FinishUnary(context, valid);
  auto provenance = lineage::Provenance(registry_, lineage_, *request);
  if (!provenance.ok()) return FinishUnary(context, provenance.status());
  *response = std::move(*provenance);
  return FinishUnary(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* LineageServiceImpl::GetRun(
    grpc::CallbackServerContext* context,
    const aigov::v1::GetRunRequest* request,
    aigov::v1::GetRunResponse* response) {
  const absl::Status valid = ingest::ValidateId(request->run_id(), "run_id");
  if (!valid.ok()) return FinishUnary(context, valid);
  auto run = lineage_.GetRun(request->run_id());
  if (!run.ok()) return FinishUnary(context, run.status());
  if (!run->has_value()) {
    return FinishUnary(
        context, absl::NotFoundError(absl::StrCat("run ", request->run_id(),
                                                  " was never recorded")));
  }
  *response->mutable_run() = std::move(**run);
  return FinishUnary(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* LineageServiceImpl::ListRuns(
    grpc::CallbackServerContext* context,
    const aigov::v1::ListRunsRequest* request,
    aigov::v1::ListRunsResponse* response) {
  const uint32_t page_size = request->page_size() == 0
                                 ? kDefaultPageSize
                                 : std::min(request->page_size(), kMaxPageSize);
  // The token is the next run id itself: run ids are not secret.
  auto page = lineage_.ListRuns(request->unfinished_only(),
                                request->page_token(), page_size);
  if (!page.ok()) return FinishUnary(context, page.status());
  for (auto& run : page->runs) *response->add_runs() = std::move(run);
  response->set_next_page_token(page->next_run_id);
  return FinishUnary(context, absl::OkStatus());
}

}  // namespace aigov::server
