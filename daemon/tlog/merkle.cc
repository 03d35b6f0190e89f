#include "daemon/tlog/merkle.h"

#include <openssl/evp.h>

#include <cstring>

#include "absl/strings/str_cat.h"

#include "daemon/common/sha256.h"
#include "daemon/common/status_macros.h"

namespace aigov::tlog {
namespace {

// One digest context per thread, over an EVP_MD fetched once: the implicit
// fetch of EVP_sha256() per call costs ~2.5x on a 65-byte node.
class Hasher {
 public:
  Hasher() : ctx_(EVP_MD_CTX_new()) { AIGOV_CHECK(ctx_ != nullptr); }
  ~Hasher() { EVP_MD_CTX_free(ctx_); }
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  Hash Digest(uint8_t prefix, absl::string_view a, absl::string_view b) {
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    Hash out{};
    unsigned int len = 0;
    const bool ok = EVP_DigestInit_ex(ctx_, md, nullptr) == 1 &&
                    EVP_DigestUpdate(ctx_, &prefix, 1) == 1 &&
                    EVP_DigestUpdate(ctx_, a.data(), a.size()) == 1 &&
                    EVP_DigestUpdate(ctx_, b.data(), b.size()) == 1 &&
                    EVP_DigestFinal_ex(ctx_, out.data(), &len) == 1;
    AIGOV_CHECK(ok && len == out.size());
    return out;
  }

 private:
  EVP_MD_CTX* ctx_;
};

Hasher& ThreadHasher() {
  thread_local Hasher hasher;
  return hasher;
}

uint64_t LargestPowerOfTwoBelow(uint64_t n) {  // n >= 2
  uint64_t k = 1;
  while (k << 1 < n) k <<= 1;
  return k;
}

bool IsPowerOfTwo(uint64_t n) { return n != 0 && (n & (n - 1)) == 0; }

uint32_t Log2(uint64_t n) {  // n a power of two
  uint32_t l = 0;
  while ((uint64_t{1} << l) < n) ++l;
  return l;
}

// Hash of leaves [start, start + len), len >= 1, where every perfect left
// part is an aligned stored node (true of every subtree RFC 6962's
// recursions visit).
absl::StatusOr<Hash> SubtreeHash(uint64_t start, uint64_t len,
                                 const NodeReader& nodes) {
  if (IsPowerOfTwo(len)) {
    const uint32_t level = Log2(len);
    return nodes(level, start >> level);
  }
  const uint64_t k = LargestPowerOfTwoBelow(len);
  AIGOV_ASSIGN_OR_RETURN(const Hash left, SubtreeHash(start, k, nodes));
  AIGOV_ASSIGN_OR_RETURN(const Hash right,
                         SubtreeHash(start + k, len - k, nodes));
  return HashChildren(left, right);
}

absl::Status Path(uint64_t m, uint64_t start, uint64_t n,
                  const NodeReader& nodes, std::vector<Hash>* out) {
  if (n == 1) return absl::OkStatus();
  const uint64_t k = LargestPowerOfTwoBelow(n);
  if (m < k) {
    AIGOV_RETURN_IF_ERROR(Path(m, start, k, nodes, out));
    AIGOV_ASSIGN_OR_RETURN(const Hash h, SubtreeHash(start + k, n - k, nodes));
    out->push_back(h);
  } else {
    AIGOV_RETURN_IF_ERROR(Path(m - k, start + k, n - k, nodes, out));
    AIGOV_ASSIGN_OR_RETURN(const Hash h, SubtreeHash(start, k, nodes));
    out->push_back(h);
  }
  return absl::OkStatus();
}

absl::Status SubProof(uint64_t m, uint64_t start, uint64_t n, bool complete,
                      const NodeReader& nodes, std::vector<Hash>* out) {
  if (m == n) {
    if (!complete) {
      AIGOV_ASSIGN_OR_RETURN(const Hash h, SubtreeHash(start, n, nodes));
      out->push_back(h);
    }
    return absl::OkStatus();
  }
  const uint64_t k = LargestPowerOfTwoBelow(n);
  if (m <= k) {
    AIGOV_RETURN_IF_ERROR(SubProof(m, start, k, complete, nodes, out));
    AIGOV_ASSIGN_OR_RETURN(const Hash h, SubtreeHash(start + k, n - k, nodes));
    out->push_back(h);
  } else {
    AIGOV_RETURN_IF_ERROR(SubProof(m - k, start + k, n - k, false, nodes, out));
    AIGOV_ASSIGN_OR_RETURN(const Hash h, SubtreeHash(start, k, nodes));
    out->push_back(h);
  }
  return absl::OkStatus();
}

absl::Status NotVerified(absl::string_view why) {
  return absl::FailedPreconditionError(why);
}

}  // namespace

Hash HashLeaf(absl::string_view data) {
  return ThreadHasher().Digest(0x00, data, absl::string_view());
}

Hash HashChildren(const Hash& left, const Hash& right) {
  return ThreadHasher().Digest(0x01, HashBytes(left), HashBytes(right));
}

Hash EmptyRoot() {
  const common::Sha256Digest d = common::Sha256("");
  Hash h{};
  std::memcpy(h.data(), d.data(), h.size());
  return h;
}

std::string HashHex(const Hash& h) { return common::HexEncode(HashBytes(h)); }

bool HashFromHex(absl::string_view hex, Hash* out) {
  if (!common::IsSha256Hex(hex)) return false;
  for (size_t i = 0; i < out->size(); ++i) {
    auto nibble = [](char c) {
      return static_cast<uint8_t>(c <= '9' ? c - '0' : c - 'a' + 10);
    };
    (*out)[i] = static_cast<uint8_t>((nibble(hex[2 * i]) << 4) |
                                     nibble(hex[2 * i + 1]));
  }
  return true;
}

absl::string_view HashBytes(const Hash& h) {
  return absl::string_view(reinterpret_cast<const char*>(h.data()), h.size());
}

bool HashFromBytes(absl::string_view bytes, Hash* out) {
  if (bytes.size() != out->size()) return false;
  std::memcpy(out->data(), bytes.data(), out->size());
  return true;
}

absl::StatusOr<CompactRange> CompactRange::FromNodes(
    uint64_t size,
    const std::function<absl::StatusOr<Hash>(uint32_t, uint64_t)>& get_node) {
  CompactRange range;
  uint64_t offset = 0;
  for (int level = 63; level >= 0; --level) {
    const uint64_t width = uint64_t{1} << level;
    if ((size & width) == 0) continue;
    const auto l = static_cast<uint32_t>(level);
    AIGOV_ASSIGN_OR_RETURN(const Hash h, get_node(l, offset >> l));
    range.stack_.push_back(Node{l, offset >> l, h});
    offset += width;
  }
  range.size_ = size;
  return range;
}

void CompactRange::Append(const Hash& leaf_hash, std::vector<Node>* completed) {
  stack_.push_back(Node{0, size_, leaf_hash});
  if (completed != nullptr) completed->push_back(stack_.back());
  ++size_;
  while (stack_.size() >= 2 &&
         stack_[stack_.size() - 1].level == stack_[stack_.size() - 2].level) {
    const Node right = stack_.back();
    stack_.pop_back();
    const Node left = stack_.back();
    stack_.pop_back();
    stack_.push_back(Node{left.level + 1, left.index >> 1,
                          HashChildren(left.hash, right.hash)});
    if (completed != nullptr) completed->push_back(stack_.back());
  }
}

Hash CompactRange::Root() const {
  if (stack_.empty()) return EmptyRoot();
  Hash h = stack_.back().hash;
  for (size_t i = stack_.size() - 1; i-- > 0;)
    h = HashChildren(stack_[i].hash, h);
  return h;
}

absl::StatusOr<Hash> RootAt(uint64_t size, const NodeReader& nodes) {
  if (size == 0) return EmptyRoot();
  return SubtreeHash(0, size, nodes);
}

absl::StatusOr<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size,
                                                 const NodeReader& nodes) {
  if (index >= size) {
    return absl::InvalidArgumentError(
        absl::StrCat("leaf index ", index, " is not in a tree of size ", size));
  }
  std::vector<Hash> out;
  AIGOV_RETURN_IF_ERROR(Path(index, 0, size, nodes, &out));
  return out;
}

