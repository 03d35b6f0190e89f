#include "daemon/tlog/bundle.h"

#include <filesystem>
#include <sstream>
#include <system_error>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

#include "daemon/common/json.h"
#include "daemon/common/status_macros.h"
#include "daemon/tlog/checkpoint.h"

namespace aigov::tlog {
namespace {

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return absl::InvalidArgumentError(absl::StrCat("cannot read ", path));
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// A line that is not what a bundle line must be; `expected` is the entry
// index the line should hold (full bundles: in index order from 0).
absl::Status Malformed(uint64_t line, std::optional<uint64_t> expected,
                       absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(
      "entries.jsonl line ", line,
      expected ? absl::StrCat(" (entry ", *expected, ")") : "", ": ", why));
}

// A string member of a bundle line, or nullptr when absent or not a string.
const std::string* StringMember(const common::Json& line, const char* key) {
  const common::Json* member = common::FindMember(line, key);
  if (member == nullptr || !member->is_string()) return nullptr;
  return member->get_ptr<const std::string*>();
}

// Checks that the bytes of a line hash to its leaf hash.
absl::Status CheckLeaf(const BundleLine& parsed) {
  if (!parsed.pruned && HashLeaf(parsed.entry) != parsed.leaf_hash) {
    return absl::DataLossError(
        absl::StrCat("entry ", parsed.index, ": its bytes hash to ",
                     HashHex(HashLeaf(parsed.entry)), " but its leaf hash is ",
                     HashHex(parsed.leaf_hash), " (the entry was altered)"));
  }
  return absl::OkStatus();
}

// The partial bundle's lines in `in`: indexes increasing and inside the
// checkpoint's tree, every line proven to its root.
absl::StatusOr<VerifySummary> VerifyPartial(std::istream& in,
                                            const Checkpoint& checkpoint,
                                            const VerifyOptions& options) {
  VerifySummary summary;
  summary.partial = true;
  std::optional<uint64_t> last;
  std::string line;
  uint64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    AIGOV_ASSIGN_OR_RETURN(const BundleLine parsed,
                           ParseBundleLine(line, line_no, std::nullopt));
    if (!parsed.has_inclusion_proof) {
      return Malformed(line_no, parsed.index,
                       "no \"inclusion_proof\" (every line of a partial "
                       "bundle carries one)");
    }
    if (last && parsed.index <= *last) {
      return Malformed(line_no, parsed.index,
                       absl::StrCat("index ", parsed.index, " after ", *last,
                                    " (a partial bundle's entries are in "
                                    "increasing order)"));
    }
    if (parsed.index >= checkpoint.size) {
      return absl::DataLossError(absl::StrCat(
          "entry ", parsed.index, ": not in the checkpoint's tree of ",
          checkpoint.size, " entries"));
    }
    last = parsed.index;
    AIGOV_RETURN_IF_ERROR(CheckLeaf(parsed));
    const absl::Status proven =
        VerifyInclusion(parsed.leaf_hash, parsed.index, checkpoint.size,
                        parsed.inclusion_proof, checkpoint.root);
    if (!proven.ok()) {
      return absl::DataLossError(
          absl::StrCat("entry ", parsed.index,
                       ": its inclusion proof does not lead to the "
                       "signed root ",
                       HashHex(checkpoint.root), " (", proven.message(), ")"));
    }
    if (parsed.pruned) ++summary.pruned;
    if (!parsed.pruned && options.on_entry) {
      options.on_entry(parsed.index, parsed.entry);
    }
    ++summary.entries;
    if (options.progress && summary.entries % 65536 == 0) {
      options.progress(summary.entries, 0);
    }
  }
  summary.origin = checkpoint.origin;
  summary.tree_size = checkpoint.size;
  summary.root = checkpoint.root;
  return summary;
}

}  // namespace

absl::Status BundleWriter::Begin(absl::string_view checkpoint_note,
                                 absl::string_view public_key) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", dir_, ": ", ec.message()));
  }
  std::ofstream(dir_ + "/checkpoint", std::ios::binary | std::ios::trunc)
      << checkpoint_note;
  std::ofstream(dir_ + "/public_key", std::ios::trunc) << public_key << "\n";
  entries_.open(dir_ + "/entries.jsonl", std::ios::binary | std::ios::trunc);
  if (!entries_) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot write ", dir_, "/entries.jsonl"));
  }
  return absl::OkStatus();
}

