// Audit bundles: what `aigovctl journal export` writes and `aigovctl journal
// verify` checks offline, with no daemon and no trust in the operator's
// database (DESIGN.md "The journal").
//
//   DIR/entries.jsonl  one {"index", "leaf_hash", "entry_b64"} per leaf, in
//                      order from 0; {"index", "leaf_hash", "pruned": true}
//                      for an entry whose payload retention removed
//   DIR/checkpoint     a signed note covering exactly those entries
//   DIR/public_key     the note verifier key
//
// A partial bundle (a report's proof bundle, `aigovctl compliance report
// --bundle`) has the same files, but entries.jsonl holds only some entries,
// in increasing index order, each line with "inclusion_proof": [hex, ...],
// the RFC 6962 audit path from its leaf to the checkpoint's root. Any RFC
// 6962 verifier can check each line on its own.
//
// Thread-compatible.
#pragma once

#include <cstdint>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "daemon/tlog/merkle.h"

namespace aigov::tlog {

// Writes a bundle into `dir` (created if missing; existing bundle files are
// replaced). Call Begin() once, Add() per entry in order, then Finish().
class BundleWriter {
 public:
  explicit BundleWriter(std::string dir) : dir_(std::move(dir)) {}

  // Writes `checkpoint_note` and `public_key`; opens entries.jsonl.
  absl::Status Begin(absl::string_view checkpoint_note,
                     absl::string_view public_key);
  // Appends one line; `entry` is ignored when `pruned`. With
  // `inclusion_proof`, the line carries it (a partial bundle).
  absl::Status Add(uint64_t index, const Hash& leaf_hash,
                   absl::string_view entry, bool pruned,
                   const std::vector<Hash>* inclusion_proof = nullptr);
  // Flushes and closes entries.jsonl.
  absl::Status Finish();

 private:
  std::string dir_;
  std::ofstream entries_;
};

// One line of entries.jsonl, "\n" included, as BundleWriter::Add writes it
// (for bundles built in memory, such as the web view's download).
std::string FormatBundleLine(uint64_t index, const Hash& leaf_hash,
                             absl::string_view entry, bool pruned,
                             const std::vector<Hash>* inclusion_proof);

// One line of entries.jsonl, parsed (with any JSON spacing, key order and
// extra members).
struct BundleLine {
  uint64_t index = 0;
  Hash leaf_hash{};
  bool pruned = false;
  std::string entry;  // the entry's bytes, empty when pruned
  // A line of a partial bundle carries its audit path.
  bool has_inclusion_proof = false;
  std::vector<Hash> inclusion_proof;
};

// Parses line `line_no` (from 1) of entries.jsonl. With `expected` (a full
// bundle) the line must hold that entry; without, any index. Returns
// kInvalidArgument "entries.jsonl line N (entry I): ..." for a malformed
// line or another index; checks neither the leaf hash nor the proof.
absl::StatusOr<BundleLine> ParseBundleLine(absl::string_view line,
                                           uint64_t line_no,
                                           std::optional<uint64_t> expected);

struct VerifyOptions {
  // Verifier key given by the auditor; when empty, DIR/public_key is used.
  std::string key;
  // An older checkpoint note the bundle must be consistent with.
  std::string previous_note;
  // Called every 65536 entries with the count checked and the total.
  std::function<void(uint64_t, uint64_t)> progress;
  // Called with each entry's index and bytes once its leaf hash (and, in a
  // partial bundle, its inclusion proof) checked; not for pruned entries.
  // Entries seen before a later check fails are not proven.
  std::function<void(uint64_t, absl::string_view)> on_entry;
};

struct VerifySummary {
  std::string origin;
  uint64_t tree_size = 0;
  Hash root{};
  uint64_t pruned = 0;
  std::optional<uint64_t> previous_size;
  // A partial bundle: `entries` of the tree's entries, each proven.
  bool partial = false;
  uint64_t entries = 0;
  // The verifier key the checkpoint was checked with, and whether it came
  // from DIR/public_key (which proves the bundle is self-consistent, not
  // who signed it).
  std::string key;
  bool key_from_bundle = false;
};

// Verifies the bundle in `dir`: the checkpoint's signature, every entry's
// leaf hash recomputed from its bytes, and then, for a full bundle, the
// root recomputed from the leaf hashes and consistency with
// `options.previous_note`; for a partial one (its first line carries an
// inclusion proof), each entry's inclusion proof to the signed root.
// Returns kInvalidArgument for a malformed or truncated bundle (and for
// `previous_note` with a partial bundle) and kDataLoss when a check fails,
// the message naming the first failing index or check.
absl::StatusOr<VerifySummary> VerifyBundle(const std::string& dir,
                                           const VerifyOptions& options);

}  // namespace aigov::tlog
