#include "daemon/monitoring/drift_state.h"

#include <cmath>

namespace aigov::monitoring {

FeatureDrift Step(const FeatureDrift& before, const DriftThresholds& t,
                  uint64_t n, double psi, double p, int64_t window_start) {
  if (n < t.min_samples || std::isnan(psi) || std::isnan(p)) return before;
  const bool significant = p < t.p_value;
  const bool warn_level = significant && psi >= t.psi_warn;
  const bool alert_level =
      warn_level && psi >= t.psi_alert && n >= t.alert_min_samples;
  const bool quiet = psi < t.clear_factor * t.psi_warn;

  FeatureDrift after = before;
  after.alert_streak = alert_level ? before.alert_streak + 1 : 0;
  after.clear_streak = quiet ? before.clear_streak + 1 : 0;
  DriftLevel level;
  if (after.alert_streak >= t.alert_windows) {
    level = DriftLevel::kAlert;
  } else if (before.level == DriftLevel::kAlert &&
             after.clear_streak < t.clear_windows) {
    level = DriftLevel::kAlert;
  } else if (after.clear_streak >= t.clear_windows) {
    level = DriftLevel::kOk;
  } else if (warn_level || before.level == DriftLevel::kWarn) {
    level = DriftLevel::kWarn;
  } else {
    level = DriftLevel::kOk;
  }
  if (level != before.level) {
    after.level = level;
    after.since = window_start;
  }
  return after;
}

DriftLevel DatasetLevel(absl::Span<const FeatureStanding> features,
                        double alert_share) {
  size_t alert = 0;
  bool warn = false;
  bool any = false;
  bool critical_alert = false;
  for (const FeatureStanding& f : features) {
    if (f.level == DriftLevel::kInsufficientData) continue;
    any = true;
    if (f.level == DriftLevel::kAlert) {
      ++alert;
      critical_alert = critical_alert || f.critical;
    }
    warn =
        warn || f.level == DriftLevel::kWarn || f.level == DriftLevel::kAlert;
  }
  if (critical_alert ||
      (alert > 0 && static_cast<double>(alert) >=
                        alert_share * static_cast<double>(features.size()))) {
    return DriftLevel::kAlert;
  }
  if (warn) return DriftLevel::kWarn;
  return any ? DriftLevel::kOk : DriftLevel::kInsufficientData;
}

}  // namespace aigov::monitoring
