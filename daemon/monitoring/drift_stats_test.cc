#include "daemon/monitoring/drift_stats.h"

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "gtest/gtest.h"

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

}  // namespace
}  // namespace aigov::monitoring
