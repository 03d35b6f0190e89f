#include "agents/cli/csv_table.h"

#include <cmath>
#include <cstdlib>
#include <limits>

#include "absl/strings/str_cat.h"

#include "daemon/monitoring/binning.h"

namespace aigov::cli {
namespace {

absl::Status Error(absl::string_view source, size_t line,
                   absl::string_view reason) {
  return absl::InvalidArgumentError(
      absl::StrCat(source, ":", line, ": ", reason));
}

// Splits `text` into rows of fields; a row's line is the line it starts on.
absl::Status Rows(absl::string_view text, absl::string_view source,
                  std::vector<std::vector<std::string>>* rows,
                  std::vector<size_t>* lines) {
  size_t i = 0;
  size_t line = 1;
  while (i < text.size()) {
    if (text[i] == '\n' || (text[i] == '\r' && i + 1 < text.size() &&
                            text[i + 1] == '\n')) {  // a blank line
      i += text[i] == '\r' ? 2u : 1u;
      ++line;
      continue;
    }
    const size_t start_line = line;
    std::vector<std::string> row;
    while (true) {
      std::string field;
      if (i < text.size() && text[i] == '"') {
        ++i;
        while (true) {
          if (i >= text.size()) {
            return Error(source, start_line, "unterminated quoted field");
          }
          if (text[i] == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              field.push_back('"');
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (text[i] == '\n') ++line;
          field.push_back(text[i++]);
        }
        if (i < text.size() && text[i] != ',' && text[i] != '\n' &&
            !(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
          return Error(source, line,
                       "text after a closing quote (expected , or a line end)");
        }
      } else {
        while (
            i < text.size() && text[i] != ',' && text[i] != '\n' &&
            !(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
          if (text[i] == '"') {
            return Error(source, line, "a quote inside an unquoted field");
          }
          field.push_back(text[i++]);
        }
      }
      row.push_back(std::move(field));
      if (i < text.size() && text[i] == ',') {
        ++i;
        continue;
      }
      break;
    }
    if (i < text.size()) {
      i += text[i] == '\r' ? 2u : 1u;
      ++line;
    }
    rows->push_back(std::move(row));
    lines->push_back(start_line);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<CsvColumn>> ParseCsv(
    absl::string_view text, absl::string_view source,
    const std::set<std::string>& categorical) {
  std::vector<std::vector<std::string>> rows;
  std::vector<size_t> lines;
  if (absl::Status s = Rows(text, source, &rows, &lines); !s.ok()) return s;
  if (rows.empty())
    return Error(source, 1, "empty file, expected a header row");
  std::vector<CsvColumn> columns(rows[0].size());
  for (size_t c = 0; c < columns.size(); ++c) columns[c].name = rows[0][c];
  for (size_t r = 1; r < rows.size(); ++r) {
    if (rows[r].size() != columns.size()) {
      return Error(source, lines[r],
                   absl::StrCat(rows[r].size(), " fields, the header has ",
                                columns.size()));
    }
  }
  for (size_t c = 0; c < columns.size(); ++c) {
    CsvColumn& col = columns[c];
    col.numeric = categorical.count(col.name) == 0;
    for (size_t r = 1; r < rows.size() && col.numeric; ++r) {
      const std::string& cell = rows[r][c];
      col.numeric =
          monitoring::IsNullCell(cell) || monitoring::IsNumberCell(cell);
    }
    for (size_t r = 1; r < rows.size(); ++r) {
      std::string& cell = rows[r][c];
      const bool null = monitoring::IsNullCell(cell);
      if (col.numeric) {
        col.numbers.push_back(null ? std::numeric_limits<double>::quiet_NaN()
                                   : std::strtod(cell.c_str(), nullptr));
      } else if (null) {
        col.texts.emplace_back(std::nullopt);
      } else {
        col.texts.emplace_back(std::move(cell));
      }
    }
  }
  return columns;
}

}  // namespace aigov::cli
