// Personal data by design (DESIGN.md "Personal data"): string fields marked
// (aigov.v1.pii) are moved out of the event into SealedFields before the
// entry is serialized and hashed, each encrypted with AES-256-GCM under a key
// of its own subject (the field's value names the subject). Deleting that key
// erases the subject (crypto-shredding): the entry bytes, and so the Merkle
// tree, stay as they are, and the fields read as erased.
//
// Subjects are never stored: a subject id is HMAC-SHA-256(journal secret,
// subject), in hex.
//
// Thread-compatible: pure functions over the given messages and keys.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "aigov/v1/journal.pb.h"

namespace aigov::journal {

using SecretKey = std::array<uint8_t, 32>;

// Returns 32 random bytes from OpenSSL's CSPRNG.
SecretKey RandomKey();

// Returns the pseudonymous id of `subject` (64 hex characters).
std::string SubjectId(const SecretKey& secret, absl::string_view subject);

// Returns the key of a subject id, creating it when `create`; std::nullopt
// when it does not exist (erased, or never created) and !create.
using SubjectKeyFn = std::function<absl::StatusOr<std::optional<SecretKey>>(
    const std::string& subject_id, bool create)>;

// Moves every non-empty PII field of `entry`'s event into
// entry->sealed_fields. Returns kInternal if encryption fails.
absl::Status SealPii(aigov::v1::JournalEntry* entry, const SecretKey& secret,
                     const SubjectKeyFn& keys);

// Restores sealed fields whose key exists; lists the others in
// entry->erased_fields (they stay empty). Clears entry->sealed_fields.
// Returns kDataLoss when a sealed field does not decrypt under its key.
absl::Status UnsealPii(aigov::v1::JournalEntry* entry,
                       const SubjectKeyFn& keys);

// True when some PII field of `entry`'s event is non-empty.
bool HasPii(const aigov::v1::JournalEntry& entry);

// Replaces every PII field value of `entry`'s event by its subject id, so
// that payload digests (idempotency) hold no personal data.
void PseudonymizePii(aigov::v1::JournalEntry* entry, const SecretKey& secret);

}  // namespace aigov::journal
