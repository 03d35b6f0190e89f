#include "daemon/server/journal_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

#include "daemon/ingest/event_validator.h"
#include "daemon/server/grpc_status.h"

namespace aigov::server {

grpc::ServerUnaryReactor* JournalServiceImpl::GetEntry(
    grpc::CallbackServerContext* context,
    const aigov::v1::GetEntryRequest* request,
    aigov::v1::GetEntryResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto entry = journal_.Get(request->sequence());
  if (!entry.ok()) {
    reactor->Finish(ToGrpcStatus(entry.status()));
    return reactor;
  }
  const absl::Status unsealed = journal_.Unseal(&*entry);
  if (!unsealed.ok()) {
    reactor->Finish(ToGrpcStatus(unsealed));
    return reactor;
  }
  *response->mutable_entry() = std::move(*entry);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* JournalServiceImpl::ListEntries(
    grpc::CallbackServerContext* context,
    const aigov::v1::ListEntriesRequest* request,
    aigov::v1::ListEntriesResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (!aigov::v1::EventKind_IsValid(request->kind())) {
    reactor->Finish(ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("kind: unknown value ", request->kind()))));
    return reactor;
  }
  if (!request->model_id().empty()) {
    const absl::Status s = ingest::ValidateId(request->model_id(), "model_id");
    if (!s.ok()) {
      reactor->Finish(ToGrpcStatus(s));
      return reactor;
    }
  }
  journal::ListQuery query;
  query.start_sequence = request->start_sequence();
  query.page_size = request->page_size() == 0
                        ? kDefaultPageSize
                        : std::min(request->page_size(), kMaxPageSize);
  query.model_id = request->model_id();
  query.kind = request->kind();
  query.max_bytes = kMaxPageBytes;
  auto page = journal_.List(query);
  if (!page.ok()) {
    reactor->Finish(ToGrpcStatus(page.status()));
    return reactor;
  }
  for (auto& e : page->entries) {
    const absl::Status unsealed = journal_.Unseal(&e);
    if (!unsealed.ok()) {
      reactor->Finish(ToGrpcStatus(unsealed));
      return reactor;
    }
    *response->add_entries() = std::move(e);
  }
  response->set_next_sequence(page->next_sequence);
  response->set_has_more(page->has_more);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

namespace {

std::string Bytes(const tlog::Hash& h) {
  return std::string(tlog::HashBytes(h));
}

// Streams the bundle in messages of at most ~1 MiB of entries. Owns itself.
class ExportReactor final
    : public grpc::ServerWriteReactor<aigov::v1::ExportResponse> {
 public:
  ExportReactor(const journal::JournalReader& journal,
                absl::StatusOr<journal::SignedCheckpoint> checkpoint,
                const std::string& public_key)
      : journal_(journal) {
    if (!checkpoint.ok()) {
      Finish(ToGrpcStatus(checkpoint.status()));
      return;
    }
    end_ = checkpoint->checkpoint.size;
    response_.set_checkpoint_note(checkpoint->note);
    response_.set_public_key(public_key);
    response_.set_tree_size(end_);
    Fill();
    StartWrite(&response_);
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "export write failed"));
      return;
    }
    if (next_ >= end_) {
      Finish(grpc::Status::OK);
      return;
    }
    response_.Clear();
    if (!Fill()) return;
    StartWrite(&response_);
  }

  void OnDone() override { delete this; }

 private:
  // Adds the next chunk of entries; on error finishes and returns false.
  bool Fill() {
    if (next_ >= end_) return true;
    auto chunk = journal_.ReadRange(next_, end_, 4096, 1 << 20);
    if (!chunk.ok()) {
      Finish(ToGrpcStatus(chunk.status()));
      return false;
    }
    for (journal::StoredEntry& e : *chunk) {
      aigov::v1::ExportedEntry* out = response_.add_entries();
      out->set_index(e.index);
      out->set_leaf_hash(Bytes(e.leaf_hash));
      out->set_entry(std::move(e.bytes));
      out->set_pruned(e.pruned);
    }
    next_ += chunk->size();
    return true;
  }

  const journal::JournalReader& journal_;
  aigov::v1::ExportResponse response_;
  uint64_t next_ = 0;
  uint64_t end_ = 0;
};

