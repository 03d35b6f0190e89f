#include "daemon/common/random.h"

#include <openssl/rand.h>

#include "daemon/common/status_macros.h"

namespace aigov::common {

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  AIGOV_CHECK(RAND_bytes(reinterpret_cast<unsigned char*>(out.data()),
                         static_cast<int>(n)) == 1);
  return out;
}

}  // namespace aigov::common
