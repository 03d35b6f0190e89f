// The families of /metrics that describe what aigov governs, built at
// each scrape from the committed views (DESIGN.md "Metrics";
// docs/METRICS.md lists every family and what its value means):
//
//   inventory    aigov_ai_system_info, aigov_ai_system_lifecycle_stage_*,
//                aigov_ai_system_technology_readiness_level,
//                aigov_model_version_info
//   drift        aigov_feature_drift_score, aigov_feature_drift_state,
//                aigov_feature_window_samples, aigov_dataset_drift_state,
//                aigov_drift_last_evaluation_timestamp_seconds,
//                aigov_drift_late_reports_total
//   performance  aigov_model_performance(_threshold, _breach)
//   oversight    aigov_oversight_actions_total
//   open cases   aigov_incidents_open, aigov_personal_data_breaches_open,
//                aigov_data_subject_requests_open
//   compliance   aigov_obligation_status,
//                aigov_obligation_deadline_timestamp_seconds, aigov_findings
//
// Per-model series exist for deployed model versions only (at least one
// ENABLED deployment): a version whose deployments are all disabled or
// rolled back is absent from the next scrape, as nothing is kept between
// scrapes (no Family::Remove, no stale series). The drift series of one
// version cover at most `max_features_per_model` features, the most
// telling first (critical, then ALERT, WARN, OK, then the highest PSI,
// then by name); Collect returns how many series it left out.
//
// Families are written in a fixed order and series in key order, so two
// scrapes of the same state are byte-identical. Reads go through RocksDB's
// committed state (each system's record, each version's last evaluation),
// not one snapshot: a scrape racing a write may show a version's drift
// from just before or just after it.
//
// Thread-safe: Collect only reads; the views must outlive the collector.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

#include "daemon/compliance/compliance_view.h"
#include "daemon/drift/drift_view.h"

namespace aigov::scrape {

struct CollectorOptions {
  // metrics.max_features_per_model.
  uint32_t max_features_per_model = 20;
};

class StateCollector {
 public:
  StateCollector(const compliance::ComplianceView& compliance,
                 const drift::DriftView& drift, CollectorOptions options);

  // Appends the families to `out` (text exposition format 0.0.4) and
  // returns the number of series the feature cap left out. On a read error
  // `out` is left as it was.
  absl::StatusOr<uint64_t> Collect(std::string* out) const;

 private:
  const compliance::ComplianceView& compliance_;
  const drift::DriftView& drift_;
  const CollectorOptions options_;
};

}  // namespace aigov::scrape
