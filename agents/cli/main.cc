// aigovctl: the command-line client of aigovd.
//
//   aigovctl [--target HOST:PORT] apply -f FILE...
//   aigovctl [--target HOST:PORT] get KIND [ID[@VERSION]] [--json]
//   aigovctl [--target HOST:PORT] lineage impact --dataset ID@VERSION
//   aigovctl [--target HOST:PORT] lineage provenance --model ID@VERSION
//   aigovctl [--target HOST:PORT] drift status --model ID@VERSION [--json]
//   aigovctl [--target HOST:PORT] drift history --model ID@VERSION
//            [--feature F] [--json]
//   aigovctl [--target HOST:PORT] compliance obligations [--regime R] [--json]
//   aigovctl [--target HOST:PORT] compliance status --system ID
//            [--at RFC3339] [--json]
//   aigovctl [--target HOST:PORT] compliance findings [--system ID]
//            [--status S] [--obligation ID] [--json]
//   aigovctl [--target HOST:PORT] compliance report --system ID [--at T]
//            [--format md|json|html] [--out FILE] [--bundle DIR]
//   aigovctl [--target HOST:PORT] compliance annex-iv --system ID
//            --model ID@VERSION [--at T] [--format md|html] [--out FILE]
//            [--bundle DIR]
//   aigovctl [--target HOST:PORT] compliance training-summary
//            --model ID@VERSION [--format md|json|html] [--out FILE]
//            [--bundle DIR]
//   aigovctl [--target HOST:PORT] journal list [--json] [--model ID] [--kind K]
//   aigovctl [--target HOST:PORT] journal get SEQUENCE [--json]
//
// The target comes from --target, else $AIGOV_TARGET, else 127.0.0.1:7420.
// Exit status: 0 on success, 1 when any request or document failed, 2 on a
// usage error.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

#include "agents/cli/client.h"
#include "agents/cli/compliance_cmd.h"
#include "agents/cli/documents.h"
#include "agents/cli/drift_cmd.h"
#include "agents/cli/records_cmd.h"
#include "aigov/v1/journal_service.grpc.pb.h"
#include "aigov/v1/records.pb.h"
#include "aigov/v1/registry_service.grpc.pb.h"
#include "aigov/v1/report.pb.h"
#include "daemon/attestation/report_attestation.h"
#include "daemon/common/logging.h"
#include "daemon/common/random.h"
#include "daemon/common/sha256.h"
#include "daemon/kinds/kinds.h"
#include "daemon/tlog/bundle.h"
#include "daemon/tlog/checkpoint.h"
#include "daemon/tlog/merkle.h"
#include "nlohmann/json.hpp"

