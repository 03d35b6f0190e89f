#include "daemon/journal/pii.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <map>
#include <vector>

#include "absl/base/const_init.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"

#include "aigov/v1/options.pb.h"
#include "daemon/common/sha256.h"
#include "daemon/common/status_macros.h"

namespace aigov::journal {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;

struct PiiField {
  std::string path;
  Message* parent;
  const FieldDescriptor* field;
};

// Which fields of a message type lead to PII: the PII string fields
// themselves and the message fields whose type contains some. Computed once
// per type; a type without any (most of them) costs one lookup.
struct PiiPlan {
  std::vector<const FieldDescriptor*> strings;
  std::vector<const FieldDescriptor*> messages;
  bool empty() const { return strings.empty() && messages.empty(); }
};

absl::Mutex plans_mu(absl::kConstInit);

// Builds (once) and returns the plan of `d`, the lock held throughout. A
// recursive type sees itself as PII-free while it is being built, so PII
// reachable only through such a self-reference is not found (no aigov
// record is recursive).
const PiiPlan& BuildPlanLocked(const google::protobuf::Descriptor* d)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(plans_mu) {
  static auto* plans =
      new std::map<const google::protobuf::Descriptor*, PiiPlan>();
  auto it = plans->find(d);
  if (it != plans->end()) return it->second;
  (*plans)[d];  // placeholder, for recursion
  PiiPlan built;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING && !f->is_repeated() &&
        f->options().GetExtension(aigov::v1::pii)) {
      built.strings.push_back(f);
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
               !f->is_map() && !BuildPlanLocked(f->message_type()).empty()) {
      built.messages.push_back(f);
    }
  }
  PiiPlan& plan = (*plans)[d];
  plan = std::move(built);
  return plan;
}

// Plans never change once built: each thread caches the pointers it used.
const PiiPlan& PlanFor(const google::protobuf::Descriptor* d) {
  thread_local std::map<const google::protobuf::Descriptor*, const PiiPlan*>
      cache;
  auto it = cache.find(d);
  if (it != cache.end()) return *it->second;
  absl::MutexLock lock(&plans_mu);
  const PiiPlan& plan = BuildPlanLocked(d);
  cache[d] = &plan;
  return plan;
}

// Collects the PII string fields under `msg` (singular fields of set
// messages, and elements of repeated messages); with `set_only`, only those
// holding a value (no path is built for the others).
void CollectPii(Message* msg, const std::string& path, bool set_only,
                std::vector<PiiField>* out) {
  const PiiPlan& plan = PlanFor(msg->GetDescriptor());
  if (plan.empty()) return;
  const google::protobuf::Reflection* r = msg->GetReflection();
  for (const FieldDescriptor* f : plan.strings) {
    if (set_only && r->GetStringReference(*msg, f, nullptr).empty()) continue;
    out->push_back(PiiField{
        path.empty() ? f->name() : absl::StrCat(path, ".", f->name()), msg, f});
  }
  for (const FieldDescriptor* f : plan.messages) {
    const std::string child =
        path.empty() ? f->name() : absl::StrCat(path, ".", f->name());
    if (f->is_repeated()) {
      for (int i = 0; i < r->FieldSize(*msg, f); ++i) {
        CollectPii(r->MutableRepeatedMessage(msg, f, i),
                   absl::StrCat(child, "[", i, "]"), set_only, out);
      }
    } else if (r->HasField(*msg, f)) {
      CollectPii(r->MutableMessage(msg, f), child, set_only, out);
    }
  }
}

// PII fields of the entry's event (the envelope itself holds none); with
// `set_only`, only those holding a value.
std::vector<PiiField> EventPii(aigov::v1::JournalEntry* entry, bool set_only) {
  std::vector<PiiField> out;
  const google::protobuf::Reflection* r = entry->GetReflection();
  static const google::protobuf::OneofDescriptor* const event =
      aigov::v1::JournalEntry::descriptor()->FindOneofByName("event");
  const FieldDescriptor* set = r->GetOneofFieldDescriptor(*entry, event);
  if (set != nullptr)
    CollectPii(r->MutableMessage(entry, set), set->name(), set_only, &out);
  return out;
}

std::string Aad(absl::string_view path, absl::string_view subject_id) {
  std::string aad(path);
  aad.push_back('\0');
  aad.append(subject_id.data(), subject_id.size());
  return aad;
}

