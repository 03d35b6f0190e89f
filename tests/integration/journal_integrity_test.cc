// The verifiable journal end to end: crash safety under kill -9, tampering
// detected by aigovd --verify and by offline bundle verification, and proof
// requests out of range. Real aigovd, real RocksDB on disk.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"

#include "aigov/v1/governance_service.grpc.pb.h"
#include "aigov/v1/journal_service.grpc.pb.h"
#include "aigov/v1/registry_service.grpc.pb.h"
#include "daemon/journal/journal_keys.h"
#include "daemon/tlog/checkpoint.h"
#include "daemon/tlog/merkle.h"
#include "tests/integration/daemon_process.h"

namespace aigov::testing {
namespace {

using ::testing::HasSubstr;

aigov::v1::RegisterModelVersionRequest Request(const std::string& id) {
  aigov::v1::RegisterModelVersionRequest r;
  r.set_event_id(id);
  auto* mv = r.mutable_model_version();
  mv->set_model_id("crash-model");
  mv->set_version(id);
  mv->set_system_id("loans");
  mv->set_artifact_sha256(std::string(64, 'c'));
  return r;
}

struct Stubs {
  explicit Stubs(const std::string& target)
      : channel(
            grpc::CreateChannel(target, grpc::InsecureChannelCredentials())),
        registry(aigov::v1::RegistryService::NewStub(channel)),
        journal(aigov::v1::JournalService::NewStub(channel)) {}

  aigov::v1::GetCheckpointResponse Checkpoint() {
    grpc::ClientContext ctx;
    aigov::v1::GetCheckpointResponse resp;
    EXPECT_TRUE(journal->GetCheckpoint(&ctx, {}, &resp).ok());
    return resp;
  }

  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<aigov::v1::RegistryService::Stub> registry;
  std::unique_ptr<aigov::v1::JournalService::Stub> journal;
};

tlog::Hash ToHash(const std::string& bytes) {
  tlog::Hash h{};
  EXPECT_TRUE(tlog::HashFromBytes(bytes, &h));
  return h;
}

// Checks `note` is signed by `key` and returns the checkpoint it carries.
tlog::Checkpoint VerifiedCheckpoint(const std::string& note,
                                    const std::string& key) {
  auto verifier = tlog::NoteVerifier::FromVerifierKey(key);
  EXPECT_TRUE(verifier.ok()) << verifier.status();
  auto body = verifier->Verify(note);
  EXPECT_TRUE(body.ok()) << body.status();
  return *tlog::ParseCheckpoint(*body);
}

class JournalIntegrityTest : public ::testing::Test {
 protected:
  std::string DataDir() const { return tmp_.path() + "/data"; }
  std::string WriteConfig(const std::string& yaml) {
    const std::string path = tmp_.path() + "/config.yaml";
    std::ofstream(path) << yaml;
    return path;
  }
  TempDir tmp_;
};

TEST_F(JournalIntegrityTest,
       KillNineLosesNothingAcknowledgedAndStaysConsistent) {
  const std::string config =
      WriteConfig("journal:\n  checkpoint_interval: 50ms\n");
  std::map<std::string, std::pair<uint64_t, std::string>>
      acked;  // id -> (seq, leaf)
  std::string public_key;
  tlog::Checkpoint last_seen{"", 0, tlog::EmptyRoot()};
  std::string last_note;
  int next_id = 0;
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    DaemonProcess d(DataDir(), {"--config=" + config});
    ASSERT_TRUE(d.Start()) << d.log();
    Stubs stubs(d.grpc_target());

    // The new checkpoint is consistent with the last one seen before the
    // previous crash.
    auto first = stubs.Checkpoint();
    if (public_key.empty()) public_key = first.public_key();
    EXPECT_EQ(first.public_key(), public_key);  // same key across restarts
    const tlog::Checkpoint now = VerifiedCheckpoint(first.note(), public_key);
    ASSERT_GE(now.size, last_seen.size);
    {
      grpc::ClientContext ctx;
      aigov::v1::GetConsistencyProofRequest req;
      req.set_from_size(last_seen.size);
      req.set_to_size(now.size);
      aigov::v1::GetConsistencyProofResponse resp;
      ASSERT_TRUE(stubs.journal->GetConsistencyProof(&ctx, req, &resp).ok());
      std::vector<tlog::Hash> proof;
      for (const auto& h : resp.hashes()) proof.push_back(ToHash(h));
      EXPECT_TRUE(tlog::VerifyConsistency(last_seen.size, now.size, proof,
                                          last_seen.root, now.root)
                      .ok());
    }
    // Every entry acknowledged before the crash is there, unchanged.
    for (const auto& [id, where] : acked) {
      grpc::ClientContext ctx;
      aigov::v1::GetEntryRequest req;
      req.set_sequence(where.first);
      aigov::v1::GetEntryResponse resp;
      ASSERT_TRUE(stubs.journal->GetEntry(&ctx, req, &resp).ok()) << id;
      EXPECT_EQ(resp.entry().event_id(), id);
    }

    // Concurrent writers; kill -9 while they run.
    std::mutex mu;
    std::atomic<bool> stop{false};
    std::atomic<int> acked_this_round{0};
    std::vector<std::thread> writers;
    const int base = next_id;
    for (int w = 0; w < 8; ++w) {
      writers.emplace_back([&, w] {
        Stubs mine(d.grpc_target());
        for (int i = 0; !stop.load(); ++i) {
          const std::string id =
              "crash-" + std::to_string(base + w * 100000 + i);
          aigov::v1::RegisterModelVersionResponse resp;
          grpc::ClientContext ctx;
          ctx.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::seconds(30));
          if (!mine.registry->RegisterModelVersion(&ctx, Request(id), &resp)
                   .ok())
            break;
          std::lock_guard<std::mutex> lock(mu);
          acked[id] = {resp.sequence(), resp.leaf_hash()};
          acked_this_round.fetch_add(1);
        }
      });
    }
    // Let some writes land and a checkpoint covering some of them be seen.
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      auto cp = stubs.Checkpoint();
      if (acked_this_round.load() >= 200 && cp.tree_size() > now.size) {
        last_note = cp.note();
        last_seen = VerifiedCheckpoint(cp.note(), public_key);
        break;
      }
    }
    ASSERT_GT(last_seen.size, now.size)
        << "no checkpoint advanced during the round";
    EXPECT_EQ(d.Stop(SIGKILL), 128 + SIGKILL);
    stop.store(true);
    for (auto& t : writers) t.join();
    next_id = base + 8 * 100000;
  }

  // After the last crash: the full check of every entry passes, and an
  // export verifies offline and is consistent with the last checkpoint seen.
  const CommandResult verify =
      RunCommand({AigovdPath(), "--data_dir=" + DataDir(), "--verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_THAT(verify.out, HasSubstr("journal verified:"));

  DaemonProcess d(DataDir(), {"--config=" + config});
  ASSERT_TRUE(d.Start()) << d.log();
  const std::string bundle = tmp_.path() + "/bundle";
  const std::string previous = tmp_.path() + "/previous.note";
  std::ofstream(previous) << last_note;
  CommandResult r = RunCommand({AigovctlPath(), "--target=" + d.grpc_target(),
                                "journal", "export", "--out", bundle});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunCommand(
      {AigovctlPath(), "journal", "verify", bundle, "--previous", previous});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("consistent with the previous checkpoint"));
  // Each acknowledged leaf hash is the exported one.
  std::ifstream in(bundle + "/entries.jsonl");
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  for (const auto& [id, where] : acked) {
    ASSERT_LT(where.first, lines.size());
    EXPECT_THAT(lines[where.first], HasSubstr(common::HexEncode(where.second)))
        << id;
  }
}

