// Bytes → ParseConfigYaml → ValidateConfig: aigovd's configuration file,
// walked against aigov.v1.DaemonConfig.
#include <cstddef>
#include <cstdint>

#include "daemon/config/config_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = aigov::config::ParseConfigYaml(text, "fuzz.yaml");
  if (config.ok()) (void)aigov::config::ValidateConfig(*config);
  return 0;
}
