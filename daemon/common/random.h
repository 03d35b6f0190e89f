// Cryptographically secure random bytes (OpenSSL's CSPRNG).
//
// Thread-safe. Aborts the process when the CSPRNG cannot produce bytes: no
// caller can go on safely with predictable keys or identifiers.
#pragma once

#include <cstddef>
#include <string>

namespace aigov::common {

// Returns `n` random bytes.
std::string RandomBytes(size_t n);

}  // namespace aigov::common
