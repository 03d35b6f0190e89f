#include "daemon/common/json.h"

#include <exception>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace aigov::common {
namespace {

// nlohmann's messages start with "[json.exception.parse_error.101] ".
absl::string_view WithoutTag(absl::string_view what) {
  if (!what.empty() && what[0] == '[') {
    const size_t end = what.find("] ");
    if (end != absl::string_view::npos) return what.substr(end + 2);
  }
  return what;
}

std::string DumpScalar(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

const Json* FindMember(const Json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  if (it == object.end()) return nullptr;
  return &it.value();
}

std::string EscapeForMessage(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x20 && b < 0x7f && b != '\\') {
      out.push_back(c);
    } else {
      absl::StrAppendFormat(&out, "\\x%02x", b);
    }
  }
  return out;
}

absl::Status CheckJsonText(absl::string_view text, size_t max_depth) {
  size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\0') {
      return absl::InvalidArgumentError(absl::StrCat(
          "NUL byte at byte ", i,
          ": JSON text never holds one (was a binary or truncated body sent? "
          "send UTF-8 JSON, or gzip it with Content-Encoding: gzip)"));
    }
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > max_depth) {
          return absl::InvalidArgumentError(
              absl::StrCat("nesting deeper than ", max_depth,
                           " arrays and objects at byte ", i));
        }
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Json> ParseJson(absl::string_view text, size_t max_depth) {
  if (absl::Status s = CheckJsonText(text, max_depth); !s.ok()) return s;
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed JSON at byte ", e.byte, " (",
                     EscapeForMessage(WithoutTag(e.what())), ")"));
  } catch (const Json::out_of_range& e) {
    return absl::InvalidArgumentError(absl::StrCat(
        "number out of range (", EscapeForMessage(WithoutTag(e.what())),
        "); numbers must fit a 64-bit integer or a double"));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(
        "malformed JSON (", EscapeForMessage(WithoutTag(e.what())), ")"));
  }
}

std::string DumpJson(const Json& value) {
  // One frame per open array or object: its next child and its end.
  struct Frame {
    const Json* node;
    Json::const_iterator next;
    Json::const_iterator end;
    bool first;
  };
  std::string out;
  std::vector<Frame> stack;
  const Json* current = &value;
  for (;;) {
    if (current != nullptr) {
      if (current->is_object() || current->is_array()) {
        if (current->empty()) {
          out += current->is_object() ? "{}" : "[]";
        } else {
          out.push_back(current->is_object() ? '{' : '[');
          stack.push_back({current, current->cbegin(), current->cend(), true});
        }
      } else {
        out += DumpScalar(*current);
      }
      current = nullptr;
    }
    if (stack.empty()) break;
    Frame& top = stack.back();
    if (top.next == top.end) {
      out.push_back(top.node->is_object() ? '}' : ']');
      stack.pop_back();
      continue;
    }
    if (!top.first) out.push_back(',');
    top.first = false;
    if (top.node->is_object()) {
      out += DumpScalar(Json(top.next.key()));
      out.push_back(':');
    }
    current = &*top.next;
    ++top.next;
  }
  return out;
}

}  // namespace aigov::common
