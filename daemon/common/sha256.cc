#include "daemon/common/sha256.h"

#include <openssl/evp.h>

#include "daemon/common/status_macros.h"

namespace aigov::common {
namespace {

// One digest context per thread over an EVP_MD fetched once: EVP_Digest with
// EVP_sha256() re-fetches the implementation on every call (~2.5x the cost
// of a short hash).
class Sha256Context {
 public:
  Sha256Context() : ctx_(EVP_MD_CTX_new()) { AIGOV_CHECK(ctx_ != nullptr); }
  ~Sha256Context() { EVP_MD_CTX_free(ctx_); }
  Sha256Context(const Sha256Context&) = delete;
  Sha256Context& operator=(const Sha256Context&) = delete;

  Sha256Digest Digest(absl::string_view data) {
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    Sha256Digest out{};
    unsigned int len = 0;
    const bool ok = EVP_DigestInit_ex(ctx_, md, nullptr) == 1 &&
                    EVP_DigestUpdate(ctx_, data.data(), data.size()) == 1 &&
                    EVP_DigestFinal_ex(ctx_, out.data(), &len) == 1;
    AIGOV_CHECK(ok && len == out.size());
    return out;
  }

 private:
  EVP_MD_CTX* ctx_;
};

}  // namespace

Sha256Digest Sha256(absl::string_view data) {
  thread_local Sha256Context context;
  return context.Digest(data);
}

std::string HexEncode(absl::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
  return out;
}

std::string HexEncode(const Sha256Digest& digest) {
  return HexEncode(absl::string_view(
      reinterpret_cast<const char*>(digest.data()), digest.size()));
}

bool IsSha256Hex(absl::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace aigov::common
