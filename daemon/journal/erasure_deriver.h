// The first deriver: a received erasure request entails its subject's
// erasure (GDPR Art. 17 by crypto-shredding).
//
// Thread-compatible; stateless.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

#include "daemon/journal/deriver.h"

namespace aigov::journal {

// A DataSubjectRequest of type ERASURE and status RECEIVED whose
// erased_subject_id aigovd set derives a SubjectErasure of that subject;
// sequencing it deletes the subject's key in the same batch as the request.
class ErasureDeriver final : public Deriver {
 public:
  absl::Status Derive(const aigov::v1::JournalEntry& entry, uint64_t sequence,
                      std::vector<aigov::v1::JournalEntry>* derived) override;
};

// The event_id of the erasure a request's event causes: a function of the
// request's event_id, so a retried request finds its erasure journalled.
std::string ErasureEventId(absl::string_view request_event_id);

}  // namespace aigov::journal
