// Drift statistics of one feature, computed exactly from mergeable bin
// counts (DESIGN.md "Drift and performance"): a reference profile's counts
// and a window's counts in the same bins, nulls counted apart and scored
// as the null rate. Pure functions: no I/O, no state; thread-safe.
//
// Bins. Numeric: k strictly increasing edges e1..ek define k+1 bins
// (-inf,e1), [e1,e2), ..., [ek,+inf); the two open bins are "out of range".
// Categorical: the reference's top K categories, then `other` (reference
// categories beyond K), then `unseen` (categories the reference never had).
//
// Definitions (p: reference shares, q: window shares, over non-null
// counts m and n; B bins):
//   PSI            sum (q'-p') ln(q'/p'), each share below 1e-4 replaced by
//                  1e-4, no renormalisation
//   JS distance    base 2, as SciPy's jensenshannon:
//                  sqrt((KL(p||a) + KL(q||a)) / (2 ln 2)), a = (p+q)/2
//   Hellinger      sqrt(sum (sqrt p - sqrt q)^2 / 2)
//   Wasserstein-1  over bin midpoints (each open bin at its finite edge),
//                  divided by the reference standard deviation (numeric)
//   KS             max |P(i) - Q(i)| over the binned CDFs
//   chi2           test of homogeneity of the 2 x B table (bins empty on
//                  both sides dropped, no continuity correction), p-value
//                  from chi2(B'-1) (categorical)
//   PSI p-value    PSI / (1/n + 1/m) against chi2(B-1)
// A score that cannot be computed (no non-null count on a side, no
// reference spread, a statistic of the other feature type) is NaN.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace aigov::monitoring {

enum class FeatureType { kNumeric, kCategorical };

// One feature's counts: `reference` and `window` have the same length (the
// number of bins, at least 1); `edges` has one element less for a numeric
// feature and is ignored for a categorical one. Not owned.
struct FeatureCounts {
  FeatureType type = FeatureType::kNumeric;
  absl::Span<const double> edges;
  absl::Span<const uint64_t> reference;
  absl::Span<const uint64_t> window;
  uint64_t reference_nulls = 0;
  uint64_t window_nulls = 0;
  // The reference's standard deviation (numeric); scales Wasserstein-1.
  double reference_std = 0;
};

struct DriftScores {
  uint64_t m = 0;  // reference non-null count
  uint64_t n = 0;  // window non-null count
  double psi = 0;
  double psi_p_value = 0;
  double js_distance = 0;
  double hellinger = 0;
  double ks = 0;
  double wasserstein = 0;   // numeric only
  double chi2 = 0;          // categorical only
  double chi2_p_value = 0;  // categorical only
  // Nulls over all of the window's values; NaN for an empty window.
  double null_rate = 0;
  // Window share in the two open bins (numeric only).
  double out_of_range_share = 0;
  // Window share in the `unseen` bin (categorical only).
  double unseen_share = 0;
};

// The floor PSI puts under each share.
inline constexpr double kPsiFloor = 1e-4;

// Scores one feature. The caller has checked the shapes (same lengths, at
// least one bin, edges one fewer for a numeric feature).
DriftScores Score(const FeatureCounts& counts);

// Scores many features at once: element i is what Score(counts[i]) gives, up
// to the last bits (shares are multiplied by a reciprocal and logarithms are
// vectorised, at most 4 ULP). Features with the same bin count share vector
// lanes (ScoreCore); the rest (Wasserstein, p-values, chi2, shares) is
// scalar per feature. Same shape contract as Score.
std::vector<DriftScores> ScoreAll(absl::Span<const FeatureCounts> counts);

// The vectorised core: counts of `features` features that share `bins` bins,
// laid out bin-major for vector lanes: feature f's count in bin b is at
// [b * stride + f], `stride` being `features` rounded up to kBatchLanes, and
// padding lanes holding zeros. Counts up to 2^53 are exact in a double.
inline constexpr size_t kBatchLanes = 16;
struct CoreBatch {
  CoreBatch(size_t features, size_t bins);
  size_t features;
  size_t bins;
  size_t stride;
  std::vector<double> reference;  // bins * stride
  std::vector<double> window;     // bins * stride
};

// PSI, JS distance, Hellinger and KS of each feature of a batch, `stride`
// long (padding lanes are NaN). Vectorised with Highway and dispatched at
// run time to the widest vectors the CPU has.
struct CoreScores {
  std::vector<double> psi;
  std::vector<double> js_distance;
  std::vector<double> hellinger;
  std::vector<double> ks;
};
void ScoreCore(const CoreBatch& batch, CoreScores* out);

// The upper tail of chi2 with `dof` degrees of freedom at `x` (Boost.Math's
// regularized gamma_q); 1 for dof = 0 (all mass at 0) and for x <= 0.
double Chi2PValue(double x, uint64_t dof);

}  // namespace aigov::monitoring
