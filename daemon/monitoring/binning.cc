#include "daemon/monitoring/binning.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

namespace aigov::monitoring {

std::vector<double> NumericEdges(absl::Span<const double> sorted) {
  const size_t n = sorted.size();
  if (n == 0) return {0.0};
  std::vector<double> edges;
  const auto push = [&](double e) {
    if (edges.empty() || e > edges.back()) edges.push_back(e);
  };
  for (size_t q = 0; q < 10; ++q) push(sorted[q * n / 10]);
  const double top = sorted[n - 1];
  const double above =
      std::nextafter(top, std::numeric_limits<double>::infinity());
  push(std::isfinite(above) ? above : top);
  return edges;
}

size_t NumericBin(absl::Span<const double> edges, double x) {
  return static_cast<size_t>(std::upper_bound(edges.begin(), edges.end(), x) -
                             edges.begin());
}

double StandardDeviation(absl::Span<const double> finite) {
  // Over the values divided by the largest magnitude, so that neither the
  // sum nor the squares overflow near the largest doubles.
  double scale = 0;
  for (double x : finite) scale = std::max(scale, std::abs(x));
  if (scale == 0) return 0;
  const double size = static_cast<double>(finite.size());
  double mean = 0;
  for (double x : finite) mean += x / scale;
  mean /= size;
  double var = 0;
  for (double x : finite) var += (x / scale - mean) * (x / scale - mean);
  return scale * std::sqrt(var / size);
}

size_t CategoricalReference::BinOf(absl::string_view value) const {
  for (size_t i = 0; i < categories.size(); ++i) {
    if (categories[i] == value) return i;
  }
  return other.count(std::string(value)) ? categories.size()
                                         : categories.size() + 1;
}

CategoricalReference TopCategories(absl::Span<const std::string> values,
                                   size_t max_categories) {
  std::map<std::string, uint64_t> seen;
  for (const std::string& v : values) ++seen[v];
  std::vector<std::pair<std::string, uint64_t>> ranked(seen.begin(),
                                                       seen.end());
  // std::map orders by byte; a stable sort by count keeps that for ties.
  std::stable_sort(
      ranked.begin(), ranked.end(),
      [](const auto& a, const auto& b) { return a.second > b.second; });
  CategoricalReference ref;
  uint64_t other = 0;
  for (size_t i = 0; i < ranked.size(); ++i) {
    if (i < max_categories) {
      ref.categories.push_back(ranked[i].first);
      ref.counts.push_back(ranked[i].second);
    } else {
      other += ranked[i].second;
      ref.other.insert(ranked[i].first);
    }
  }
  ref.counts.push_back(other);
  ref.counts.push_back(0);
  return ref;
}

bool IsNullCell(absl::string_view cell) {
  return cell.empty() || cell == "NA" || cell == "N/A" || cell == "NaN" ||
         cell == "nan" || cell == "null" || cell == "NULL" || cell == "None";
}

bool IsNumberCell(absl::string_view cell) {
  size_t i = 0;
  if (i < cell.size() && (cell[i] == '+' || cell[i] == '-')) ++i;
  const absl::string_view rest = cell.substr(i);
  if (rest.size() == 3 && (rest[0] == 'i' || rest[0] == 'I') &&
      (rest[1] == 'n' || rest[1] == 'N') &&
      (rest[2] == 'f' || rest[2] == 'F')) {
    return true;
  }
  const auto digits = [&]() {
    const size_t from = i;
    while (i < cell.size() && cell[i] >= '0' && cell[i] <= '9') ++i;
    return i - from;
  };
  size_t mantissa = digits();
  if (i < cell.size() && cell[i] == '.') {
    ++i;
    mantissa += digits();
  }
  if (mantissa == 0) return false;
  if (i < cell.size() && (cell[i] == 'e' || cell[i] == 'E')) {
    ++i;
    if (i < cell.size() && (cell[i] == '+' || cell[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == cell.size();
}

}  // namespace aigov::monitoring