absl::StatusOr<std::vector<Hash>> ConsistencyProof(uint64_t from, uint64_t to,
                                                   const NodeReader& nodes) {
  if (from > to) {
    return absl::InvalidArgumentError(
        absl::StrCat("from_size ", from, " is larger than to_size ", to));
  }
  std::vector<Hash> out;
  if (from == 0 || from == to) return out;
  AIGOV_RETURN_IF_ERROR(SubProof(from, 0, to, true, nodes, &out));
  return out;
}

absl::Status VerifyInclusion(const Hash& leaf_hash, uint64_t index,
                             uint64_t size, const std::vector<Hash>& proof,
                             const Hash& root) {
  if (index >= size) {
    return absl::InvalidArgumentError(
        absl::StrCat("leaf index ", index, " is not in a tree of size ", size));
  }
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return NotVerified("inclusion proof is too long");
    if ((fn & 1) != 0 || fn == sn) {
      r = HashChildren(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = HashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return NotVerified("inclusion proof is too short");
  if (r != root)
    return NotVerified("inclusion proof does not lead to the root");
  return absl::OkStatus();
}

absl::Status VerifyConsistency(uint64_t from, uint64_t to,
                               const std::vector<Hash>& proof,
                               const Hash& from_root, const Hash& to_root) {
  if (from > to) {
    return absl::InvalidArgumentError(
        absl::StrCat("from_size ", from, " is larger than to_size ", to));
  }
  if (from == to) {
    if (!proof.empty())
      return NotVerified("proof between equal sizes must be empty");
    if (from_root != to_root) return NotVerified("roots of equal sizes differ");
    return absl::OkStatus();
  }
  if (from == 0) {
    if (!proof.empty())
      return NotVerified("proof from the empty tree must be empty");
    if (from_root != EmptyRoot())
      return NotVerified("root of size 0 is not the empty root");
    return absl::OkStatus();
  }
  if (proof.empty()) return NotVerified("consistency proof is empty");
  std::vector<Hash> path;
  path.reserve(proof.size() + 1);
  if (IsPowerOfTwo(from)) path.push_back(from_root);
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = from - 1;
  uint64_t sn = to - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0];
  Hash sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return NotVerified("consistency proof is too long");
    if ((fn & 1) != 0 || fn == sn) {
      fr = HashChildren(c, fr);
      sr = HashChildren(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = HashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return NotVerified("consistency proof is too short");
  if (fr != from_root)
    return NotVerified("consistency proof does not lead to the older root");
  if (sr != to_root)
    return NotVerified("consistency proof does not lead to the newer root");
  return absl::OkStatus();
}

}  // namespace aigov::tlog
