// SHA-256 over OpenSSL's EVP interface.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace aigov::common {

using Sha256Digest = std::array<uint8_t, 32>;

// Returns SHA-256(data).
Sha256Digest Sha256(absl::string_view data);

// Returns the lowercase hex form of `bytes`.
std::string HexEncode(absl::string_view bytes);
std::string HexEncode(const Sha256Digest& digest);

// Returns true when `text` is exactly 64 lowercase hex characters.
bool IsSha256Hex(absl::string_view text);

}  // namespace aigov::common
