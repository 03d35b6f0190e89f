// aigov.v1.JournalService: read access to the journal.
//
// Reads return entries with their personal data unsealed (or listed as
// erased). EraseSubject is a write (the shared WritePath), answered after the
// erased key's storage is purged, on a thread of its own.
//
// Thread-safe. Every argument of the constructor must outlive the service.
#pragma once

#include "aigov/v1/journal_service.grpc.pb.h"
#include "daemon/journal/checkpointer.h"
#include "daemon/journal/journal_reader.h"
#include "daemon/journal/key_purger.h"
#include "daemon/server/write_path.h"

namespace aigov::server {

// Largest and default ListEntries page.
inline constexpr uint32_t kMaxPageSize = 1000;
inline constexpr uint32_t kDefaultPageSize = 100;
// A page stops before its entries exceed this, so that it stays under
// gRPC's default 4 MiB client receive limit.
inline constexpr size_t kMaxPageBytes = 3u << 20;

class JournalServiceImpl final
    : public aigov::v1::JournalService::CallbackService {
 public:
  JournalServiceImpl(const journal::JournalReader& journal,
                     journal::Checkpointer& checkpointer,
                     const tlog::NoteSigner& signer, WritePath& writes,
                     journal::KeyPurger& purger)
      : journal_(journal),
        checkpointer_(checkpointer),
        signer_(signer),
        writes_(writes),
        purger_(purger) {}

  grpc::ServerUnaryReactor* GetEntry(
      grpc::CallbackServerContext* context,
      const aigov::v1::GetEntryRequest* request,
      aigov::v1::GetEntryResponse* response) override;

  grpc::ServerUnaryReactor* ListEntries(
      grpc::CallbackServerContext* context,
      const aigov::v1::ListEntriesRequest* request,
      aigov::v1::ListEntriesResponse* response) override;

  grpc::ServerUnaryReactor* GetCheckpoint(
      grpc::CallbackServerContext* context,
      const aigov::v1::GetCheckpointRequest* request,
      aigov::v1::GetCheckpointResponse* response) override;

  grpc::ServerUnaryReactor* GetInclusionProof(
      grpc::CallbackServerContext* context,
      const aigov::v1::GetInclusionProofRequest* request,
      aigov::v1::GetInclusionProofResponse* response) override;

  grpc::ServerUnaryReactor* GetConsistencyProof(
      grpc::CallbackServerContext* context,
      const aigov::v1::GetConsistencyProofRequest* request,
      aigov::v1::GetConsistencyProofResponse* response) override;

  grpc::ServerWriteReactor<aigov::v1::ProveEntriesResponse>* ProveEntries(
      grpc::CallbackServerContext* context,
      const aigov::v1::ProveEntriesRequest* request) override;
  grpc::ServerWriteReactor<aigov::v1::ExportResponse>* Export(
      grpc::CallbackServerContext* context,
      const aigov::v1::ExportRequest* request) override;

  grpc::ServerUnaryReactor* EraseSubject(
      grpc::CallbackServerContext* context,
      const aigov::v1::EraseSubjectRequest* request,
      aigov::v1::EraseSubjectResponse* response) override;

 private:
  const journal::JournalReader& journal_;
  journal::Checkpointer& checkpointer_;
  const tlog::NoteSigner& signer_;
  WritePath& writes_;
  journal::KeyPurger& purger_;
};

}  // namespace aigov::server
