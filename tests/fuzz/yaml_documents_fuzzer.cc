// Bytes → ParseDocuments: the YAML or JSON files `aigovctl apply` reads,
// walked against the record protos. Each parsed document must be sendable
// (DeriveEventId over its message).
#include <cstddef>
#include <cstdint>

#include "agents/cli/documents.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto docs = aigov::cli::ParseDocuments(text, "fuzz.yaml");
  if (docs.ok()) {
    for (const auto& d : *docs) {
      if (d.message == nullptr) __builtin_trap();
      (void)aigov::cli::DeriveEventId(d.kind, *d.message);
    }
  }
  return 0;
}
