#include "daemon/ingest/openlineage.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

#include "daemon/common/json.h"
#include "daemon/common/sha256.h"
#include "daemon/common/status_macros.h"
#include "daemon/ingest/event_validator.h"

namespace aigov::ingest {
namespace {

using common::Json;

absl::Status Invalid(absl::string_view path, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", reason));
}

std::string Member(absl::string_view path, absl::string_view key) {
  return absl::StrCat(path, ".", key);
}

// The object member `key` of `object`, which must exist when `required`.
absl::StatusOr<const Json*> Find(const Json& object, absl::string_view path,
                                 const char* key, bool required) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (required) return Invalid(Member(path, key), "required");
    return nullptr;
  }
  return &*it;
}

absl::StatusOr<const Json*> FindObject(const Json& object,
                                       absl::string_view path, const char* key,
                                       bool required) {
  AIGOV_ASSIGN_OR_RETURN(const Json* value, Find(object, path, key, required));
  if (value != nullptr && !value->is_object()) {
    return Invalid(Member(path, key), "expected an object");
  }
  return value;
}

// A required non-empty string member, checked as an id (no whitespace or
// control characters, at most 256 characters) when `as_id`.
absl::StatusOr<std::string> RequiredString(const Json& object,
                                           absl::string_view path,
                                           const char* key, bool as_id) {
  AIGOV_ASSIGN_OR_RETURN(const Json* value, Find(object, path, key, true));
  const std::string p = Member(path, key);
  if (!value->is_string()) return Invalid(p, "expected a string");
  std::string s = value->get<std::string>();
  if (s.empty()) return Invalid(p, "required, must not be empty");
  if (as_id) AIGOV_RETURN_IF_ERROR(ValidateId(s, p));
  return s;
}

bool IsUuid(absl::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-'
             : !absl::ascii_isxdigit(static_cast<unsigned char>(s[i])))
      return false;
  }
  return true;
}

absl::StatusOr<aigov::v1::RunEventType> EventType(const Json& event,
                                                  absl::string_view path) {
  AIGOV_ASSIGN_OR_RETURN(const Json* value,
                         Find(event, path, "eventType", false));
  if (value == nullptr) return aigov::v1::RUN_EVENT_TYPE_OTHER;
  const std::string p = Member(path, "eventType");
  if (!value->is_string()) return Invalid(p, "expected a string");
  const std::string type = value->get<std::string>();
  static const std::pair<const char*, aigov::v1::RunEventType> kTypes[] = {
      {"START", aigov::v1::RUN_EVENT_TYPE_START},
      {"RUNNING", aigov::v1::RUN_EVENT_TYPE_RUNNING},
      {"COMPLETE", aigov::v1::RUN_EVENT_TYPE_COMPLETE},
      {"ABORT", aigov::v1::RUN_EVENT_TYPE_ABORT},
      {"FAIL", aigov::v1::RUN_EVENT_TYPE_FAIL},
      {"OTHER", aigov::v1::RUN_EVENT_TYPE_OTHER}};
  for (const auto& [name, t] : kTypes) {
    if (type == name) return t;
  }
  return Invalid(p, absl::StrCat("\"", type,
                                 "\" is not one of START, RUNNING, COMPLETE, "
                                 "ABORT, FAIL, OTHER"));
}

// One dataset object at `dp`: a DatasetRef, or a ModelVersionRef when its
// facet aigov_modelVersion says so (`*is_model` tells which).
absl::Status Dataset(const Json& d, const std::string& dp,
                     aigov::v1::DatasetRef* dataset,
                     aigov::v1::ModelVersionRef* model, bool* is_model) {
  if (!d.is_object()) return Invalid(dp, "expected an object");
  AIGOV_ASSIGN_OR_RETURN(const std::string ns,
                         RequiredString(d, dp, "namespace", true));
  AIGOV_ASSIGN_OR_RETURN(const std::string name,
                         RequiredString(d, dp, "name", true));
  AIGOV_ASSIGN_OR_RETURN(const Json* facets,
                         FindObject(d, dp, "facets", false));
  const std::string fp = Member(dp, "facets");
  *is_model = false;
  if (facets != nullptr) {
    AIGOV_ASSIGN_OR_RETURN(
        const Json* mv, FindObject(*facets, fp, "aigov_modelVersion", false));
    if (mv != nullptr) {
      const std::string mp = Member(fp, "aigov_modelVersion");
      *is_model = true;
      AIGOV_ASSIGN_OR_RETURN(*model->mutable_model_id(),
                             RequiredString(*mv, mp, "modelId", true));
      AIGOV_ASSIGN_OR_RETURN(*model->mutable_version(),
                             RequiredString(*mv, mp, "version", true));
      return absl::OkStatus();
    }
  }
  dataset->set_dataset_id(!name.empty() && name[0] == '/'
                              ? absl::StrCat(ns, name)
                              : absl::StrCat(ns, "/", name));
  AIGOV_RETURN_IF_ERROR(ValidateId(dataset->dataset_id(), Member(dp, "name")));
  dataset->set_version(kUnversioned);
  if (facets != nullptr) {
    AIGOV_ASSIGN_OR_RETURN(const Json* version,
                           FindObject(*facets, fp, "version", false));
    if (version != nullptr) {
      AIGOV_ASSIGN_OR_RETURN(*dataset->mutable_version(),
                             RequiredString(*version, Member(fp, "version"),
                                            "datasetVersion", true));
    }
  }
  return absl::OkStatus();
}

