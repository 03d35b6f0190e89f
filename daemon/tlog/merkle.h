// RFC 6962 Merkle tree over journal entries (RFC 9162 §2.1 for verification).
//
//   leaf hash  = SHA-256(0x00 ‖ entry bytes)
//   node hash  = SHA-256(0x01 ‖ left ‖ right)
//   MTH({})    = SHA-256()
//
// The tree is stored as its perfect subtrees: node (level, index) is the hash
// of leaves [index·2^level, (index+1)·2^level), level 0 being the leaf hashes.
// Appending a leaf creates at most one new node per level, so a journal of n
// entries holds < 2n nodes, and every root, inclusion proof and consistency
// proof needs O(log² n) node reads — never a re-read of the entries.
//
// Thread-compatible: pure functions, plus CompactRange which is a value type.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace aigov::tlog {

using Hash = std::array<uint8_t, 32>;

// SHA-256(0x00 ‖ data).
Hash HashLeaf(absl::string_view data);
// SHA-256(0x01 ‖ left ‖ right).
Hash HashChildren(const Hash& left, const Hash& right);
// SHA-256 of nothing: the root of the empty tree.
Hash EmptyRoot();

std::string HashHex(const Hash& h);
// Parses 64 lowercase hex characters; false otherwise.
bool HashFromHex(absl::string_view hex, Hash* out);
absl::string_view HashBytes(const Hash& h);
// Copies exactly 32 bytes; false otherwise.
bool HashFromBytes(absl::string_view bytes, Hash* out);

// A stored perfect subtree.
struct Node {
  uint32_t level;
  uint64_t index;
  Hash hash;
};

// The right edge of a tree built leaf by leaf: one perfect subtree per set
// bit of the size, largest first. Appending returns the nodes that became
// complete, so that they can be stored.
class CompactRange {
 public:
  CompactRange() = default;

  // Rebuilds the range of a tree of `size` leaves from its perfect subtrees,
  // fetched with `get_node(level, index)`.
  static absl::StatusOr<CompactRange> FromNodes(
      uint64_t size,
      const std::function<absl::StatusOr<Hash>(uint32_t, uint64_t)>& get_node);

  // Appends a leaf hash; adds to `completed` (if non-null) every node that
  // became complete, the leaf itself (level 0) first.
  void Append(const Hash& leaf_hash, std::vector<Node>* completed);

  uint64_t size() const { return size_; }
  // The tree head (MTH) over all appended leaves.
  Hash Root() const;

 private:
  uint64_t size_ = 0;
  std::vector<Node> stack_;  // perfect subtrees, left to right
};

// Reads stored perfect-subtree nodes. Must return kNotFound, kDataLoss or
// another error status for a node it cannot produce.
using NodeReader =
    std::function<absl::StatusOr<Hash>(uint32_t level, uint64_t index)>;

// Returns MTH of the first `size` leaves.
absl::StatusOr<Hash> RootAt(uint64_t size, const NodeReader& nodes);

// Returns the RFC 6962 audit path of leaf `index` in the tree of `size`
// leaves. kInvalidArgument unless index < size.
absl::StatusOr<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size,
                                                 const NodeReader& nodes);

// Returns the RFC 6962 consistency proof between trees of `from` and `to`
// leaves; kInvalidArgument when from > to. from = 0 and from = to give an
// empty proof.
absl::StatusOr<std::vector<Hash>> ConsistencyProof(uint64_t from, uint64_t to,
                                                   const NodeReader& nodes);

// RFC 9162 §2.1.3.2. Returns OK when `proof` proves `leaf_hash` is leaf
// `index` of the tree of `size` leaves with root `root`; otherwise
// kInvalidArgument (malformed) or kFailedPrecondition (does not verify),
// saying why.
absl::Status VerifyInclusion(const Hash& leaf_hash, uint64_t index,
                             uint64_t size, const std::vector<Hash>& proof,
                             const Hash& root);

// RFC 9162 §2.1.4.2, with the same error convention.
absl::Status VerifyConsistency(uint64_t from, uint64_t to,
                               const std::vector<Hash>& proof,
                               const Hash& from_root, const Hash& to_root);

}  // namespace aigov::tlog
