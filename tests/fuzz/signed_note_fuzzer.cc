// Bytes → the parsers of signed checkpoints: a verifier key
// (NoteVerifier::FromVerifierKey), a signed note (NoteVerifier::Verify under
// a fixed key) and a checkpoint body (ParseCheckpoint). These read what an
// auditor is handed; none may crash on any text.
#include <cstddef>
#include <cstdint>

#include "daemon/tlog/checkpoint.h"

namespace {

// The verifier key of Go's sumdb/note example (a public test vector).
constexpr char kKey[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  (void)aigov::tlog::NoteVerifier::FromVerifierKey(text);
  static const auto* verifier = new aigov::tlog::NoteVerifier(
      aigov::tlog::NoteVerifier::FromVerifierKey(kKey).value());
  auto body = verifier->Verify(text);
  if (body.ok()) (void)aigov::tlog::ParseCheckpoint(*body);
  (void)aigov::tlog::ParseCheckpoint(text);
  return 0;
}
