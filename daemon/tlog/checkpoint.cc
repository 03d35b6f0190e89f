#include "daemon/tlog/checkpoint.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

#include "daemon/common/sha256.h"
#include "daemon/common/status_macros.h"

namespace aigov::tlog {
namespace {

constexpr char kSignatureLinePrefix[] =
    "\xe2\x80\x94 ";  // U+2014 EM DASH, space
constexpr uint8_t kEd25519 = 0x01;

EVP_PKEY* AsKey(void* p) { return static_cast<EVP_PKEY*>(p); }

bool ValidKeyName(absl::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (c == '+' || static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return false;
  }
  return true;
}

std::string RawPublicKey(EVP_PKEY* key) {
  unsigned char buf[32];
  size_t len = sizeof(buf);
  if (EVP_PKEY_get_raw_public_key(key, buf, &len) != 1 || len != sizeof(buf)) {
    return "";
  }
  return std::string(reinterpret_cast<const char*>(buf), len);
}

bool Ed25519Verify(absl::string_view public_key, absl::string_view message,
                   absl::string_view signature) {
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr,
      reinterpret_cast<const unsigned char*>(public_key.data()),
      public_key.size());
  if (key == nullptr) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok =
      ctx != nullptr &&
      EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key) == 1 &&
      EVP_DigestVerify(ctx,
                       reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(),
                       reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return ok;
}

}  // namespace

std::string FormatCheckpoint(const Checkpoint& c) {
  return absl::StrCat(c.origin, "\n", c.size, "\n",
                      Base64Encode(HashBytes(c.root)), "\n");
}

absl::StatusOr<Checkpoint> ParseCheckpoint(absl::string_view body) {
  if (body.empty() || body.back() != '\n') {
    return absl::InvalidArgumentError("checkpoint: must end with a newline");
  }
  std::vector<absl::string_view> lines =
      absl::StrSplit(body.substr(0, body.size() - 1), '\n');
  if (lines.size() < 3) {
    return absl::InvalidArgumentError(
        "checkpoint: expected origin, tree size and root hash lines");
  }
  Checkpoint c;
  c.origin = std::string(lines[0]);
  if (c.origin.empty())
    return absl::InvalidArgumentError("checkpoint line 1: empty origin");
  if (lines[1].empty() || (lines[1].size() > 1 && lines[1][0] == '0') ||
      !absl::SimpleAtoi(lines[1], &c.size)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "checkpoint line 2: \"", lines[1], "\" is not a tree size"));
  }
  auto root = Base64Decode(lines[2]);
  if (!root.ok() || !HashFromBytes(*root, &c.root)) {
    return absl::InvalidArgumentError(
        "checkpoint line 3: root hash is not base64 of 32 bytes");
  }
  return c;
}

std::string Base64Encode(absl::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()),
                      static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

absl::StatusOr<std::string> Base64Decode(absl::string_view text) {
  if (text.size() % 4 != 0) {
    return absl::InvalidArgumentError("base64: length is not a multiple of 4");
  }
  for (char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                    (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
    if (!ok) return absl::InvalidArgumentError("base64: unexpected character");
  }
  std::string out(text.size() / 4 * 3, '\0');
  const int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(text.data()),
                      static_cast<int>(text.size()));
  if (n < 0) return absl::InvalidArgumentError("base64: malformed");
  size_t len = static_cast<size_t>(n);
  if (!text.empty() && text.back() == '=') --len;
  if (text.size() >= 2 && text[text.size() - 2] == '=') --len;
  out.resize(len);
  return out;
}

std::string NoteKeyId(absl::string_view name, absl::string_view public_key) {
  std::string material = absl::StrCat(name, "\n");
  material.push_back(static_cast<char>(kEd25519));
  material.append(public_key.data(), public_key.size());
  const common::Sha256Digest d = common::Sha256(material);
  return std::string(reinterpret_cast<const char*>(d.data()), 4);
}

NoteSigner::NoteSigner(void* pkey, std::string name, std::string verifier_key)
    : pkey_(pkey),
      name_(std::move(name)),
      verifier_key_(std::move(verifier_key)) {}

NoteSigner::~NoteSigner() { EVP_PKEY_free(AsKey(pkey_)); }

