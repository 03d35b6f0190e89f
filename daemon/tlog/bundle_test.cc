#include "daemon/tlog/bundle.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "daemon/common/json.h"
#include "daemon/tlog/checkpoint.h"

namespace aigov::tlog {
namespace {

using ::testing::HasSubstr;

// A bundle of `n` entries written with BundleWriter, signed by a fresh key.
class BundleTest : public ::testing::Test {
 protected:
  BundleTest()
      : dir_(std::filesystem::temp_directory_path() /
             ("aigov-bundle-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    signer_ = std::move(NoteSigner::LoadOrCreate((dir_ / "key.pem").string(),
                                                 "aigov/bundle-test"))
                  .value();
  }
  ~BundleTest() override { std::filesystem::remove_all(dir_); }

  std::string Note(uint64_t size) {
    CompactRange r;
    for (uint64_t i = 0; i < size; ++i) r.Append(HashLeaf(Entry(i)), nullptr);
    return *signer_->Sign(
        FormatCheckpoint({"aigov/bundle-test", size, r.Root()}));
  }

  static std::string Entry(uint64_t i) {
    return "entry bytes #" + std::to_string(i);
  }

  std::string Write(uint64_t n, uint64_t pruned_index = ~uint64_t{0}) {
    const std::string out = (dir_ / "bundle").string();
    BundleWriter w(out);
    EXPECT_TRUE(w.Begin(Note(n), signer_->verifier_key()).ok());
    for (uint64_t i = 0; i < n; ++i) {
      EXPECT_TRUE(
          w.Add(i, HashLeaf(Entry(i)), Entry(i), i == pruned_index).ok());
    }
    EXPECT_TRUE(w.Finish().ok());
    return out;
  }

  // A partial bundle of entries `indexes` of a tree of `n`, each line with
  // its inclusion proof, computed from the leaves in memory.
  std::string WritePartial(uint64_t n, const std::vector<uint64_t>& indexes) {
    const std::string out = (dir_ / "partial").string();
    std::vector<Hash> leaves;
    for (uint64_t i = 0; i < n; ++i) leaves.push_back(HashLeaf(Entry(i)));
    // Every node of the tree, by (level, index), hashed from the leaves.
    const NodeReader nodes = [&leaves](uint32_t level,
                                       uint64_t index) -> absl::StatusOr<Hash> {
      std::vector<Hash> row = leaves;
      for (uint32_t l = 0; l < level; ++l) {
        std::vector<Hash> up;
        for (size_t i = 0; i + 1 < row.size(); i += 2) {
          up.push_back(HashChildren(row[i], row[i + 1]));
        }
        row = up;
      }
      if (index >= row.size()) return absl::NotFoundError("no such node");
      return row[index];
    };
    BundleWriter w(out);
    EXPECT_TRUE(w.Begin(Note(n), signer_->verifier_key()).ok());
    for (const uint64_t i : indexes) {
      auto proof = InclusionProof(i, n, nodes);
      EXPECT_TRUE(proof.ok()) << proof.status();
      EXPECT_TRUE(w.Add(i, leaves[i], Entry(i), false, &*proof).ok());
    }
    EXPECT_TRUE(w.Finish().ok());
    return out;
  }

  static std::vector<std::string> Lines(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }

  static void WriteLines(const std::string& path,
                         const std::vector<std::string>& lines) {
    std::ofstream out(path, std::ios::trunc);
    for (const auto& l : lines) out << l << "\n";
  }

  std::filesystem::path dir_;
  std::unique_ptr<NoteSigner> signer_;
};

TEST_F(BundleTest, AnIntactBundleVerifies) {
  const std::string b = Write(100, /*pruned_index=*/42);
  uint64_t progressed = 0;
  VerifyOptions options;
  options.progress = [&](uint64_t done, uint64_t) { progressed = done; };
  auto summary = VerifyBundle(b, options);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->tree_size, 100u);
  EXPECT_EQ(summary->pruned, 1u);
  EXPECT_EQ(summary->origin, "aigov/bundle-test");
  EXPECT_EQ(progressed, 100u);
  EXPECT_THAT(Lines(b + "/entries.jsonl")[42], HasSubstr("\"pruned\":true"));
}

