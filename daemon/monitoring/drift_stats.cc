#include "daemon/monitoring/drift_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "boost/math/special_functions/gamma.hpp"

namespace aigov::monitoring {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

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

// Everything but the vectorised core: the totals, the null rate, the PSI
// p-value, Wasserstein, chi2 and the shares; NaN throughout where a side has
// no non-null count. `s` holds the core scores already.
void ScoreRest(const FeatureCounts& c, DriftScores* s) {
  const size_t bins = c.reference.size();
  for (size_t i = 0; i < bins; ++i) {
    s->m += c.reference[i];
    s->n += c.window[i];
  }
  const uint64_t window_all = s->n + c.window_nulls;
  s->null_rate = window_all == 0 ? kNaN
                                 : static_cast<double>(c.window_nulls) /
                                       static_cast<double>(window_all);
  const bool numeric = c.type == FeatureType::kNumeric;
  if (s->n == 0 || s->m == 0) {
    s->psi = s->psi_p_value = s->js_distance = s->hellinger = s->ks = kNaN;
    s->wasserstein = s->chi2 = s->chi2_p_value = kNaN;
    s->out_of_range_share = s->unseen_share = kNaN;
    return;
  }
  const double m = static_cast<double>(s->m);
  const double n = static_cast<double>(s->n);
  s->psi_p_value = Chi2PValue(s->psi / (1 / n + 1 / m), bins - 1);
  if (numeric) {
    // Wasserstein-1: the binned CDF gaps times the distance between
    // midpoints, the open bins sitting at their finite edge.
    double wasserstein = 0;
    uint64_t cum_ref = 0;
    uint64_t cum_win = 0;
    for (size_t i = 0; i + 1 < bins; ++i) {
      cum_ref += c.reference[i];
      cum_win += c.window[i];
      const double gap = std::abs(static_cast<double>(cum_ref) / m -
                                  static_cast<double>(cum_win) / n);
      const double here =
          i == 0 ? c.edges[0] : (c.edges[i - 1] + c.edges[i]) / 2;
      const double next =
          i + 2 == bins ? c.edges[i] : (c.edges[i] + c.edges[i + 1]) / 2;
      wasserstein += gap * (next - here);
    }
    s->wasserstein = c.reference_std > 0 ? wasserstein / c.reference_std : kNaN;
    s->out_of_range_share =
        bins < 2 ? 0.0
                 : static_cast<double>(c.window[0] + c.window[bins - 1]) / n;
    s->chi2 = s->chi2_p_value = s->unseen_share = kNaN;
  } else {
    uint64_t dof = 0;
    s->chi2 = Chi2Homogeneity(c.reference, c.window, s->m, s->n, &dof);
    s->chi2_p_value = Chi2PValue(s->chi2, dof);
    s->unseen_share = static_cast<double>(c.window[bins - 1]) / n;
    s->wasserstein = s->out_of_range_share = kNaN;
  }
}

}  // namespace

double Chi2PValue(double x, uint64_t dof) {
  if (dof == 0 || !(x > 0)) return 1.0;
  if (std::isinf(x)) return 0.0;
  return boost::math::gamma_q(static_cast<double>(dof) / 2, x / 2);
}

CoreBatch::CoreBatch(size_t features_in, size_t bins_in)
    : features(features_in),
      bins(bins_in),
      stride((features_in + kBatchLanes - 1) / kBatchLanes * kBatchLanes),
      reference(bins * stride, 0.0),
      window(bins * stride, 0.0) {}

DriftScores Score(const FeatureCounts& c) {
  return ScoreAll(absl::MakeConstSpan(&c, 1)).front();
}

std::vector<DriftScores> ScoreAll(absl::Span<const FeatureCounts> counts) {
  std::vector<DriftScores> out(counts.size());
  // Features grouped by bin count, each group one batch.
  std::vector<size_t> order(counts.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return counts[a].reference.size() < counts[b].reference.size();
  });
  CoreScores core;
  for (size_t begin = 0; begin < order.size();) {
    const size_t bins = counts[order[begin]].reference.size();
    size_t end = begin;
    while (end < order.size() && counts[order[end]].reference.size() == bins) {
      ++end;
    }
    CoreBatch batch(end - begin, bins);
    for (size_t f = 0; f < batch.features; ++f) {
      const FeatureCounts& c = counts[order[begin + f]];
      for (size_t b = 0; b < bins; ++b) {
        batch.reference[b * batch.stride + f] =
            static_cast<double>(c.reference[b]);
        batch.window[b * batch.stride + f] = static_cast<double>(c.window[b]);
      }
    }
    ScoreCore(batch, &core);
    for (size_t f = 0; f < batch.features; ++f) {
      DriftScores& s = out[order[begin + f]];
      s.psi = core.psi[f];
      s.js_distance = core.js_distance[f];
      s.hellinger = core.hellinger[f];
      s.ks = core.ks[f];
      ScoreRest(counts[order[begin + f]], &s);
    }
    begin = end;
  }
  return out;
}

}  // namespace aigov::monitoring
