// Stateless validation of write requests, done in the gRPC reactor before an
// event is queued (checks that depend on current state belong inside the
// sequencer). Every error is kInvalidArgument with the field path and the
// reason: "model_version.artifact_sha256: expected 64 hex characters ...".
//
// Thread-compatible: pure functions.
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

#include "aigov/v1/governance_service.pb.h"
#include "aigov/v1/lineage_service.pb.h"
#include "aigov/v1/records.pb.h"
#include "aigov/v1/registry_service.pb.h"

namespace aigov::ingest {

// Longest id (model_id, version, system_id, dataset_id, ...) accepted.
inline constexpr size_t kMaxIdLength = 256;
// A DatasetVersion's source_url, and its crawler's top_domains (the
// summary template asks for the top 10% of domains, capped for SMEs at
// 1,000).
inline constexpr size_t kMaxUrlLength = 2048;
inline constexpr int kMaxTopDomains = 1000;
// At most this many entries in AiSystem.stage_history.
inline constexpr int kMaxStageHistory = 16;

// The event_ids of entries aigovd derives start with this (drift
// evaluations, performance breaches); clients may not use it, so no client
// can take the id of a fact before aigovd derives it.
inline constexpr char kDerivedEventIdPrefix[] = "aigovd:";

// event_id: 1–128 characters of [A-Za-z0-9._:-], not starting with
// kDerivedEventIdPrefix.
absl::Status ValidateEventId(absl::string_view event_id,
                             absl::string_view path = "event_id");

// An identifier: 1–256 characters, no whitespace or control characters.
absl::Status ValidateId(absl::string_view value, absl::string_view path);

// A ModelVersion; `path` prefixes field names ("model_version").
absl::Status ValidateModelVersion(const aigov::v1::ModelVersion& mv,
                                  absl::string_view path);

absl::Status ValidateRegisterModelVersion(
    const aigov::v1::RegisterModelVersionRequest& request);

// The other registry records; `path` prefixes field names.
absl::Status ValidateAiSystem(const aigov::v1::AiSystem& system,
                              absl::string_view path);
absl::Status ValidateDatasetVersion(const aigov::v1::DatasetVersion& dataset,
                                    absl::string_view path);
absl::Status ValidateDeployment(const aigov::v1::Deployment& deployment,
                                absl::string_view path);
absl::Status ValidateEvidenceDocument(const aigov::v1::EvidenceDocument& doc,
                                      absl::string_view path);

absl::Status ValidateRegisterAiSystem(
    const aigov::v1::RegisterAiSystemRequest& request);
absl::Status ValidateRegisterDatasetVersion(
    const aigov::v1::RegisterDatasetVersionRequest& request);
absl::Status ValidateRegisterDeployment(
    const aigov::v1::RegisterDeploymentRequest& request);
absl::Status ValidateRegisterEvidenceDocument(
    const aigov::v1::RegisterEvidenceDocumentRequest& request);

// How far ahead of aigovd's clock an event may be dated (clock skew between
// hosts); a later time is refused as "in the far future".
inline constexpr absl::Duration kMaxFutureSkew = absl::Hours(24);

// A time: a valid Timestamp (years 1-9999, nanos within [0, 1e9)), not more
// than kMaxFutureSkew ahead of `now`. When `required`, it must be set.
absl::Status ValidateEventTime(const google::protobuf::Timestamp& time,
                               bool present, bool required,
                               absl::string_view path, absl::Time now);

// Lineage and governance events; `now` is aigovd's clock, for the times.
absl::Status ValidateRunEvent(const aigov::v1::RunEvent& run,
                              absl::string_view path, absl::Time now);
// JOB: the job's ids and refs; DATASET: exactly one of dataset and
// model_version, and no job, inputs or outputs.
absl::Status ValidateLineageDeclaration(
    const aigov::v1::LineageDeclaration& declaration, absl::string_view path,
    absl::Time now);
absl::Status ValidateOversightAction(const aigov::v1::OversightAction& action,
                                     absl::string_view path, absl::Time now);
absl::Status ValidateIncident(const aigov::v1::Incident& incident,
                              absl::string_view path, absl::Time now);
absl::Status ValidateBreach(const aigov::v1::PersonalDataBreach& breach,
                            absl::string_view path, absl::Time now);
absl::Status ValidateDataSubjectRequest(
    const aigov::v1::DataSubjectRequest& request, absl::string_view path,
    absl::Time now);
absl::Status ValidateNotification(const aigov::v1::Notification& notification,
                                  absl::string_view path, absl::Time now);
// At most this many sampled_sha256 in one MarkingEvidence.
inline constexpr int kMaxSampledOutputs = 1000;
absl::Status ValidateMarkingEvidence(const aigov::v1::MarkingEvidence& m,
                                     absl::string_view path, absl::Time now);

absl::Status ValidateRecordRun(const aigov::v1::RecordRunRequest& request,
                               absl::Time now);
absl::Status ValidateRecordOversightAction(
    const aigov::v1::RecordOversightActionRequest& request, absl::Time now);
absl::Status ValidateRecordIncident(
    const aigov::v1::RecordIncidentRequest& request, absl::Time now);
absl::Status ValidateRecordBreach(const aigov::v1::RecordBreachRequest& request,
                                  absl::Time now);
absl::Status ValidateRecordDataSubjectRequest(
    const aigov::v1::RecordDataSubjectRequestRequest& request, absl::Time now);
absl::Status ValidateRecordNotification(
    const aigov::v1::RecordNotificationRequest& request, absl::Time now);
absl::Status ValidateRecordMarkingEvidence(
    const aigov::v1::RecordMarkingEvidenceRequest& request, absl::Time now);

}  // namespace aigov::ingest
