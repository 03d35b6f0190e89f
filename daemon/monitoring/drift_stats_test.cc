#include "daemon/monitoring/drift_stats.h"

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

#include "hwy/targets.h"
#include "nlohmann/json.hpp"

namespace aigov::monitoring {
namespace {

FeatureCounts Numeric(const std::vector<double>& edges,
                      const std::vector<uint64_t>& ref,
                      const std::vector<uint64_t>& win, double std = 1) {
  FeatureCounts c;
  c.type = FeatureType::kNumeric;
  c.edges = edges;
  c.reference = ref;
  c.window = win;
  c.reference_std = std;
  return c;
}

TEST(DriftStatsTest, IdenticalDistributionsScoreZero) {
  const std::vector<double> edges = {1, 2, 3};
  const std::vector<uint64_t> counts = {10, 20, 30, 40};
  const DriftScores s = Score(Numeric(edges, counts, counts));
  EXPECT_EQ(s.m, 100u);
  EXPECT_EQ(s.n, 100u);
  EXPECT_EQ(s.psi, 0);
  EXPECT_EQ(s.js_distance, 0);
  EXPECT_EQ(s.hellinger, 0);
  EXPECT_EQ(s.ks, 0);
  EXPECT_EQ(s.wasserstein, 0);
  EXPECT_EQ(s.psi_p_value, 1);
  EXPECT_EQ(s.null_rate, 0);
  EXPECT_DOUBLE_EQ(s.out_of_range_share, 0.5);
  EXPECT_TRUE(std::isnan(s.chi2_p_value));  // categorical only
}

TEST(DriftStatsTest, PsiFloorsEmptySharesWithoutRenormalising) {
  // p = (1, 0), q = (0, 1): both floored shares are 1e-4, the others 1.
  const std::vector<double> edges = {0};
  const std::vector<uint64_t> ref = {10, 0};
  const std::vector<uint64_t> win = {0, 10};
  const DriftScores s = Score(Numeric(edges, ref, win));
  EXPECT_NEAR(s.psi, 2 * (1 - kPsiFloor) * std::log(1 / kPsiFloor), 1e-12);
  EXPECT_DOUBLE_EQ(s.js_distance, 1);  // disjoint supports, base 2
  EXPECT_DOUBLE_EQ(s.hellinger, 1);
  EXPECT_DOUBLE_EQ(s.ks, 1);
}

TEST(DriftStatsTest, AllNullWindowHasOnlyANullRate) {
  const std::vector<double> edges = {1, 2};
  const std::vector<uint64_t> ref = {5, 5, 5};
  const std::vector<uint64_t> win = {0, 0, 0};
  FeatureCounts c = Numeric(edges, ref, win);
  c.window_nulls = 9;
  const DriftScores s = Score(c);
  EXPECT_EQ(s.null_rate, 1);
  EXPECT_EQ(s.n, 0u);
  EXPECT_TRUE(std::isnan(s.psi));
  EXPECT_TRUE(std::isnan(s.ks));
}

TEST(DriftStatsTest, Chi2PValueOfDegenerateCases) {
  EXPECT_EQ(Chi2PValue(5, 0), 1);
  EXPECT_EQ(Chi2PValue(0, 3), 1);
  EXPECT_EQ(Chi2PValue(INFINITY, 3), 0);
  // chi2(2) has survival function exp(-x/2).
  EXPECT_NEAR(Chi2PValue(3, 2), std::exp(-1.5), 1e-15);
}

// |a - b| <= 1e-9 relative (plus 1e-12 absolute for values at zero, where a
// relative bound says nothing); NaN on the C++ side means "null" in SciPy's.
void ExpectAgrees(const nlohmann::json& expected, const char* key, double got,
                  const std::string& name) {
  if (!expected.contains(key) || expected[key].is_null()) {
    EXPECT_TRUE(std::isnan(got))
        << name << ": " << key << " = " << got << ", SciPy has no value";
    return;
  }
  const double want = expected[key].get<double>();
  const double tolerance =
      1e-9 * std::max(std::abs(want), std::abs(got)) + 1e-12;
  EXPECT_NEAR(got, want, tolerance) << name << ": " << key;
}

TEST(DriftStatsTest, AgreesWithSciPyAndNumPy) {
  const std::string command = std::string("/usr/bin/python3 ") +
                              AIGOV_SOURCE_DIR +
                              "/daemon/monitoring/testdata/drift_reference.py";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buf[65536];
  for (size_t got; (got = std::fread(buf, 1, sizeof buf, pipe)) > 0;) {
    out.append(buf, got);
  }
  ASSERT_EQ(::pclose(pipe), 0)
      << "the SciPy reference failed (python3-scipy installed?)";
  size_t cases = 0;
  size_t start = 0;
  while (start < out.size()) {
    const size_t end = out.find('\n', start);
    const nlohmann::json c =
        nlohmann::json::parse(out.substr(start, end - start));
    start = end == std::string::npos ? out.size() : end + 1;
    const std::string name = c["name"];
    const std::vector<double> edges = c["edges"];
    const std::vector<uint64_t> ref = c["reference"];
    const std::vector<uint64_t> win = c["window"];
    FeatureCounts counts;
    counts.type = c["type"] == "numeric" ? FeatureType::kNumeric
                                         : FeatureType::kCategorical;
    counts.edges = edges;
    counts.reference = ref;
    counts.window = win;
    counts.reference_nulls = c["reference_nulls"];
    counts.window_nulls = c["window_nulls"];
    counts.reference_std = c["reference_std"];
    const DriftScores s = Score(counts);
    const nlohmann::json& e = c["expected"];
    EXPECT_EQ(s.m, e["m"].get<uint64_t>()) << name;
    EXPECT_EQ(s.n, e["n"].get<uint64_t>()) << name;
    ExpectAgrees(e, "null_rate", s.null_rate, name);
    ExpectAgrees(e, "psi", s.psi, name);
    ExpectAgrees(e, "psi_p_value", s.psi_p_value, name);
    ExpectAgrees(e, "js_distance", s.js_distance, name);
    ExpectAgrees(e, "hellinger", s.hellinger, name);
    ExpectAgrees(e, "ks", s.ks, name);
    ExpectAgrees(e, "wasserstein", s.wasserstein, name);
    ExpectAgrees(e, "out_of_range_share", s.out_of_range_share, name);
    ExpectAgrees(e, "chi2", s.chi2, name);
    ExpectAgrees(e, "chi2_p_value", s.chi2_p_value, name);
    ExpectAgrees(e, "unseen_share", s.unseen_share, name);
    ++cases;
  }
  EXPECT_GE(cases, 400u);
}

// Generated features of mixed types and bin counts (1 to 52 bins), some with
// empty bins, an empty side or identical sides: more than one vector of each
// bin count, and padding lanes.
struct Generated {
  std::vector<std::vector<double>> edges;
  std::vector<std::vector<uint64_t>> reference, window;
  std::vector<FeatureCounts> counts;
};
Generated Generate(size_t features) {
  std::mt19937_64 rng(20261130);
  Generated g;
  g.edges.resize(features);
  g.reference.resize(features);
  g.window.resize(features);
  for (size_t f = 0; f < features; ++f) {
    const size_t bins = std::vector<size_t>{1, 4, 12, 12, 52}[rng() % 5];
    double e = -3;
    for (size_t i = 0; i + 1 < bins; ++i) {
      e += 0.05 + static_cast<double>(rng() % 300) / 100;
      g.edges[f].push_back(e);
    }
    for (size_t i = 0; i < bins; ++i) {
      g.reference[f].push_back(rng() % 4 == 0 ? 0 : rng() % 5000);
      g.window[f].push_back(rng() % 5 == 0 ? 0 : rng() % 800);
    }
    if (f % 23 == 7) g.window[f].assign(bins, 0);
    if (f % 19 == 3) g.window[f] = g.reference[f];
  }
  for (size_t f = 0; f < features; ++f) {
    FeatureCounts c;
    c.type = f % 3 == 0 ? FeatureType::kCategorical : FeatureType::kNumeric;
    c.edges = g.edges[f];
    c.reference = g.reference[f];
    c.window = g.window[f];
    c.reference_nulls = f % 7;
    c.window_nulls = f % 5;
    c.reference_std = 0.5 + static_cast<double>(f % 10);
    g.counts.push_back(c);
  }
  return g;
}

// Both NaN, or equal within `relative` (plus 1e-15 absolute at zero).
void ExpectClose(double want, double got, double relative,
                 const std::string& what) {
  if (std::isnan(want)) {
    EXPECT_TRUE(std::isnan(got)) << what << " = " << got;
    return;
  }
  EXPECT_NEAR(got, want,
              relative * std::max(std::abs(want), std::abs(got)) + 1e-15)
      << what;
}

void ExpectSameScores(const DriftScores& want, const DriftScores& got,
                      double relative, const std::string& name) {
  EXPECT_EQ(got.m, want.m) << name;
  EXPECT_EQ(got.n, want.n) << name;
  ExpectClose(want.psi, got.psi, relative, name + " psi");
  ExpectClose(want.psi_p_value, got.psi_p_value, relative, name + " psi_p");
  ExpectClose(want.js_distance, got.js_distance, relative, name + " js");
  ExpectClose(want.hellinger, got.hellinger, relative, name + " hellinger");
  ExpectClose(want.ks, got.ks, relative, name + " ks");
  ExpectClose(want.wasserstein, got.wasserstein, relative, name + " w1");
  ExpectClose(want.chi2, got.chi2, relative, name + " chi2");
  ExpectClose(want.chi2_p_value, got.chi2_p_value, relative, name + " chi2p");
  ExpectClose(want.null_rate, got.null_rate, relative, name + " null");
  ExpectClose(want.out_of_range_share, got.out_of_range_share, relative,
              name + " oor");
  ExpectClose(want.unseen_share, got.unseen_share, relative, name + " unseen");
}

TEST(DriftStatsTest, ABatchScoresEachFeatureAsIfAlone) {
  const Generated g = Generate(150);
  const std::vector<DriftScores> all = ScoreAll(g.counts);
  ASSERT_EQ(all.size(), g.counts.size());
  size_t nan_psi = 0;
  size_t zero_psi = 0;
  for (size_t f = 0; f < g.counts.size(); ++f) {
    // Each lane computes the same operations: bit for bit.
    const DriftScores alone = Score(g.counts[f]);
    ExpectSameScores(alone, all[f], 0, "feature " + std::to_string(f));
    nan_psi += std::isnan(all[f].psi);
    zero_psi += all[f].psi == 0;
  }
  EXPECT_GT(nan_psi, 0u);   // the empty windows
  EXPECT_GT(zero_psi, 0u);  // the identical sides
  EXPECT_TRUE(ScoreAll({}).empty());
}

TEST(DriftStatsTest, EveryCompiledVectorTargetAgrees) {
  // ScoreAll runs on the best target the CPU has; each other target it was
  // compiled for (down to the scalar fallback) must give the same scores up
  // to rounding, or a machine without AVX-512 would score differently.
  const Generated g = Generate(150);
  const std::vector<DriftScores> best = ScoreAll(g.counts);
  const std::vector<int64_t> targets = hwy::SupportedAndGeneratedTargets();
  EXPECT_GE(targets.size(), 2u);
  for (const int64_t target : targets) {
    hwy::SetSupportedTargetsForTest(target);
    const std::vector<DriftScores> got = ScoreAll(g.counts);
    for (size_t f = 0; f < g.counts.size(); ++f) {
      ExpectSameScores(best[f], got[f], 1e-12,
                       std::string(hwy::TargetName(target)) + " feature " +
                           std::to_string(f));
    }
  }
  hwy::SetSupportedTargetsForTest(0);
}

}  // namespace
}  // namespace aigov::monitoring
