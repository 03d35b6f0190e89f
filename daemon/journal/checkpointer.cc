#include "daemon/journal/checkpointer.h"

#include "absl/strings/str_cat.h"

#include "daemon/common/logging.h"
#include "daemon/common/status_macros.h"

namespace aigov::journal {

Checkpointer::Checkpointer(RocksDbJournal& journal,
                           const tlog::NoteSigner& signer,
                           const common::Clock& clock, absl::Duration interval)
    : journal_(journal), signer_(signer), clock_(clock), interval_(interval) {}

Checkpointer::~Checkpointer() { Stop(); }

absl::Status Checkpointer::Start() {
  {
    absl::MutexLock sign(&sign_mu_);
    AIGOV_ASSIGN_OR_RETURN(const std::string stored,
                           journal_.LoadCheckpointNote());
    if (!stored.empty()) {
      AIGOV_ASSIGN_OR_RETURN(
          const tlog::NoteVerifier verifier,
          tlog::NoteVerifier::FromVerifierKey(signer_.verifier_key()));
      auto body = verifier.Verify(stored);
      if (!body.ok()) {
        return absl::DataLossError(absl::StrCat(
            "the stored checkpoint is not signed by this journal's key (",
            body.status().message(), "); was journal-signing.pem replaced?"));
      }
      AIGOV_ASSIGN_OR_RETURN(tlog::Checkpoint previous,
                             tlog::ParseCheckpoint(*body));
      absl::MutexLock lock(&mu_);
      latest_ = SignedCheckpoint{std::move(previous), stored, clock_.Now()};
    } else {
      absl::MutexLock lock(&mu_);
      latest_ = SignedCheckpoint{};
      latest_.checkpoint.size = ~uint64_t{0};  // none yet: sign the head
    }
    const absl::Status advanced = Advance();
    if (!advanced.ok()) {
      return absl::DataLossError(absl::StrCat(
          "journal is not consistent with its last signed checkpoint: ",
          advanced.message()));
    }
  }
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void Checkpointer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  absl::MutexLock sign(&sign_mu_);
  const absl::Status s = Advance();
  if (!s.ok()) {
    common::Log(common::LogLevel::kError, "final checkpoint not signed",
                {{"error", s.ToString()}});
  }
}

SignedCheckpoint Checkpointer::Latest() const {
  absl::MutexLock lock(&mu_);
  return latest_;
}

absl::StatusOr<SignedCheckpoint> Checkpointer::Current() {
  absl::MutexLock sign(&sign_mu_);
  AIGOV_RETURN_IF_ERROR(Advance());
  return Latest();
}

absl::Status Checkpointer::Advance() {
  const TreeHead head = journal_.head();
  const SignedCheckpoint previous = Latest();
  const bool have_previous = previous.checkpoint.size != ~uint64_t{0};
  if (have_previous && previous.checkpoint.size == head.size &&
      previous.checkpoint.origin == signer_.name()) {
    if (previous.checkpoint.root != head.root) {
      return absl::DataLossError(
          absl::StrCat("the root at size ", head.size,
                       " differs from the signed checkpoint's"));
    }
    return absl::OkStatus();
  }
  if (have_previous) {
    const uint64_t from = previous.checkpoint.size;
    if (from > head.size) {
      return absl::DataLossError(absl::StrCat(
          "the journal has ", head.size, " entries but a checkpoint of ", from,
          " was signed: entries were removed"));
    }
    AIGOV_ASSIGN_OR_RETURN(const std::vector<tlog::Hash> proof,
                           journal_.ConsistencyProof(from, head.size));
    const absl::Status consistent = tlog::VerifyConsistency(
        from, head.size, proof, previous.checkpoint.root, head.root);
    if (!consistent.ok()) {
      return absl::DataLossError(absl::StrCat("checkpoint at size ", from,
                                              " -> head at size ", head.size,
                                              ": ", consistent.message()));
    }
  }
  tlog::Checkpoint next{signer_.name(), head.size, head.root};
  AIGOV_ASSIGN_OR_RETURN(std::string note,
                         signer_.Sign(tlog::FormatCheckpoint(next)));
  AIGOV_RETURN_IF_ERROR(journal_.StoreCheckpointNote(note));
  absl::MutexLock lock(&mu_);
  latest_ = SignedCheckpoint{std::move(next), std::move(note), clock_.Now()};
  return absl::OkStatus();
}

void Checkpointer::Run() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (clock_.AwaitUntil(mu_, absl::Condition(&stopping_),
                            clock_.Now() + interval_)) {
        return;
      }
    }
    absl::MutexLock sign(&sign_mu_);
    const absl::Status s = Advance();
    if (!s.ok()) {
      common::Log(common::LogLevel::kError, "checkpoint not signed",
                  {{"error", s.ToString()}});
    }
  }
}

}  // namespace aigov::journal
