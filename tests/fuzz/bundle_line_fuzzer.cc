// Bytes → ParseBundleLine: one line of an audit bundle's entries.jsonl, as
// `aigovctl journal verify` reads it from an untrusted bundle, full (entry 0
// expected) or partial (any index, with an inclusion proof).
#include <cstddef>
#include <cstdint>
#include <optional>

#include "daemon/tlog/bundle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view line(reinterpret_cast<const char*>(data), size);
  auto parsed = aigov::tlog::ParseBundleLine(line, 1, 0);
  if (parsed.ok() && parsed->index != 0) __builtin_trap();
  if (parsed.ok() && parsed->pruned && !parsed->entry.empty()) {
    __builtin_trap();
  }
  auto any = aigov::tlog::ParseBundleLine(line, 1, std::nullopt);
  if (parsed.ok() && !any.ok()) __builtin_trap();
  if (any.ok() && any->inclusion_proof.size() > 64) __builtin_trap();
  if (any.ok() && !any->has_inclusion_proof && !any->inclusion_proof.empty()) {
    __builtin_trap();
  }
  return 0;
}