// Adds the datasets (or model versions) of `inputs` or `outputs`.
absl::Status Datasets(
    const Json& event, absl::string_view path, const char* key,
    google::protobuf::RepeatedPtrField<aigov::v1::DatasetRef>* datasets,
    google::protobuf::RepeatedPtrField<aigov::v1::ModelVersionRef>* models) {
  AIGOV_ASSIGN_OR_RETURN(const Json* list, Find(event, path, key, false));
  if (list == nullptr) return absl::OkStatus();
  const std::string lp = Member(path, key);
  if (!list->is_array()) return Invalid(lp, "expected an array");
  for (size_t i = 0; i < list->size(); ++i) {
    aigov::v1::DatasetRef dataset;
    aigov::v1::ModelVersionRef model;
    bool is_model = false;
    AIGOV_RETURN_IF_ERROR(Dataset((*list)[i], absl::StrCat(lp, "[", i, "]"),
                                  &dataset, &model, &is_model));
    if (is_model) {
      *models->Add() = std::move(model);
    } else {
      *datasets->Add() = std::move(dataset);
    }
  }
  return absl::OkStatus();
}

// The members every event type has: eventTime, producer, schemaURL.
struct Header {
  google::protobuf::Timestamp event_time;
  std::string producer;
  std::string schema_url;
};

absl::StatusOr<Header> ParseHeader(const Json& event, absl::string_view path,
                                   absl::Time now) {
  Header h;
  AIGOV_ASSIGN_OR_RETURN(const std::string time,
                         RequiredString(event, path, "eventTime", false));
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, time, &t, &error)) {
    return Invalid(Member(path, "eventTime"),
                   absl::StrCat("expected an RFC 3339 date-time such as "
                                "2026-11-23T10:00:00.000Z (",
                                error, ")"));
  }
  const absl::Duration since_epoch = t - absl::UnixEpoch();
  const int64_t seconds = absl::ToInt64Seconds(since_epoch);
  h.event_time.set_seconds(seconds);
  h.event_time.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(since_epoch - absl::Seconds(seconds))));
  AIGOV_RETURN_IF_ERROR(ValidateEventTime(h.event_time, true, true,
                                          Member(path, "eventTime"), now));
  AIGOV_ASSIGN_OR_RETURN(h.producer,
                         RequiredString(event, path, "producer", false));
  AIGOV_ASSIGN_OR_RETURN(h.schema_url,
                         RequiredString(event, path, "schemaURL", false));
  return h;
}

// The idempotency key of an event: its content, as stored.
std::string EventIdOf(const std::string& openlineage_json) {
  return absl::StrCat(
      "openlineage:",
      common::HexEncode(common::Sha256(openlineage_json)).substr(0, 40));
}

absl::StatusOr<ParsedEvent> ParseRunEvent(const Json& event,
                                          absl::string_view path,
                                          const Header& header,
                                          absl::Time now) {
  ParsedEvent out;
  aigov::v1::RunEvent& run = out.run;
  run.set_source(aigov::v1::RUN_SOURCE_OPENLINEAGE);
  *run.mutable_event_time() = header.event_time;
  run.set_producer(header.producer);
  run.set_schema_url(header.schema_url);
  AIGOV_ASSIGN_OR_RETURN(const aigov::v1::RunEventType type,
                         EventType(event, path));
  run.set_event_type(type);

  AIGOV_ASSIGN_OR_RETURN(const Json* r, FindObject(event, path, "run", true));
  const std::string rp = Member(path, "run");
  AIGOV_ASSIGN_OR_RETURN(*run.mutable_run_id(),
                         RequiredString(*r, rp, "runId", true));
  if (!IsUuid(run.run_id())) {
    return Invalid(Member(rp, "runId"),
                   "expected a UUID (8-4-4-4-12 hex digits)");
  }
  AIGOV_ASSIGN_OR_RETURN(const Json* job, FindObject(event, path, "job", true));
  const std::string jp = Member(path, "job");
  AIGOV_ASSIGN_OR_RETURN(*run.mutable_job_namespace(),
                         RequiredString(*job, jp, "namespace", true));
  AIGOV_ASSIGN_OR_RETURN(*run.mutable_job_name(),
                         RequiredString(*job, jp, "name", true));

  AIGOV_RETURN_IF_ERROR(Datasets(event, path, "inputs", run.mutable_inputs(),
                                 run.mutable_input_models()));
  AIGOV_RETURN_IF_ERROR(Datasets(event, path, "outputs", run.mutable_outputs(),
                                 run.mutable_output_models()));

  run.set_openlineage_json(common::DumpJson(event));
  // What the validator checks of every run event holds here; a failure
  // would be a parser bug, reported against the event.
  AIGOV_RETURN_IF_ERROR(ValidateRunEvent(run, "run", now));
  out.event_id = EventIdOf(run.openlineage_json());
  return out;
}

