// Bytes → ParseBundleLine: one line of an audit bundle's entries.jsonl, as
// `aigovctl journal verify` reads it from an untrusted bundle.
#include <cstddef>
#include <cstdint>

#include "daemon/tlog/bundle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view line(reinterpret_cast<const char*>(data), size);
  auto parsed = aigov::tlog::ParseBundleLine(line, 1, 0);
  if (parsed.ok() && parsed->index != 0) __builtin_trap();
  if (parsed.ok() && parsed->pruned && !parsed->entry.empty()) {
    __builtin_trap();
  }
  return 0;
}
