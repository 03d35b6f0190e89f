// The Annex IV technical documentation dossier of one model version of a
// high-risk AI system (AI Act Art. 11(1); shared/REGULATION.md §1.4), drawn
// from the system's compliance report: nine numbered sections, one per
// point of Annex IV, each filled with what the journal holds and each gap
// stated as one plain sentence ("No EU declaration of conformity covering
// credit-scoring@2.1 is recorded.").
//
// Every statement cites the entries of the report it comes from, so the
// report's proof bundle (aigovctl compliance annex-iv --bundle) proves the
// dossier too. Every point also lists the ANNEX_IV_<n> documents recorded
// for it, and whether each covers the version.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

#include "aigov/v1/records.pb.h"
#include "aigov/v1/report.pb.h"
#include "daemon/reports/document.h"

namespace aigov::reports {

// The nine points' titles, in Annex IV order.
inline constexpr const char* kAnnexIvSections[] = {
    "General description of the AI system",
    "Elements of the AI system and its development process",
    "Monitoring, functioning and control",
    "Appropriateness of the performance metrics",
    "Risk management system",
    "Changes through the lifecycle",
    "Harmonised standards applied",
    "EU declaration of conformity",
    "Post-market monitoring",
};

struct AnnexIv {
  Document document;
  // Every gap sentence, in section order (each also appears in its
  // section).
  std::vector<std::string> gaps;
};

// The dossier of `model_version` from `report` (ReportBuilder::Build of the
// version's system). kNotFound when the report holds no such version.
absl::StatusOr<AnnexIv> AnnexIvDossier(
    const aigov::v1::ComplianceReport& report,
    const aigov::v1::ModelVersionRef& model_version);

}  // namespace aigov::reports
