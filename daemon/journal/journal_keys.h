// Key and value encodings of the journal's RocksDB column families.
//
//   entries    BE64(sequence)                       -> JournalEntry bytes
//   event_ids  event_id                             -> BE64(sequence) ‖
//   SHA-256(payload) indexes    'k' ‖ BE32(kind) ‖ BE64(sequence)     -> ""
//              'm' ‖ BE32(len) ‖ model_id ‖ BE64(seq) -> ""
//   nodes      u8(level) ‖ BE64(index)              -> 32-byte node hash
//   subject_keys  subject id (hex)                  -> 32-byte AES key
//   default    "journal/tree_size"                  -> BE64(size)
//              "journal/root"                       -> 32-byte root hash
//              "journal/format"                     -> "2"
//              "journal/checkpoint"                 -> latest signed note
//              "journal/pii_secret"                 -> 32-byte HMAC key
//              "journal/pruned/" ‖ BE64(first)      -> BE64(end): payloads of
//                                                      [first, end) pruned
//
// Big-endian integers make RocksDB's bytewise order the numeric order, so
// range scans page by sequence number.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

#include "aigov/v1/journal.pb.h"
#include "daemon/common/sha256.h"

namespace aigov::journal {

inline constexpr char kEntriesFamily[] = "entries";
inline constexpr char kEventIdsFamily[] = "event_ids";
inline constexpr char kIndexesFamily[] = "indexes";
inline constexpr char kNodesFamily[] = "nodes";
inline constexpr char kSubjectKeysFamily[] = "subject_keys";
inline constexpr char kPiiSecretKey[] = "journal/pii_secret";
// Prefix of pruned-range records: key ‖ BE64(first) -> BE64(end).
inline constexpr char kPrunedPrefix[] = "journal/pruned/";
inline constexpr char kTreeSizeKey[] = "journal/tree_size";
inline constexpr char kRootKey[] = "journal/root";
inline constexpr char kFormatKey[] = "journal/format";
// "view/" ‖ column family → the view's state (ViewState, EncodeViewState).
inline constexpr char kViewStatePrefix[] = "view/";
inline constexpr char kCheckpointKey[] = "journal/checkpoint";
// Format 2: entries are Merkle leaves (format 1 had no tree). Format 3:
// tree nodes stored at even levels only, kind index as runs.
inline constexpr char kFormat[] = "3";

std::string EncodeSequence(uint64_t sequence);
// Returns false unless `bytes` is exactly 8 bytes.
bool DecodeSequence(absl::string_view bytes, uint64_t* sequence);

// What the journal records of a view, in the same batch as each group the
// view applies: the version of the projection that wrote it, the journal
// size it has applied through, whether a rebuild is under way (set durably
// before a rebuild clears the view, cleared when it ends), and how many
// entries pruned by retention its last rebuild skipped.
struct ViewState {
  uint32_t version = 0;
  uint64_t applied_through = 0;
  bool rebuilding = false;
  uint64_t pruned_skipped = 0;
};
std::string ViewStateKey(absl::string_view column_family);
// BE32 version ‖ BE64 applied_through ‖ u8 rebuilding ‖ BE64 pruned_skipped.
std::string EncodeViewState(const ViewState& state);
// Returns false unless `bytes` is exactly one encoded state.
bool DecodeViewState(absl::string_view bytes, ViewState* state);

// Key of an event_id record: a fixed 16-byte hash, so that memtable and
// SST comparisons end at the first bytes whatever the ids' shared prefixes.
std::string EventIdKey(absl::string_view event_id);
std::string EncodeEventIdValue(uint64_t sequence,
                               const common::Sha256Digest& payload_digest,
                               absl::string_view event_id);
// Returns false when malformed or when the record is for another event_id.
bool DecodeEventIdValue(absl::string_view bytes, absl::string_view event_id,
                        uint64_t* sequence,
                        common::Sha256Digest* payload_digest);

// Key of Merkle node (level, index) in the nodes family.
std::string NodeKey(uint32_t level, uint64_t index);
// Only nodes at even levels are stored: a node at an odd level is the hash
// of its two stored children. That writes a third of the internal nodes
// (1/4 + 1/16 + ... per leaf instead of 1/2 + 1/4 + ...) for one more hash
// and two more node reads per odd level of a proof.
constexpr bool IsStoredLevel(uint32_t level) { return level % 2 == 0; }

// The kind index holds runs: KindRunKey(kind, first) -> EncodeSequence(n)
// says that entries [first, first + n) are all of `kind`. A group writes one
// run per change of kind, so a stream of one kind costs one key per group.
std::string KindIndexPrefix(aigov::v1::EventKind kind);
std::string KindRunKey(aigov::v1::EventKind kind, uint64_t first);
std::string ModelIndexPrefix(absl::string_view model_id);
std::string ModelIndexKey(absl::string_view model_id, uint64_t sequence);
// Returns the sequence number that ends an index key; false if too short.
bool SequenceFromIndexKey(absl::string_view key, uint64_t* sequence);

// Returns the deterministic serialization of `message` (map entries in key
// order): the same message always gives the same bytes with this binary.
std::string SerializeDeterministic(
    const google::protobuf::MessageLite& message);

// Returns the model the entry is about, or "" when none.
std::string ModelIdOf(const aigov::v1::JournalEntry& entry);
// The retention class of an entry (DESIGN.md "The journal"; declared per
// kind, daemon/kinds/kinds.h): operational logs are kept at least 6 months
// (AI Act Art. 19, 26(6)), documentation 10 years (Art. 18). An entry of no
// known kind counts as operational, never kept longer than declared.
aigov::v1::RetentionClass RetentionClassOf(
    const aigov::v1::JournalEntry& entry);

// Returns SHA-256 over the deterministic serialization of the entry's event
// alone (sequence, time, principal and event_id excluded): two submissions
// carry "the same payload" exactly when these digests are equal.
common::Sha256Digest PayloadDigest(const aigov::v1::JournalEntry& entry);

}  // namespace aigov::journal
