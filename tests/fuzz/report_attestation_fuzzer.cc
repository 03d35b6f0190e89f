// Bytes → a ComplianceReport (report.json of an untrusted bundle, as
// `aigovctl journal verify` parses it) → its attestation's statement →
// CheckReport. A report attested as it stands must always check: the
// statement is printed and parsed by report_attestation.cc alone, so no
// value of a report may make it read back as something else. The bytes
// are also tried as the attestation itself (an unsigned or forged note).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "google/protobuf/util/json_util.h"

#include "daemon/attestation/report_attestation.h"

namespace {

const aigov::tlog::NoteSigner& Signer() {
  static const aigov::tlog::NoteSigner* signer = [] {
    const std::string pem =
        (std::filesystem::temp_directory_path() /
         ("aigov-attestation-fuzzer-" + std::to_string(::getpid()) + ".pem"))
            .string();
    std::filesystem::remove(pem);
    auto s = aigov::tlog::NoteSigner::LoadOrCreate(pem, "aigov/fuzz");
    std::filesystem::remove(pem);
    if (!s.ok()) __builtin_trap();
    return s->release();
  }();
  return *signer;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  static const aigov::tlog::NoteVerifier verifier =
      *aigov::tlog::NoteVerifier::FromVerifierKey(Signer().verifier_key());
  const auto no_entries = [](uint64_t) -> std::optional<std::string> {
    return std::nullopt;
  };
  aigov::tlog::Checkpoint checkpoint;
  checkpoint.origin = "aigov/fuzz";

  aigov::v1::ComplianceReport forged;
  forged.set_attestation(bytes);
  auto check =
      aigov::attestation::CheckReport(forged, verifier, checkpoint, no_entries);
  if (check.ok() && !bytes.empty()) {
    // Only a note signed by the key checks; the fuzzer holds no signature.
    if (!absl::StrContains(bytes, "\n— aigov/fuzz ")) __builtin_trap();
  }

  aigov::v1::ComplianceReport report;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(bytes, &report, options)
           .ok()) {
    return 0;
  }
  for (auto& o : *report.mutable_obligations()) o.set_finding_sequence(0);
  auto note = Signer().Sign(aigov::attestation::StatementOf(report));
  if (!note.ok()) __builtin_trap();
  report.set_attestation(*note);
  checkpoint.size = report.checkpoint().tree_size();
  check =
      aigov::attestation::CheckReport(report, verifier, checkpoint, no_entries);
  if (!check.ok() && absl::StrContains(check.status().message(),
                                       "does not match its signed")) {
    __builtin_trap();
  }
  return 0;
}