bool AesGcm(bool encrypt, const SecretKey& key, const std::string& nonce,
            const std::string& aad, const std::string& in, std::string* out) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr) return false;
  const auto* k = key.data();
  const auto* iv = reinterpret_cast<const unsigned char*>(nonce.data());
  int len = 0;
  bool ok = false;
  if (encrypt) {
    out->assign(in.size() + kTagBytes, '\0');
    auto* o = reinterpret_cast<unsigned char*>(out->data());
    ok = EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, k, iv) == 1 &&
         EVP_EncryptUpdate(ctx, nullptr, &len,
                           reinterpret_cast<const unsigned char*>(aad.data()),
                           static_cast<int>(aad.size())) == 1 &&
         EVP_EncryptUpdate(ctx, o, &len,
                           reinterpret_cast<const unsigned char*>(in.data()),
                           static_cast<int>(in.size())) == 1 &&
         EVP_EncryptFinal_ex(ctx, o + len, &len) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagBytes,
                             o + in.size()) == 1;
  } else if (in.size() >= kTagBytes) {
    const size_t n = in.size() - kTagBytes;
    out->assign(n, '\0');
    auto* o = reinterpret_cast<unsigned char*>(out->data());
    std::string tag = in.substr(n);
    ok = EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, k, iv) == 1 &&
         EVP_DecryptUpdate(ctx, nullptr, &len,
                           reinterpret_cast<const unsigned char*>(aad.data()),
                           static_cast<int>(aad.size())) == 1 &&
         EVP_DecryptUpdate(ctx, o, &len,
                           reinterpret_cast<const unsigned char*>(in.data()),
                           static_cast<int>(n)) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTagBytes,
                             tag.data()) == 1 &&
         EVP_DecryptFinal_ex(ctx, o + len, &len) == 1;
  }
  EVP_CIPHER_CTX_free(ctx);
  return ok;
}

}  // namespace

SecretKey RandomKey() {
  SecretKey k{};
  AIGOV_CHECK(RAND_bytes(k.data(), static_cast<int>(k.size())) == 1);
  return k;
}

std::string SubjectId(const SecretKey& secret, absl::string_view subject) {
  unsigned char mac[32];
  unsigned int len = 0;
  AIGOV_CHECK(HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
                   reinterpret_cast<const unsigned char*>(subject.data()),
                   subject.size(), mac, &len) != nullptr &&
              len == sizeof(mac));
  return common::HexEncode(
      absl::string_view(reinterpret_cast<const char*>(mac), len));
}

absl::Status SealPii(aigov::v1::JournalEntry* entry, const SecretKey& secret,
                     const SubjectKeyFn& keys) {
  for (const PiiField& p : EventPii(entry, /*set_only=*/true)) {
    const google::protobuf::Reflection* r = p.parent->GetReflection();
    const std::string value = r->GetString(*p.parent, p.field);
    aigov::v1::SealedField* sealed = entry->add_sealed_fields();
    sealed->set_field_path(p.path);
    sealed->set_subject_id(SubjectId(secret, value));
    AIGOV_ASSIGN_OR_RETURN(const std::optional<SecretKey> key,
                           keys(sealed->subject_id(), /*create=*/true));
    if (!key) return absl::InternalError("subject key was not created");
    std::string nonce(kNonceBytes, '\0');
    AIGOV_CHECK(RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()),
                           static_cast<int>(nonce.size())) == 1);
    std::string ciphertext;
    if (!AesGcm(true, *key, nonce, Aad(p.path, sealed->subject_id()), value,
                &ciphertext)) {
      return absl::InternalError("AES-256-GCM encryption failed");
    }
    sealed->set_nonce(nonce);
    sealed->set_ciphertext(ciphertext);
    r->ClearField(p.parent, p.field);
  }
  return absl::OkStatus();
}

absl::Status UnsealPii(aigov::v1::JournalEntry* entry,
                       const SubjectKeyFn& keys) {
  if (entry->sealed_fields_size() == 0) return absl::OkStatus();
  // Sealed fields were cleared: every PII field is a candidate.
  const std::vector<PiiField> fields = EventPii(entry, /*set_only=*/false);
  for (const aigov::v1::SealedField& sealed : entry->sealed_fields()) {
    const PiiField* target = nullptr;
    for (const PiiField& p : fields) {
      if (p.path == sealed.field_path()) target = &p;
    }
    AIGOV_ASSIGN_OR_RETURN(const std::optional<SecretKey> key,
                           keys(sealed.subject_id(), /*create=*/false));
    if (!key) {
      entry->add_erased_fields(sealed.field_path());
      continue;
    }
    std::string plain;
    if (!AesGcm(false, *key, sealed.nonce(),
                Aad(sealed.field_path(), sealed.subject_id()),
                sealed.ciphertext(), &plain)) {
      return absl::DataLossError(
          absl::StrCat("entry ", entry->sequence(), ": sealed field ",
                       sealed.field_path(), " does not decrypt"));
    }
    if (target != nullptr) {
      target->parent->GetReflection()->SetString(target->parent, target->field,
                                                 plain);
    }
  }
  entry->clear_sealed_fields();
  return absl::OkStatus();
}

bool HasPii(const aigov::v1::JournalEntry& entry) {
  // EventPii only reads through the mutable pointers it is given.
  auto* mutable_entry = const_cast<aigov::v1::JournalEntry*>(&entry);
  return !EventPii(mutable_entry, /*set_only=*/true).empty();
}

void PseudonymizePii(aigov::v1::JournalEntry* entry, const SecretKey& secret) {
  for (const PiiField& p : EventPii(entry, /*set_only=*/true)) {
    const google::protobuf::Reflection* r = p.parent->GetReflection();
    const std::string value = r->GetString(*p.parent, p.field);
    r->SetString(p.parent, p.field, SubjectId(secret, value));
  }
}

}  // namespace aigov::journal
