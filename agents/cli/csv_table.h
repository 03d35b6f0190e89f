// A CSV file read as columns (RFC 4180: comma-separated, fields optionally
// in double quotes with "" for a quote, LF or CRLF line ends, a header row;
// blank lines skipped), typed as the drift bins need them
// (daemon/monitoring/binning.h): a column is numeric when every non-null
// cell is a number, unless it is forced categorical.
//
// Thread-compatible; parses outside bytes (fuzzed by csv_fuzzer).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace aigov::cli {

struct CsvColumn {
  std::string name;
  bool numeric = false;
  // Numeric columns: the values, NaN for a null cell.
  std::vector<double> numbers;
  // Categorical columns: the cells, nullopt for a null cell.
  std::vector<std::optional<std::string>> texts;
};

// Parses `text` (named `source` in errors: "FILE:LINE: reason").
absl::StatusOr<std::vector<CsvColumn>> ParseCsv(
    absl::string_view text, absl::string_view source,
    const std::set<std::string>& categorical);

}  // namespace aigov::cli
