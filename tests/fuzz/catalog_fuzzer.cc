// Bytes → rules::ParseCatalog: one obligation-catalog file, as
// compliance.catalog_dir would supply it (regimes and obligations checked
// against the vocabulary, the DocumentType enum and each other).
#include <cstddef>
#include <cstdint>
#include <string>

#include "daemon/rules/catalog.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const aigov::rules::CatalogFile file{
      "fuzz.yaml", std::string(reinterpret_cast<const char*>(data), size)};
  (void)aigov::rules::ParseCatalog({&file, 1});
  return 0;
}
