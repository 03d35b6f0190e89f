// Bytes → journal entries folded into one AI system's record
// (rules::Fold / FoldDataset, as the compliance view does live and on
// rebuild) → rules::Evaluate at several instants under every regime of the
// embedded catalog. The entries' fields come from clients (timestamps
// anywhere in the proto range, any enum value, repeated fields of any
// length), so fold and evaluation must be total: never crash, trap or
// overflow, and every evaluation must keep its invariants (one finding per
// obligation with a status and a reason, evidence sorted and unique,
// next_due after the instant).
//
// Input: frames of [tag: 1 byte][length: 2 bytes, little-endian][payload].
//   tag % 4 == 0: a JournalEntry (wire format), folded when it folds;
//   tag % 4 == 1: a SystemRecord (wire format) merged into the record, as
//                 if read back from the view's column;
//   tag % 4 == 2: an instant, 8 bytes of Unix seconds (little-endian),
//                 clamped to the Timestamp range as GetStatus validates it;
//   tag % 4 == 3: settings: breach window hours, at-risk share in 1/255.
// With no instant frame, each entry's recorded_at plus 0, 1 h, 3 d, 40 d
// and 400 d is evaluated.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

#include "aigov/internal/v1/compliance_view.pb.h"
#include "aigov/v1/journal.pb.h"
#include "daemon/rules/catalog.h"
#include "daemon/rules/evaluate.h"
#include "daemon/rules/snapshot.h"

namespace {

namespace rules = aigov::rules;

constexpr size_t kMaxEntries = 64;
constexpr size_t kMaxInstants = 8;
// google.protobuf.Timestamp's range: 0001-01-01 to 9999-12-31.
constexpr int64_t kMinSeconds = -62135596800;
constexpr int64_t kMaxSeconds = 253402300799;

const rules::Catalog& TheCatalog() {
  static const rules::Catalog* c = [] {
    absl::StatusOr<rules::Catalog> parsed = rules::EmbeddedCatalog();
    if (!parsed.ok()) __builtin_trap();
    return new rules::Catalog(*std::move(parsed));
  }();
  return *c;
}

int64_t Clamp(int64_t s) {
  return s < kMinSeconds ? kMinSeconds : s > kMaxSeconds ? kMaxSeconds : s;
}

void Check(const rules::Evaluation& ev, const rules::Catalog& catalog,
           absl::Time at) {
  if (ev.regime == nullptr) __builtin_trap();
  if (ev.findings.size() != catalog.obligations.size()) __builtin_trap();
  for (const rules::Finding& f : ev.findings) {
    if (f.obligation == nullptr) __builtin_trap();
    if (f.status == aigov::v1::FINDING_STATUS_UNSPECIFIED) __builtin_trap();
    if (f.reason.empty()) __builtin_trap();
    for (size_t i = 1; i < f.evidence.size(); ++i) {
      if (f.evidence[i - 1] >= f.evidence[i]) __builtin_trap();
    }
    // What the view stores and GetStatus answers must be representable.
    if (f.deadline) (void)rules::TimestampOf(*f.deadline);
  }
  if (ev.next_due && *ev.next_due <= at) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const rules::Catalog& catalog = TheCatalog();
  aigov::internal::v1::SystemRecord record;
  record.set_system_id("credit");
  rules::Settings settings;
  std::vector<absl::Time> instants;
  std::vector<absl::Time> recorded;
  uint64_t sequence = 1;
  size_t entries = 0;

  size_t i = 0;
  while (i + 3 <= size && entries < kMaxEntries) {
    const uint8_t tag = data[i];
    const size_t length = std::min<size_t>(
        data[i + 1] | (static_cast<size_t>(data[i + 2]) << 8), size - i - 3);
    const char* payload = reinterpret_cast<const char*>(data + i + 3);
    i += 3 + length;
    switch (tag % 4) {
      case 0: {
        aigov::v1::JournalEntry e;
        if (!e.ParseFromArray(payload, static_cast<int>(length))) break;
        ++entries;
        (void)rules::RoutesOf(e);
        if (e.has_recorded_at()) {
          recorded.push_back(
              absl::FromUnixSeconds(Clamp(e.recorded_at().seconds())));
        }
        if (e.has_dataset_version()) {
          aigov::internal::v1::Fact fact;
          fact.set_sequence(sequence);
          *fact.mutable_at() = e.recorded_at();
          rules::FoldDataset(e.dataset_version(), fact, &record);
        } else if (rules::Folds(e)) {
          rules::Fold(e, sequence, &record);
        }
        ++sequence;
        break;
      }
      case 1: {
        aigov::internal::v1::SystemRecord merged;
        if (merged.ParseFromArray(payload, static_cast<int>(length))) {
          record.MergeFrom(merged);
        }
        break;
      }
      case 2: {
        int64_t s = 0;
        std::memcpy(&s, payload, std::min<size_t>(length, sizeof(s)));
        if (instants.size() < kMaxInstants) {
          instants.push_back(absl::FromUnixSeconds(Clamp(s)));
        }
        break;
      }
      case 3:
        if (length >= 1)
          settings.gdpr_breach_window =
              absl::Hours(static_cast<uint8_t>(payload[0]));
        if (length >= 2) {
          settings.at_risk_share = static_cast<uint8_t>(payload[1]) / 255.0;
        }
        break;
    }
  }
  if (instants.empty()) {
    for (const absl::Time t : recorded) {
      for (const absl::Duration d :
           {absl::ZeroDuration(), absl::Hours(1), absl::Hours(72),
            absl::Hours(40 * 24), absl::Hours(400 * 24)}) {
        if (instants.size() < kMaxInstants) instants.push_back(t + d);
      }
    }
    if (instants.empty()) instants.push_back(absl::FromUnixSeconds(0));
  }

  for (const rules::Regime& regime : catalog.regimes) {
    for (const absl::Time at : instants) {
      absl::StatusOr<rules::Evaluation> ev =
          rules::Evaluate(record, catalog, regime, settings, at);
      if (!ev.ok()) __builtin_trap();  // the embedded catalog is valid
      Check(*ev, catalog, at);
    }
  }
  return 0;
}