std::string FormatBundleLine(uint64_t index, const Hash& leaf_hash,
                             absl::string_view entry, bool pruned,
                             const std::vector<Hash>* inclusion_proof) {
  std::string out = absl::StrCat("{\"index\":", index, ",\"leaf_hash\":\"",
                                 HashHex(leaf_hash), "\",");
  if (pruned) {
    out += "\"pruned\":true";
  } else {
    absl::StrAppend(&out, "\"entry_b64\":\"", Base64Encode(entry), "\"");
  }
  if (inclusion_proof != nullptr) {
    out += ",\"inclusion_proof\":[";
    for (size_t i = 0; i < inclusion_proof->size(); ++i) {
      absl::StrAppend(&out, i == 0 ? "\"" : ",\"",
                      HashHex((*inclusion_proof)[i]), "\"");
    }
    out += "]";
  }
  out += "}\n";
  return out;
}

absl::Status BundleWriter::Add(uint64_t index, const Hash& leaf_hash,
                               absl::string_view entry, bool pruned,
                               const std::vector<Hash>* inclusion_proof) {
  entries_ << FormatBundleLine(index, leaf_hash, entry, pruned,
                               inclusion_proof);
  if (!entries_) return absl::UnavailableError("writing entries.jsonl failed");
  return absl::OkStatus();
}

absl::Status BundleWriter::Finish() {
  entries_.flush();
  const bool ok = static_cast<bool>(entries_);
  entries_.close();
  if (!ok) return absl::UnavailableError("writing entries.jsonl failed");
  return absl::OkStatus();
}

absl::StatusOr<BundleLine> ParseBundleLine(absl::string_view line,
                                           uint64_t line_no,
                                           std::optional<uint64_t> expected) {
  auto parsed = common::ParseJson(line);
  if (!parsed.ok()) {
    return Malformed(line_no, expected, parsed.status().message());
  }
  const common::Json& obj = *parsed;
  if (!obj.is_object()) {
    return Malformed(line_no, expected, "expected a JSON object");
  }
  BundleLine out;
  const common::Json* index = common::FindMember(obj, "index");
  if (index == nullptr || !index->is_number_unsigned()) {
    return Malformed(line_no, expected,
                     "no \"index\" (a non-negative integer)");
  }
  out.index = index->get<uint64_t>();
  if (expected && out.index != *expected) {
    return Malformed(line_no, expected,
                     absl::StrCat("index ", out.index, " where ", *expected,
                                  " was expected (entries must be complete "
                                  "and in order)"));
  }
  if (!expected) expected = out.index;
  const std::string* leaf_hash = StringMember(obj, "leaf_hash");
  if (leaf_hash == nullptr || !HashFromHex(*leaf_hash, &out.leaf_hash)) {
    return Malformed(line_no, expected,
                     "no valid \"leaf_hash\" (64 hex characters)");
  }
  const common::Json* pruned = common::FindMember(obj, "pruned");
  if (const std::string* b64 = StringMember(obj, "entry_b64")) {
    auto bytes = Base64Decode(*b64);
    if (!bytes.ok()) {
      return Malformed(line_no, expected, "\"entry_b64\" is not base64");
    }
    out.entry = std::move(*bytes);
  } else if (pruned != nullptr && pruned->is_boolean() && pruned->get<bool>()) {
    out.pruned = true;
  } else {
    return Malformed(line_no, expected,
                     "neither \"entry_b64\" nor \"pruned\": true");
  }
  if (const common::Json* proof = common::FindMember(obj, "inclusion_proof")) {
    if (!proof->is_array() || proof->size() > 64) {
      return Malformed(line_no, expected,
                       "\"inclusion_proof\" is not an array of at most 64 "
                       "hashes");
    }
    out.has_inclusion_proof = true;
    for (size_t i = 0; i < proof->size(); ++i) {
      const common::Json& node = (*proof)[i];
      Hash h{};
      if (!node.is_string() ||
          !HashFromHex(node.get_ref<const std::string&>(), &h)) {
        return Malformed(line_no, expected,
                         absl::StrCat("inclusion_proof[", i,
                                      "] is not a hash (64 hex characters)"));
      }
      out.inclusion_proof.push_back(h);
    }
  }
  return out;
}

