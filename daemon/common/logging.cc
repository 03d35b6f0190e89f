#include "daemon/common/logging.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

#include "daemon/common/status_macros.h"

namespace aigov::common {
namespace {

std::atomic<int> min_level{static_cast<int>(LogLevel::kInfo)};

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

}  // namespace

std::string JsonQuote(absl::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", static_cast<unsigned char>(c));
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return out;
}

LogField::LogField(absl::string_view key, absl::string_view value)
    : key_(key), json_value_(JsonQuote(value)) {}
LogField::LogField(absl::string_view key, const std::string& value)
    : LogField(key, absl::string_view(value)) {}
LogField::LogField(absl::string_view key, const char* value)
    : LogField(key, absl::string_view(value)) {}
LogField::LogField(absl::string_view key, int64_t value)
    : key_(key), json_value_(absl::StrCat(value)) {}
LogField::LogField(absl::string_view key, uint64_t value)
    : key_(key), json_value_(absl::StrCat(value)) {}
LogField::LogField(absl::string_view key, int value)
    : key_(key), json_value_(absl::StrCat(value)) {}
LogField::LogField(absl::string_view key, unsigned value)
    : key_(key), json_value_(absl::StrCat(value)) {}
LogField::LogField(absl::string_view key, bool value)
    : key_(key), json_value_(value ? "true" : "false") {}
LogField::LogField(absl::string_view key, double value)
    : key_(key), json_value_(absl::StrFormat("%.17g", value)) {}

void SetMinLogLevel(LogLevel level) {
  min_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

bool ParseLogLevel(absl::string_view text, LogLevel* level) {
  const std::string lower = absl::AsciiStrToLower(text);
  if (lower == "debug") {
    *level = LogLevel::kDebug;
  } else if (lower == "info") {
    *level = LogLevel::kInfo;
  } else if (lower == "warning" || lower == "warn") {
    *level = LogLevel::kWarning;
  } else if (lower == "error") {
    *level = LogLevel::kError;
  } else {
    return false;
  }
  return true;
}

std::string FormatLogLine(int64_t unix_micros, LogLevel level,
                          absl::string_view msg,
                          std::initializer_list<LogField> fields) {
  const absl::Time t = absl::FromUnixMicros(unix_micros);
  std::string line = absl::StrCat(
      "{\"ts\":",
      JsonQuote(
          absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", t, absl::UTCTimeZone())),
      ",\"level\":", JsonQuote(LevelName(level)), ",\"msg\":", JsonQuote(msg));
  for (const LogField& f : fields) {
    absl::StrAppend(&line, ",", JsonQuote(f.key()), ":", f.json_value());
  }
  line.push_back('}');
  return line;
}

void Log(LogLevel level, absl::string_view msg,
         std::initializer_list<LogField> fields) {
  if (static_cast<int>(level) < min_level.load(std::memory_order_relaxed)) {
    return;
  }
  std::string line =
      FormatLogLine(absl::ToUnixMicros(absl::Now()), level, msg, fields);
  line.push_back('\n');
  // One write(2) per line keeps concurrent lines whole.
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

void CheckFailed(const char* file, int line, const char* cond) {
  Log(LogLevel::kError, "invariant violated",
      {{"file", file}, {"line", line}, {"condition", cond}});
  std::abort();
}

}  // namespace aigov::common
