#include "compliance/store_sealing.hpp"

#include <sodium.h>

#include <stdexcept>

#include "common/random.hpp"
#include "compliance/audit_format.hpp"
#include "store/secret_file.hpp"

namespace medrtc::compliance {

namespace {

constexpr const char* kIndexPrefix = "bi1:";
// What an erased user's email column holds instead of the index: unique per user, and
// it names no address.
constexpr const char* kErasedIndexPrefix = "erased:";
// email_sealed of an erased user: not base64, so it never opens.
constexpr const char* kErasedSealed = "erased";
// A sealed TOTP seed; base32 (an older release's plaintext) never contains ':'.
constexpr std::string_view kSealedTotpPrefix = "sealed1:";

bool isSealedTotp(std::string_view seed) { return seed.starts_with(kSealedTotpPrefix); }

}  // namespace

std::string emailBlindIndex(const std::vector<uint8_t>& indexKey, std::string_view email) {
  std::array<uint8_t, 32> out{};
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(email.data()), email.size(),
                     indexKey.data(), indexKey.size());
  return kIndexPrefix + toHex(out);
}

SealedStore::SealedStore(std::unique_ptr<store::Store> inner, std::shared_ptr<SubjectKeyStore> keys,
                         std::vector<uint8_t> indexKey, const Clock& clock)
    : inner_(std::move(inner)), keys_(std::move(keys)), indexKey_(std::move(indexKey)), clock_(clock) {
  if (!inner_ || !keys_) {
    throw std::invalid_argument("SealedStore needs a store and a subject key store");
  }
  if (indexKey_.size() < crypto_generichash_KEYBYTES_MIN || indexKey_.size() > crypto_generichash_KEYBYTES_MAX) {
    throw std::invalid_argument("store index key has the wrong size");
  }
  if (sodium_init() < 0) {
    throw std::runtime_error("libsodium init failed");
  }
  sealPlaintextRows();
}

SealedStore::Conversion SealedStore::sealPlaintextRows() {
  Conversion c;
  for (store::UserRecord& u : inner_->listUsers()) {
    std::string plainTotp = isSealedTotp(u.totpSecret) ? "" : u.totpSecret;
    if (u.sealedEmail == kErasedSealed) {
      // Erased before seeds were sealed: the seed goes with the person (no key to seal it).
      c.totpSeeds += !plainTotp.empty() && inner_->replaceUserTotpSecret(u.id, plainTotp, "") ? 1 : 0;
      continue;
    }
    bool emailSealed = !u.sealedEmail.empty();
    if (emailSealed && plainTotp.empty()) {
      continue;
    }
    if (emailSealed) {
      // sealUser needs the plaintext email; only the seed is written below.
      auto opened = openUser(u);
      if (opened.erased) {
        continue;
      }
      u = std::move(opened);
    }
    store::UserRecord sealed = sealUser(std::move(u));
    // The old row's email is the address itself (lower-case, as createUser got it).
    // Conditional writes of the personal fields only: another node may have sealed,
    // erased or changed the row since it was listed, and this copy must not undo that.
    if (!emailSealed) {
      c.users += inner_->sealUnsealedUser(sealed) ? 1 : 0;
    }
    if (!plainTotp.empty()) {
      c.totpSeeds += inner_->replaceUserTotpSecret(sealed.id, plainTotp, sealed.totpSecret) ? 1 : 0;
    }
  }
  for (store::AppointmentRecord& a : inner_->listUnsealedAppointments()) {
    c.appointments += inner_->sealUnsealedAppointment(sealAppointment(std::move(a))) ? 1 : 0;
  }
  return c;
}

