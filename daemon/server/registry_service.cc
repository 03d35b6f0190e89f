#include "daemon/server/registry_service.h"

#include <algorithm>
#include <functional>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

#include "daemon/common/status_macros.h"
#include "daemon/ingest/event_validator.h"
#include "daemon/server/grpc_status.h"

namespace aigov::server {
namespace {

constexpr uint32_t kDefaultPageSize = 100;
constexpr uint32_t kMaxPageSize = 1000;

// The name of the record's oneof field, which is also the journal entry's.
const google::protobuf::FieldDescriptor* RecordField(
    const aigov::v1::RegistryRecord& record) {
  static const google::protobuf::OneofDescriptor* const oneof =
      aigov::v1::RegistryRecord::descriptor()->FindOneofByName("record");
  return record.GetReflection()->GetOneofFieldDescriptor(record, oneof);
}

}  // namespace

grpc::ServerUnaryReactor* RegistryServiceImpl::RegisterModelVersion(
    grpc::CallbackServerContext* context,
    const aigov::v1::RegisterModelVersionRequest* request,
    aigov::v1::RegisterModelVersionResponse* response) {
  return writes_.Run(
      context, ingest::ValidateRegisterModelVersion(*request),
      request->event_id(),
      [request](aigov::v1::JournalEntry* entry) {
        *entry->mutable_model_version() = request->model_version();
      },
      AnswerRegistered(response));
}

grpc::ServerUnaryReactor* RegistryServiceImpl::RegisterAiSystem(
    grpc::CallbackServerContext* context,
    const aigov::v1::RegisterAiSystemRequest* request,
    aigov::v1::RegisterAiSystemResponse* response) {
  return writes_.Run(
      context, ingest::ValidateRegisterAiSystem(*request), request->event_id(),
      [request](aigov::v1::JournalEntry* e) {
        *e->mutable_ai_system() = request->ai_system();
      },
      AnswerRegistered(response));
}

grpc::ServerUnaryReactor* RegistryServiceImpl::RegisterDatasetVersion(
    grpc::CallbackServerContext* context,
    const aigov::v1::RegisterDatasetVersionRequest* request,
    aigov::v1::RegisterDatasetVersionResponse* response) {
  return writes_.Run(
      context, ingest::ValidateRegisterDatasetVersion(*request),
      request->event_id(),
      [request](aigov::v1::JournalEntry* e) {
        *e->mutable_dataset_version() = request->dataset_version();
      },
      AnswerRegistered(response));
}

grpc::ServerUnaryReactor* RegistryServiceImpl::RegisterDeployment(
    grpc::CallbackServerContext* context,
    const aigov::v1::RegisterDeploymentRequest* request,
    aigov::v1::RegisterDeploymentResponse* response) {
  return writes_.Run(
      context, ingest::ValidateRegisterDeployment(*request),
      request->event_id(),
      [request](aigov::v1::JournalEntry* e) {
        *e->mutable_deployment() = request->deployment();
      },
      AnswerRegistered(response));
}

grpc::ServerUnaryReactor* RegistryServiceImpl::RegisterEvidenceDocument(
    grpc::CallbackServerContext* context,
    const aigov::v1::RegisterEvidenceDocumentRequest* request,
    aigov::v1::RegisterEvidenceDocumentResponse* response) {
  return writes_.Run(
      context, ingest::ValidateRegisterEvidenceDocument(*request),
      request->event_id(),
      [request](aigov::v1::JournalEntry* e) {
        *e->mutable_evidence_document() = request->evidence_document();
      },
      AnswerRegistered(response));
}

absl::Status RegistryServiceImpl::Unseal(
    aigov::v1::RegistryRecord* record) const {
  if (record->sealed_fields_size() == 0) return absl::OkStatus();
  const google::protobuf::FieldDescriptor* field = RecordField(*record);
  if (field == nullptr) return absl::OkStatus();
  // The sealed paths are relative to the journal entry, whose event field
  // has the record field's name: unseal through an entry.
  aigov::v1::JournalEntry entry;
  const google::protobuf::FieldDescriptor* entry_field =
      entry.GetDescriptor()->FindFieldByName(field->name());
  entry.GetReflection()
      ->MutableMessage(&entry, entry_field)
      ->CopyFrom(record->GetReflection()->GetMessage(*record, field));
  *entry.mutable_sealed_fields() = record->sealed_fields();
  AIGOV_RETURN_IF_ERROR(journal_.Unseal(&entry));
  record->GetReflection()
      ->MutableMessage(record, field)
      ->CopyFrom(entry.GetReflection()->GetMessage(entry, entry_field));
  *record->mutable_erased_fields() = entry.erased_fields();
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* RegistryServiceImpl::GetRecord(
    grpc::CallbackServerContext* context,
    const aigov::v1::GetRecordRequest* request,
    aigov::v1::GetRecordResponse* response) {
  auto key =
      registry::RecordKey(request->kind(), request->id(), request->version());
  if (!key.ok()) return FinishUnary(context, key.status());
  if (request->id().empty()) {
    return FinishUnary(context, absl::InvalidArgumentError("id: required"));
  }
  auto record = registry_.Get(*key);
  if (!record.ok()) return FinishUnary(context, record.status());
  if (!record->has_value()) {
    return FinishUnary(context,
                       absl::NotFoundError(absl::StrCat(
                           aigov::v1::EventKind_Name(request->kind()), " ",
                           request->id(), request->version().empty() ? "" : "@",
                           request->version(), " is not registered")));
  }
  *response->mutable_record() = std::move(**record);
  return FinishUnary(context, Unseal(response->mutable_record()));
}

grpc::ServerUnaryReactor* RegistryServiceImpl::ListRecords(
    grpc::CallbackServerContext* context,
    const aigov::v1::ListRecordsRequest* request,
    aigov::v1::ListRecordsResponse* response) {
  std::string start;
  if (!request->page_token().empty() &&
      !absl::WebSafeBase64Unescape(request->page_token(), &start)) {
    return FinishUnary(context,
                       absl::InvalidArgumentError(
                           "page_token: not a token this server issued"));
  }
  const uint32_t page_size = request->page_size() == 0
                                 ? kDefaultPageSize
                                 : std::min(request->page_size(), kMaxPageSize);
  auto page = registry_.List(request->kind(), request->id(),
                             request->unregistered_only(), start, page_size);
  if (!page.ok()) return FinishUnary(context, page.status());
  for (aigov::v1::RegistryRecord& record : page->records) {
    const absl::Status unsealed = Unseal(&record);
    if (!unsealed.ok()) return FinishUnary(context, unsealed);
    *response->add_records() = std::move(record);
  }
  if (!page->next_key.empty()) {
    response->set_next_page_token(absl::WebSafeBase64Escape(page->next_key));
  }
  return FinishUnary(context, absl::OkStatus());
}

}  // namespace aigov::server
