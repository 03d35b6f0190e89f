#include "daemon/metrics/exposition.h"

#include <charconv>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace aigov::metrics {
namespace {

// Appends `text` with backslash and newline escaped, and the double quote
// too when `quote`.
void AppendEscaped(absl::string_view text, bool quote, std::string* out) {
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '\\' && c != '\n' && !(quote && c == '"')) continue;
    out->append(text.data() + start, i - start);
    out->append(c == '\n' ? "\\n" : c == '"' ? "\\\"" : "\\\\");
    start = i + 1;
  }
  out->append(text.data() + start, text.size() - start);
}

}  // namespace

void AppendValue(double value, std::string* out) {
  if (std::isnan(value)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(value)) {
    out->append(value > 0 ? "+Inf" : "-Inf");
    return;
  }
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof(buf), value);
  out->append(buf, r.ptr);
}

void ExpositionWriter::Family(absl::string_view name, absl::string_view help,
                              Type type) {
  name_.assign(name.data(), name.size());
  absl::StrAppend(out_, "# HELP ", name, " ");
  AppendEscaped(help, false, out_);
  absl::StrAppend(out_, "\n# TYPE ", name,
                  type == Type::kCounter ? " counter\n" : " gauge\n");
}

void ExpositionWriter::Sample(absl::Span<const Label> labels, double value) {
  out_->append(name_);
  if (!labels.empty()) {
    out_->push_back('{');
    for (size_t i = 0; i < labels.size(); ++i) {
      if (i > 0) out_->push_back(',');
      out_->append(labels[i].name.data(), labels[i].name.size());
      out_->append("=\"");
      AppendEscaped(labels[i].value, true, out_);
      out_->push_back('"');
    }
    out_->push_back('}');
  }
  out_->push_back(' ');
  AppendValue(value, out_);
  out_->push_back('\n');
}

}  // namespace aigov::metrics
