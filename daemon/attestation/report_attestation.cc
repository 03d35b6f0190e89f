#include "daemon/attestation/report_attestation.h"

#include <map>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"

#include "aigov/v1/journal.pb.h"
#include "daemon/common/sha256.h"

namespace aigov::attestation {
namespace {

using aigov::v1::ComplianceReport;
using aigov::v1::ReportObligation;

// `text` with every byte outside a conservative set written as %XX, so that
// a value holds no space, newline or '=' of the line format (one to one:
// distinct values stay distinct).
std::string Word(absl::string_view text) {
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '-' ||
        c == ':' || c == '/' || c == '@' || c == '+') {
      out.push_back(ch);
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

std::string TimeWord(const google::protobuf::Timestamp& t) {
  return absl::FormatTime(
      "%Y-%m-%dT%H:%M:%E*SZ",
      absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos()),
      absl::UTCTimeZone());
}

std::string StatusWord(aigov::v1::FindingStatus s) {
  return std::string(
      absl::StripPrefix(aigov::v1::FindingStatus_Name(s), "FINDING_STATUS_"));
}

// The first 16 hex characters of SHA-256(`text`).
std::string Digest16(absl::string_view text) {
  return common::HexEncode(common::Sha256(text)).substr(0, 16);
}

std::string SequenceList(
    const google::protobuf::RepeatedField<uint64_t>& sequences) {
  if (sequences.empty()) return "-";
  return absl::StrJoin(sequences, ",");
}

std::string ObligationLine(const ReportObligation& o) {
  return absl::StrCat("obligation ", Word(o.obligation_id()),
                      " status=", StatusWord(o.status()), " deadline=",
                      o.has_deadline() ? TimeWord(o.deadline()) : "-",
                      " finding=", o.finding_sequence(),
                      " evidence=", SequenceList(o.evidence_sequences()),
                      " reason=", Digest16(o.reason()),
                      " fix=", Digest16(absl::StrJoin(o.to_fix(), "\n")));
}

// A statement split into its header lines (by first word) and its
// obligation lines (by id, each as its key=value fields in order).
struct Parsed {
  std::vector<std::pair<std::string, std::string>> header;
  std::vector<std::string> order;
  std::map<std::string, std::vector<std::pair<std::string, std::string>>>
      obligations;
};

absl::StatusOr<Parsed> Parse(absl::string_view body) {
  Parsed p;
  std::vector<absl::string_view> lines = absl::StrSplit(body, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.empty() || lines[0] != kStatementHeader) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the attestation is not a report attestation (its first line is not "
        "\"",
        kStatementHeader, "\")"));
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(lines[i], absl::MaxSplits(' ', 1));
    if (kv.first != "obligation") {
      p.header.emplace_back(std::string(kv.first), std::string(kv.second));
      continue;
    }
    std::vector<absl::string_view> words = absl::StrSplit(kv.second, ' ');
    const std::string id(words[0]);
    if (p.obligations.count(id) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("the attestation states obligation ", id, " twice"));
    }
    auto& fields = p.obligations[id];
    p.order.push_back(id);
    for (size_t w = 1; w < words.size(); ++w) {
      std::pair<absl::string_view, absl::string_view> f =
          absl::StrSplit(words[w], absl::MaxSplits('=', 1));
      fields.emplace_back(std::string(f.first), std::string(f.second));
    }
  }
  return p;
}

// The first field of an obligation line that differs, in words.
std::string FieldDifference(
    const std::vector<std::pair<std::string, std::string>>& signed_fields,
    const std::vector<std::pair<std::string, std::string>>& report_fields) {
  std::map<std::string, std::string> mine(report_fields.begin(),
                                          report_fields.end());
  for (const auto& [key, value] : signed_fields) {
    auto it = mine.find(key);
    const std::string have = it == mine.end() ? "(none)" : it->second;
    if (have == value) continue;
    if (key == "reason" || key == "fix") {
      return absl::StrCat(key == "reason" ? "its reason" : "its fixes",
                          " differ from the signed ones");
    }
    return absl::StrCat(key, " is ", have, " in report.json but ", value,
                        " in the signed attestation");
  }
  return "its line differs from the signed one";
}