// Streams ProveEntries: batches of kBatch entries (one read of entries,
// one of proof nodes each), a message per batch. Owns itself.
class ProveReactor final
    : public grpc::ServerWriteReactor<aigov::v1::ProveEntriesResponse> {
 public:
  ProveReactor(const journal::JournalReader& journal,
               const aigov::v1::ProveEntriesRequest& request)
      : journal_(journal),
        tree_size_(request.tree_size()),
        sequences_(request.sequences().begin(), request.sequences().end()) {
    if (absl::Status s = Check(); !s.ok()) {
      Finish(ToGrpcStatus(s));
      return;
    }
    if (Fill()) StartWrite(&response_);
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
      return;
    }
    if (next_ >= sequences_.size()) {
      Finish(grpc::Status::OK);
      return;
    }
    response_.Clear();
    if (Fill()) StartWrite(&response_);
  }

  void OnDone() override { delete this; }

 private:
  static constexpr size_t kBatch = 512;
  static constexpr size_t kMaxSequences = 1000000;

  absl::Status Check() const {
    if (sequences_.empty()) {
      return absl::InvalidArgumentError("sequences: required, none given");
    }
    if (sequences_.size() > kMaxSequences) {
      return absl::InvalidArgumentError(
          absl::StrCat("sequences: ", sequences_.size(), " given, at most ",
                       kMaxSequences, " per request"));
    }
    for (size_t i = 0; i < sequences_.size(); ++i) {
      if (i > 0 && sequences_[i] <= sequences_[i - 1]) {
        return absl::InvalidArgumentError(
            absl::StrCat("sequences[", i, "]: ", sequences_[i], " after ",
                         sequences_[i - 1], " (must be strictly increasing)"));
      }
    }
    if (sequences_.back() >= tree_size_) {
      return absl::InvalidArgumentError(
          absl::StrCat("sequences: ", sequences_.back(),
                       " is not below tree_size ", tree_size_));
    }
    return absl::OkStatus();
  }

  // Fills the next message: entries up to about 1 MiB (at least one), read
  // kBatch at a time. On error finishes and returns false.
  bool Fill() {
    size_t bytes = 0;
    while (next_ < sequences_.size() && (bytes == 0 || bytes < (1 << 20))) {
      if (pending_at_ == pending_.size()) {
        const size_t end = std::min(sequences_.size(), next_ + kBatch);
        const std::vector<uint64_t> batch(
            sequences_.begin() + static_cast<std::ptrdiff_t>(next_),
            sequences_.begin() + static_cast<std::ptrdiff_t>(end));
        auto proven = journal_.ProveEntries(batch, tree_size_);
        if (!proven.ok()) {
          Finish(ToGrpcStatus(proven.status()));
          return false;
        }
        pending_ = std::move(*proven);
        pending_at_ = 0;
      }
      journal::ProvenEntry& e = pending_[pending_at_++];
      ++next_;
      bytes += e.entry.bytes.size() + 32 * (e.proof.size() + 1);
      aigov::v1::ProvenEntry* out = response_.add_entries();
      out->set_index(e.entry.index);
      out->set_leaf_hash(Bytes(e.entry.leaf_hash));
      out->set_entry(std::move(e.entry.bytes));
      out->set_pruned(e.entry.pruned);
      for (const tlog::Hash& h : e.proof) out->add_inclusion_proof(Bytes(h));
    }
    return true;
  }

  const journal::JournalReader& journal_;
  const uint64_t tree_size_;
  const std::vector<uint64_t> sequences_;
  aigov::v1::ProveEntriesResponse response_;
  // The batch read and not yet sent; next_ counts the entries sent.
  std::vector<journal::ProvenEntry> pending_;
  size_t pending_at_ = 0;
  size_t next_ = 0;
};

}  // namespace

