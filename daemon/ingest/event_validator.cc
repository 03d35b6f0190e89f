#include "daemon/ingest/event_validator.h"

#include <cmath>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

#include "daemon/common/sha256.h"
#include "daemon/common/status_macros.h"

namespace aigov::ingest {
namespace {

absl::Status Invalid(absl::string_view path, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", reason));
}

std::string Field(absl::string_view path, absl::string_view name) {
  return absl::StrCat(path, ".", name);
}

std::string Indexed(absl::string_view path, absl::string_view name, int i) {
  return absl::StrCat(path, ".", name, "[", i, "]");
}

absl::Status ValidateOptionalId(absl::string_view value,
                                absl::string_view path) {
  if (value.empty()) return absl::OkStatus();
  return ValidateId(value, path);
}

absl::Status ValidateDatasetRef(const aigov::v1::DatasetRef& ref,
                                absl::string_view path) {
  AIGOV_RETURN_IF_ERROR(
      ValidateId(ref.dataset_id(), Field(path, "dataset_id")));
  return ValidateId(ref.version(), Field(path, "version"));
}

template <typename EnumValidFn>
absl::Status ValidateEnum(int value, EnumValidFn is_valid,
                          absl::string_view path) {
  if (value == 0) return Invalid(path, "must be specified (not UNSPECIFIED)");
  if (!is_valid(value))
    return Invalid(path, absl::StrCat("unknown value ", value));
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateEventId(absl::string_view event_id,
                             absl::string_view path) {
  if (event_id.empty()) {
    return Invalid(
        path, "required (1-128 characters of [A-Za-z0-9._:-]; a UUID fits)");
  }
  if (event_id.size() > 128) {
    return Invalid(
        path, absl::StrCat("at most 128 characters, got ", event_id.size()));
  }
  for (size_t i = 0; i < event_id.size(); ++i) {
    const char c = event_id[i];
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                    c == ':' || c == '-';
    if (!ok) {
      return Invalid(path, absl::StrCat("character ", i + 1,
                                        " is not one of [A-Za-z0-9._:-]"));
    }
  }
  if (absl::StartsWith(event_id, kDerivedEventIdPrefix)) {
    return Invalid(path, absl::StrCat("the prefix \"", kDerivedEventIdPrefix,
                                      "\" is reserved for what aigovd "
                                      "derives; choose another event_id"));
  }
  return absl::OkStatus();
}

absl::Status ValidateId(absl::string_view value, absl::string_view path) {
  if (value.empty()) return Invalid(path, "required, must not be empty");
  if (value.size() > kMaxIdLength) {
    return Invalid(path, absl::StrCat("at most ", kMaxIdLength,
                                      " characters, got ", value.size()));
  }
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) {
      return Invalid(path, "must not contain whitespace or control characters");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateModelVersion(const aigov::v1::ModelVersion& mv,
                                  absl::string_view path) {
  AIGOV_RETURN_IF_ERROR(ValidateId(mv.model_id(), Field(path, "model_id")));
  AIGOV_RETURN_IF_ERROR(ValidateId(mv.version(), Field(path, "version")));
  AIGOV_RETURN_IF_ERROR(ValidateId(mv.system_id(), Field(path, "system_id")));
  const std::string sha_path = Field(path, "artifact_sha256");
  if (mv.artifact_sha256().empty()) {
    return Invalid(sha_path, "required (64 lowercase hex characters)");
  }
  if (!common::IsSha256Hex(mv.artifact_sha256())) {
    return Invalid(sha_path,
                   absl::StrCat("expected 64 hex characters, lowercase (got ",
                                mv.artifact_sha256().size(), " characters)"));
  }
  AIGOV_RETURN_IF_ERROR(
      ValidateOptionalId(mv.parent_version(), Field(path, "parent_version")));
  if (!mv.parent_version().empty() && mv.parent_version() == mv.version()) {
    return Invalid(Field(path, "parent_version"), "must differ from version");
  }
  if (mv.has_change_class()) {
    AIGOV_RETURN_IF_ERROR(ValidateEnum(mv.change_class(),
                                       aigov::v1::ChangeClass_IsValid,
                                       Field(path, "change_class")));
  }
  AIGOV_RETURN_IF_ERROR(
      ValidateOptionalId(mv.training_run_id(), Field(path, "training_run_id")));
  for (const auto& [key, value] : mv.hyperparameters()) {
    if (key.empty()) {
      return Invalid(Field(path, "hyperparameters"), "keys must not be empty");
    }
  }
  for (const auto& [key, value] : mv.tracking_ids()) {
    if (key.empty()) {
      return Invalid(Field(path, "tracking_ids"), "keys must not be empty");
    }
  }
  for (int i = 0; i < mv.training_datasets_size(); ++i) {
    AIGOV_RETURN_IF_ERROR(ValidateDatasetRef(
        mv.training_datasets(i), Indexed(path, "training_datasets", i)));
  }
  for (int i = 0; i < mv.evaluation_datasets_size(); ++i) {
    AIGOV_RETURN_IF_ERROR(ValidateDatasetRef(
        mv.evaluation_datasets(i), Indexed(path, "evaluation_datasets", i)));
  }
  for (int i = 0; i < mv.declared_metrics_size(); ++i) {
    const aigov::v1::DeclaredMetric& m = mv.declared_metrics(i);
    const std::string mp = Indexed(path, "declared_metrics", i);
    AIGOV_RETURN_IF_ERROR(ValidateId(m.name(), Field(mp, "name")));
    if (!std::isfinite(m.value()))
      return Invalid(Field(mp, "value"), "must be finite");
    if (!std::isfinite(m.threshold())) {
      return Invalid(Field(mp, "threshold"), "must be finite");
    }
    AIGOV_RETURN_IF_ERROR(ValidateEnum(m.direction(),
                                       aigov::v1::MetricDirection_IsValid,
                                       Field(mp, "direction")));
  }
  return absl::OkStatus();
}

absl::Status ValidateRegisterModelVersion(
    const aigov::v1::RegisterModelVersionRequest& request) {
  AIGOV_RETURN_IF_ERROR(ValidateEventId(request.event_id()));
  if (!request.has_model_version()) {
    return Invalid("model_version", "required");
  }
  return ValidateModelVersion(request.model_version(), "model_version");
}

namespace {

absl::Status ValidateSha256(absl::string_view value, absl::string_view path,
                            bool required) {
  if (value.empty()) {
    if (!required) return absl::OkStatus();
    return Invalid(path, "required (64 lowercase hex characters)");
  }
  if (!common::IsSha256Hex(value)) {
    return Invalid(path,
                   absl::StrCat("expected 64 hex characters, lowercase (got ",
                                value.size(), " characters)"));
  }
  return absl::OkStatus();
}

absl::Status ValidateModelRef(const aigov::v1::ModelVersionRef& ref,
                              absl::string_view path) {
  AIGOV_RETURN_IF_ERROR(ValidateId(ref.model_id(), Field(path, "model_id")));
  return ValidateId(ref.version(), Field(path, "version"));
}

absl::Status ValidatePeople(
    const google::protobuf::RepeatedPtrField<aigov::v1::Person>& people,
    absl::string_view path) {
  for (int i = 0; i < people.size(); ++i) {
    AIGOV_RETURN_IF_ERROR(
        ValidateId(people[i].id(), Field(Indexed(path, "people", i), "id")));
  }
  return absl::OkStatus();
}

// Validates the event_id and that `has` holds, then the record.
template <typename Record, typename Fn>
absl::Status ValidateRequest(absl::string_view event_id, bool has,
                             const Record& record, absl::string_view path,
                             Fn validate) {
  AIGOV_RETURN_IF_ERROR(ValidateEventId(event_id));
  if (!has) return Invalid(path, "required");
  return validate(record, path);
}

}  // namespace

namespace {

// AiSystem.stage_history: known stages, each with its time, in time
// order, ending with lifecycle_stage.
absl::Status ValidateStageHistory(const aigov::v1::AiSystem& system,
                                  absl::string_view path) {
  const int n = system.stage_history_size();
  if (n == 0) return absl::OkStatus();
  if (n > kMaxStageHistory) {
    return Invalid(Field(path, "stage_history"),
                   absl::StrCat("at most ", kMaxStageHistory, " entries"));
  }
  for (int i = 0; i < n; ++i) {
    const aigov::v1::StageEntry& e = system.stage_history(i);
    const std::string ep = Indexed(path, "stage_history", i);
    AIGOV_RETURN_IF_ERROR(ValidateEnum(
        e.stage(), aigov::v1::LifecycleStage_IsValid, Field(ep, "stage")));
    AIGOV_RETURN_IF_ERROR(ValidateEventTime(e.entered_at(), e.has_entered_at(),
                                            true, Field(ep, "entered_at"),
                                            absl::InfiniteFuture()));
    if (i == 0) continue;
    const auto& before = system.stage_history(i - 1).entered_at();
    if (std::make_pair(e.entered_at().seconds(), e.entered_at().nanos()) <
        std::make_pair(before.seconds(), before.nanos())) {
      return Invalid(Field(ep, "entered_at"),
                     "before the previous entry's: the history is oldest "
                     "first");
    }
  }
  if (system.stage_history(n - 1).stage() != system.lifecycle_stage()) {
    return Invalid(Field(path, "lifecycle_stage"),
                   "must be the stage of the last stage_history entry");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateAiSystem(const aigov::v1::AiSystem& system,
                              absl::string_view path) {
  AIGOV_RETURN_IF_ERROR(
      ValidateId(system.system_id(), Field(path, "system_id")));
  for (int i = 0; i < system.roles_size(); ++i) {
    AIGOV_RETURN_IF_ERROR(ValidateEnum(system.roles(i), aigov::v1::Role_IsValid,
                                       Indexed(path, "roles", i)));
  }
  const std::string risk = Field(path, "risk");
  if (system.risk().training_compute_flop() < 0 ||
      !std::isfinite(system.risk().training_compute_flop())) {
    return Invalid(Field(risk, "training_compute_flop"),
                   "must be a finite, non-negative number");
  }
  const std::string gdpr = Field(path, "gdpr");
  if (system.gdpr().has_role()) {
    AIGOV_RETURN_IF_ERROR(ValidateEnum(system.gdpr().role(),
                                       aigov::v1::GdprRole_IsValid,
                                       Field(gdpr, "role")));
  }
  if (system.gdpr().has_lawful_basis()) {
    AIGOV_RETURN_IF_ERROR(ValidateEnum(system.gdpr().lawful_basis(),
                                       aigov::v1::LawfulBasis_IsValid,
                                       Field(gdpr, "lawful_basis")));
  }
  if (!aigov::v1::LifecycleStage_IsValid(system.lifecycle_stage())) {
    return Invalid(Field(path, "lifecycle_stage"),
                   absl::StrCat("unknown value ", system.lifecycle_stage()));
  }
  AIGOV_RETURN_IF_ERROR(ValidateStageHistory(system, path));
  if (system.has_technology_readiness_level() &&
      (system.technology_readiness_level() < 1 ||
       system.technology_readiness_level() > 9)) {
    return Invalid(Field(path, "technology_readiness_level"),
                   "must be between 1 and 9");
  }
  return ValidatePeople(system.people(), path);
}

absl::Status ValidateDatasetVersion(const aigov::v1::DatasetVersion& dataset,
                                    absl::string_view path) {
  AIGOV_RETURN_IF_ERROR(
      ValidateId(dataset.dataset_id(), Field(path, "dataset_id")));
  AIGOV_RETURN_IF_ERROR(ValidateId(dataset.version(), Field(path, "version")));
  AIGOV_RETURN_IF_ERROR(ValidateSha256(dataset.content_sha256(),
                                       Field(path, "content_sha256"), false));
  for (int i = 0; i < dataset.parents_size(); ++i) {
    const aigov::v1::DatasetRef& parent = dataset.parents(i);
    const std::string pp = Indexed(path, "parents", i);
    AIGOV_RETURN_IF_ERROR(ValidateDatasetRef(parent, pp));
    if (parent.dataset_id() == dataset.dataset_id() &&
        parent.version() == dataset.version()) {
      return Invalid(pp, "a dataset version cannot be its own parent");
    }
  }
  if (dataset.has_lawful_basis()) {
    AIGOV_RETURN_IF_ERROR(ValidateEnum(dataset.lawful_basis(),
                                       aigov::v1::LawfulBasis_IsValid,
                                       Field(path, "lawful_basis")));
  }
  if (dataset.has_anonymisation()) {
    AIGOV_RETURN_IF_ERROR(ValidateEnum(dataset.anonymisation(),
                                       aigov::v1::AnonymisationLevel_IsValid,
                                       Field(path, "anonymisation")));
  }
  if (dataset.has_source_category()) {
    AIGOV_RETURN_IF_ERROR(ValidateEnum(dataset.source_category(),
                                       aigov::v1::DataSourceCategory_IsValid,
                                       Field(path, "source_category")));
  }
  for (int i = 0; i < dataset.modalities_size(); ++i) {
    const std::string mp = Indexed(path, "modalities", i);
    AIGOV_RETURN_IF_ERROR(
        ValidateEnum(dataset.modalities(i), aigov::v1::Modality_IsValid, mp));
    for (int j = 0; j < i; ++j) {
      if (dataset.modalities(j) == dataset.modalities(i)) {
        return Invalid(mp, absl::StrCat("repeats modalities[", j, "]"));
      }
    }
  }
  if (dataset.source_url().size() > kMaxUrlLength) {
    return Invalid(Field(path, "source_url"),
                   absl::StrCat("at most ", kMaxUrlLength, " characters, got ",
                                dataset.source_url().size()));
  }
  // Times need only be valid: content may be dated ahead of aigovd's clock
  // by a planned collection end.
  AIGOV_RETURN_IF_ERROR(ValidateEventTime(
      dataset.collected_until(), dataset.has_collected_until(), false,
      Field(path, "collected_until"), absl::InfiniteFuture()));
  if (dataset.has_crawler()) {
    const std::string cp = Field(path, "crawler");
    if (dataset.source_category() !=
        aigov::v1::DATA_SOURCE_CATEGORY_WEB_CRAWLED) {
      return Invalid(cp,
                     "only for source_category "
                     "DATA_SOURCE_CATEGORY_WEB_CRAWLED (data the provider "
                     "crawled itself)");
    }
    const aigov::v1::Crawler& c = dataset.crawler();
    AIGOV_RETURN_IF_ERROR(
        ValidateEventTime(c.collected_from(), c.has_collected_from(), false,
                          Field(cp, "collected_from"), absl::InfiniteFuture()));
    AIGOV_RETURN_IF_ERROR(
        ValidateEventTime(c.collected_to(), c.has_collected_to(), false,
                          Field(cp, "collected_to"), absl::InfiniteFuture()));
    if (c.has_collected_from() && c.has_collected_to() &&
        c.collected_to().seconds() < c.collected_from().seconds()) {
      return Invalid(Field(cp, "collected_to"), "before collected_from");
    }
    if (c.top_domains_size() > kMaxTopDomains) {
      return Invalid(Field(cp, "top_domains"),
                     absl::StrCat("at most ", kMaxTopDomains, " domains, got ",
                                  c.top_domains_size()));
    }
    for (int i = 0; i < c.top_domains_size(); ++i) {
      AIGOV_RETURN_IF_ERROR(
          ValidateId(c.top_domains(i), Indexed(cp, "top_domains", i)));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateDeployment(const aigov::v1::Deployment& deployment,
                                absl::string_view path) {
  AIGOV_RETURN_IF_ERROR(
      ValidateId(deployment.deployment_id(), Field(path, "deployment_id")));
  if (!deployment.has_model_version()) {
    return Invalid(Field(path, "model_version"), "required");
  }
  AIGOV_RETURN_IF_ERROR(ValidateModelRef(deployment.model_version(),
                                         Field(path, "model_version")));
  AIGOV_RETURN_IF_ERROR(ValidateEnum(deployment.environment(),
                                     aigov::v1::Environment_IsValid,
                                     Field(path, "environment")));
  AIGOV_RETURN_IF_ERROR(ValidateEnum(deployment.state(),
                                     aigov::v1::DeploymentState_IsValid,
                                     Field(path, "state")));
  const double share = deployment.traffic_share();
  if (!std::isfinite(share) || share < 0 || share > 1) {
    return Invalid(Field(path, "traffic_share"), "must be within [0, 1]");
  }
  return absl::OkStatus();
}

absl::Status ValidateEvidenceDocument(const aigov::v1::EvidenceDocument& doc,
                                      absl::string_view path) {
  AIGOV_RETURN_IF_ERROR(
      ValidateId(doc.document_id(), Field(path, "document_id")));
  AIGOV_RETURN_IF_ERROR(ValidateEnum(
      doc.type(), aigov::v1::DocumentType_IsValid, Field(path, "type")));
  AIGOV_RETURN_IF_ERROR(ValidateSha256(doc.content_sha256(),
                                       Field(path, "content_sha256"), true));
  AIGOV_RETURN_IF_ERROR(
      ValidateOptionalId(doc.system_id(), Field(path, "system_id")));
  for (int i = 0; i < doc.covers_model_versions_size(); ++i) {
    AIGOV_RETURN_IF_ERROR(
        ValidateModelRef(doc.covers_model_versions(i),
                         Indexed(path, "covers_model_versions", i)));
  }
  if (doc.has_valid_from() && doc.has_valid_until() &&
      doc.valid_until().seconds() < doc.valid_from().seconds()) {
    return Invalid(Field(path, "valid_until"), "must not precede valid_from");
  }
  return absl::OkStatus();
}

absl::Status ValidateRegisterAiSystem(
    const aigov::v1::RegisterAiSystemRequest& request) {
  return ValidateRequest(request.event_id(), request.has_ai_system(),
                         request.ai_system(), "ai_system", ValidateAiSystem);
}

absl::Status ValidateRegisterDatasetVersion(
    const aigov::v1::RegisterDatasetVersionRequest& request) {
  return ValidateRequest(request.event_id(), request.has_dataset_version(),
                         request.dataset_version(), "dataset_version",
                         ValidateDatasetVersion);
}

absl::Status ValidateRegisterDeployment(
    const aigov::v1::RegisterDeploymentRequest& request) {
  return ValidateRequest(request.event_id(), request.has_deployment(),
                         request.deployment(), "deployment",
                         ValidateDeployment);
}

absl::Status ValidateRegisterEvidenceDocument(
    const aigov::v1::RegisterEvidenceDocumentRequest& request) {
  return ValidateRequest(request.event_id(), request.has_evidence_document(),
                         request.evidence_document(), "evidence_document",
                         ValidateEvidenceDocument);
}

namespace {

// Earliest and latest seconds a google.protobuf.Timestamp may hold.
constexpr int64_t kMinTimestampSeconds = -62135596800;  // 0001-01-01
constexpr int64_t kMaxTimestampSeconds = 253402300799;  // 9999-12-31

template <typename Ref, typename Fn>
absl::Status ValidateRefs(const google::protobuf::RepeatedPtrField<Ref>& refs,
                          absl::string_view path, absl::string_view name,
                          Fn validate) {
  for (int i = 0; i < refs.size(); ++i) {
    AIGOV_RETURN_IF_ERROR(validate(refs[i], Indexed(path, name, i)));
  }
  return absl::OkStatus();
}

absl::Status ValidatePersons(
    const google::protobuf::RepeatedPtrField<aigov::v1::Person>& people,
    absl::string_view path, absl::string_view name) {
  for (int i = 0; i < people.size(); ++i) {
    AIGOV_RETURN_IF_ERROR(
        ValidateId(people[i].id(), Field(Indexed(path, name, i), "id")));
  }
  return absl::OkStatus();
}

// Validates the event_id and that `has` holds, then the record with `now`.
template <typename Record, typename Fn>
absl::Status ValidateTimedRequest(absl::string_view event_id, bool has,
                                  const Record& record, absl::string_view path,
                                  absl::Time now, Fn validate) {
  AIGOV_RETURN_IF_ERROR(ValidateEventId(event_id));
  if (!has) return Invalid(path, "required");
  return validate(record, path, now);
}

}  // namespace

absl::Status ValidateEventTime(const google::protobuf::Timestamp& time,
                               bool present, bool required,
                               absl::string_view path, absl::Time now) {
  if (!present) {
    if (required) {
      return Invalid(path, "required (RFC 3339, e.g. 2026-11-23T10:00:00Z)");
    }
    return absl::OkStatus();
  }
  if (time.seconds() < kMinTimestampSeconds ||
      time.seconds() > kMaxTimestampSeconds || time.nanos() < 0 ||
      time.nanos() > 999999999) {
    return Invalid(path, "not a valid time (years 1-9999)");
  }
  const absl::Time t =
      absl::FromUnixSeconds(time.seconds()) + absl::Nanoseconds(time.nanos());
  if (t > now + kMaxFutureSkew) {
    return Invalid(
        path,
        absl::StrCat("is in the far future (", absl::FormatTime(t),
                     " is more than 24 h ahead of aigovd's clock, ",
                     absl::FormatTime(now), "); check the sender's clock"));
  }
  return absl::OkStatus();
}

absl::Status ValidateRunEvent(const aigov::v1::RunEvent& run,
                              absl::string_view path, absl::Time now) {
  AIGOV_RETURN_IF_ERROR(ValidateId(run.run_id(), Field(path, "run_id")));
  AIGOV_RETURN_IF_ERROR(
      ValidateId(run.job_namespace(), Field(path, "job_namespace")));
  AIGOV_RETURN_IF_ERROR(ValidateId(run.job_name(), Field(path, "job_name")));
  AIGOV_RETURN_IF_ERROR(ValidateEnum(run.event_type(),
                                     aigov::v1::RunEventType_IsValid,
                                     Field(path, "event_type")));
  AIGOV_RETURN_IF_ERROR(ValidateEventTime(run.event_time(),
                                          run.has_event_time(), true,
                                          Field(path, "event_time"), now));
  AIGOV_RETURN_IF_ERROR(
      ValidateRefs(run.inputs(), path, "inputs", ValidateDatasetRef));
  AIGOV_RETURN_IF_ERROR(
      ValidateRefs(run.outputs(), path, "outputs", ValidateDatasetRef));
  AIGOV_RETURN_IF_ERROR(
      ValidateRefs(run.input_models(), path, "input_models", ValidateModelRef));
  return ValidateRefs(run.output_models(), path, "output_models",
                      ValidateModelRef);
}

absl::Status ValidateLineageDeclaration(const aigov::v1::LineageDeclaration& d,
                                        absl::string_view path,
                                        absl::Time now) {
  AIGOV_RETURN_IF_ERROR(ValidateEventTime(d.event_time(), d.has_event_time(),
                                          true, Field(path, "event_time"),
                                          now));
  switch (d.type()) {
    case aigov::v1::LINEAGE_DECLARATION_TYPE_JOB:
      AIGOV_RETURN_IF_ERROR(
          ValidateId(d.job_namespace(), Field(path, "job_namespace")));
      AIGOV_RETURN_IF_ERROR(ValidateId(d.job_name(), Field(path, "job_name")));
      if (d.has_dataset() || d.has_model_version()) {
        return Invalid(Field(path, "dataset"),
                       "a JOB declaration names its datasets in inputs and "
                       "outputs");
      }
      AIGOV_RETURN_IF_ERROR(
          ValidateRefs(d.inputs(), path, "inputs", ValidateDatasetRef));
      AIGOV_RETURN_IF_ERROR(
          ValidateRefs(d.outputs(), path, "outputs", ValidateDatasetRef));
      AIGOV_RETURN_IF_ERROR(ValidateRefs(d.input_models(), path, "input_models",
                                         ValidateModelRef));
      return ValidateRefs(d.output_models(), path, "output_models",
                          ValidateModelRef);
    case aigov::v1::LINEAGE_DECLARATION_TYPE_DATASET:
      if (!d.job_namespace().empty() || !d.job_name().empty() ||
          !d.inputs().empty() || !d.outputs().empty() ||
          !d.input_models().empty() || !d.output_models().empty()) {
        return Invalid(Field(path, "job_namespace"),
                       "a DATASET declaration has no job, inputs or outputs");
      }
      if (d.has_dataset() == d.has_model_version()) {
        return Invalid(Field(path, "dataset"),
                       "exactly one of dataset and model_version is required");
      }
      return d.has_dataset()
                 ? ValidateDatasetRef(d.dataset(), Field(path, "dataset"))
                 : ValidateModelRef(d.model_version(),
                                    Field(path, "model_version"));
    default:
      return Invalid(Field(path, "type"), "expected JOB or DATASET");
  }
}

absl::Status ValidateOversightAction(const aigov::v1::OversightAction& action,
                                     absl::string_view path, absl::Time now) {
  AIGOV_RETURN_IF_ERROR(
      ValidateId(action.action_id(), Field(path, "action_id")));
  AIGOV_RETURN_IF_ERROR(
      ValidateId(action.system_id(), Field(path, "system_id")));
  AIGOV_RETURN_IF_ERROR(ValidateEnum(action.action(),
                                     aigov::v1::OversightActionType_IsValid,
                                     Field(path, "action")));
  if (action.has_model_version()) {
    AIGOV_RETURN_IF_ERROR(
        ValidateModelRef(action.model_version(), Field(path, "model_version")));
  }
  AIGOV_RETURN_IF_ERROR(
      ValidateOptionalId(action.deployment_id(), Field(path, "deployment_id")));
  if (action.reviewers().empty()) {
    return Invalid(Field(path, "reviewers"),
                   "at least one person who took the action is required");
  }
  AIGOV_RETURN_IF_ERROR(ValidatePersons(action.reviewers(), path, "reviewers"));
  AIGOV_RETURN_IF_ERROR(ValidatePersons(action.verifiers(), path, "verifiers"));
  return ValidateEventTime(action.occurred_at(), action.has_occurred_at(), true,
                           Field(path, "occurred_at"), now);
}

absl::Status ValidateIncident(const aigov::v1::Incident& incident,
                              absl::string_view path, absl::Time now) {
  AIGOV_RETURN_IF_ERROR(
      ValidateId(incident.incident_id(), Field(path, "incident_id")));
  AIGOV_RETURN_IF_ERROR(
      ValidateId(incident.system_id(), Field(path, "system_id")));
  AIGOV_RETURN_IF_ERROR(ValidateRefs(incident.model_versions(), path,
                                     "model_versions", ValidateModelRef));
  AIGOV_RETURN_IF_ERROR(ValidateOptionalId(incident.deployment_id(),
                                           Field(path, "deployment_id")));
  AIGOV_RETURN_IF_ERROR(ValidateEventTime(incident.occurred_at(),
                                          incident.has_occurred_at(), false,
                                          Field(path, "occurred_at"), now));
  AIGOV_RETURN_IF_ERROR(ValidateEventTime(incident.aware_at(),
                                          incident.has_aware_at(), true,
                                          Field(path, "aware_at"), now));
  if (incident.has_occurred_at() &&
      incident.aware_at().seconds() < incident.occurred_at().seconds()) {
    return Invalid(Field(path, "aware_at"), "must not precede occurred_at");
  }
  AIGOV_RETURN_IF_ERROR(ValidateEnum(incident.category(),
                                     aigov::v1::IncidentCategory_IsValid,
                                     Field(path, "category")));
  if (incident.has_status()) {
    AIGOV_RETURN_IF_ERROR(ValidateEnum(incident.status(),
                                       aigov::v1::IncidentStatus_IsValid,
                                       Field(path, "status")));
  }
  return ValidateOptionalId(incident.breach_id(), Field(path, "breach_id"));
}

absl::Status ValidateBreach(const aigov::v1::PersonalDataBreach& breach,
                            absl::string_view path, absl::Time now) {
  AIGOV_RETURN_IF_ERROR(
      ValidateId(breach.breach_id(), Field(path, "breach_id")));
  AIGOV_RETURN_IF_ERROR(
      ValidateOptionalId(breach.system_id(), Field(path, "system_id")));
  AIGOV_RETURN_IF_ERROR(ValidateEventTime(breach.occurred_at(),
                                          breach.has_occurred_at(), false,
                                          Field(path, "occurred_at"), now));
  AIGOV_RETURN_IF_ERROR(ValidateEventTime(breach.aware_at(),
                                          breach.has_aware_at(), true,
                                          Field(path, "aware_at"), now));
  AIGOV_RETURN_IF_ERROR(ValidateEnum(
      breach.risk(), aigov::v1::BreachRisk_IsValid, Field(path, "risk")));
  AIGOV_RETURN_IF_ERROR(
      ValidateRefs(breach.datasets(), path, "datasets", ValidateDatasetRef));
  return ValidateOptionalId(breach.incident_id(), Field(path, "incident_id"));
}

absl::Status ValidateDataSubjectRequest(
    const aigov::v1::DataSubjectRequest& request, absl::string_view path,
    absl::Time now) {
  AIGOV_RETURN_IF_ERROR(
      ValidateId(request.request_id(), Field(path, "request_id")));
  AIGOV_RETURN_IF_ERROR(ValidateEnum(request.type(),
                                     aigov::v1::DataSubjectRequestType_IsValid,
                                     Field(path, "type")));
  AIGOV_RETURN_IF_ERROR(ValidateEnum(
      request.status(), aigov::v1::DataSubjectRequestStatus_IsValid,
      Field(path, "status")));
  const bool erasure =
      request.type() == aigov::v1::DATA_SUBJECT_REQUEST_TYPE_ERASURE &&
      request.status() == aigov::v1::DATA_SUBJECT_REQUEST_STATUS_RECEIVED;
  if (erasure && request.subject().empty()) {
    return Invalid(Field(path, "subject"),
                   "required for a received erasure request (the subject "
                   "whose personal data is erased)");
  }
  AIGOV_RETURN_IF_ERROR(
      ValidateOptionalId(request.system_id(), Field(path, "system_id")));
  AIGOV_RETURN_IF_ERROR(ValidateEventTime(request.received_at(),
                                          request.has_received_at(), true,
                                          Field(path, "received_at"), now));
  const bool done =
      request.status() == aigov::v1::DATA_SUBJECT_REQUEST_STATUS_COMPLETED ||
      request.status() == aigov::v1::DATA_SUBJECT_REQUEST_STATUS_REFUSED;
  AIGOV_RETURN_IF_ERROR(ValidateEventTime(request.completed_at(),
                                          request.has_completed_at(), done,
                                          Field(path, "completed_at"), now));
  if (request.has_completed_at() &&
      request.completed_at().seconds() < request.received_at().seconds()) {
    return Invalid(Field(path, "completed_at"), "must not precede received_at");
  }
  AIGOV_RETURN_IF_ERROR(
      ValidateRefs(request.datasets(), path, "datasets", ValidateDatasetRef));
  // Set by aigovd only.
  if (!request.erased_subject_id().empty() ||
      !request.affected_datasets().empty() ||
      !request.affected_model_versions().empty() ||
      !request.affected_deployments().empty()) {
    return Invalid(Field(path, "affected_model_versions"),
                   "erased_subject_id and the affected_* fields are set by "
                   "aigovd; leave them empty");
  }
  return absl::OkStatus();
}

absl::Status ValidateNotification(const aigov::v1::Notification& notification,
                                  absl::string_view path, absl::Time now) {
  AIGOV_RETURN_IF_ERROR(ValidateId(notification.notification_id(),
                                   Field(path, "notification_id")));
  AIGOV_RETURN_IF_ERROR(ValidateEnum(notification.recipient(),
                                     aigov::v1::NotificationRecipient_IsValid,
                                     Field(path, "recipient")));
  AIGOV_RETURN_IF_ERROR(ValidateEventTime(notification.sent_at(),
                                          notification.has_sent_at(), true,
                                          Field(path, "sent_at"), now));
  // A system alone: the AI Act's notifications about a system (Art. 20,
  // 27(3), 52(1)).
  if (notification.incident_id().empty() && notification.breach_id().empty() &&
      notification.request_id().empty() && notification.system_id().empty()) {
    return Invalid(Field(path, "incident_id"),
                   "a notification is about an incident, a breach, a request "
                   "or a system: set incident_id, breach_id, request_id or "
                   "system_id");
  }
  AIGOV_RETURN_IF_ERROR(ValidateOptionalId(notification.incident_id(),
                                           Field(path, "incident_id")));
  AIGOV_RETURN_IF_ERROR(
      ValidateOptionalId(notification.breach_id(), Field(path, "breach_id")));
  AIGOV_RETURN_IF_ERROR(
      ValidateOptionalId(notification.request_id(), Field(path, "request_id")));
  return ValidateOptionalId(notification.system_id(), Field(path, "system_id"));
}

absl::Status ValidateMarkingEvidence(const aigov::v1::MarkingEvidence& m,
                                     absl::string_view path, absl::Time now) {
  AIGOV_RETURN_IF_ERROR(
      ValidateId(m.deployment_id(), Field(path, "deployment_id")));
  AIGOV_RETURN_IF_ERROR(ValidateId(m.system_id(), Field(path, "system_id")));
  AIGOV_RETURN_IF_ERROR(ValidateEnum(
      m.method(), aigov::v1::MarkingMethod_IsValid, Field(path, "method")));
  if (m.sampled_sha256().empty()) {
    return Invalid(Field(path, "sampled_sha256"),
                   "at least one sampled output's SHA-256 is required");
  }
  if (m.sampled_sha256_size() > kMaxSampledOutputs) {
    return Invalid(Field(path, "sampled_sha256"),
                   absl::StrCat("at most ", kMaxSampledOutputs, " hashes (got ",
                                m.sampled_sha256_size(), ")"));
  }
  for (int i = 0; i < m.sampled_sha256_size(); ++i) {
    AIGOV_RETURN_IF_ERROR(ValidateSha256(
        m.sampled_sha256(i), Indexed(path, "sampled_sha256", i), true));
  }
  if (m.outputs_sampled() < static_cast<uint32_t>(m.sampled_sha256_size())) {
    return Invalid(Field(path, "outputs_sampled"),
                   absl::StrCat("at least the ", m.sampled_sha256_size(),
                                " outputs sampled_sha256 names (got ",
                                m.outputs_sampled(), ")"));
  }
  if (m.outputs_marked() > m.outputs_sampled()) {
    return Invalid(
        Field(path, "outputs_marked"),
        absl::StrCat("at most outputs_sampled (", m.outputs_sampled(), "; got ",
                     m.outputs_marked(), ")"));
  }
  return ValidateEventTime(m.sampled_at(), m.has_sampled_at(), true,
                           Field(path, "sampled_at"), now);
}

absl::Status ValidateRecordRun(const aigov::v1::RecordRunRequest& request,
                               absl::Time now) {
  AIGOV_RETURN_IF_ERROR(ValidateTimedRequest(request.event_id(),
                                             request.has_run(), request.run(),
                                             "run", now, ValidateRunEvent));
  if (request.run().source() != aigov::v1::RUN_SOURCE_UNSPECIFIED ||
      !request.run().openlineage_json().empty()) {
    return Invalid("run.source",
                   "set by aigovd; leave source and openlineage_json empty");
  }
  return absl::OkStatus();
}

absl::Status ValidateRecordOversightAction(
    const aigov::v1::RecordOversightActionRequest& request, absl::Time now) {
  return ValidateTimedRequest(request.event_id(),
                              request.has_oversight_action(),
                              request.oversight_action(), "oversight_action",
                              now, ValidateOversightAction);
}

absl::Status ValidateRecordIncident(
    const aigov::v1::RecordIncidentRequest& request, absl::Time now) {
  return ValidateTimedRequest(request.event_id(), request.has_incident(),
                              request.incident(), "incident", now,
                              ValidateIncident);
}

absl::Status ValidateRecordBreach(const aigov::v1::RecordBreachRequest& request,
                                  absl::Time now) {
  return ValidateTimedRequest(request.event_id(),
                              request.has_personal_data_breach(),
                              request.personal_data_breach(),
                              "personal_data_breach", now, ValidateBreach);
}

absl::Status ValidateRecordDataSubjectRequest(
    const aigov::v1::RecordDataSubjectRequestRequest& request, absl::Time now) {
  return ValidateTimedRequest(
      request.event_id(), request.has_data_subject_request(),
      request.data_subject_request(), "data_subject_request", now,
      ValidateDataSubjectRequest);
}

absl::Status ValidateRecordNotification(
    const aigov::v1::RecordNotificationRequest& request, absl::Time now) {
  return ValidateTimedRequest(request.event_id(), request.has_notification(),
                              request.notification(), "notification", now,
                              ValidateNotification);
}

absl::Status ValidateRecordMarkingEvidence(
    const aigov::v1::RecordMarkingEvidenceRequest& request, absl::Time now) {
  return ValidateTimedRequest(request.event_id(),
                              request.has_marking_evidence(),
                              request.marking_evidence(), "marking_evidence",
                              now, ValidateMarkingEvidence);
}

}  // namespace aigov::ingest
