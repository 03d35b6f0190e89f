// The compliance report rendered for people and programs: JSON (the proto3
// JSON mapping of aigov.v1.ComplianceReport, field names as in the proto),
// Markdown and one self-contained HTML page (document.h), in ten numbered
// sections:
//   1 Summary: what needs doing, most severe    6 Model versions and provenance
//     first, due next, missing evidence, what   7 Drift and performance
//     changed since the previous month          8 Human oversight
//   2 System profile and risk classification    9 Incidents, breaches and
//   3 Obligations (those that apply, then the      data-subject requests
//     others in one compact table)             10 Proof
//   4 Evidence documents
//   5 Deployments
// Pure functions; thread-safe.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

#include "aigov/v1/report.pb.h"
#include "daemon/reports/document.h"

namespace aigov::reports {

// The section titles, in order (tests and the web view count them).
inline constexpr const char* kReportSections[] = {
    "Summary",
    "System profile and risk classification",
    "Obligations",
    "Evidence documents",
    "Deployments",
    "Model versions and provenance",
    "Drift and performance",
    "Human oversight",
    "Incidents, breaches and data-subject requests",
    "Proof",
};

Document ReportDocument(const aigov::v1::ComplianceReport& report);

// A report (ComplianceReport, TrainingDataSummary) as indented JSON, proto
// field names, every field printed. kInternal only if the message cannot be
// printed (never for a built report).
absl::StatusOr<std::string> ReportJson(const google::protobuf::Message& report);

// "VIOLATED", "DEPLOYMENT_STATE_ENABLED" -> "ENABLED": an enum value's name
// without its type's prefix.
std::string EnumText(const std::string& name, const char* prefix);

// "VIOLATED"; "credit-scoring@2.1" ("" for an empty reference); "yes" or
// "no"; a number with four significant digits.
std::string StatusText(aigov::v1::FindingStatus s);
// "Violated", "At risk", "Not yet applicable": a status for people.
std::string StatusLabel(aigov::v1::FindingStatus s);
// "1 obligation", "3 obligations" (`noun` takes an "s").
std::string Counted(int64_t n, const std::string& noun);
std::string RefText(const aigov::v1::ModelVersionRef& r);
std::string YesNoText(bool b);
std::string NumberText(double v);
// "pseudonymised"; "" for UNSPECIFIED.
std::string AnonymisationText(aigov::v1::AnonymisationLevel a);
// "ALERT"; "not evaluated" for UNSPECIFIED.
std::string DriftText(aigov::v1::DriftState s);

// "2026-11-30T17:00:00Z" (to the second); "-" when unset.
std::string TimeText(const google::protobuf::Timestamp& t, bool present);
// TimeText in a cell that does not wrap.
Cell When(const google::protobuf::Timestamp& t, bool present);

}  // namespace aigov::reports
