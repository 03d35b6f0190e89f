#include "daemon/tlog/checkpoint.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "daemon/common/sha256.h"

namespace aigov::tlog {
namespace {

using ::testing::HasSubstr;

// golang.org/x/mod/sumdb/note's published example: an Ed25519 key whose
// private seed is given, the text, and the signed note Go produces.
constexpr char kGoVerifierKey[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr char kGoPrivateKey[] = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr char kGoText[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr char kGoNote[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "\xe2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnA"
    "M=\n";

class TempPath {
 public:
  explicit TempPath(const std::string& name)
      : path_((std::filesystem::temp_directory_path() /
               (name + "-" + std::to_string(::getpid()) + ".pem"))
                  .string()) {
    std::filesystem::remove(path_);
  }
  ~TempPath() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Writes the Ed25519 key with raw 32-byte `seed` as a PKCS#8 PEM, mode 0600.
void WritePem(const std::string& path, const std::string& seed) {
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr,
      reinterpret_cast<const unsigned char*>(seed.data()), seed.size());
  ASSERT_NE(key, nullptr);
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  ::chmod(path.c_str(), 0600);
  ASSERT_EQ(PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr),
            1);
  std::fclose(f);
  EVP_PKEY_free(key);
}

TEST(CheckpointTest, FormatsAndParsesTheC2spBody) {
  Checkpoint c;
  c.origin = "aigov/example";
  c.size = 42;
  c.root = HashLeaf("x");
  const std::string body = FormatCheckpoint(c);
  EXPECT_EQ(body,
            "aigov/example\n42\n" + Base64Encode(HashBytes(c.root)) + "\n");
  auto back = ParseCheckpoint(body);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->origin, c.origin);
  EXPECT_EQ(back->size, 42u);
  EXPECT_EQ(back->root, c.root);
  // Extension lines are allowed.
  EXPECT_TRUE(ParseCheckpoint(body + "extension line\n").ok());
}

TEST(CheckpointTest, MalformedBodiesNameTheLine) {
  EXPECT_THAT(std::string(ParseCheckpoint("a\n1\n").status().message()),
              HasSubstr("expected origin, tree size and root hash"));
  EXPECT_THAT(std::string(ParseCheckpoint("a\n01\nAAAA\n").status().message()),
              HasSubstr("line 2"));
  EXPECT_THAT(std::string(ParseCheckpoint("a\nx\nAAAA\n").status().message()),
              HasSubstr("line 2"));
  EXPECT_THAT(std::string(ParseCheckpoint("a\n1\nAAAA\n").status().message()),
              HasSubstr("line 3"));
  EXPECT_FALSE(ParseCheckpoint("a\n1\nAAAA").ok());
}

TEST(CheckpointTest, Base64RoundTripsEveryPadding) {
  const std::vector<std::string> inputs = {
      "", "a", "ab", "abc", "abcd", std::string("\0\xff", 2)};
  for (const std::string& s : inputs) {
    auto back = Base64Decode(Base64Encode(s));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, s);
  }
  EXPECT_FALSE(Base64Decode("abc").ok());
  EXPECT_FALSE(Base64Decode("ab!=").ok());
}

TEST(CheckpointTest, ReproducesGoSumdbNoteExampleByteForByte) {
  auto typed = Base64Decode(kGoPrivateKey);
  ASSERT_TRUE(typed.ok());
  ASSERT_EQ(typed->size(), 33u);
  TempPath pem("aigov-go-key");
  WritePem(pem.path(), typed->substr(1));
  auto signer = NoteSigner::LoadOrCreate(pem.path(), "PeterNeumann");
  ASSERT_TRUE(signer.ok()) << signer.status();
  EXPECT_EQ((*signer)->verifier_key(), kGoVerifierKey);
  auto note = (*signer)->Sign(kGoText);
  ASSERT_TRUE(note.ok());
  EXPECT_EQ(*note, kGoNote);

  auto verifier = NoteVerifier::FromVerifierKey(kGoVerifierKey);
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  auto body = verifier->Verify(kGoNote);
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(*body, kGoText);
}

TEST(CheckpointTest, VerifiesAHandBuiltNote) {
  // Built here with OpenSSL directly, following the C2SP text: key id =
  // SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[:4], signature over the body.
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  ASSERT_NE(key, nullptr);
  unsigned char pub[32];
  size_t pub_len = sizeof(pub);
  ASSERT_EQ(EVP_PKEY_get_raw_public_key(key, pub, &pub_len), 1);
  const std::string name = "aigov/hand-built";
  std::string material =
      name + "\n\x01" + std::string(reinterpret_cast<char*>(pub), 32);
  const common::Sha256Digest d = common::Sha256(material);
  const std::string id(reinterpret_cast<const char*>(d.data()), 4);
  const std::string body =
      "aigov/hand-built\n3\n" + Base64Encode(HashBytes(HashLeaf("r"))) + "\n";
  unsigned char sig[64];
  size_t sig_len = sizeof(sig);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ASSERT_EQ(EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key), 1);
  ASSERT_EQ(EVP_DigestSign(ctx, sig, &sig_len,
                           reinterpret_cast<const unsigned char*>(body.data()),
                           body.size()),
            1);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  const std::string note =
      body + "\n\xe2\x80\x94 " + name + " " +
      Base64Encode(id + std::string(reinterpret_cast<char*>(sig), 64)) + "\n";
  const std::string vkey =
      name + "+" + common::HexEncode(id) + "+" +
      Base64Encode("\x01" + std::string(reinterpret_cast<char*>(pub), 32));