TEST_F(BundleTest, AFlippedByteNamesTheEntry) {
  const std::string b = Write(50);
  auto lines = Lines(b + "/entries.jsonl");
  // Re-encode entry 31 with one byte changed, keeping its recorded hash.
  const std::string altered = Base64Encode("entry bytes #3l");
  const size_t at = lines[31].find("\"entry_b64\":\"") + 13;
  lines[31] = lines[31].substr(0, at) + altered + "\"}";
  WriteLines(b + "/entries.jsonl", lines);
  auto summary = VerifyBundle(b, {});
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(summary.status().message()), HasSubstr("entry 31:"));
}

TEST_F(BundleTest, ARewrittenLeafHashBreaksTheRoot) {
  const std::string b = Write(20);
  auto lines = Lines(b + "/entries.jsonl");
  const std::string fake = Base64Encode("forged");
  lines[7] = "{\"index\":7,\"leaf_hash\":\"" + HashHex(HashLeaf("forged")) +
             "\",\"entry_b64\":\"" + fake + "\"}";
  WriteLines(b + "/entries.jsonl", lines);
  auto summary = VerifyBundle(b, {});
  ASSERT_FALSE(summary.ok());
  EXPECT_THAT(std::string(summary.status().message()),
              HasSubstr("is not the signed root"));
}

TEST_F(BundleTest, TruncatedOrReorderedBundlesAreRefused) {
  const std::string b = Write(10);
  auto lines = Lines(b + "/entries.jsonl");
  lines.pop_back();
  WriteLines(b + "/entries.jsonl", lines);
  EXPECT_THAT(std::string(VerifyBundle(b, {}).status().message()),
              HasSubstr("bundle is truncated: entries.jsonl holds 9 entries, "
                        "the checkpoint covers 10"));
  std::swap(lines[2], lines[3]);
  WriteLines(b + "/entries.jsonl", lines);
  EXPECT_THAT(std::string(VerifyBundle(b, {}).status().message()),
              HasSubstr("line 3 (entry 2): index 3 where 2 was expected"));
  lines[2] = "not json";
  WriteLines(b + "/entries.jsonl", lines);
  EXPECT_EQ(VerifyBundle(b, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Any JSON tool may re-serialize a bundle: other spacing, another key order,
// members the verifier does not know. It still verifies, and tampering still
// names the entry index.
TEST_F(BundleTest, AReserializedBundleVerifiesAndTamperingNamesTheIndex) {
  const std::string b = Write(30, /*pruned_index=*/4);
  std::vector<std::string> lines;
  for (const std::string& l : Lines(b + "/entries.jsonl")) {
    auto j = common::ParseJson(l);
    ASSERT_TRUE(j.ok()) << j.status();
    std::string out = "{ \"note\" : \"re-serialized\"";
    // Members in reverse order, spaced as a pretty-printer would.
    std::vector<std::pair<std::string, common::Json>> members;
    for (const auto& [k, v] : j->items()) members.emplace_back(k, v);
    for (auto it = members.rbegin(); it != members.rend(); ++it) {
      out += ",\t\"" + it->first + "\" :  " + common::DumpJson(it->second);
    }
    lines.push_back(out + " }");
  }
  WriteLines(b + "/entries.jsonl", lines);
  auto ok = VerifyBundle(b, {});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->tree_size, 30u);
  EXPECT_EQ(ok->pruned, 1u);

  const std::string original = Base64Encode(Entry(17));
  const size_t at = lines[17].find(original);
  ASSERT_NE(at, std::string::npos);
  lines[17].replace(at, original.size(), Base64Encode("entry bytes #71"));
  WriteLines(b + "/entries.jsonl", lines);
  auto bad = VerifyBundle(b, {});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("entry 17:"));

  lines[17] = "{\"index\": 17, \"leaf_hash\": 5}";
  WriteLines(b + "/entries.jsonl", lines);
  EXPECT_THAT(std::string(VerifyBundle(b, {}).status().message()),
              HasSubstr("line 18 (entry 17): no valid \"leaf_hash\""));
}

TEST_F(BundleTest, ABundleSignedByAnotherKeyIsRefused) {
  const std::string b = Write(5);
  auto other = NoteSigner::LoadOrCreate((dir_ / "other.pem").string(),
                                        "aigov/bundle-test");
  ASSERT_TRUE(other.ok());
  VerifyOptions options;
  options.key =
      (*other)->verifier_key();  // the auditor's key, not the bundle's
  auto summary = VerifyBundle(b, options);
  ASSERT_FALSE(summary.ok());
  EXPECT_THAT(std::string(summary.status().message()),
              HasSubstr("checkpoint: note: not signed by"));
}

TEST_F(BundleTest, ConsistencyWithAPreviousCheckpoint) {
  const std::string b = Write(30);
  VerifyOptions options;
  options.previous_note = Note(17);
  auto summary = VerifyBundle(b, options);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->previous_size, 17u);

  // A previous checkpoint of another history at size 17.
  options.previous_note = *signer_->Sign(
      FormatCheckpoint({"aigov/bundle-test", 17, HashLeaf("x")}));
  EXPECT_THAT(std::string(VerifyBundle(b, options).status().message()),
              HasSubstr("not consistent with the previous checkpoint"));
  // A previous checkpoint larger than the bundle: the log shrank.
  options.previous_note = Note(31);
  EXPECT_THAT(std::string(VerifyBundle(b, options).status().message()),
              HasSubstr("the log shrank"));
}

