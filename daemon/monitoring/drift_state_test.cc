#include "daemon/monitoring/drift_state.h"

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"

#include "daemon/monitoring/drift_stats.h"

namespace aigov::monitoring {
namespace {

constexpr int64_t kHour = 3600;

// A reference of 12 equal-mass bins (m = 12000) and windows drawn from a
// distribution whose mass is moved towards the top bins by `shift`.
class Windows {
 public:
  explicit Windows(uint32_t seed) : rng_(seed) {
    for (int i = 0; i < 11; ++i) edges_.push_back(i);
    reference_.assign(12, 1000);
  }

  // PSI and p-value of a window of `n` values.
  std::pair<double, double> Draw(uint64_t n, double shift) {
    std::vector<double> weights(12);
    for (size_t i = 0; i < 12; ++i) {
      weights[i] = 1.0 + shift * static_cast<double>(i);
    }
    std::discrete_distribution<size_t> bin(weights.begin(), weights.end());
    std::vector<uint64_t> window(12, 0);
    for (uint64_t k = 0; k < n; ++k) ++window[bin(rng_)];
    FeatureCounts c;
    c.edges = edges_;
    c.reference = reference_;
    c.window = window;
    c.reference_std = 3.4;
    const DriftScores s = Score(c);
    return {s.psi, s.psi_p_value};
  }

