#include "daemon/journal/erasure_deriver.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

#include "daemon/common/sha256.h"

namespace aigov::journal {

absl::Status ErasureDeriver::Derive(
    const aigov::v1::JournalEntry& entry, uint64_t sequence,
    std::vector<aigov::v1::JournalEntry>* derived) {
  (void)sequence;
  if (!entry.has_data_subject_request()) return absl::OkStatus();
  const aigov::v1::DataSubjectRequest& r = entry.data_subject_request();
  if (r.type() != aigov::v1::DATA_SUBJECT_REQUEST_TYPE_ERASURE ||
      r.status() != aigov::v1::DATA_SUBJECT_REQUEST_STATUS_RECEIVED ||
      r.erased_subject_id().empty()) {
    return absl::OkStatus();
  }
  aigov::v1::JournalEntry& erase = derived->emplace_back();
  erase.set_event_id(ErasureEventId(entry.event_id()));
  erase.mutable_subject_erasure()->set_subject_id(r.erased_subject_id());
  return absl::OkStatus();
}

std::string ErasureEventId(absl::string_view request_event_id) {
  const common::Sha256Digest digest = common::Sha256(request_event_id);
  return absl::StrCat("erasure:",
                      absl::BytesToHexString(absl::string_view(
                          reinterpret_cast<const char*>(digest.data()), 16)));
}

}  // namespace aigov::journal