absl::Status Differs(std::string what) {
  return absl::DataLossError(absl::StrCat(
      "report.json does not match its signed attestation: ", std::move(what)));
}

absl::Status CompareStatements(const Parsed& signed_p, const Parsed& report_p) {
  std::map<std::string, std::string> report_header(report_p.header.begin(),
                                                   report_p.header.end());
  for (const auto& [key, value] : signed_p.header) {
    auto it = report_header.find(key);
    if (it == report_header.end()) {
      return Differs(
          absl::StrCat("the signed \"", key, "\" line has no counterpart"));
    }
    if (it->second != value) {
      return Differs(absl::StrCat(key, " is \"", it->second,
                                  "\" in report.json but \"", value,
                                  "\" in the signed attestation"));
    }
  }
  for (const std::string& id : signed_p.order) {
    auto it = report_p.obligations.find(id);
    if (it == report_p.obligations.end()) {
      return Differs(absl::StrCat("obligation ", id,
                                  " is stated in the signed attestation but "
                                  "missing from report.json"));
    }
    const auto& signed_fields = signed_p.obligations.at(id);
    if (signed_fields != it->second) {
      return Differs(absl::StrCat("obligation ", id, ": ",
                                  FieldDifference(signed_fields, it->second)));
    }
  }
  for (const std::string& id : report_p.order) {
    if (signed_p.obligations.count(id) == 0) {
      return Differs(absl::StrCat("obligation ", id,
                                  " is in report.json but not in the signed "
                                  "attestation"));
    }
  }
  if (signed_p.order != report_p.order ||
      signed_p.header.size() != report_p.header.size()) {
    return Differs("its lines are in another order or repeated");
  }
  return absl::OkStatus();
}

bool SameTime(const google::protobuf::Timestamp& a, bool a_set,
              const google::protobuf::Timestamp& b, bool b_set) {
  if (a_set != b_set) return false;
  return !a_set || (a.seconds() == b.seconds() && a.nanos() == b.nanos());
}

// Checks an obligation against the ComplianceFinding entry it cites.
// Returns true when it rests on it, false when the entry is pruned.
absl::StatusOr<bool> CheckFinding(const ComplianceReport& report,
                                  const ReportObligation& o,
                                  const EntryAt& entry_at) {
  const std::string where =
      absl::StrCat("obligation ", o.obligation_id(), ": its finding entry ",
                   o.finding_sequence());
  const std::optional<std::string> bytes = entry_at(o.finding_sequence());
  if (!bytes.has_value()) {
    return absl::DataLossError(
        absl::StrCat(where, " is not in the bundle (or is pruned)"));
  }
  aigov::v1::JournalEntry entry;
  if (!entry.ParseFromString(*bytes) || !entry.has_compliance_finding()) {
    return absl::DataLossError(
        absl::StrCat(where, " is not a ComplianceFinding"));
  }
  const aigov::v1::ComplianceFinding& f = entry.compliance_finding();
  if (f.system_id() != report.system_id() ||
      f.obligation_id() != o.obligation_id()) {
    return absl::DataLossError(absl::StrCat(where, " is about ", f.system_id(),
                                            " ", f.obligation_id()));
  }
  if (f.status() != o.status()) {
    return absl::DataLossError(
        absl::StrCat(where, " states ", StatusWord(f.status()),
                     ", report.json ", StatusWord(o.status())));
  }
  if (!SameTime(f.deadline(), f.has_deadline(), o.deadline(),
                o.has_deadline())) {
    return absl::DataLossError(absl::StrCat(
        where, " states deadline ",
        f.has_deadline() ? TimeWord(f.deadline()) : "none", ", report.json ",
        o.has_deadline() ? TimeWord(o.deadline()) : "none"));
  }
  if (f.reason() != o.reason()) {
    return absl::DataLossError(
        absl::StrCat(where, " states another reason than report.json"));
  }
  // Evidence is journalled with the finding; an evaluation cites what it
  // sees now, which may have grown since without changing the finding.
  if (report.source() == "journal" &&
      SequenceList(f.evidence_sequences()) !=
          SequenceList(o.evidence_sequences())) {
    return absl::DataLossError(absl::StrCat(
        where, " cites evidence ", SequenceList(f.evidence_sequences()),
        ", report.json ", SequenceList(o.evidence_sequences())));
  }
  return true;
}

}  // namespace

