#include "daemon/ingest/event_validator.h"

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"

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

}  // namespace aigov::ingest