absl::StatusOr<VerifySummary> VerifyBundle(const std::string& dir,
                                           const VerifyOptions& options) {
  std::string key = options.key;
  const bool key_from_bundle = key.empty();
  if (key.empty()) {
    AIGOV_ASSIGN_OR_RETURN(key, ReadWholeFile(dir + "/public_key"));
    key = std::string(absl::StripAsciiWhitespace(key));
  }
  AIGOV_ASSIGN_OR_RETURN(const NoteVerifier verifier,
                         NoteVerifier::FromVerifierKey(key));
  AIGOV_ASSIGN_OR_RETURN(const std::string note,
                         ReadWholeFile(dir + "/checkpoint"));
  auto body = verifier.Verify(note);
  if (!body.ok()) {
    return absl::DataLossError(
        absl::StrCat("checkpoint: ", body.status().message()));
  }
  AIGOV_ASSIGN_OR_RETURN(const Checkpoint checkpoint, ParseCheckpoint(*body));
  if (checkpoint.origin != verifier.name()) {
    return absl::DataLossError(
        absl::StrCat("checkpoint: origin \"", checkpoint.origin,
                     "\" is not the key's name \"", verifier.name(), "\""));
  }

  std::ifstream in(dir + "/entries.jsonl", std::ios::binary);
  if (!in)
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read ", dir, "/entries.jsonl"));
  // A bundle whose first line carries an inclusion proof is partial.
  std::string line;
  uint64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    AIGOV_ASSIGN_OR_RETURN(const BundleLine first,
                           ParseBundleLine(line, line_no, std::nullopt));
    if (first.has_inclusion_proof) {
      if (!options.previous_note.empty()) {
        return absl::InvalidArgumentError(
            "--previous needs a full bundle (aigovctl journal export); this "
            "one is partial (its entries carry inclusion proofs)");
      }
      in.clear();
      in.seekg(0);
      AIGOV_ASSIGN_OR_RETURN(VerifySummary partial,
                             VerifyPartial(in, checkpoint, options));
      partial.key_from_bundle = key_from_bundle;
      partial.key = key;
      return partial;
    }
    break;
  }
  in.clear();
  in.seekg(0);

  std::optional<Checkpoint> previous;
  if (!options.previous_note.empty()) {
    auto prev_body = verifier.Verify(options.previous_note);
    if (!prev_body.ok()) {
      return absl::DataLossError(
          absl::StrCat("previous checkpoint: ", prev_body.status().message()));
    }
    AIGOV_ASSIGN_OR_RETURN(previous, ParseCheckpoint(*prev_body));
    if (previous->size > checkpoint.size) {
      return absl::DataLossError(
          absl::StrCat("previous checkpoint covers ", previous->size,
                       " entries but this bundle only ", checkpoint.size,
                       ": the log shrank"));
    }
  }

  VerifySummary summary;
  CompactRange range;
  auto check_previous = [&]() -> absl::Status {
    if (previous && range.size() == previous->size &&
        range.Root() != previous->root) {
      return absl::DataLossError(absl::StrCat(
          "not consistent with the previous checkpoint: the first ",
          previous->size, " entries have root ", HashHex(range.Root()),
          ", the previous checkpoint ", HashHex(previous->root),
          " (history was rewritten)"));
    }
    return absl::OkStatus();
  };
  AIGOV_RETURN_IF_ERROR(check_previous());
  line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const uint64_t expected = range.size();
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    AIGOV_ASSIGN_OR_RETURN(const BundleLine parsed,
                           ParseBundleLine(line, line_no, expected));
    AIGOV_RETURN_IF_ERROR(CheckLeaf(parsed));
    if (parsed.pruned) ++summary.pruned;
    if (!parsed.pruned && options.on_entry) {
      options.on_entry(parsed.index, parsed.entry);
    }
    range.Append(parsed.leaf_hash, nullptr);
    AIGOV_RETURN_IF_ERROR(check_previous());
    if (options.progress && range.size() % 65536 == 0) {
      options.progress(range.size(), checkpoint.size);
    }
  }
  if (range.size() != checkpoint.size) {
    return absl::InvalidArgumentError(
        absl::StrCat("bundle is truncated: entries.jsonl holds ", range.size(),
                     " entries, the checkpoint covers ", checkpoint.size));
  }
  if (range.Root() != checkpoint.root) {
    return absl::DataLossError(absl::StrCat(
        "the root recomputed from the leaf hashes, ", HashHex(range.Root()),
        ", is not the signed root ", HashHex(checkpoint.root)));
  }
  if (options.progress) options.progress(range.size(), checkpoint.size);
  summary.origin = checkpoint.origin;
  summary.tree_size = checkpoint.size;
  summary.root = checkpoint.root;
  summary.entries = checkpoint.size;
  if (previous) summary.previous_size = previous->size;
  summary.key_from_bundle = key_from_bundle;
  summary.key = key;
  return summary;
}

}  // namespace aigov::tlog
