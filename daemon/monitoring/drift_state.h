// The drift state machine of one feature and the dataset state of a model
// version (DESIGN.md "Drift and performance"): OK -> WARN -> ALERT with
// sample-size gates, significance and hysteresis. Pure functions over one
// window's PSI, its p-value and n; no I/O; thread-safe.
//
// One closed window moves a feature as follows (t: its thresholds):
//   n < t.min_samples          the window does not count: state and streaks
//                              stay (a quiet hour neither confirms nor
//                              clears a drift)
//   alert level                psi >= psi_alert, p < p_value and
//                              n >= alert_min_samples
//   warn level                 psi >= psi_warn and p < p_value (an alert
//                              level below alert_min_samples is only this)
//   quiet                      psi < clear_factor * psi_warn
// alert_streak counts consecutive alert-level windows, clear_streak
// consecutive quiet ones. Then:
//   alert_streak >= alert_windows            -> ALERT
//   ALERT and clear_streak < clear_windows   -> ALERT (held until it clears)
//   clear_streak >= clear_windows            -> OK
//   warn or alert level                      -> WARN
//   WARN (neither quiet long enough nor at alert level long enough) -> WARN
//   otherwise                                -> OK
// A flapping feature therefore changes state at most once per
// clear_windows windows: WARN is entered at once and left only after the
// clear streak.
#pragma once

#include <cstdint>

#include "absl/types/span.h"

namespace aigov::monitoring {

enum class DriftLevel { kInsufficientData, kOk, kWarn, kAlert };

// Thresholds of one feature; the defaults are DESIGN.md's.
struct DriftThresholds {
  double psi_warn = 0.10;
  double psi_alert = 0.25;
  double p_value = 0.01;
  uint64_t min_samples = 200;
  uint64_t alert_min_samples = 500;
  uint32_t alert_windows = 2;
  uint32_t clear_windows = 3;
  double clear_factor = 0.8;
  // Model level: the share of features in ALERT that puts the dataset in
  // ALERT.
  double dataset_alert_share = 0.30;
};

// Where a feature stands after a window.
struct FeatureDrift {
  DriftLevel level = DriftLevel::kInsufficientData;
  // Start of the window in which `level` was entered (caller's unit).
  int64_t since = 0;
  uint32_t alert_streak = 0;
  uint32_t clear_streak = 0;
};

// The feature's state after a window starting at `window_start` with `n`
// non-null values, PSI `psi` and PSI null p-value `p` (NaN when the window
// could not be scored: treated as not counting).
FeatureDrift Step(const FeatureDrift& before, const DriftThresholds& t,
                  uint64_t n, double psi, double p, int64_t window_start);

// One feature's standing for the dataset state.
struct FeatureStanding {
  DriftLevel level = DriftLevel::kInsufficientData;
  bool critical = false;
};

// The dataset's level: ALERT when at least `alert_share` of `features` (all
// of the model's scored features) or any critical one is in ALERT; WARN when
// any is in WARN or ALERT; OK when any has a state; else INSUFFICIENT_DATA.
DriftLevel DatasetLevel(absl::Span<const FeatureStanding> features,
                        double alert_share);

}  // namespace aigov::monitoring
