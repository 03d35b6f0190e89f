// The per-system compliance report (aigov.v1.ComplianceReport; DESIGN.md
// "Reports"), assembled from the views: the compliance engine's record and
// findings, the registry, the lineage graph and the drift view. Every
// statement cites the journal entries it rests on, and the report names a
// signed checkpoint whose tree covers each of them, so a proof bundle of
// the cited entries (JournalReader::ProveEntries) verifies offline.
//
//   reports::ReportBuilder builder(sources, sign, public_key, clock);
//   absl::StatusOr<aigov::v1::ComplianceReport> r =
//       builder.Build("credit-scoring", std::nullopt);  // now
//
// At a past instant the obligations are those journalled by then
// (StatusAt), and the other sections keep what was recorded by then;
// lineage provenance and the drift state are the views' current ones
// (the drift state only when its window ended by then).
//
// Thread-safe: reads committed state only. Everything in `Sources` must
// outlive the builder.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

#include "aigov/v1/compliance_service.pb.h"
#include "aigov/v1/report.pb.h"
#include "daemon/common/clock.h"
#include "daemon/compliance/compliance_view.h"
#include "daemon/drift/drift_view.h"
#include "daemon/journal/checkpointer.h"
#include "daemon/journal/journal_reader.h"
#include "daemon/lineage/lineage_projection.h"
#include "daemon/registry/registry_projection.h"
#include "daemon/tlog/checkpoint.h"

namespace aigov::reports {

// Where every obligation stands for `system_id` at `at`: evaluated from the
// committed record when `at` is not before `now`, else the findings
// journalled by then, each citing its entry (ComplianceService.GetStatus).
// kNotFound when the system is not registered.
absl::StatusOr<aigov::v1::GetStatusResponse> StatusAt(
    const compliance::ComplianceView& view,
    const journal::JournalReader& journal, const std::string& system_id,
    absl::Time at, absl::Time now);

struct Sources {
  const compliance::ComplianceView* compliance = nullptr;
  const registry::RegistryProjection* registry = nullptr;
  const lineage::LineageProjection* lineage = nullptr;
  const drift::DriftView* drift = nullptr;
  const journal::JournalReader* journal = nullptr;
};

// A document of the compliance record as a report lists it.
void FillReportDocument(const aigov::internal::v1::DocumentFact& d,
                        aigov::v1::ReportDocument* r);

class ReportBuilder {
 public:
  // Returns a signed checkpoint of the journal's current head
  // (journal::Checkpointer::Current).
  using Signer = std::function<absl::StatusOr<journal::SignedCheckpoint>()>;

  // `attester` signs each report's attestation (the journal's key, the
  // checkpoints'); nullptr leaves reports unattested (unit tests without a
  // key). It must outlive the builder.
  ReportBuilder(Sources sources, Signer sign, std::string public_key,
                const tlog::NoteSigner* attester, const common::Clock& clock)
      : sources_(sources),
        sign_(std::move(sign)),
        public_key_(std::move(public_key)),
        attester_(attester),
        clock_(clock) {}

  // The report of `system_id` at `at` (now when unset), attested
  // (ComplianceReport.attestation). kNotFound when the system is not
  // registered; kUnavailable when no checkpoint covering the cited entries
  // could be signed.
  // `since` (30 days before `at` when unset) is what the summary's changes
  // are counted from; kInvalidArgument when it is after `at`.
  absl::StatusOr<aigov::v1::ComplianceReport> Build(
      const std::string& system_id, std::optional<absl::Time> at,
      std::optional<absl::Time> since = std::nullopt) const;

  // The training-data summary of a model version, now
  // (training_summary.h). kNotFound when the version is not registered.
  absl::StatusOr<aigov::v1::TrainingDataSummary> TrainingSummary(
      const aigov::v1::ModelVersionRef& model_version) const;

  // A signed checkpoint whose tree holds `needed` entries or more, waiting
  // up to a second for the head to reach them; kUnavailable after that.
  absl::StatusOr<aigov::v1::ReportCheckpoint> CheckpointCovering(
      uint64_t needed) const;

  // The clock's time: what "now" means for a report.
  absl::Time Now() const { return clock_.Now(); }

 private:
  const Sources sources_;
  const Signer sign_;
  const std::string public_key_;
  const tlog::NoteSigner* const attester_;
  const common::Clock& clock_;
};

}  // namespace aigov::reports