namespace {

using aigov::cli::Describe;
using aigov::cli::kRpcTimeoutSeconds;
using aigov::cli::MakeChannel;
using aigov::cli::SetDeadline;
using aigov::cli::ToJson;

// Calls `method` of JournalService at `target` with the standard deadline.
// Prints the error (with a hint when aigovd is unreachable) and returns
// false on failure.
template <typename Request, typename Response>
bool CallJournal(
    const std::string& target,
    grpc::Status (aigov::v1::JournalService::Stub::*method)(
        grpc::ClientContext*, const Request&, Response*),
    const Request& request, Response* response,
    std::chrono::seconds timeout = std::chrono::seconds(kRpcTimeoutSeconds)) {
  auto stub = aigov::v1::JournalService::NewStub(MakeChannel(target));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  const grpc::Status s = ((*stub).*method)(&ctx, request, response);
  if (!s.ok()) std::fprintf(stderr, "error: %s\n", Describe(s, target).c_str());
  return s.ok();
}

// The entry's event (whatever its kind) as JSON, "{}" when it has none.
std::string EventJson(const aigov::v1::JournalEntry& e) {
  const google::protobuf::Message* message = aigov::kinds::EventOf(e);
  return message == nullptr ? "{}" : ToJson(*message);
}

std::string EntryJson(const aigov::v1::JournalEntry& e) {
  const std::string event = EventJson(e);
  std::string erased;
  if (e.erased_fields_size() > 0) {
    erased = ",\"erased_fields\":[";
    for (int i = 0; i < e.erased_fields_size(); ++i) {
      absl::StrAppend(&erased, i ? "," : "",
                      aigov::common::JsonQuote(e.erased_fields(i)));
    }
    erased += "]";
  }
  std::string derived;
  if (e.derived_from_size() > 0) {
    derived = ",\"derived_from\":[";
    for (int i = 0; i < e.derived_from_size(); ++i) {
      absl::StrAppend(&derived, i ? "," : "", e.derived_from(i));
    }
    derived += "]";
  }
  return absl::StrCat(
      "{\"sequence\":", e.sequence(), ",\"recorded_at\":",
      aigov::common::JsonQuote(
          google::protobuf::util::TimeUtil::ToString(e.recorded_at())),
      ",\"kind\":",
      aigov::common::JsonQuote(
          aigov::kinds::KindName(aigov::kinds::EventKindOf(e))),
      ",\"event_id\":", aigov::common::JsonQuote(e.event_id()),
      ",\"principal\":", aigov::common::JsonQuote(e.principal()), derived,
      ",\"event\":", event, erased, "}");
}

// A short description of an entry for the table: the record's id fields
// (the leading string fields of its event, `model_id@version` style).
std::string EntrySummary(const aigov::v1::JournalEntry& e) {
  if (e.has_subject_erasure()) {
    return absl::StrCat("subject ",
                        e.subject_erasure().subject_id().substr(0, 16), "…");
  }
  if (e.has_model_version()) {
    const auto& mv = e.model_version();
    return absl::StrCat(mv.model_id(), "@", mv.version(),
                        " system=", mv.system_id());
  }
  const google::protobuf::Message* event = aigov::kinds::EventOf(e);
  if (event == nullptr) return "";
  const google::protobuf::Descriptor* d = event->GetDescriptor();
  const google::protobuf::Reflection* r = event->GetReflection();
  std::string out;
  for (int i = 0; i < d->field_count() && i < 2; ++i) {
    const google::protobuf::FieldDescriptor* f = d->field(i);
    if (f->is_repeated() ||
        f->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
      break;
    }
    const std::string value = r->GetString(*event, f);
    if (value.empty()) break;
    absl::StrAppend(&out, out.empty() ? "" : " ", f->name(), "=", value);
  }
  return out;
}

int JournalList(const std::string& target, bool json, const std::string& model,
                const std::string& kind, uint64_t from, uint64_t limit) {
  aigov::v1::EventKind kind_value = aigov::v1::EVENT_KIND_UNSPECIFIED;
  if (!kind.empty() && !aigov::kinds::KindFromName(kind, &kind_value)) {
    std::fprintf(stderr, "error: --kind: unknown kind \"%s\" (one of %s)\n",
                 kind.c_str(),
                 absl::StrJoin(aigov::kinds::KindNames(), ", ").c_str());
    return 2;
  }
  auto channel = MakeChannel(target);
  auto stub = aigov::v1::JournalService::NewStub(channel);
  uint64_t next = from;
  uint64_t printed = 0;
  bool first = true;
  bool started = false;  // the header (or "[") waits for a first answer
  for (;;) {
    aigov::v1::ListEntriesRequest req;
    req.set_start_sequence(next);
    req.set_page_size(1000);
    req.set_model_id(model);
    req.set_kind(kind_value);
    aigov::v1::ListEntriesResponse resp;
    grpc::ClientContext ctx;
    SetDeadline(&ctx);
    const grpc::Status s = stub->ListEntries(&ctx, req, &resp);
    if (!s.ok()) {
      if (json && started) std::printf("]\n");
      std::fprintf(stderr, "error: %s\n", Describe(s, target).c_str());
      return 1;
    }
    if (!started) {
      started = true;
      if (json) {
        std::printf("[");
      } else {
        std::printf("%-10s %-31s %-14s %s\n", "SEQUENCE", "RECORDED_AT", "KIND",
                    "SUBJECT");
      }
    }
    for (const auto& e : resp.entries()) {
      if (limit > 0 && printed >= limit) break;
      if (json) {
        std::printf("%s\n  %s", first ? "" : ",", EntryJson(e).c_str());
      } else {
        std::printf(
            "%-10llu %-31s %-14s %s\n",
            static_cast<unsigned long long>(e.sequence()),
            google::protobuf::util::TimeUtil::ToString(e.recorded_at()).c_str(),
            aigov::kinds::KindName(aigov::kinds::EventKindOf(e)).c_str(),
            EntrySummary(e).c_str());
      }
      first = false;
      ++printed;
    }
    if (!resp.has_more() || (limit > 0 && printed >= limit)) break;
    next = resp.next_sequence();
  }
  if (json) std::printf("%s]\n", first ? "" : "\n");
  return 0;
}

int JournalGet(const std::string& target, uint64_t sequence, bool json) {
  aigov::v1::GetEntryRequest req;
  req.set_sequence(sequence);
  aigov::v1::GetEntryResponse resp;
  if (!CallJournal(target, &aigov::v1::JournalService::Stub::GetEntry, req,
                   &resp)) {
    return 1;
  }
  if (json) {
    std::printf("%s\n", EntryJson(resp.entry()).c_str());
  } else {
    std::printf(
        "sequence:    %llu\nrecorded_at: %s\nkind:        %s\nevent_id:    %s\n"
        "principal:   %s\nevent:       %s\n",
        static_cast<unsigned long long>(resp.entry().sequence()),
        google::protobuf::util::TimeUtil::ToString(resp.entry().recorded_at())
            .c_str(),
        aigov::kinds::KindName(aigov::kinds::EventKindOf(resp.entry())).c_str(),
        resp.entry().event_id().c_str(), resp.entry().principal().c_str(),
        EventJson(resp.entry()).c_str());
  }
  return 0;
}

std::string HexOf(const std::string& bytes) {
  return aigov::common::HexEncode(bytes);
}

std::string HexArray(
    const google::protobuf::RepeatedPtrField<std::string>& hashes) {
  std::string out = "[";
  for (int i = 0; i < hashes.size(); ++i) {
    absl::StrAppend(&out, i ? "," : "", "\"", HexOf(hashes[i]), "\"");
  }
  return out + "]";
}

int JournalCheckpoint(const std::string& target, bool json) {
  aigov::v1::GetCheckpointResponse checkpoint;
  if (!CallJournal(target, &aigov::v1::JournalService::Stub::GetCheckpoint,
                   aigov::v1::GetCheckpointRequest(), &checkpoint)) {
    return 1;
  }
  const aigov::v1::GetCheckpointResponse* cp = &checkpoint;
  if (json) {
    std::printf(
        "{\"origin\":%s,\"tree_size\":%llu,\"root_hash\":\"%s\",\"note\":%s,"
        "\"public_key\":%s}\n",
        aigov::common::JsonQuote(cp->origin()).c_str(),
        static_cast<unsigned long long>(cp->tree_size()),
        HexOf(cp->root_hash()).c_str(),
        aigov::common::JsonQuote(cp->note()).c_str(),
        aigov::common::JsonQuote(cp->public_key()).c_str());
  } else {
    std::printf("%s", cp->note().c_str());
  }
  return 0;
}

int JournalPublicKey(const std::string& target, bool json) {
  aigov::v1::GetCheckpointResponse checkpoint;
  if (!CallJournal(target, &aigov::v1::JournalService::Stub::GetCheckpoint,
                   aigov::v1::GetCheckpointRequest(), &checkpoint)) {
    return 1;
  }
  const aigov::v1::GetCheckpointResponse* cp = &checkpoint;
  if (json) {
    std::printf("%s\n",
                nlohmann::ordered_json({{"public_key", cp->public_key()}})
                    .dump()
                    .c_str());
    return 0;
  }
  std::printf("%s\n", cp->public_key().c_str());
  return 0;
}

int JournalProof(const std::string& target, uint64_t index, uint64_t tree_size,
                 bool json) {
  aigov::v1::GetInclusionProofRequest req;
  req.set_leaf_index(index);
  req.set_tree_size(tree_size);
  aigov::v1::GetInclusionProofResponse resp;
  if (!CallJournal(target, &aigov::v1::JournalService::Stub::GetInclusionProof,
                   req, &resp)) {
    return 1;
  }
  if (json) {
    std::printf(
        "{\"leaf_index\":%llu,\"tree_size\":%llu,\"leaf_hash\":\"%s\",\"path\":"
        "%s}\n",
        static_cast<unsigned long long>(resp.leaf_index()),
        static_cast<unsigned long long>(resp.tree_size()),
        HexOf(resp.leaf_hash()).c_str(), HexArray(resp.hashes()).c_str());
  } else {
    std::printf("leaf %llu of %llu: %s\n",
                static_cast<unsigned long long>(resp.leaf_index()),
                static_cast<unsigned long long>(resp.tree_size()),
                HexOf(resp.leaf_hash()).c_str());
    for (const std::string& h : resp.hashes())
      std::printf("  %s\n", HexOf(h).c_str());
  }
  return 0;
}

int JournalConsistency(const std::string& target, uint64_t from, uint64_t to,
                       bool json) {
  aigov::v1::GetConsistencyProofRequest req;
  req.set_from_size(from);
  req.set_to_size(to);
  aigov::v1::GetConsistencyProofResponse resp;
  if (!CallJournal(target,
                   &aigov::v1::JournalService::Stub::GetConsistencyProof, req,
                   &resp)) {
    return 1;
  }
  if (json) {
    std::printf("{\"from\":%llu,\"to\":%llu,\"path\":%s}\n",
                static_cast<unsigned long long>(resp.from_size()),
                static_cast<unsigned long long>(resp.to_size()),
                HexArray(resp.hashes()).c_str());
  } else {
    std::printf("consistency %llu -> %llu:\n",
                static_cast<unsigned long long>(resp.from_size()),
                static_cast<unsigned long long>(resp.to_size()));
    for (const std::string& h : resp.hashes())
      std::printf("  %s\n", HexOf(h).c_str());
  }
  return 0;
}

int JournalExport(const std::string& target, const std::string& out_dir,
                  bool json) {
  auto stub = aigov::v1::JournalService::NewStub(MakeChannel(target));
  grpc::ClientContext ctx;
  auto reader = stub->Export(&ctx, aigov::v1::ExportRequest());
  aigov::tlog::BundleWriter writer(out_dir);
  aigov::v1::ExportResponse resp;
  bool begun = false;
  uint64_t count = 0;
  uint64_t total = 0;
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  while (reader->Read(&resp)) {
    if (!begun) {
      total = resp.tree_size();
      const absl::Status s =
          writer.Begin(resp.checkpoint_note(), resp.public_key());
      if (!s.ok()) {
        ctx.TryCancel();
        std::fprintf(stderr, "error: %s\n", std::string(s.message()).c_str());
        return 1;
      }
      begun = true;
    }
    for (const aigov::v1::ExportedEntry& e : resp.entries()) {
      aigov::tlog::Hash leaf{};
      if (!aigov::tlog::HashFromBytes(e.leaf_hash(), &leaf) ||
          !writer.Add(e.index(), leaf, e.entry(), e.pruned()).ok()) {
        ctx.TryCancel();
        std::fprintf(stderr, "error: writing the bundle failed at entry %llu\n",
                     static_cast<unsigned long long>(e.index()));
        return 1;
      }
      ++count;
    }
    if (tty) {
      std::fprintf(stderr, "\rexporting: %llu / %llu entries",
                   static_cast<unsigned long long>(count),
                   static_cast<unsigned long long>(total));
    }
  }
  if (tty) std::fprintf(stderr, "\n");
  const grpc::Status s = reader->Finish();
  if (!s.ok() || !begun) {
    std::fprintf(
        stderr, "error: %s\n",
        s.ok() ? "the export stream was empty" : Describe(s, target).c_str());
    return 1;
  }
  if (!writer.Finish().ok()) {
    std::fprintf(stderr, "error: writing %s/entries.jsonl failed\n",
                 out_dir.c_str());
    return 1;
  }
  if (json) {
    std::printf("%s\n", nlohmann::ordered_json({{"dir", out_dir},
                                                {"entries", count},
                                                {"tree_size", total}})
                            .dump()
                            .c_str());
    return 0;
  }
  std::printf(
      "exported %llu entries to %s (checkpoint, entries.jsonl, public_key)\n",
      static_cast<unsigned long long>(count), out_dir.c_str());
  return 0;
}

// The report a report bundle proves (DIR/report.json), parsed, and the
// finding entries its obligations cite, collected while the bundle is
// verified.
struct BundledReport {
  aigov::v1::ComplianceReport report;
  std::set<uint64_t> wanted;
  std::map<uint64_t, std::string> entries;
};

// Reads DIR/report.json when there is one. Returns false (after printing
// why) when it exists but does not parse.
bool ReadBundledReport(const std::string& dir,
                       std::optional<BundledReport>* out) {
  const std::string path = dir + "/report.json";
  std::ifstream in(path, std::ios::binary);
  if (!in) return true;
  std::stringstream buf;
  buf << in.rdbuf();
  BundledReport r;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto parsed = google::protobuf::util::JsonStringToMessage(
      buf.str(), &r.report, options);
  if (!parsed.ok()) {
    std::fprintf(stderr,
                 "verification FAILED: report.json does not parse as a "
                 "ComplianceReport: %s\n",
                 std::string(parsed.message()).c_str());
    return false;
  }
  for (const auto& o : r.report.obligations()) {
    if (o.finding_sequence() != 0) r.wanted.insert(o.finding_sequence());
  }
  *out = std::move(r);
  return true;
}

int VerifyFailed(const std::string& message, bool json) {
  std::fprintf(stderr, "verification FAILED: %s\n", message.c_str());
  if (json) {
    std::printf("%s\n", nlohmann::ordered_json(
                            {{"verified", false}, {"error", message}})
                            .dump()
                            .c_str());
  }
  return 1;
}

int JournalVerify(const std::string& dir, const std::string& previous_file,
                  const std::string& key, bool json) {
  aigov::tlog::VerifyOptions options;
  options.key = key;
  if (!previous_file.empty()) {
    std::ifstream in(previous_file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "error: cannot read %s\n", previous_file.c_str());
      return 1;
    }
    std::stringstream buf;
    buf << in.rdbuf();
    options.previous_note = buf.str();
  }
  if (::isatty(STDERR_FILENO) != 0) {
    options.progress = [](uint64_t done, uint64_t total) {
      if (total == 0) {  // a partial bundle: its size is known at the end
        std::fprintf(stderr, "\rverifying: %llu entries",
                     static_cast<unsigned long long>(done));
        return;
      }
      std::fprintf(stderr, "\rverifying: %llu / %llu entries",
                   static_cast<unsigned long long>(done),
                   static_cast<unsigned long long>(total));
      if (done == total) std::fprintf(stderr, "\n");
    };
  }
  std::optional<BundledReport> report;
  if (!ReadBundledReport(dir, &report)) return 1;
  if (report) {
    options.on_entry = [&report](uint64_t index, absl::string_view entry) {
      if (report->wanted.count(index) != 0) {
        report->entries[index] = std::string(entry);
      }
    };
  }
  auto summary = aigov::tlog::VerifyBundle(dir, options);
  if (!summary.ok()) {
    return VerifyFailed(std::string(summary.status().message()), json);
  }
  std::optional<aigov::attestation::ReportCheck> checked;
  if (report) {
    auto verifier = aigov::tlog::NoteVerifier::FromVerifierKey(summary->key);
    if (!verifier.ok()) {
      return VerifyFailed(std::string(verifier.status().message()), json);
    }
    const aigov::tlog::Checkpoint checkpoint{summary->origin,
                                             summary->tree_size, summary->root};
    auto check = aigov::attestation::CheckReport(
        report->report, *verifier, checkpoint,
        [&report](uint64_t s) -> std::optional<std::string> {
          auto it = report->entries.find(s);
          if (it == report->entries.end()) return std::nullopt;
          return it->second;
        });
    if (!check.ok()) {
      return VerifyFailed(std::string(check.status().message()), json);
    }
    checked = *check;
  }
  // A key read from the bundle shows the bundle is intact, not who made it:
  // anyone can sign a bundle with a key of their own and ship that key.
  const std::string signature =
      summary->key_from_bundle
          ? "signed by the bundle's own key (public_key; this proves nothing "
            "about who signed: pass --key with the operator's verifier key, "
            "from aigovctl journal public-key)"
          : "signature valid for the --key given";
  if (json) {
    nlohmann::ordered_json out = {
        {"verified", true},
        {"origin", summary->origin},
        {"tree_size", summary->tree_size},
        {"root_hash", aigov::tlog::HashHex(summary->root)},
        {"partial", summary->partial},
        {"entries", summary->partial ? summary->entries : summary->tree_size},
        {"pruned", summary->pruned},
        {"previous_size", nullptr},
        {"key_source", summary->key_from_bundle ? "bundle" : "--key"},
        {"report", nullptr}};
    if (summary->previous_size) out["previous_size"] = *summary->previous_size;
    if (checked) {
      out["report"] = {{"system_id", report->report.system_id()},
                       {"obligations", checked->obligations},
                       {"rest_on_findings", checked->rest_on_findings}};
    }
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }
  std::string extra;
  if (summary->pruned > 0)
    absl::StrAppend(&extra, ", ", summary->pruned, " pruned");
  if (summary->previous_size) {
    absl::StrAppend(&extra,
                    ", consistent with the previous checkpoint at size ",
                    *summary->previous_size);
  }
  if (summary->partial) {
    std::printf(
        "verified: %llu entries, each proven included in the %llu entries of "
        "%s, root %s, %s%s\n",
        static_cast<unsigned long long>(summary->entries),
        static_cast<unsigned long long>(summary->tree_size),
        summary->origin.c_str(), aigov::tlog::HashHex(summary->root).c_str(),
        signature.c_str(), extra.c_str());
  } else {
    std::printf("verified: %llu entries of %s, root %s, %s%s\n",
                static_cast<unsigned long long>(summary->tree_size),
                summary->origin.c_str(),
                aigov::tlog::HashHex(summary->root).c_str(), signature.c_str(),
                extra.c_str());
  }
  if (checked) {
    std::printf(
        "report.json: the %llu obligations of %s are as attested at that "
        "checkpoint; %llu rest on the ComplianceFinding entry they cite, "
        "proven above\n",
        static_cast<unsigned long long>(checked->obligations),
        report->report.system_id().c_str(),
        static_cast<unsigned long long>(checked->rest_on_findings));
  }
  return 0;
}

