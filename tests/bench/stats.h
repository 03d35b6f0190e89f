// Figures the in-process benchmarks print (compliance_bench,
// journal_scale_bench, lineage_query_bench). Header-only; no state.
#pragma once

#include <algorithm>
#include <vector>

namespace aigov::bench {

// The p-quantile (0 to 1) of `v`, nearest rank below; `v` must not be
// empty.
inline double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

}  // namespace aigov::bench
