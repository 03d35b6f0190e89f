// Bytes → aigovctl's CSV reader (agents/cli/csv_table.h) and the drift bins
// of what it read (daemon/monitoring/binning.h): a reference's edges must be
// strictly increasing and every value must land in one of their bins. The
// CSV is what a pipeline hands `aigovctl drift profile`.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "agents/cli/csv_table.h"
#include "daemon/monitoring/binning.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto columns = aigov::cli::ParseCsv(text, "fuzz.csv", {"c"});
  if (!columns.ok()) return 0;
  for (const aigov::cli::CsvColumn& c : *columns) {
    if (c.numeric) {
      std::vector<double> finite;
      for (double x : c.numbers) {
        if (std::isfinite(x)) finite.push_back(x);
      }
      std::sort(finite.begin(), finite.end());
      const std::vector<double> edges = aigov::monitoring::NumericEdges(finite);
      for (size_t i = 1; i < edges.size(); ++i) {
        if (!(edges[i] > edges[i - 1])) std::abort();
      }
      for (double x : c.numbers) {
        if (!std::isnan(x) &&
            aigov::monitoring::NumericBin(edges, x) > edges.size()) {
          std::abort();
        }
      }
    } else {
      std::vector<std::string> present;
      for (const auto& t : c.texts) {
        if (t) present.push_back(*t);
      }
      const auto ref = aigov::monitoring::TopCategories(present, 3);
      for (const std::string& t : present) {
        if (ref.BinOf(t) >= ref.categories.size() + 1) std::abort();
      }
    }
  }
  return 0;
}