 private:
  std::mt19937 rng_;
  std::vector<double> edges_;
  std::vector<uint64_t> reference_;
};

struct Trace {
  std::vector<DriftLevel> levels;
  int transitions = 0;
};

// Steps a feature through windows of `n` values with the given shifts.
Trace Feed(Windows& w, const std::vector<double>& shifts, uint64_t n,
           const DriftThresholds& t = {}) {
  Trace run;
  FeatureDrift f;
  int64_t start = 0;
  for (const double shift : shifts) {
    const auto [psi, p] = w.Draw(n, shift);
    const FeatureDrift next = Step(f, t, n, psi, p, start);
    if (next.level != f.level) ++run.transitions;
    f = next;
    run.levels.push_back(f.level);
    start += kHour;
  }
  return run;
}

TEST(DriftStateTest, NoiseAtTwoHundredValuesNeverAlerts) {
  Windows w(1);
  const Trace run = Feed(w, std::vector<double>(200, 0.0), 200);
  for (const DriftLevel l : run.levels) EXPECT_NE(l, DriftLevel::kAlert);
  // Significance keeps noise from even warning more than rarely: PSI's
  // noise floor at n = 200 over 12 bins is about 0.055, often above half
  // the WARN threshold; p < 0.01 lets about 1 % of windows through.
  int warn_windows = 0;
  for (const DriftLevel l : run.levels) warn_windows += l == DriftLevel::kWarn;
  EXPECT_LE(run.transitions, 6);
  EXPECT_LT(warn_windows, 30);
}

TEST(DriftStateTest, ARealShiftAlertsAfterTwoWindowsAndClearsAfterThree) {
  Windows w(2);
  // 3 quiet, 4 shifted, 5 quiet windows of 2000 values.
  std::vector<double> shifts = {0, 0, 0, 2, 2, 2, 2, 0, 0, 0, 0, 0};
  const Trace run = Feed(w, shifts, 2000);
  const std::vector<DriftLevel> want = {
      DriftLevel::kOk,    DriftLevel::kOk,    DriftLevel::kOk,
      DriftLevel::kWarn,  DriftLevel::kAlert, DriftLevel::kAlert,
      DriftLevel::kAlert, DriftLevel::kAlert, DriftLevel::kAlert,
      DriftLevel::kOk,    DriftLevel::kOk,    DriftLevel::kOk};
  EXPECT_EQ(run.levels, want);
}

TEST(DriftStateTest, SinceIsTheWindowTheStateWasEntered) {
  DriftThresholds t;
  FeatureDrift f;
  f = Step(f, t, 1000, 0.01, 0.9, 0);
  EXPECT_EQ(f.level, DriftLevel::kOk);
  EXPECT_EQ(f.since, 0);
  f = Step(f, t, 1000, 0.3, 1e-9, kHour);
  EXPECT_EQ(f.level, DriftLevel::kWarn);
  EXPECT_EQ(f.since, kHour);
  f = Step(f, t, 1000, 0.3, 1e-9, 2 * kHour);
  EXPECT_EQ(f.level, DriftLevel::kAlert);
  EXPECT_EQ(f.since, 2 * kHour);
  f = Step(f, t, 1000, 0.3, 1e-9, 3 * kHour);
  EXPECT_EQ(f.since, 2 * kHour);
  EXPECT_EQ(f.alert_streak, 3u);
}

TEST(DriftStateTest, AFlappingFeatureChangesStateRarely) {
  DriftThresholds t;
  FeatureDrift f;
  int transitions = 0;
  for (int i = 0; i < 60; ++i) {
    const double psi = i % 2 == 0 ? 0.4 : 0.02;
    const FeatureDrift next =
        Step(f, t, 5000, psi, psi > 0.1 ? 1e-12 : 0.5, i * kHour);
    transitions += next.level != f.level;
    f = next;
  }
  // INSUFFICIENT_DATA -> WARN once; never two alert windows in a row, never
  // three quiet ones.
  EXPECT_EQ(transitions, 1);
  EXPECT_EQ(f.level, DriftLevel::kWarn);
}

TEST(DriftStateTest, SampleSizeGates) {
  DriftThresholds t;
  FeatureDrift f;
  // Below 200: no state at all, however large the PSI.
  for (int i = 0; i < 5; ++i) f = Step(f, t, 199, 2.0, 1e-30, i * kHour);
  EXPECT_EQ(f.level, DriftLevel::kInsufficientData);
  EXPECT_EQ(f.alert_streak, 0u);
  // 200 to 499: WARN only.
  for (int i = 0; i < 5; ++i) f = Step(f, t, 499, 2.0, 1e-30, i * kHour);
  EXPECT_EQ(f.level, DriftLevel::kWarn);
  EXPECT_EQ(f.alert_streak, 0u);
  // From 500: ALERT after two windows.
  f = Step(f, t, 500, 2.0, 1e-30, 10 * kHour);
  EXPECT_EQ(f.level, DriftLevel::kWarn);
  f = Step(f, t, 500, 2.0, 1e-30, 11 * kHour);
  EXPECT_EQ(f.level, DriftLevel::kAlert);
  // A small window in ALERT neither confirms nor clears it.
  const FeatureDrift held = Step(f, t, 10, 0.0, 1.0, 12 * kHour);
  EXPECT_EQ(held.level, DriftLevel::kAlert);
  EXPECT_EQ(held.alert_streak, f.alert_streak);
  EXPECT_EQ(held.clear_streak, f.clear_streak);
}

TEST(DriftStateTest, AnInsignificantEffectDoesNotWarn) {
  DriftThresholds t;
  FeatureDrift f;
  f = Step(f, t, 300, 0.3, 0.02, 0);
  EXPECT_EQ(f.level, DriftLevel::kOk);
  f = Step(f, t, 300, 0.3, std::nan(""), kHour);
  EXPECT_EQ(f.level, DriftLevel::kOk);
}

TEST(DriftStateTest, OverriddenThresholdsApply) {
  DriftThresholds t;
  t.psi_warn = 0.5;
  t.psi_alert = 1.0;
  t.alert_windows = 1;
  FeatureDrift f;
  f = Step(f, t, 1000, 0.4, 1e-9, 0);
  EXPECT_EQ(f.level, DriftLevel::kOk);
  f = Step(f, t, 1000, 1.0, 1e-9, kHour);
  EXPECT_EQ(f.level, DriftLevel::kAlert);
}

TEST(DriftStateTest, DatasetLevel) {
  using L = DriftLevel;
  std::vector<FeatureStanding> f(10);
  EXPECT_EQ(DatasetLevel(f, 0.3), L::kInsufficientData);
  for (auto& s : f) s.level = L::kOk;
  EXPECT_EQ(DatasetLevel(f, 0.3), L::kOk);
  f[0].level = L::kAlert;
  f[1].level = L::kAlert;
  EXPECT_EQ(DatasetLevel(f, 0.3), L::kWarn);
  f[2].level = L::kAlert;
  EXPECT_EQ(DatasetLevel(f, 0.3), L::kAlert);
  f[1].level = L::kOk;
  f[2].level = L::kOk;
  EXPECT_EQ(DatasetLevel(f, 0.3), L::kWarn);
  f[0].critical = true;
  EXPECT_EQ(DatasetLevel(f, 0.3), L::kAlert);
}

}  // namespace
}  // namespace aigov::monitoring
