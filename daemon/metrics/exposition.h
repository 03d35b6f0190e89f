// The Prometheus text exposition format (version 0.0.4), appended to a
// string: what the scrape-time state collector (daemon/scrape) writes its
// families with. prometheus-cpp's Collectable hands back MetricFamily
// structs (a std::string per label name and value) that its TextSerializer
// then walks through an ostream; for the ~120k series of a large fleet
// that costs more than the scrape budget (docs/PERFORMANCE.md), so the
// collector writes the text directly.
//
// A family's samples follow its Family() call, before the next family's.
// Label values and HELP text are escaped as the format requires (backslash,
// double quote in values, newline); label names are the caller's constants
// and are written as given. Values are written in their shortest form that
// reads back as the same double; NaN and infinities as "NaN", "+Inf" and
// "-Inf".
//
// Not thread-safe: one writer per scrape; it does not own the string.
#pragma once

#include <initializer_list>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace aigov::metrics {

struct Label {
  absl::string_view name;
  absl::string_view value;
};

class ExpositionWriter {
 public:
  enum class Type { kGauge, kCounter };

  explicit ExpositionWriter(std::string* out) : out_(out) {}

  // Starts the family `name`: its HELP and TYPE lines.
  void Family(absl::string_view name, absl::string_view help, Type type);
  // One sample of the current family.
  void Sample(std::initializer_list<Label> labels, double value) {
    Sample(absl::MakeConstSpan(labels.begin(), labels.size()), value);
  }
  void Sample(absl::Span<const Label> labels, double value);

 private:
  std::string* out_;
  std::string name_;
};

// Appends `value` as the exposition format writes a sample value.
void AppendValue(double value, std::string* out);

}  // namespace aigov::metrics