  auto verifier = NoteVerifier::FromVerifierKey(vkey);
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  auto verified = verifier->Verify(note);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(*verified, body);
  auto cp = ParseCheckpoint(*verified);
  ASSERT_TRUE(cp.ok());
  EXPECT_EQ(cp->size, 3u);

  // One flipped byte in the body: refused.
  std::string tampered = note;
  tampered[body.size() - 3] ^= 1;
  EXPECT_EQ(verifier->Verify(tampered).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // Another key: "not signed by".
  auto other = NoteVerifier::FromVerifierKey(kGoVerifierKey);
  ASSERT_TRUE(other.ok());
  EXPECT_THAT(std::string(other->Verify(note).status().message()),
              HasSubstr("not signed by"));
  // Malformed notes.
  EXPECT_EQ(verifier->Verify(body).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(verifier->Verify(body + "\nno dash line\n").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(CheckpointTest, VerifierKeysWithPlusInTheirBase64Parse) {
  // Standard base64 uses '+': about one random key in three has one.
  for (int i = 0; i < 64; ++i) {
    TempPath pem("aigov-plus-key-" + std::to_string(i));
    auto signer = NoteSigner::LoadOrCreate(pem.path(), "aigov/plus");
    ASSERT_TRUE(signer.ok());
    auto verifier = NoteVerifier::FromVerifierKey((*signer)->verifier_key());
    ASSERT_TRUE(verifier.ok())
        << (*signer)->verifier_key() << ": " << verifier.status();
    auto note = (*signer)->Sign("aigov/plus\n1\n" +
                                Base64Encode(HashBytes(HashLeaf("a"))) + "\n");
    EXPECT_TRUE(verifier->Verify(*note).ok());
  }
}

TEST(CheckpointTest, RejectsManglesVerifierKeys) {
  std::string k = kGoVerifierKey;
  EXPECT_FALSE(NoteVerifier::FromVerifierKey(k + "x").ok());
  std::string wrong_id = k;
  wrong_id[13] = wrong_id[13] == '0' ? '1' : '0';
  EXPECT_THAT(
      std::string(NoteVerifier::FromVerifierKey(wrong_id).status().message()),
      HasSubstr("key id does not match"));
  EXPECT_FALSE(NoteVerifier::FromVerifierKey("PeterNeumann+c74f20a3").ok());
}

TEST(CheckpointTest, SigningKeyIsCreatedOnceWithMode0600) {
  TempPath pem("aigov-new-key");
  auto first = NoteSigner::LoadOrCreate(pem.path(), "aigov/test");
  ASSERT_TRUE(first.ok()) << first.status();
  struct stat st {};
  ASSERT_EQ(::stat(pem.path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto second = NoteSigner::LoadOrCreate(pem.path(), "aigov/test");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ((*first)->verifier_key(), (*second)->verifier_key());
  auto note = (*second)->Sign("aigov/test\n0\n" +
                              Base64Encode(HashBytes(EmptyRoot())) + "\n");
  ASSERT_TRUE(note.ok());
  EXPECT_TRUE(NoteVerifier::FromVerifierKey((*first)->verifier_key())
                  ->Verify(*note)
                  .ok());

  EXPECT_FALSE(NoteSigner::LoadOrCreate(pem.path(), "bad name").ok());
  EXPECT_FALSE((*first)->Sign("no newline").ok());
  EXPECT_FALSE((*first)->Sign("a\n\nb\n").ok());
  ::chmod(pem.path().c_str(), 0644);
  EXPECT_THAT(std::string(NoteSigner::LoadOrCreate(pem.path(), "aigov/test")
                              .status()
                              .message()),
              HasSubstr("readable by other users"));
}

}  // namespace
}  // namespace aigov::tlog
