// Structured operational logging: one JSON object per line on stderr
// (`ts`, `level`, `msg`, then fields), for journald and Kubernetes log
// collectors. Logs are not the audit journal and never carry personal data.
//
// Thread-safe: each line is written with a single write(2).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>

#include "absl/strings/string_view.h"

namespace aigov::common {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// One `key: value` pair of a log line; the value is kept JSON-encoded.
class LogField {
 public:
  LogField(absl::string_view key, absl::string_view value);
  LogField(absl::string_view key, const std::string& value);
  LogField(absl::string_view key, const char* value);
  LogField(absl::string_view key, int64_t value);
  LogField(absl::string_view key, uint64_t value);
  LogField(absl::string_view key, int value);
  LogField(absl::string_view key, unsigned value);
  LogField(absl::string_view key, bool value);
  LogField(absl::string_view key, double value);

  const std::string& key() const { return key_; }
  const std::string& json_value() const { return json_value_; }

 private:
  std::string key_;
  std::string json_value_;
};

// Sets the least severity written. Default: kInfo.
void SetMinLogLevel(LogLevel level);
// Parses "debug", "info", "warning" or "error"; false when unknown.
bool ParseLogLevel(absl::string_view text, LogLevel* level);

// Writes one log line when `level` is at least the minimum level.
void Log(LogLevel level, absl::string_view msg,
         std::initializer_list<LogField> fields = {});

// Returns `text` as a JSON string literal, quotes included.
std::string JsonQuote(absl::string_view text);

// Formats one log line (without the trailing newline); exposed for tests.
std::string FormatLogLine(int64_t unix_micros, LogLevel level,
                          absl::string_view msg,
                          std::initializer_list<LogField> fields);

}  // namespace aigov::common