// A JobEvent (job, no run) or a DatasetEvent (dataset).
absl::StatusOr<ParsedEvent> ParseDeclaration(const Json& event,
                                             absl::string_view path,
                                             const Header& header,
                                             absl::Time now) {
  ParsedEvent out;
  aigov::v1::LineageDeclaration& d = out.declaration;
  *d.mutable_event_time() = header.event_time;
  d.set_producer(header.producer);
  d.set_schema_url(header.schema_url);
  AIGOV_ASSIGN_OR_RETURN(const Json* job,
                         FindObject(event, path, "job", false));
  if (job != nullptr) {
    d.set_type(aigov::v1::LINEAGE_DECLARATION_TYPE_JOB);
    const std::string jp = Member(path, "job");
    AIGOV_ASSIGN_OR_RETURN(*d.mutable_job_namespace(),
                           RequiredString(*job, jp, "namespace", true));
    AIGOV_ASSIGN_OR_RETURN(*d.mutable_job_name(),
                           RequiredString(*job, jp, "name", true));
    AIGOV_RETURN_IF_ERROR(Datasets(event, path, "inputs", d.mutable_inputs(),
                                   d.mutable_input_models()));
    AIGOV_RETURN_IF_ERROR(Datasets(event, path, "outputs", d.mutable_outputs(),
                                   d.mutable_output_models()));
  } else {
    d.set_type(aigov::v1::LINEAGE_DECLARATION_TYPE_DATASET);
    AIGOV_ASSIGN_OR_RETURN(const Json* dataset,
                           FindObject(event, path, "dataset", true));
    aigov::v1::DatasetRef dataset_ref;
    aigov::v1::ModelVersionRef model;
    bool is_model = false;
    AIGOV_RETURN_IF_ERROR(Dataset(*dataset, Member(path, "dataset"),
                                  &dataset_ref, &model, &is_model));
    if (is_model) {
      *d.mutable_model_version() = std::move(model);
    } else {
      *d.mutable_dataset() = std::move(dataset_ref);
    }
  }
  d.set_openlineage_json(common::DumpJson(event));
  AIGOV_RETURN_IF_ERROR(ValidateLineageDeclaration(d, "declaration", now));
  out.event_id = EventIdOf(d.openlineage_json());
  return out;
}

absl::StatusOr<ParsedEvent> ParseEvent(const Json& event,
                                       absl::string_view path, absl::Time now) {
  if (!event.is_object()) {
    return Invalid(path,
                   "expected an event object (RunEvent, JobEvent or "
                   "DatasetEvent)");
  }
  AIGOV_ASSIGN_OR_RETURN(const Header header, ParseHeader(event, path, now));
  const bool has_run = common::FindMember(event, "run") != nullptr;
  const bool has_job = common::FindMember(event, "job") != nullptr;
  const bool has_dataset = common::FindMember(event, "dataset") != nullptr;
  if (has_run) return ParseRunEvent(event, path, header, now);
  if (has_job && common::FindMember(event, "eventType") != nullptr) {
    return Invalid(Member(path, "run"),
                   "required (an event with an eventType is a RunEvent; a "
                   "JobEvent has no eventType)");
  }
  if (has_job || has_dataset) {
    return ParseDeclaration(event, path, header, now);
  }
  return Invalid(Member(path, "run"),
                 "required (a RunEvent has run and job, a JobEvent job, a "
                 "DatasetEvent dataset)");
}

}  // namespace

absl::StatusOr<std::vector<ParsedEvent>> ParseOpenLineage(
    absl::string_view body, bool batch, absl::Time now) {
  auto parsed = common::ParseJson(body);
  if (!parsed.ok()) return Invalid("$", parsed.status().message());
  const Json doc = std::move(*parsed);
  std::vector<ParsedEvent> out;
  if (!batch) {
    AIGOV_ASSIGN_OR_RETURN(ParsedEvent event, ParseEvent(doc, "$", now));
    out.push_back(std::move(event));
    return out;
  }
  if (!doc.is_array()) return Invalid("$", "expected an array of events");
  if (doc.empty()) return Invalid("$", "the batch holds no event");
  for (size_t i = 0; i < doc.size(); ++i) {
    AIGOV_ASSIGN_OR_RETURN(ParsedEvent event,
                           ParseEvent(doc[i], absl::StrCat("$[", i, "]"), now));
    out.push_back(std::move(event));
  }
  return out;
}

}  // namespace aigov::ingest
