// aigov.v1.JournalService: read access to the journal.
//
// Thread-safe. `journal` must outlive the service.
#pragma once

#include "aigov/v1/journal_service.grpc.pb.h"
#include "daemon/journal/rocksdb_journal.h"

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
  explicit JournalServiceImpl(const journal::RocksDbJournal& journal)
      : journal_(journal) {}

  grpc::ServerUnaryReactor* GetEntry(
      grpc::CallbackServerContext* context,
      const aigov::v1::GetEntryRequest* request,
      aigov::v1::GetEntryResponse* response) override;

  grpc::ServerUnaryReactor* ListEntries(
      grpc::CallbackServerContext* context,
      const aigov::v1::ListEntriesRequest* request,
      aigov::v1::ListEntriesResponse* response) override;

 private:
  const journal::RocksDbJournal& journal_;
};

}  // namespace aigov::server
