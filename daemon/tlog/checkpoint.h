// Signed checkpoints: the C2SP tlog-checkpoint format signed as a C2SP
// signed-note with Ed25519 (OpenSSL 3).
//
//   checkpoint body   "<origin>\n<tree size>\n<base64 root>\n"
//   signed note       body "\n" "— <key name> <base64(key id ‖ signature)>\n"
//   key id            first 4 bytes of SHA-256(key name ‖ "\n" ‖ 0x01 ‖ pubkey)
//   verifier key      "<key name>+<key id, 8 hex digits>+<base64(0x01 ‖
//   pubkey)>"
//
// The key name is the log's origin. Ed25519 is deliberate: C2SP now
// recommends ML-DSA-44, which bookworm's OpenSSL 3.0 lacks.
//
// Thread-safety: NoteSigner and NoteVerifier are immutable after creation
// and safe to share; each call uses its own OpenSSL context.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "daemon/tlog/merkle.h"

namespace aigov::tlog {

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root{};
};

// Returns the checkpoint body (the text that is signed).
std::string FormatCheckpoint(const Checkpoint& checkpoint);

// Parses a checkpoint body; extension lines after the root are allowed and
// ignored. Returns kInvalidArgument saying which line is malformed.
absl::StatusOr<Checkpoint> ParseCheckpoint(absl::string_view body);

std::string Base64Encode(absl::string_view bytes);
// Standard base64 with padding; kInvalidArgument otherwise.
absl::StatusOr<std::string> Base64Decode(absl::string_view text);

class NoteSigner {
 public:
  // Loads the Ed25519 key at `pem_path` (PKCS#8), creating it with mode 0600
  // if the file does not exist. `name` is the key name (the origin): non-
  // empty, no whitespace and no '+'. Returns kInvalidArgument for a bad name
  // or a file that holds no Ed25519 key, kFailedPrecondition when the file
  // cannot be read or created, or is readable by others.
  static absl::StatusOr<std::unique_ptr<NoteSigner>> LoadOrCreate(
      const std::string& pem_path, const std::string& name);

  NoteSigner(const NoteSigner&) = delete;
  NoteSigner& operator=(const NoteSigner&) = delete;
  ~NoteSigner();

  const std::string& name() const { return name_; }
  // The note verifier key string.
  const std::string& verifier_key() const { return verifier_key_; }

  // Returns `body` (which must end in "\n") followed by its signature line.
  absl::StatusOr<std::string> Sign(absl::string_view body) const;

 private:
  NoteSigner(void* pkey, std::string name, std::string verifier_key);

  void* pkey_;  // EVP_PKEY*, owned
  std::string name_;
  std::string verifier_key_;
};

class NoteVerifier {
 public:
  // Parses a verifier key string. kInvalidArgument when malformed, not
  // Ed25519, or when its key id does not match its name and key.
  static absl::StatusOr<NoteVerifier> FromVerifierKey(absl::string_view key);

  const std::string& name() const { return name_; }

  // Checks that `note` carries a valid signature by this key and returns
  // its body. kInvalidArgument when the note is malformed;
  // kFailedPrecondition when no signature line is by this key, or the
  // signature does not verify.
  absl::StatusOr<std::string> Verify(absl::string_view note) const;

 private:
  std::string name_;
  std::string key_id_;      // 4 bytes
  std::string public_key_;  // 32 bytes
};

// Returns the key id of an Ed25519 key with `name` and raw `public_key`.
std::string NoteKeyId(absl::string_view name, absl::string_view public_key);

}  // namespace aigov::tlog
