// Bytes → DecodeBody as gzip and as identity: a request body with its
// Content-Encoding. The decoded size must never pass the limit.
#include <cstddef>
#include <cstdint>
#include <string>

#include "daemon/server/http_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr size_t kLimit = 1 << 20;
  const std::string body(reinterpret_cast<const char*>(data), size);
  for (const char* encoding : {"gzip", "", "br"}) {
    auto out = aigov::server::DecodeBody(encoding, body, kLimit);
    if (out.ok() && out->size() > kLimit) __builtin_trap();
  }
  return 0;
}