// Rewrites entry `index` in the stopped daemon's RocksDB with a well-formed
// different entry, through the RocksDB API (RocksDB's checksums stay valid).
void RewriteEntry(const std::string& data_dir, uint64_t index) {
  rocksdb::DBOptions options;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(options, data_dir, &names).ok());
  for (const std::string& n : names)
    families.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(
      rocksdb::DB::Open(options, data_dir, families, &handles, &db).ok());
  rocksdb::ColumnFamilyHandle* entries = nullptr;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == journal::kEntriesFamily) entries = handles[i];
  }
  ASSERT_NE(entries, nullptr);
  std::string bytes;
  ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), entries,
                      journal::EncodeSequence(index), &bytes)
                  .ok());
  aigov::v1::JournalEntry e;
  ASSERT_TRUE(e.ParseFromString(bytes));
  e.mutable_model_version()->set_system_id("someone-else");
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), entries,
                      journal::EncodeSequence(index), e.SerializeAsString())
                  .ok());
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  delete db;
}

TEST_F(JournalIntegrityTest, TamperingIsNamedByVerifyAndByOfflineBundleCheck) {
  {
    DaemonProcess d(DataDir());
    ASSERT_TRUE(d.Start()) << d.log();
    Stubs stubs(d.grpc_target());
    for (int i = 0; i < 30; ++i) {
      aigov::v1::RegisterModelVersionResponse resp;
      grpc::ClientContext ctx;
      ASSERT_TRUE(stubs.registry
                      ->RegisterModelVersion(
                          &ctx, Request("t" + std::to_string(i)), &resp)
                      .ok());
    }
    // A bundle exported before the tampering verifies...
    const CommandResult r =
        RunCommand({AigovctlPath(), "--target=" + d.grpc_target(), "journal",
                    "export", "--out", tmp_.path() + "/before"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(d.Stop(SIGTERM), 0);
  }
  CommandResult r = RunCommand(
      {AigovctlPath(), "journal", "verify", tmp_.path() + "/before"});
  EXPECT_EQ(r.exit_code, 0) << r.err;

  RewriteEntry(DataDir(), 13);

  r = RunCommand({AigovdPath(), "--data_dir=" + DataDir(), "--verify"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("entry 13:"));

  // The daemon still starts (its head matches its nodes; the full check is
  // not part of startup), and a new export names the index offline.
  DaemonProcess d(DataDir());
  ASSERT_TRUE(d.Start()) << d.log();
  const std::string after = tmp_.path() + "/after";
  r = RunCommand({AigovctlPath(), "--target=" + d.grpc_target(), "journal",
                  "export", "--out", after});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunCommand({AigovctlPath(), "journal", "verify", after});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("entry 13:"));

  // A flipped byte in the earlier, intact bundle is named too.
  std::ifstream in(tmp_.path() + "/before/entries.jsonl");
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  const size_t at = lines[21].find("entry_b64\":\"") + 20;
  lines[21][at] = lines[21][at] == 'A' ? 'B' : 'A';
  std::ofstream out(tmp_.path() + "/before/entries.jsonl", std::ios::trunc);
  for (const auto& l : lines) out << l << "\n";
  out.close();
  r = RunCommand(
      {AigovctlPath(), "journal", "verify", tmp_.path() + "/before"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("entry 21:"));
}

TEST_F(JournalIntegrityTest, RawFileCorruptionStopsStartupWithAClearMessage) {
  {
    DaemonProcess d(DataDir());
    ASSERT_TRUE(d.Start()) << d.log();
    Stubs stubs(d.grpc_target());
    for (int i = 0; i < 20; ++i) {
      aigov::v1::RegisterModelVersionResponse resp;
      grpc::ClientContext ctx;
      ASSERT_TRUE(stubs.registry
                      ->RegisterModelVersion(
                          &ctx, Request("f" + std::to_string(i)), &resp)
                      .ok());
    }
    EXPECT_EQ(d.Stop(SIGTERM), 0);  // flushes memtables into SST files
  }
  // Flip one byte inside the data of every SST file: RocksDB's block
  // checksums catch this before aigov's own checks are reached.
  int flipped = 0;
  for (const auto& f : std::filesystem::directory_iterator(DataDir())) {
    if (f.path().extension() != ".sst") continue;
    std::fstream io(f.path(), std::ios::in | std::ios::out | std::ios::binary);
    io.seekg(40);
    char c = 0;
    io.read(&c, 1);
    c = static_cast<char>(c ^ 0x20);
    io.seekp(40);
    io.write(&c, 1);
    ++flipped;
  }
  ASSERT_GT(flipped, 0);
  DaemonProcess d(DataDir());
  EXPECT_FALSE(d.Start());
  EXPECT_THAT(d.log(), HasSubstr("cannot start"));
  EXPECT_THAT(d.log(), HasSubstr("Corruption"));
}

TEST_F(JournalIntegrityTest, ErasingASubjectKeepsTheJournalVerifiable) {
  DaemonProcess d(DataDir());
  ASSERT_TRUE(d.Start()) << d.log();
  const std::string target = "--target=" + d.grpc_target();
  const std::string file = tmp_.path() + "/m.yaml";
  std::ofstream(file)
      << "kind: ModelVersion\nmodel_id: m\nversion: '1'\nsystem_id: s\n"
         "artifact_sha256: "
      << std::string(64, 'a')
      << "\ncreated_by: alice@example.com\n---\n"
         "kind: ModelVersion\nmodel_id: m\nversion: '2'\nsystem_id: s\n"
         "artifact_sha256: "
      << std::string(64, 'b') << "\ncreated_by: bob@example.com\n";
  CommandResult r = RunCommand({AigovctlPath(), target, "apply", "-f", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunCommand({AigovctlPath(), target, "journal", "list", "--json"});
  EXPECT_THAT(r.out, HasSubstr("\"created_by\":\"alice@example.com\""));

  r = RunCommand({AigovctlPath(), target, "journal", "erase-subject",
                  "--subject", "alice@example.com"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("erased (sequence 2)"));
  EXPECT_EQ(r.out.find("alice"),
            std::string::npos);  // only the pseudonym is shown

  r = RunCommand({AigovctlPath(), target, "journal", "list", "--json"});
  EXPECT_EQ(r.out.find("alice@example.com"), std::string::npos);
  EXPECT_THAT(r.out,
              HasSubstr("\"erased_fields\":[\"model_version.created_by\"]"));
  EXPECT_THAT(r.out, HasSubstr("\"created_by\":\"bob@example.com\""));
  EXPECT_THAT(r.out, HasSubstr("\"kind\":\"SubjectErasure\""));

  // The bundle verifies and holds neither subject in clear.
  const std::string bundle = tmp_.path() + "/bundle";
  r = RunCommand(
      {AigovctlPath(), target, "journal", "export", "--out", bundle});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunCommand({AigovctlPath(), "journal", "verify", bundle});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("verified: 3 entries"));
  std::ifstream in(bundle + "/entries.jsonl");
  int decoded = 0;
  for (std::string line; std::getline(in, line);) {
    const size_t at = line.find("\"entry_b64\":\"");
    ASSERT_NE(at, std::string::npos);
    const size_t start = at + 13;
    auto bytes =
        tlog::Base64Decode(line.substr(start, line.find('"', start) - start));
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ(bytes->find("alice@example.com"), std::string::npos);
    EXPECT_EQ(bytes->find("bob@example.com"),
              std::string::npos);  // sealed, not erased
    ++decoded;
  }
  EXPECT_EQ(decoded, 3);
  const std::string metrics = HttpGet(d.http_port(), "/metrics").body;
  EXPECT_EQ(
      MetricValue(
          metrics,
          R"(aigov_ingest_events_total{kind="subject_erasure",result="accepted"})"),
      1);
  EXPECT_EQ(d.Stop(SIGTERM), 0);
  r = RunCommand({AigovdPath(), "--data_dir=" + DataDir(), "--verify"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// Every entry of the journal, in order.
std::vector<aigov::v1::JournalEntry> AllEntries(Stubs& stubs) {
  std::vector<aigov::v1::JournalEntry> out;
  aigov::v1::ListEntriesRequest req;
  for (;;) {
    grpc::ClientContext ctx;
    aigov::v1::ListEntriesResponse resp;
    EXPECT_TRUE(stubs.journal->ListEntries(&ctx, req, &resp).ok());
    for (const auto& e : resp.entries()) out.push_back(e);
    if (!resp.has_more()) break;
    req.set_start_sequence(resp.next_sequence());
  }
  return out;
}

// An erasure request and its subject's erasure are one write: kill -9 while
// erasures are recorded, restart, and every erasure request is followed by
// exactly one SubjectErasure derived from it; retrying every request sent
// (acknowledged or not) adds none twice.
TEST_F(JournalIntegrityTest, KillNineNeverSeparatesAnErasureFromItsRequest) {
  std::vector<aigov::v1::RecordDataSubjectRequestRequest> sent;
  std::mutex mu;
  {
    DaemonProcess d(DataDir());
    ASSERT_TRUE(d.Start()) << d.log();
    Stubs stubs(d.grpc_target());
    {
      aigov::v1::RegisterDatasetVersionRequest ds;
      ds.set_event_id("ds");
      ds.mutable_dataset_version()->set_dataset_id("applications");
      ds.mutable_dataset_version()->set_version("1");
      ds.mutable_dataset_version()->set_content_sha256(std::string(64, 'a'));
      grpc::ClientContext ctx;
      aigov::v1::RegisterDatasetVersionResponse resp;
      ASSERT_TRUE(stubs.registry->RegisterDatasetVersion(&ctx, ds, &resp).ok());
    }
    std::atomic<bool> stop{false};
    std::atomic<int> acked{0};
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w] {
        auto governance =
            aigov::v1::GovernanceService::NewStub(grpc::CreateChannel(
                d.grpc_target(), grpc::InsecureChannelCredentials()));
        for (int i = 0; !stop.load(); ++i) {
          const std::string id =
              "dsr-" + std::to_string(w) + "-" + std::to_string(i);
          aigov::v1::RecordDataSubjectRequestRequest req;
          req.set_event_id(id);
          auto* r = req.mutable_data_subject_request();
          r->set_request_id(id);
          r->set_type(aigov::v1::DATA_SUBJECT_REQUEST_TYPE_ERASURE);
          r->set_status(aigov::v1::DATA_SUBJECT_REQUEST_STATUS_RECEIVED);
          r->set_subject(id + "@example.com");
          r->mutable_received_at()->set_seconds(1795000000);
          auto* ds = r->add_datasets();
          ds->set_dataset_id("applications");
          ds->set_version("1");
          {
            std::lock_guard<std::mutex> lock(mu);
            sent.push_back(req);
          }
          grpc::ClientContext ctx;
          ctx.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::seconds(30));
          aigov::v1::RecordDataSubjectRequestResponse resp;
          if (!governance->RecordDataSubjectRequest(&ctx, req, &resp).ok()) {
            break;
          }
          acked.fetch_add(1);
        }
      });
    }
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (acked.load() < 40 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_GE(acked.load(), 40);
    EXPECT_EQ(d.Stop(SIGKILL), 128 + SIGKILL);
    stop.store(true);
    for (auto& t : writers) t.join();
  }

  // Each erasure request at s is followed by its erasure at s + 1.
  const auto check = [](const std::vector<aigov::v1::JournalEntry>& all,
                        size_t* requests) {
    size_t erasures = 0;
    *requests = 0;
    for (size_t i = 0; i < all.size(); ++i) {
      if (all[i].has_subject_erasure()) ++erasures;
      if (!all[i].has_data_subject_request()) continue;
      ++*requests;
      ASSERT_LT(i + 1, all.size()) << all[i].event_id();
      const aigov::v1::JournalEntry& next = all[i + 1];
      ASSERT_TRUE(next.has_subject_erasure()) << all[i].event_id();
      EXPECT_EQ(next.principal(), "aigovd");
      ASSERT_EQ(next.derived_from_size(), 1);
      EXPECT_EQ(next.derived_from(0), all[i].sequence());
      EXPECT_EQ(next.subject_erasure().subject_id(),
                all[i].data_subject_request().erased_subject_id());
    }
    EXPECT_EQ(erasures, *requests);
  };
  DaemonProcess d(DataDir());
  ASSERT_TRUE(d.Start()) << d.log();
  Stubs stubs(d.grpc_target());
  size_t before = 0;
  check(AllEntries(stubs), &before);
  EXPECT_GE(before, 40u);
  // Retry every request sent, acknowledged or lost in the crash.
  auto governance = aigov::v1::GovernanceService::NewStub(stubs.channel);
  for (const auto& req : sent) {
    grpc::ClientContext ctx;
    aigov::v1::RecordDataSubjectRequestResponse resp;
    const grpc::Status s =
        governance->RecordDataSubjectRequest(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << req.event_id() << ": " << s.error_message();
    EXPECT_EQ(resp.erasure_sequence(), resp.sequence() + 1);
  }
  size_t after = 0;
  check(AllEntries(stubs), &after);
  EXPECT_EQ(after, sent.size());
  ASSERT_EQ(d.Stop(SIGTERM), 0) << d.log();
}

TEST_F(JournalIntegrityTest, ProofRequestsOutOfRangeAreClearErrors) {
  DaemonProcess d(DataDir());
  ASSERT_TRUE(d.Start()) << d.log();
  Stubs stubs(d.grpc_target());
  for (int i = 0; i < 3; ++i) {
    aigov::v1::RegisterModelVersionResponse resp;
    grpc::ClientContext ctx;
    ASSERT_TRUE(stubs.registry
                    ->RegisterModelVersion(
                        &ctx, Request("p" + std::to_string(i)), &resp)
                    .ok());
    // The leaf hash returned is SHA-256(0x00 ‖ the stored entry bytes).
    EXPECT_EQ(resp.leaf_hash().size(), 32u);
  }
  auto inclusion = [&](uint64_t index, uint64_t size) {
    grpc::ClientContext ctx;
    aigov::v1::GetInclusionProofRequest req;
    req.set_leaf_index(index);
    req.set_tree_size(size);
    aigov::v1::GetInclusionProofResponse resp;
    return stubs.journal->GetInclusionProof(&ctx, req, &resp);
  };
  auto consistency = [&](uint64_t from, uint64_t to) {
    grpc::ClientContext ctx;
    aigov::v1::GetConsistencyProofRequest req;
    req.set_from_size(from);
    req.set_to_size(to);
    aigov::v1::GetConsistencyProofResponse resp;
    return stubs.journal->GetConsistencyProof(&ctx, req, &resp);
  };
  EXPECT_TRUE(inclusion(2, 3).ok());
  grpc::Status s = inclusion(3, 3);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("leaf index 3 is not in a tree of size 3"));
  s = inclusion(0, 4);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_THAT(s.error_message(), HasSubstr("beyond the journal's size 3"));
  s = consistency(3, 1);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("from_size 3 is larger than to_size 1"));
  s = consistency(1, 10);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_TRUE(consistency(1, 3).ok());
}

}  // namespace
}  // namespace aigov::testing