bool SealedStore::eraseSubject(const std::string& subjectId) {
  bool erased = keys_->erase(subjectId);
  if (auto row = inner_->findUser(subjectId)) {
    if (!row->email.starts_with(kErasedIndexPrefix)) {
      row->email = kErasedIndexPrefix + subjectId;
      row->displayName.clear();
      row->sealedEmail = kErasedSealed;
      inner_->updateUserPersonal(*row);
      erased = true;
    }
    // The TOTP seed has no use without the person, and an older row may hold it in clear.
    if (!row->totpSecret.empty()) {
      inner_->replaceUserTotpSecret(subjectId, row->totpSecret, "");
    }
    // An erased person is signed out everywhere at once (the email index no longer
    // matches, so they cannot sign in again either).
    inner_->deleteUserSessions(subjectId);
  }
  // A guest (the audit log's subject of a patient, interpreter or carer) loses their way
  // in as an erased user loses their sessions: the invitation they redeemed is revoked, so
  // their join token no longer joins and a running serve's re-check sends them out of the
  // waiting room or call (SignalingHub::recheckSessions). The row itself holds ids only.
  if (subjectId.starts_with("g_")) {
    if (auto guest = inner_->findGuest(subjectId); guest && !guest->invitationId.empty()) {
      auto now = std::chrono::duration_cast<std::chrono::seconds>(clock_.wallNow().time_since_epoch()).count();
      inner_->revokeInvitation(guest->invitationId, now);
      erased = true;
    }
  }
  return erased;
}

// Users.

store::UserRecord SealedStore::sealUser(store::UserRecord u) {
  SubjectKey key = keys_->useKey(u.id, clock_.wallNow());
  u.sealedEmail = sealText(key, u.email);
  u.displayName = sealText(key, u.displayName);
  u.email = emailBlindIndex(indexKey_, u.email);
  if (!u.totpSecret.empty() && !isSealedTotp(u.totpSecret)) {
    u.totpSecret = std::string(kSealedTotpPrefix) + sealText(key, u.totpSecret);
  }
  sodium_memzero(key.data(), key.size());
  return u;
}

store::UserRecord SealedStore::openUser(store::UserRecord row) {
  if (row.sealedEmail.empty()) {
    return row;  // not sealed yet (written by an older node since this one opened)
  }
  std::optional<std::string> email, name, totp;
  bool totpSealed = isSealedTotp(row.totpSecret);
  if (auto key = keys_->findKey(row.id)) {
    email = openText(*key, row.sealedEmail);
    name = openText(*key, row.displayName);
    if (totpSealed) {
      totp = openText(*key, std::string_view(row.totpSecret).substr(kSealedTotpPrefix.size()));
    }
    sodium_memzero(key->data(), key->size());
  }
  row.sealedEmail.clear();
  if (!email || !name || (totpSealed && !totp)) {
    row.email.clear();
    row.displayName.clear();
    row.totpSecret.clear();
    row.erased = true;
    return row;
  }
  row.email = std::move(*email);
  row.displayName = std::move(*name);
  if (totpSealed) {
    row.totpSecret = std::move(*totp);  // else: a seed of an older release, sealed at the next open
  }
  return row;
}

store::UserRecord SealedStore::createUser(store::UserRecord user) {
  if (user.id.empty()) {
    user.id = "u_" + randomHex(8);
  }
  inner_->createUser(sealUser(user));
  user.sealedEmail.clear();
  return user;
}

std::optional<store::UserRecord> SealedStore::findUser(const std::string& id) {
  auto row = inner_->findUser(id);
  return row ? std::optional(openUser(std::move(*row))) : std::nullopt;
}

std::optional<store::UserRecord> SealedStore::findUserByEmail(const std::string& email) {
  auto row = inner_->findUserByEmail(emailBlindIndex(indexKey_, email));
  return row ? std::optional(openUser(std::move(*row))) : std::nullopt;
}

std::vector<store::UserRecord> SealedStore::listUsers() {
  std::vector<store::UserRecord> out;
  for (auto& row : inner_->listUsers()) {
    out.push_back(openUser(std::move(row)));
  }
  return out;
}