std::string StatementOf(const ComplianceReport& report) {
  std::string cited = absl::StrJoin(report.cited_sequences(), ",");
  std::string out = absl::StrCat(kStatementHeader, "\n");
  absl::StrAppend(&out, "system ", Word(report.system_id()), "\n");
  absl::StrAppend(&out, "at ", TimeWord(report.at()), "\n");
  absl::StrAppend(&out, "generated ", TimeWord(report.generated_at()), "\n");
  absl::StrAppend(&out, "regime ", Word(report.regime()), "\n");
  absl::StrAppend(&out, "source ", Word(report.source()), "\n");
  absl::StrAppend(&out, "checkpoint ", report.checkpoint().tree_size(), " ",
                  Word(report.checkpoint().root_hash()), "\n");
  absl::StrAppend(&out, "risk ", Word(report.risk_class()), "\n");
  absl::StrAppend(&out, "cited ", report.cited_sequences_size(), " ",
                  common::HexEncode(common::Sha256(cited)), "\n");
  absl::StrAppend(&out, "sections documents=", report.documents_size(),
                  " deployments=", report.deployments_size(),
                  " model_versions=", report.model_versions_size(),
                  " oversight_actions=", report.oversight_actions_size(),
                  " cases=", report.cases_size(),
                  " changes=", report.changes_size(), "\n");
  for (const ReportObligation& o : report.obligations()) {
    absl::StrAppend(&out, ObligationLine(o), "\n");
  }
  return out;
}

absl::StatusOr<ReportCheck> CheckReport(const ComplianceReport& report,
                                        const tlog::NoteVerifier& verifier,
                                        const tlog::Checkpoint& checkpoint,
                                        const EntryAt& entry_at) {
  if (report.attestation().empty()) {
    return absl::FailedPreconditionError(
        "report.json carries no attestation (a report from an aigovd before "
        "attestations, or one whose attestation was removed): its statements "
        "are not proven");
  }
  absl::StatusOr<std::string> body = verifier.Verify(report.attestation());
  if (!body.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("report.json's attestation: ", body.status().message()));
  }
  absl::StatusOr<Parsed> signed_p = Parse(*body);
  if (!signed_p.ok()) return signed_p.status();
  absl::StatusOr<Parsed> report_p = Parse(StatementOf(report));
  if (!report_p.ok()) return report_p.status();
  if (absl::Status s = CompareStatements(*signed_p, *report_p); !s.ok()) {
    return s;
  }
  const std::string bundle_checkpoint =
      absl::StrCat(checkpoint.size, " ", tlog::HashHex(checkpoint.root));
  for (const auto& [key, value] : signed_p->header) {
    if (key == "checkpoint" && value != bundle_checkpoint) {
      return absl::DataLossError(
          absl::StrCat("the report was attested at checkpoint ", value,
                       ", the bundle's checkpoint is ", bundle_checkpoint));
    }
  }

  ReportCheck check;
  for (const ReportObligation& o : report.obligations()) {
    ++check.obligations;
    if (o.finding_sequence() == 0) continue;
    absl::StatusOr<bool> rests = CheckFinding(report, o, entry_at);
    if (!rests.ok()) return rests.status();
    if (*rests) ++check.rest_on_findings;
  }
  return check;
}

}  // namespace aigov::attestation