grpc::ServerUnaryReactor* JournalServiceImpl::GetCheckpoint(
    grpc::CallbackServerContext* context,
    const aigov::v1::GetCheckpointRequest*,
    aigov::v1::GetCheckpointResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const journal::SignedCheckpoint latest = checkpointer_.Latest();
  response->set_origin(latest.checkpoint.origin);
  response->set_tree_size(latest.checkpoint.size);
  response->set_root_hash(Bytes(latest.checkpoint.root));
  response->set_note(latest.note);
  response->set_public_key(signer_.verifier_key());
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* JournalServiceImpl::GetInclusionProof(
    grpc::CallbackServerContext* context,
    const aigov::v1::GetInclusionProofRequest* request,
    aigov::v1::GetInclusionProofResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto proof =
      journal_.InclusionProof(request->leaf_index(), request->tree_size());
  if (!proof.ok()) {
    reactor->Finish(ToGrpcStatus(proof.status()));
    return reactor;
  }
  auto leaf = journal_.LeafHash(request->leaf_index());
  if (!leaf.ok()) {
    reactor->Finish(ToGrpcStatus(leaf.status()));
    return reactor;
  }
  response->set_leaf_index(request->leaf_index());
  response->set_tree_size(request->tree_size());
  response->set_leaf_hash(Bytes(*leaf));
  for (const tlog::Hash& h : *proof) response->add_hashes(Bytes(h));
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* JournalServiceImpl::GetConsistencyProof(
    grpc::CallbackServerContext* context,
    const aigov::v1::GetConsistencyProofRequest* request,
    aigov::v1::GetConsistencyProofResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto proof =
      journal_.ConsistencyProof(request->from_size(), request->to_size());
  if (!proof.ok()) {
    reactor->Finish(ToGrpcStatus(proof.status()));
    return reactor;
  }
  response->set_from_size(request->from_size());
  response->set_to_size(request->to_size());
  for (const tlog::Hash& h : *proof) response->add_hashes(Bytes(h));
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerWriteReactor<aigov::v1::ProveEntriesResponse>*
JournalServiceImpl::ProveEntries(
    grpc::CallbackServerContext*,
    const aigov::v1::ProveEntriesRequest* request) {
  return new ProveReactor(journal_, *request);
}

grpc::ServerWriteReactor<aigov::v1::ExportResponse>* JournalServiceImpl::Export(
    grpc::CallbackServerContext*, const aigov::v1::ExportRequest*) {
  return new ExportReactor(journal_, checkpointer_.Current(),
                           signer_.verifier_key());
}

grpc::ServerUnaryReactor* JournalServiceImpl::EraseSubject(
    grpc::CallbackServerContext* context,
    const aigov::v1::EraseSubjectRequest* request,
    aigov::v1::EraseSubjectResponse* response) {
  absl::Status valid = ingest::ValidateEventId(request->event_id());
  if (valid.ok() && request->subject().empty()) {
    valid = absl::InvalidArgumentError("subject: required, must not be empty");
  }
  const std::string subject_id =
      valid.ok() ? journal_.SubjectIdOf(request->subject()) : "";
  journal::KeyPurger& purger = purger_;
  return writes_.Run(
      context, valid, request->event_id(),
      [&subject_id](aigov::v1::JournalEntry* entry) {
        entry->mutable_subject_erasure()->set_subject_id(subject_id);
      },
      [response, subject_id, &purger](const journal::AppendOutcome& out,
                                      const WriteCompletion& done) {
        response->set_sequence(out.sequence);
        response->set_leaf_hash(Bytes(out.leaf_hash));
        response->set_subject_id(subject_id);
        response->set_key_existed(out.subject_key_existed);
        // The purge (flush and compaction) takes milliseconds to seconds: on
        // the purger's thread. Shutdown waits for it (the write is in flight
        // until `done`).
        purger.Request([done, deduplicated = out.deduplicated](
                           const absl::Status& purged) {
          done(purged.ok() ? grpc::Status::OK : ToGrpcStatus(purged),
               !purged.ok()   ? metrics::IngestResult::kFailed
               : deduplicated ? metrics::IngestResult::kDuplicate
                              : metrics::IngestResult::kAccepted);
        });
      });
}

}  // namespace aigov::server
