// JSON text from outside aigovd (OpenLineage bodies, audit bundles) parsed
// and written back without any input able to crash the process.
//
// What it guarantees, whatever the bytes:
//   - no exception leaves these functions (nlohmann's parse, range and UTF-8
//     errors become kInvalidArgument);
//   - nesting is bounded before anything is parsed, and nothing here
//     recurses on the depth of the document: a civetweb worker has ~100 KiB
//     of stack, and nlohmann's own dump() recurses once per level;
//   - a NUL byte is refused (nlohmann's lexer takes it for the end of the
//     text and would silently drop what follows);
//   - error messages never echo raw input bytes: a byte outside printable
//     ASCII is written as \xNN, so an error can always be serialized.
//
//   auto doc = common::ParseJson(body);          // Status names the byte
//   if (!doc.ok()) return doc.status();
//   std::string text = common::DumpJson(*doc);   // compact, key order kept
//
// Thread-compatible: pure functions.
#pragma once

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "nlohmann/json.hpp"

namespace aigov::common {

// Objects keep their key order, so a stored document reads as sent.
using Json = nlohmann::ordered_json;

// Deepest nesting of arrays and objects accepted. Real producers stay far
// below: a Spark schema facet of 27 nested structs is about 60 levels.
inline constexpr size_t kMaxJsonDepth = 512;

// Checks `text` without parsing it: no NUL byte, nesting at most
// `max_depth`. Returns kInvalidArgument naming the byte offset.
absl::Status CheckJsonText(absl::string_view text,
                           size_t max_depth = kMaxJsonDepth);

// Parses `text` as one JSON document (CheckJsonText first). Returns
// kInvalidArgument "malformed JSON at byte N (...)" or "number out of range
// at byte N", never echoing raw bytes.
absl::StatusOr<Json> ParseJson(absl::string_view text,
                               size_t max_depth = kMaxJsonDepth);

// Compact serialization (no spaces, key order kept), without recursion.
// Strings holding invalid UTF-8 (only possible for values built in code)
// have each bad byte replaced by U+FFFD instead of throwing.
std::string DumpJson(const Json& value);

// The member `key` of `object`, or nullptr when `object` is not an object or
// has no such member. The pointer lives as long as `object` is unchanged.
const Json* FindMember(const Json& object, const char* key);

// `text` with every byte outside printable ASCII written as \xNN: safe to put
// in an error message, a log line or a JSON string.
std::string EscapeForMessage(absl::string_view text);

}  // namespace aigov::common