TEST_F(BundleTest, APartialBundleVerifiesEachEntryAgainstTheSignedRoot) {
  const std::string b = WritePartial(37, {0, 5, 6, 20, 36});
  auto summary = VerifyBundle(b, {});
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_TRUE(summary->partial);
  EXPECT_EQ(summary->entries, 5u);
  EXPECT_EQ(summary->tree_size, 37u);
  EXPECT_THAT(Lines(b + "/entries.jsonl")[1],
              HasSubstr("\"inclusion_proof\":[\""));
}

TEST_F(BundleTest, APartialBundleNamesTheEntryWhoseBytesOrProofFail) {
  const std::string b = WritePartial(37, {3, 9, 30});
  const auto original = Lines(b + "/entries.jsonl");

  // A flipped byte in entry 9's bytes.
  auto lines = original;
  const size_t at = lines[1].find("\"entry_b64\":\"") + 13;
  lines[1][at + 2] = lines[1][at + 2] == 'A' ? 'B' : 'A';
  WriteLines(b + "/entries.jsonl", lines);
  auto bad = VerifyBundle(b, {});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("entry 9:"));

  // A wrong node in entry 30's proof.
  lines = original;
  const size_t node = lines[2].find("\"inclusion_proof\":[\"") + 20;
  lines[2][node] = lines[2][node] == '0' ? '1' : '0';
  WriteLines(b + "/entries.jsonl", lines);
  bad = VerifyBundle(b, {});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(bad.status().message()),
              HasSubstr("entry 30: its inclusion proof does not lead"));

  // Out of order, and a line without a proof.
  WriteLines(b + "/entries.jsonl", {original[1], original[0]});
  EXPECT_THAT(std::string(VerifyBundle(b, {}).status().message()),
              HasSubstr("index 3 after 9"));
  WriteLines(b + "/entries.jsonl",
             {original[0],
              "{\"index\":9,\"leaf_hash\":\"" + HashHex(HashLeaf(Entry(9))) +
                  "\",\"entry_b64\":\"" + Base64Encode(Entry(9)) + "\"}"});
  EXPECT_THAT(std::string(VerifyBundle(b, {}).status().message()),
              HasSubstr("no \"inclusion_proof\""));

  // --previous asks for a full bundle.
  WriteLines(b + "/entries.jsonl", original);
  VerifyOptions options;
  options.previous_note = Note(3);
  EXPECT_EQ(VerifyBundle(b, options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(BundleTest, APartialBundleUnderAnotherKeyFails) {
  const std::string b = WritePartial(10, {4});
  auto other = NoteSigner::LoadOrCreate((dir_ / "other.pem").string(),
                                        "aigov/bundle-test");
  ASSERT_TRUE(other.ok());
  VerifyOptions options;
  options.key = (*other)->verifier_key();
  auto bad = VerifyBundle(b, options);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("checkpoint:"));
}

}  // namespace
}  // namespace aigov::tlog