int JournalEraseSubject(const std::string& target, const std::string& subject,
                        std::string event_id, bool json) {
  if (event_id.empty()) {
    // Random, never derived from the subject: an id computed from an e-mail
    // would let anyone holding the journal confirm a guess. Running the
    // erasure twice is harmless (the second finds no key).
    event_id = absl::StrCat(
        "erase-", aigov::common::HexEncode(aigov::common::RandomBytes(16)));
  }
  aigov::v1::EraseSubjectRequest req;
  req.set_event_id(event_id);
  req.set_subject(subject);
  aigov::v1::EraseSubjectResponse resp;
  if (!CallJournal(target, &aigov::v1::JournalService::Stub::EraseSubject, req,
                   &resp, std::chrono::minutes(10))) {
    return 1;
  }
  if (json) {
    std::printf("%s\n",
                nlohmann::ordered_json({{"subject_id", resp.subject_id()},
                                        {"sequence", resp.sequence()},
                                        {"key_existed", resp.key_existed()}})
                    .dump()
                    .c_str());
    return 0;
  }
  std::printf(
      "subject %s erased (sequence %llu)%s\n", resp.subject_id().c_str(),
      static_cast<unsigned long long>(resp.sequence()),
      resp.key_existed() ? "" : "; no personal data was recorded for it");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "aigovctl: command-line client of aigovd, the AI governance daemon",
      "aigovctl"};
  std::string target = "127.0.0.1:7420";
  if (const char* env = std::getenv("AIGOV_TARGET"); env != nullptr && *env)
    target = env;
  app.add_option("--target", target, "aigovd gRPC address (env AIGOV_TARGET)")
      ->capture_default_str();
  bool show_version = false;
  app.add_flag("--version", show_version, "Print the version and exit");
  app.require_subcommand(0, 1);
  // --target (a global option) is accepted after a subcommand too.
  app.fallthrough();

  int rc = 0;
  auto* apply = app.add_subcommand(
      "apply",
      "Record the documents of YAML or JSON files (kind: AiSystem, "
      "ModelVersion, DatasetVersion, Run, Deployment, Incident, ...)");
  std::vector<std::string> files;
  apply
      ->add_option("-f,--filename", files,
                   "File to apply; - reads stdin; repeatable")
      ->required();
  bool apply_json = false;
  apply->add_flag("--json", apply_json,
                  "Print one JSON array: {file, line, kind, name, result, "
                  "sequence, error} per document");
  apply->callback(
      [&] { rc = aigov::cli::ApplyFiles(target, files, apply_json); });

  auto* get_cmd = app.add_subcommand(
      "get",
      "Show the current state of records: get KIND lists them, get KIND ID "
      "(ID@VERSION for ModelVersion and DatasetVersion) shows one");
  std::string get_kind;
  std::string get_id;
  bool get_records_json = false;
  bool get_unregistered = false;
  bool get_unfinished = false;
  std::vector<std::string> gettable;
  for (const aigov::kinds::Kind& k : aigov::kinds::All()) {
    if (k.record || k.kind == aigov::v1::EVENT_KIND_RUN_EVENT) {
      gettable.push_back(k.name);
    }
  }
  get_cmd
      ->add_option("kind", get_kind,
                   absl::StrCat("One of ", absl::StrJoin(gettable, ", ")))
      ->required();
  get_cmd->add_option("id", get_id, "Record id (ID@VERSION for one version)");
  get_cmd->add_flag("--json", get_records_json, "Print JSON");
  get_cmd->add_flag("--unregistered", get_unregistered,
                    "Only records named by others but never registered "
                    "(shadow AI systems, datasets declared by lineage)");
  get_cmd->add_flag("--unfinished", get_unfinished,
                    "Run only: runs without a COMPLETE, FAIL or ABORT event");
  get_cmd->callback([&] {
    rc = aigov::cli::GetRecords(target, get_kind, get_id, get_records_json,
                                get_unregistered, get_unfinished);
  });

  auto* lineage = app.add_subcommand("lineage", "Query the lineage graph");
  lineage->require_subcommand(1);
  auto* impact = lineage->add_subcommand(
      "impact",
      "Everything downstream of a dataset version: derived datasets, model "
      "versions trained or evaluated on them, deployments serving those");
  std::string impact_dataset;
  bool impact_json = false;
  impact->add_option("--dataset", impact_dataset, "ID@VERSION")->required();
  impact->add_flag("--json", impact_json, "Print JSON");
  impact->callback([&] {
    rc = aigov::cli::LineageImpact(target, impact_dataset, impact_json);
  });
  auto* provenance = lineage->add_subcommand(
      "provenance",
      "Everything upstream of a model version or deployment, down to the "
      "source datasets with their licences and personal-data flags");
  std::string provenance_model;
  std::string provenance_deployment;
  bool provenance_json = false;
  provenance->add_option("--model", provenance_model, "ID@VERSION");
  provenance->add_option("--deployment", provenance_deployment,
                         "Deployment id");
  provenance->add_flag("--json", provenance_json, "Print JSON");
  provenance->callback([&] {
    rc = aigov::cli::LineageProvenance(target, provenance_model,
                                       provenance_deployment, provenance_json);
  });

  auto* drift = app.add_subcommand(
      "drift", "Drift state of a model version (MonitoringService)");
  drift->require_subcommand(1);
  auto* drift_status = drift->add_subcommand(
      "status",
      "Each feature's state (OK, WARN, ALERT, INSUFFICIENT_DATA), since when, "
      "n and scores after the last evaluated window; the dataset state");
  std::string drift_model;
  bool drift_status_json = false;
  drift_status->add_option("--model", drift_model, "ID@VERSION")->required();
  drift_status->add_flag("--json", drift_status_json, "Print JSON");
  drift_status->callback([&] {
    rc = aigov::cli::DriftStatus(target, drift_model, drift_status_json);
  });
  auto* drift_history = drift->add_subcommand(
      "history",
      "Every state transition of the model version's features, in window "
      "order, with the sequence of the DriftEvaluation entry");
  std::string history_model;
  std::string history_feature;
  bool history_json = false;
  drift_history->add_option("--model", history_model, "ID@VERSION")->required();
  drift_history->add_option("--feature", history_feature, "Only this feature");
  drift_history->add_flag("--json", history_json, "Print JSON");
  auto* drift_profile = drift->add_subcommand(
      "profile",
      "Compute a ReferenceProfile from a CSV file (header row; numeric "
      "columns binned on the minimum, deciles and just above the maximum, "
      "others as top categories), printed as JSON (a document for `apply "
      "-f`); no daemon needed");
  aigov::cli::ProfileOptions profile_options;
  drift_profile->add_option("--csv", profile_options.csv, "Reference data")
      ->required();
  drift_profile->add_option("--model", profile_options.model, "ID@VERSION")
      ->required();
  drift_profile->add_option("--window", profile_options.window,
                            "Window length, whole seconds (default 1h)");
  drift_profile
      ->add_option("--categorical", profile_options.categorical,
                   "Columns to bin as categories even when numeric")
      ->delimiter(',');
  drift_profile
      ->add_option("--critical", profile_options.critical,
                   "Features whose ALERT puts the dataset in ALERT")
      ->delimiter(',');
  drift_profile
      ->add_option("--exclude", profile_options.exclude,
                   "Features counted but never scored")
      ->delimiter(',');
  drift_profile->add_option("--max-categories", profile_options.max_categories,
                            "Top categories kept per feature (default 20)");
  drift_profile
      ->add_option("--count", profile_options.count_csv,
                   "Also count this CSV in the bins, as a WindowProfile")
      ->needs(drift_profile->add_option(
          "--window-start", profile_options.window_start,
          "The counted window's start (RFC 3339)"));
  drift_profile->callback(
      [&] { rc = aigov::cli::DriftProfile(profile_options); });
  drift_history->callback([&] {
    rc = aigov::cli::DriftHistory(target, history_model, history_feature,
                                  history_json);
  });

  auto* compliance = app.add_subcommand(
      "compliance",
      "AI Act and GDPR obligations and where each system stands "
      "(ComplianceService)");
  compliance->require_subcommand(1);
  auto* obligations = compliance->add_subcommand(
      "obligations",
      "The obligation catalog (AIA-01..AIA-32, GDPR-01..GDPR-15) with the "
      "day each applies from under a regime");
  std::string obligations_regime;
  bool obligations_json = false;
  obligations->add_option(
      "--regime", obligations_regime,
      "eu-ai-act-2024 or eu-ai-act-omnibus-2026 (default: the daemon's "
      "compliance.regime)");
  obligations->add_flag("--json", obligations_json, "Print JSON");
  obligations->callback([&] {
    rc = aigov::cli::ComplianceObligations(target, obligations_regime,
                                           obligations_json);
  });
  auto* status = compliance->add_subcommand(
      "status",
      "Every obligation of one AI system: status, reason, deadline and the "
      "journal entries it rests on. --at in the past answers from the "
      "findings journalled by then; in the future, projects today's record");
  std::string status_system;
  std::string status_at;
  bool status_json = false;
  status->add_option("--system", status_system, "AI system id")->required();
  status->add_option("--at", status_at,
                     "RFC 3339 instant, e.g. 2027-01-15T00:00:00Z "
                     "(default: now)");
  bool status_open = false;
  status->add_flag("--open", status_open,
                   "Only the obligations violated, at risk or pending (what "
                   "needs doing), each with what would fix it");
  status->add_flag("--json", status_json, "Print JSON");
  status->callback([&] {
    rc = aigov::cli::ComplianceStatus(target, status_system, status_at,
                                      status_open, status_json);
  });
  auto* findings = compliance->add_subcommand(
      "findings",
      "The findings in force (the last journalled per system and "
      "obligation), by system then obligation");
  std::string findings_system;
  std::string findings_status;
  std::string findings_obligation;
  bool findings_json = false;
  findings->add_option("--system", findings_system, "Only this AI system");
  findings->add_option("--status", findings_status,
                       "Only this status: SATISFIED, PENDING, AT_RISK, "
                       "VIOLATED, NOT_APPLICABLE, NOT_YET_APPLICABLE");
  findings->add_option("--obligation", findings_obligation,
                       "Only this obligation id, e.g. AIA-20");
  findings->add_flag("--json", findings_json, "Print JSON");
  findings->callback([&] {
    rc =
        aigov::cli::ComplianceFindings(target, findings_system, findings_status,
                                       findings_obligation, findings_json);
  });

  auto* report = compliance->add_subcommand(
      "report",
      "The compliance report of one AI system: profile and risk class, "
      "obligations with their evidence, deployed versions with provenance, "
      "drift and performance, oversight, incidents and requests with their "
      "clocks, and the signed checkpoint every cited entry is proven by");
  std::string report_system;
  std::string report_at;
  std::string report_format = "md";
  std::string report_out;
  std::string report_bundle;
  report->add_option("--system", report_system, "AI system id")->required();
  report->add_option("--at", report_at,
                     "RFC 3339 instant, e.g. 2027-01-15T00:00:00Z "
                     "(default: now)");
  std::string report_since;
  report->add_option("--since", report_since,
                     "RFC 3339 instant the summary counts changes from, e.g. "
                     "the previous report's (default: 30 days before --at)");
  report->add_option("--format", report_format,
                     "md (default), json or html (one self-contained page)");
  report->add_option("--out", report_out, "Write to FILE (default: stdout)");
  report->add_option("--bundle", report_bundle,
                     "Also write the proof bundle into DIR: the cited "
                     "entries with inclusion proofs, checkpoint, public_key, "
                     "report.json (check with aigovctl journal verify DIR)");
  report->callback([&] {
    rc = aigov::cli::ComplianceReport(target, report_system, report_at,
                                      report_since, report_format, report_out,
                                      report_bundle);
  });

  auto* annex = compliance->add_subcommand(
      "annex-iv",
      "The Annex IV technical documentation of one model version (AI Act "
      "Art. 11): its nine points filled from the journal, each gap stated, "
      "every statement citing the entries it rests on");
  std::string annex_system;
  std::string annex_model;
  std::string annex_at;
  std::string annex_format = "md";
  std::string annex_out;
  std::string annex_bundle;
  annex->add_option("--system", annex_system, "AI system id")->required();
  annex
      ->add_option("--model", annex_model,
                   "Model version, ID@VERSION (e.g. credit-scoring@2.0)")
      ->required();
  annex->add_option("--at", annex_at,
                    "RFC 3339 instant, e.g. 2027-01-15T00:00:00Z "
                    "(default: now)");
  annex->add_option(
      "--format", annex_format,
      "md (default), json (the dossier in Markdown, its gaps and the report it "
      "is drawn from) or html (one self-contained page)");
  annex->add_option("--out", annex_out,
                    "Write to FILE (default: stdout); the gaps are then "
                    "listed on stderr");
  annex->add_option("--bundle", annex_bundle,
                    "Also write the proof bundle of the system's report into "
                    "DIR (check with aigovctl journal verify DIR)");
  annex->callback([&] {
    rc = aigov::cli::ComplianceAnnexIv(target, annex_system, annex_model,
                                       annex_at, annex_format, annex_out,
                                       annex_bundle);
  });

  auto* training = compliance->add_subcommand(
      "training-summary",
      "The public summary of the content used to train a general-purpose "
      "model version (AI Act Art. 53(1)(d)), in the Commission template's "
      "structure, from the lineage graph and the registered datasets");
  std::string training_model;
  std::string training_format = "md";
  std::string training_out;
  std::string training_bundle;
  training
      ->add_option("--model", training_model,
                   "Model version, ID@VERSION (e.g. studio-lm@1.1)")
      ->required();
  training->add_option("--format", training_format,
                       "md (default), json or html");
  training->add_option("--out", training_out,
                       "Write to FILE (default: stdout); the gaps are then "
                       "listed on stderr");
  training->add_option("--bundle", training_bundle,
                       "Also write the proof bundle of the entries it cites "
                       "into DIR, with summary.json (check with aigovctl "
                       "journal verify DIR)");
  training->callback([&] {
    rc = aigov::cli::ComplianceTrainingSummary(
        target, training_model, training_format, training_out, training_bundle);
  });

  auto* journal = app.add_subcommand("journal", "Read the audit journal");
  journal->require_subcommand(1);
  auto* list =
      journal->add_subcommand("list", "List journal entries in sequence order");
  bool list_json = false;
  std::string model;
  std::string kind;
  uint64_t from = 0;
  uint64_t limit = 0;
  list->add_flag(
      "--json", list_json,
      "Print a JSON array of {sequence, recorded_at, kind, event_id, event}");
  list->add_option("--model", model, "Only entries about this model id");
  list->add_option(
      "--kind", kind,
      absl::StrCat("Only entries of this kind: ",
                   absl::StrJoin(aigov::kinds::KindNames(), ", ")));
  list->add_option("--from", from, "First sequence number")
      ->capture_default_str();
  list->add_option("--limit", limit, "Most entries to print; 0 means all")
      ->capture_default_str();
  list->callback(
      [&] { rc = JournalList(target, list_json, model, kind, from, limit); });

  auto* get = journal->add_subcommand("get", "Show one journal entry");
  uint64_t sequence = 0;
  bool get_json = false;
  get->add_option("sequence", sequence, "Sequence number")->required();
  get->add_flag("--json", get_json, "Print as JSON");
  get->callback([&] { rc = JournalGet(target, sequence, get_json); });

  auto* checkpoint = journal->add_subcommand(
      "checkpoint", "Show the latest signed checkpoint");
  bool checkpoint_json = false;
  checkpoint->add_flag(
      "--json", checkpoint_json,
      "Print {origin, tree_size, root_hash, note, public_key}");
  checkpoint->callback(
      [&] { rc = JournalCheckpoint(target, checkpoint_json); });

  auto* public_key = journal->add_subcommand(
      "public-key",
      "Print the checkpoint verifier key (<name>+<key id>+<base64 key>)");
  bool public_key_json = false;
  public_key->add_flag("--json", public_key_json, "Print {public_key}");
  public_key->callback([&] { rc = JournalPublicKey(target, public_key_json); });

  auto* proof = journal->add_subcommand(
      "proof", "Inclusion proof of one entry (RFC 6962)");
  uint64_t proof_index = 0;
  uint64_t proof_size = 0;
  bool proof_json = false;
  proof->add_option("--index", proof_index, "Leaf index (= sequence number)")
      ->required();
  proof
      ->add_option("--tree-size", proof_size,
                   "Size of the tree the proof is for")
      ->required();
  proof->add_flag("--json", proof_json,
                  "Print {leaf_index, tree_size, leaf_hash, path}");
  proof->callback(
      [&] { rc = JournalProof(target, proof_index, proof_size, proof_json); });

  auto* consistency = journal->add_subcommand(
      "consistency", "Consistency proof between two tree sizes");
  uint64_t from_size = 0;
  uint64_t to_size = 0;
  bool consistency_json = false;
  consistency->add_option("--from", from_size, "Older tree size")->required();
  consistency->add_option("--to", to_size, "Newer tree size")->required();
  consistency->add_flag("--json", consistency_json, "Print {from, to, path}");
  consistency->callback([&] {
    rc = JournalConsistency(target, from_size, to_size, consistency_json);
  });

  auto* export_cmd = journal->add_subcommand(
      "export",
      "Write an audit bundle (entries.jsonl, checkpoint, public_key)");
  std::string out_dir;
  export_cmd
      ->add_option("--out", out_dir, "Directory to write (created if missing)")
      ->required();
  bool export_json = false;
  export_cmd->add_flag("--json", export_json,
                       "Print {dir, entries, tree_size}");
  export_cmd->callback(
      [&] { rc = JournalExport(target, out_dir, export_json); });

  auto* verify = journal->add_subcommand(
      "verify",
      "Verify an audit bundle offline (no daemon needed): a full export, "
      "or a report's partial bundle (each entry's inclusion proof); with a "
      "report.json, also the report's signed attestation (every "
      "obligation's status, deadline, evidence and reason as signed) and "
      "each status against the ComplianceFinding entry it cites");
  std::string verify_dir;
  std::string previous_file;
  std::string verify_key;
  verify->add_option("dir", verify_dir, "Bundle directory")->required();
  verify->add_option(
      "--previous", previous_file,
      "An older checkpoint note the bundle must be consistent with");
  verify->add_option(
      "--key", verify_key,
      "Verifier key to trust (aigovctl journal public-key, from the "
      "operator); without it the bundle's own public_key is used, which "
      "proves the bundle intact but not who signed it");
  bool verify_json = false;
  verify->add_flag("--json", verify_json,
                   "Print {verified, origin, tree_size, root_hash, partial, "
                   "entries, pruned, previous_size, key_source, report: "
                   "{system_id, obligations, rest_on_findings} or null} or "
                   "{verified: false, error}");
  verify->callback([&] {
    rc = JournalVerify(verify_dir, previous_file, verify_key, verify_json);
  });

  auto* erase = journal->add_subcommand(
      "erase-subject",
      "Erase a data subject's personal data (GDPR Art. 17, crypto-shredding)");
  std::string erase_subject;
  std::string erase_event_id;
  erase
      ->add_option("--subject", erase_subject,
                   "The subject as recorded (e.g. an e-mail)")
      ->required();
  erase->add_option("--event-id", erase_event_id,
                    "Idempotency key; random when absent");
  bool erase_json = false;
  erase->add_flag("--json", erase_json,
                  "Print {subject_id, sequence, key_existed}");
  erase->callback([&] {
    rc = JournalEraseSubject(target, erase_subject, erase_event_id, erase_json);
  });

  // Every command's --help ends with the exit statuses.
  const std::function<void(CLI::App*)> footer = [&](CLI::App* a) {
    a->footer(
        "Exit status: 0 success; 1 a request, document or verification "
        "failed (or aigovd could not be reached); 2 a usage error. Long "
        "operations show progress on stderr when it is a terminal.");
    for (CLI::App* sub : a->get_subcommands({})) footer(sub);
  };
  footer(&app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (show_version) {
    std::printf("aigovctl %s\n", AIGOV_VERSION);
    return 0;
  }
  if (app.get_subcommands().empty()) {
    std::fprintf(stderr, "%s", app.help().c_str());
    return 2;
  }
  return rc;
}
