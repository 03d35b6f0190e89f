#include "daemon/monitoring/drift_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "boost/math/special_functions/gamma.hpp"

namespace aigov::monitoring {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// x ln(x/y) for x > 0, 0 for x = 0 (SciPy's rel_entr with y > 0).
double RelEntr(double x, double y) { return x > 0 ? x * std::log(x / y) : 0; }

// Chi-squared homogeneity statistic of the 2 x B table (reference, window),
// bins empty on both sides dropped; `dof` gets B' - 1.
double Chi2Homogeneity(absl::Span<const uint64_t> a,
                       absl::Span<const uint64_t> b, uint64_t m, uint64_t n,
                       uint64_t* dof) {
  const double total = static_cast<double>(m + n);
  const double row_a = static_cast<double>(m);
  const double row_b = static_cast<double>(n);
  double chi2 = 0;
  uint64_t columns = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double col = static_cast<double>(a[i] + b[i]);
    if (col == 0) continue;
    ++columns;
    const double ea = row_a * col / total;
    const double eb = row_b * col / total;
    const double da = static_cast<double>(a[i]) - ea;
    const double db = static_cast<double>(b[i]) - eb;
    chi2 += da * da / ea + db * db / eb;
  }
  *dof = columns == 0 ? 0 : columns - 1;
  return chi2;
}

}  // namespace

double Chi2PValue(double x, uint64_t dof) {
  if (dof == 0 || !(x > 0)) return 1.0;
  if (std::isinf(x)) return 0.0;
  return boost::math::gamma_q(static_cast<double>(dof) / 2, x / 2);
}

DriftScores Score(const FeatureCounts& c) {
  DriftScores s;
  const size_t bins = c.reference.size();
  for (size_t i = 0; i < bins; ++i) {
    s.m += c.reference[i];
    s.n += c.window[i];
  }
  const uint64_t window_all = s.n + c.window_nulls;
  s.null_rate = window_all == 0 ? kNaN
                                : static_cast<double>(c.window_nulls) /
                                      static_cast<double>(window_all);
  const bool numeric = c.type == FeatureType::kNumeric;
  if (s.n == 0 || s.m == 0) {
    s.psi = s.psi_p_value = s.js_distance = s.hellinger = s.ks = kNaN;
    s.wasserstein = s.chi2 = s.chi2_p_value = kNaN;
    s.out_of_range_share = s.unseen_share = kNaN;
    return s;
  }
  const double m = static_cast<double>(s.m);
  const double n = static_cast<double>(s.n);

  double psi = 0;
  double kl_p = 0;  // KL(p || (p+q)/2), natural log
  double kl_q = 0;
  double hellinger = 0;
  double ks = 0;
  double wasserstein = 0;
  uint64_t cum_ref = 0;
  uint64_t cum_win = 0;
  for (size_t i = 0; i < bins; ++i) {
    const double p = static_cast<double>(c.reference[i]) / m;
    const double q = static_cast<double>(c.window[i]) / n;
    const double pf = std::max(p, kPsiFloor);
    const double qf = std::max(q, kPsiFloor);
    psi += (qf - pf) * std::log(qf / pf);
    const double a = (p + q) / 2;
    kl_p += RelEntr(p, a);
    kl_q += RelEntr(q, a);
    const double d = std::sqrt(p) - std::sqrt(q);
    hellinger += d * d;
    cum_ref += c.reference[i];
    cum_win += c.window[i];
    const double gap = std::abs(static_cast<double>(cum_ref) / m -
                                static_cast<double>(cum_win) / n);
    ks = std::max(ks, gap);
    if (numeric && i + 1 < bins) {
      // Midpoints: the open bins sit at their finite edge.
      const double here =
          i == 0 ? c.edges[0] : (c.edges[i - 1] + c.edges[i]) / 2;
      const double next =
          i + 2 == bins ? c.edges[i] : (c.edges[i] + c.edges[i + 1]) / 2;
      wasserstein += gap * (next - here);
    }
  }
  s.psi = psi;
  s.psi_p_value = Chi2PValue(psi / (1 / n + 1 / m), bins - 1);
  s.js_distance = std::sqrt(std::max(0.0, (kl_p + kl_q) / std::log(2.0)) / 2);
  s.hellinger = std::sqrt(hellinger / 2);
  s.ks = ks;
  if (numeric) {
    s.wasserstein = c.reference_std > 0 ? wasserstein / c.reference_std : kNaN;
    s.out_of_range_share =
        bins < 2 ? 0.0
                 : static_cast<double>(c.window[0] + c.window[bins - 1]) / n;
    s.chi2 = s.chi2_p_value = s.unseen_share = kNaN;
  } else {
    uint64_t dof = 0;
    s.chi2 = Chi2Homogeneity(c.reference, c.window, s.m, s.n, &dof);
    s.chi2_p_value = Chi2PValue(s.chi2, dof);
    s.unseen_share = static_cast<double>(c.window[bins - 1]) / n;
    s.wasserstein = s.out_of_range_share = kNaN;
  }
  return s;
}

}  // namespace aigov::monitoring