absl::StatusOr<std::unique_ptr<NoteSigner>> NoteSigner::LoadOrCreate(
    const std::string& pem_path, const std::string& name) {
  if (!ValidKeyName(name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "journal.origin: \"", name,
        "\" cannot be a note key name (non-empty, no spaces, no '+')"));
  }
  EVP_PKEY* key = nullptr;
  struct stat st {};
  if (::stat(pem_path.c_str(), &st) == 0) {
    if ((st.st_mode & 077) != 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          pem_path, " is readable by other users (mode ",
          absl::StrFormat("%04o", st.st_mode & 07777), "); chmod 600 it"));
    }
    FILE* f = std::fopen(pem_path.c_str(), "r");
    if (f == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot read ", pem_path));
    }
    key = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    if (key == nullptr || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
      EVP_PKEY_free(key);
      return absl::InvalidArgumentError(absl::StrCat(
          pem_path, " does not hold a PKCS#8 Ed25519 private key"));
    }
  } else {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    if (key == nullptr)
      return absl::InternalError("Ed25519 key generation failed");
    const int fd = ::open(pem_path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    FILE* f = fd >= 0 ? ::fdopen(fd, "w") : nullptr;
    const bool written = f != nullptr &&
                         PEM_write_PrivateKey(f, key, nullptr, nullptr, 0,
                                              nullptr, nullptr) == 1 &&
                         std::fflush(f) == 0 && ::fsync(fd) == 0;
    if (f != nullptr) std::fclose(f);
    if (!written) {
      EVP_PKEY_free(key);
      ::unlink(pem_path.c_str());
      return absl::FailedPreconditionError(
          absl::StrCat("cannot create signing key ", pem_path));
    }
  }
  const std::string pub = RawPublicKey(key);
  if (pub.empty()) {
    EVP_PKEY_free(key);
    return absl::InternalError("cannot read the Ed25519 public key");
  }
  std::string typed_key(1, static_cast<char>(kEd25519));
  typed_key += pub;
  std::string verifier =
      absl::StrCat(name, "+", common::HexEncode(NoteKeyId(name, pub)), "+",
                   Base64Encode(typed_key));
  return std::unique_ptr<NoteSigner>(
      new NoteSigner(key, name, std::move(verifier)));
}

absl::StatusOr<std::string> NoteSigner::Sign(absl::string_view body) const {
  if (body.empty() || body.back() != '\n' ||
      body.find("\n\n") != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        "note body must end with a newline and hold no blank line");
  }
  unsigned char sig[64];
  size_t sig_len = sizeof(sig);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok =
      ctx != nullptr &&
      EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, AsKey(pkey_)) == 1 &&
      EVP_DigestSign(ctx, sig, &sig_len,
                     reinterpret_cast<const unsigned char*>(body.data()),
                     body.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok || sig_len != sizeof(sig))
    return absl::InternalError("Ed25519 signing failed");
  const std::string pub = RawPublicKey(AsKey(pkey_));
  std::string blob = NoteKeyId(name_, pub);
  blob.append(reinterpret_cast<const char*>(sig), sig_len);
  return absl::StrCat(body, "\n", kSignatureLinePrefix, name_, " ",
                      Base64Encode(blob), "\n");
}

absl::StatusOr<NoteVerifier> NoteVerifier::FromVerifierKey(
    absl::string_view key) {
  // Name and key id end at the first two '+'; the base64 key may hold more.
  std::vector<absl::string_view> parts =
      absl::StrSplit(key, absl::MaxSplits('+', 2));
  if (parts.size() != 3 || !ValidKeyName(parts[0]) || parts[1].size() != 8) {
    return absl::InvalidArgumentError(
        "verifier key: expected <name>+<8 hex digits>+<base64 key>");
  }
  auto typed = Base64Decode(parts[2]);
  if (!typed.ok() || typed->size() != 33 ||
      static_cast<uint8_t>((*typed)[0]) != kEd25519) {
    return absl::InvalidArgumentError(
        "verifier key: not an Ed25519 key (type 0x01, 32 bytes)");
  }
  NoteVerifier v;
  v.name_ = std::string(parts[0]);
  v.public_key_ = typed->substr(1);
  v.key_id_ = NoteKeyId(v.name_, v.public_key_);
  if (common::HexEncode(v.key_id_) != parts[1]) {
    return absl::InvalidArgumentError(
        "verifier key: key id does not match name and key");
  }
  return v;
}

absl::StatusOr<std::string> NoteVerifier::Verify(absl::string_view note) const {
  // As Go's note.Open: the signatures follow the last blank line.
  const size_t split = note.rfind("\n\n");
  if (split == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        "note: no blank line before the signatures");
  }
  const absl::string_view body = note.substr(0, split + 1);
  absl::string_view sigs = note.substr(split + 2);
  if (sigs.empty() || sigs.back() != '\n') {
    return absl::InvalidArgumentError(
        "note: signature lines must end with a newline");
  }
  sigs.remove_suffix(1);
  bool found_key = false;
  for (absl::string_view line : absl::StrSplit(sigs, '\n')) {
    if (line.substr(0, sizeof(kSignatureLinePrefix) - 1) !=
        kSignatureLinePrefix) {
      return absl::InvalidArgumentError("note: malformed signature line");
    }
    line.remove_prefix(sizeof(kSignatureLinePrefix) - 1);
    const size_t space = line.find(' ');
    if (space == absl::string_view::npos) {
      return absl::InvalidArgumentError("note: malformed signature line");
    }
    if (line.substr(0, space) != name_) continue;
    auto blob = Base64Decode(line.substr(space + 1));
    if (!blob.ok() || blob->size() < 5) {
      return absl::InvalidArgumentError("note: malformed signature");
    }
    if (blob->substr(0, 4) != key_id_) continue;
    // The first line by this key decides (Go's note.Open, C2SP signed-note).
    found_key = true;
    if (Ed25519Verify(public_key_, body, absl::string_view(*blob).substr(4))) {
      return std::string(body);
    }
    break;
  }
  return absl::FailedPreconditionError(
      found_key
          ? absl::StrCat("note: the signature by ", name_, " does not verify")
          : absl::StrCat("note: not signed by the key ", name_, "+",
                         common::HexEncode(key_id_)));
}

}  // namespace aigov::tlog