bool SealedStore::replaceUserTotpSecret(const std::string& userId, const std::string& expected,
                                        const std::string& next) {
  auto row = inner_->findUser(userId);
  if (!row || row->sealedEmail.empty()) {
    return false;  // not sealed yet: the next open seals email and seed together
  }
  std::string raw = row->totpSecret;
  store::UserRecord opened = openUser(std::move(*row));
  if (opened.erased || opened.totpSecret != expected) {
    return false;
  }
  std::string sealed;
  if (!next.empty()) {
    SubjectKey key = keys_->useKey(userId, clock_.wallNow());
    sealed = std::string(kSealedTotpPrefix) + sealText(key, next);
    sodium_memzero(key.data(), key.size());
  }
  return inner_->replaceUserTotpSecret(userId, raw, sealed);
}

bool SealedStore::updateUserPersonal(const store::UserRecord& user) {
  return inner_->updateUserPersonal(sealUser(user));
}

// Appointments.

store::AppointmentRecord SealedStore::sealAppointment(store::AppointmentRecord a) {
  SubjectKey key = keys_->useKey(a.id, clock_.wallNow());
  a.title = sealText(key, a.title);
  a.patientReference = sealText(key, a.patientReference);
  a.sealed = true;
  sodium_memzero(key.data(), key.size());
  return a;
}

store::AppointmentRecord SealedStore::openAppointment(store::AppointmentRecord row) {
  if (!row.sealed) {
    return row;
  }
  std::optional<std::string> title, reference;
  if (auto key = keys_->findKey(row.id)) {
    title = openText(*key, row.title);
    reference = openText(*key, row.patientReference);
    sodium_memzero(key->data(), key->size());
  }
  row.sealed = false;
  if (!title || !reference) {
    row.title.clear();
    row.patientReference.clear();
    row.erased = true;
    return row;
  }
  row.title = std::move(*title);
  row.patientReference = std::move(*reference);
  return row;
}

store::AppointmentRecord SealedStore::createAppointment(store::AppointmentRecord appointment) {
  if (appointment.id.empty()) {
    appointment.id = "a_" + randomHex(8);
  }
  inner_->createAppointment(sealAppointment(appointment));
  appointment.sealed = false;
  return appointment;
}

std::optional<store::AppointmentRecord> SealedStore::findAppointment(const std::string& id) {
  auto row = inner_->findAppointment(id);
  return row ? std::optional(openAppointment(std::move(*row))) : std::nullopt;
}

std::vector<store::AppointmentRecord> SealedStore::listAppointments(const std::string& tenantId,
                                                                    store::UnixSeconds from, store::UnixSeconds to) {
  std::vector<store::AppointmentRecord> out;
  for (auto& row : inner_->listAppointments(tenantId, from, to)) {
    out.push_back(openAppointment(std::move(row)));
  }
  return out;
}

bool SealedStore::updateAppointment(const store::AppointmentRecord& appointment) {
  if (appointment.erased) {
    // A status change of an erased appointment keeps its unreadable ciphertext: sealing
    // the empty fields would mint a new key and lose the erased marker.
    auto row = inner_->findAppointment(appointment.id);
    if (!row) {
      return false;
    }
    store::AppointmentRecord kept = appointment;
    kept.title = row->title;
    kept.patientReference = row->patientReference;
    kept.sealed = row->sealed;
    return inner_->updateAppointment(kept);
  }
  return inner_->updateAppointment(sealAppointment(appointment));
}

std::filesystem::path storeIndexKeyFile(const std::filesystem::path& dataDir) { return dataDir / "store-index.key"; }

std::unique_ptr<SealedStore> sealStore(std::unique_ptr<store::Store> inner, const std::filesystem::path& dataDir,
                                       std::shared_ptr<SubjectKeyStore> keys, const Clock& clock) {
  std::filesystem::create_directories(dataDir);
  if (!keys) {
    keys = std::make_shared<FileSubjectKeyStore>(audit_files::subjectKeys(dataDir));
  }
  auto indexKey = store::loadOrCreateSecret(storeIndexKeyFile(dataDir), kStoreIndexKeyBytes);
  return std::make_unique<SealedStore>(std::move(inner), std::move(keys), std::move(indexKey), clock);
}

}  // namespace medrtc::compliance
