#include "daemon/tlog/merkle.h"

#include <map>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "daemon/common/sha256.h"

namespace aigov::tlog {
namespace {

// ---------------------------------------------------------------------------
// Reference implementation, written from RFC 6962 §2.1 (MTH, PATH, PROOF and
// SUBPROOF as defined there), recursive over the raw leaf data. It shares no
// code with merkle.cc: only a plain SHA-256.
using Bytes = std::string;
using Leaves = std::vector<Bytes>;

Bytes Sha(const Bytes& in) {
  const common::Sha256Digest d = common::Sha256(in);
  return Bytes(reinterpret_cast<const char*>(d.data()), d.size());
}

size_t RefSplit(size_t n) {  // largest power of two smaller than n
  size_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

Leaves Slice(const Leaves& d, size_t from, size_t to) {
  return Leaves(d.begin() + static_cast<long>(from),
                d.begin() + static_cast<long>(to));
}

Bytes RefMth(const Leaves& d) {
  if (d.empty()) return Sha("");
  if (d.size() == 1) return Sha(Bytes(1, '\0') + d[0]);
  const size_t k = RefSplit(d.size());
  return Sha(Bytes(1, '\1') + RefMth(Slice(d, 0, k)) +
             RefMth(Slice(d, k, d.size())));
}

std::vector<Bytes> RefPath(size_t m, const Leaves& d) {
  if (d.size() == 1) return {};
  const size_t k = RefSplit(d.size());
  std::vector<Bytes> out;
  if (m < k) {
    out = RefPath(m, Slice(d, 0, k));
    out.push_back(RefMth(Slice(d, k, d.size())));
  } else {
    out = RefPath(m - k, Slice(d, k, d.size()));
    out.push_back(RefMth(Slice(d, 0, k)));
  }
  return out;
}

std::vector<Bytes> RefSubProof(size_t m, const Leaves& d, bool b) {
  const size_t n = d.size();
  if (m == n) return b ? std::vector<Bytes>{} : std::vector<Bytes>{RefMth(d)};
  const size_t k = RefSplit(n);
  std::vector<Bytes> out;
  if (m <= k) {
    out = RefSubProof(m, Slice(d, 0, k), b);
    out.push_back(RefMth(Slice(d, k, n)));
  } else {
    out = RefSubProof(m - k, Slice(d, k, n), false);
    out.push_back(RefMth(Slice(d, 0, k)));
  }
  return out;
}

// ---------------------------------------------------------------------------

Leaves TestLeaves(size_t n) {
  Leaves d;
  for (size_t i = 0; i < n; ++i)
    d.push_back("leaf-" + std::to_string(i * 7919));
  return d;
}

// A tree built with CompactRange, its completed nodes kept in a map.
class StoredTree {
 public:
  explicit StoredTree(const Leaves& d) {
    std::vector<Node> completed;
    for (const Bytes& leaf : d) {
      range_.Append(HashLeaf(leaf), &completed);
      roots_.push_back(range_.Root());
    }
    for (const Node& n : completed) nodes_[{n.level, n.index}] = n.hash;
  }
  NodeReader reader() const {
    return [this](uint32_t level, uint64_t index) -> absl::StatusOr<Hash> {
      auto it = nodes_.find({level, index});
      if (it == nodes_.end()) return absl::NotFoundError("no such node");
      return it->second;
    };
  }
  const CompactRange& range() const { return range_; }
  Hash RootOf(size_t size) const {
    return size == 0 ? EmptyRoot() : roots_[size - 1];
  }
  size_t node_count() const { return nodes_.size(); }

 private:
  CompactRange range_;
  std::vector<Hash> roots_;
  std::map<std::pair<uint32_t, uint64_t>, Hash> nodes_;
};

std::vector<Bytes> AsBytes(const std::vector<Hash>& hs) {
  std::vector<Bytes> out;
  for (const Hash& h : hs) out.emplace_back(HashBytes(h));
  return out;
}

constexpr size_t kMax = 64;

TEST(MerkleTest, EmptyTreeRootIsSha256OfNothing) {
  EXPECT_EQ(HashHex(EmptyRoot()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HashHex(CompactRange().Root()), HashHex(EmptyRoot()));
  auto root = RootAt(0, [](uint32_t, uint64_t) -> absl::StatusOr<Hash> {
    return absl::NotFoundError("unused");
  });
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(*root, EmptyRoot());
}

TEST(MerkleTest, CertificateTransparencyKnownAnswers) {
  // The RFC 6962 test leaves used by Certificate Transparency
  // implementations, and the published tree heads for sizes 1..8.
  const Leaves d = {
      "",
      std::string("\x00", 1),
      "\x10",
      "\x20\x21",
      "\x30\x31",
      "\x40\x41\x42\x43",
      "\x50\x51\x52\x53\x54\x55\x56\x57",
      "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
  const char* kRoots[] = {
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  StoredTree tree(d);
  for (size_t n = 1; n <= 8; ++n) {
    EXPECT_EQ(HashHex(tree.RootOf(n)), kRoots[n - 1]) << n;
    EXPECT_EQ(HashHex(*RootAt(n, tree.reader())), kRoots[n - 1]) << n;
    EXPECT_EQ(Bytes(HashBytes(tree.RootOf(n))), RefMth(Slice(d, 0, n))) << n;
  }
}

TEST(MerkleTest, RootsMatchReferenceForEverySizeUpTo64) {
  const Leaves d = TestLeaves(kMax);
  StoredTree tree(d);
  EXPECT_LT(tree.node_count(), 2 * kMax);
  for (size_t n = 1; n <= kMax; ++n) {
    const Bytes want = RefMth(Slice(d, 0, n));
    EXPECT_EQ(Bytes(HashBytes(tree.RootOf(n))), want) << n;
    auto root = RootAt(n, tree.reader());
    ASSERT_TRUE(root.ok()) << root.status();
    EXPECT_EQ(Bytes(HashBytes(*root)), want) << n;
    // A range rebuilt from stored nodes continues exactly where it stopped.
    auto rebuilt = CompactRange::FromNodes(n, tree.reader());
    ASSERT_TRUE(rebuilt.ok());
    EXPECT_EQ(rebuilt->size(), n);
    EXPECT_EQ(Bytes(HashBytes(rebuilt->Root())), want) << n;
  }
}

TEST(MerkleTest, InclusionProofsMatchReferenceAndVerifyForEveryPair) {
  const Leaves d = TestLeaves(kMax);
  StoredTree tree(d);
  for (size_t n = 1; n <= kMax; ++n) {
    const Leaves prefix = Slice(d, 0, n);
    for (size_t m = 0; m < n; ++m) {
      auto proof = InclusionProof(m, n, tree.reader());
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_EQ(AsBytes(*proof), RefPath(m, prefix)) << m << "/" << n;
      EXPECT_TRUE(
          VerifyInclusion(HashLeaf(d[m]), m, n, *proof, tree.RootOf(n)).ok())
          << m << "/" << n;
      // The proof does not verify another leaf, index or root.
      EXPECT_FALSE(
          VerifyInclusion(HashLeaf("other"), m, n, *proof, tree.RootOf(n))
              .ok());
      if (n > 1) {
        EXPECT_FALSE(VerifyInclusion(HashLeaf(d[m]), (m + 1) % n, n, *proof,
                                     tree.RootOf(n))
                         .ok());
        EXPECT_FALSE(
            VerifyInclusion(HashLeaf(d[m]), m, n, *proof, tree.RootOf(n - 1))
                .ok());
      }
    }
  }
}

TEST(MerkleTest, ConsistencyProofsMatchReferenceAndVerifyForEveryPair) {
  const Leaves d = TestLeaves(kMax);
  StoredTree tree(d);
  for (size_t n = 1; n <= kMax; ++n) {
    for (size_t m = 1; m <= n; ++m) {
      auto proof = ConsistencyProof(m, n, tree.reader());
      ASSERT_TRUE(proof.ok()) << proof.status();
      const std::vector<Bytes> want =
          m == n ? std::vector<Bytes>{} : RefSubProof(m, Slice(d, 0, n), true);
      EXPECT_EQ(AsBytes(*proof), want) << m << "->" << n;
      EXPECT_TRUE(
          VerifyConsistency(m, n, *proof, tree.RootOf(m), tree.RootOf(n)).ok())
          << m << "->" << n;
      if (m < n) {
        // A forked history does not verify.
        Hash forged = tree.RootOf(m);
        forged[0] ^= 1;
        EXPECT_FALSE(
            VerifyConsistency(m, n, *proof, forged, tree.RootOf(n)).ok());
        EXPECT_FALSE(
            VerifyConsistency(m, n, *proof, tree.RootOf(m), forged).ok());
      }
    }
  }
}

TEST(MerkleTest, BadRequestsAreInvalidArgument) {
  StoredTree tree(TestLeaves(5));
  EXPECT_EQ(InclusionProof(5, 5, tree.reader()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ConsistencyProof(6, 5, tree.reader()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyInclusion(HashLeaf("x"), 9, 5, {}, tree.RootOf(5)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyConsistency(3, 2, {}, tree.RootOf(3), tree.RootOf(2)).code(),
            absl::StatusCode::kInvalidArgument);
  // A missing stored node is reported, not papered over.
  EXPECT_EQ(InclusionProof(1, 6, tree.reader()).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(MerkleTest, HexRoundTrip) {
  const Hash h = HashLeaf("x");
  Hash back{};
  ASSERT_TRUE(HashFromHex(HashHex(h), &back));
  EXPECT_EQ(back, h);
  EXPECT_FALSE(HashFromHex("zz", &back));
  ASSERT_TRUE(HashFromBytes(HashBytes(h), &back));
  EXPECT_FALSE(HashFromBytes("short", &back));
}

}  // namespace
}  // namespace aigov::tlog
