#pragma once
// Personal fields in the store, sealed with per-subject keys (F3, issue 5): a Store
// decorator over any backend, so SQLite and PostgreSQL hold only ciphertext and neither
// backend carries crypto code.
//
// Subjects: a user's email, display name and TOTP seed are sealed with the key of the
// user id ("u_…"); an appointment's title and patient reference with the key of the appointment
// id ("a_…"). The appointment, not the patient, is the subject because the store knows
// no patient identity of its own (patientReference is free text from the EHR): erasing a
// patient means erasing each of their appointments, which the EHR can list. The keys are
// the audit log's (<data>/audit/subject-keys/), so one erasure shreds both.
//
// Sign-in looks users up by email: the backend's email column holds a keyed blind index
// ("bi1:" + hex BLAKE2b-256 keyed with <data>/store-index.key) instead of the address,
// which keeps the uniqueness constraint and the lookup without storing the plaintext.
//
// Reads of a subject whose key was destroyed return empty fields with erased = true.
// Rows of an older release (plaintext) are sealed when the store is opened.
//
// A TOTP seed sits beside the password hash, and unlike the hash it is the secret itself
// (RFC 6238 §5.1: keep it protected): the column holds "sealed1:" + the sealed seed. A
// seed without that prefix is base32 of an older release and is sealed on open.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "compliance/subject_keys.hpp"
#include "store/store.hpp"

namespace medrtc::compliance {

inline constexpr size_t kStoreIndexKeyBytes = 32;

// "bi1:" + hex(BLAKE2b-256 keyed with indexKey over the email as given).
std::string emailBlindIndex(const std::vector<uint8_t>& indexKey, std::string_view email);

class SealedStore final : public store::Store {
 public:
  // Seals any plaintext rows of `inner` before returning (see sealPlaintextRows).
  SealedStore(std::unique_ptr<store::Store> inner, std::shared_ptr<SubjectKeyStore> keys,
              std::vector<uint8_t> indexKey, const Clock& clock);

  struct Conversion {
    int64_t users = 0;
    int64_t appointments = 0;
    int64_t totpSeeds = 0;
  };
  // Seals users, their TOTP seeds and appointments still in plaintext. Idempotent.
  Conversion sealPlaintextRows();
  // Crypto-shredding: destroys the subject's key; a user's email index is replaced too,
  // so the address can no longer be confirmed by a lookup. True when anything was erased.
  bool eraseSubject(const std::string& subjectId);

  store::Store& inner() { return *inner_; }
  SubjectKeyStore& keys() { return *keys_; }

  store::RoomRecord createRoom(const store::NewRoom& room, store::UnixSeconds now) override {
    return inner_->createRoom(room, now);
  }
  std::optional<store::RoomRecord> findRoom(const std::string& id) override { return inner_->findRoom(id); }
  bool endRoom(const std::string& id, store::UnixSeconds now) override { return inner_->endRoom(id, now); }
  bool reopenRoom(const std::string& id, store::UnixSeconds endedAt) override {
    return inner_->reopenRoom(id, endedAt);
  }

  store::ApiKeyRecord addApiKey(const std::string& keyHash, const std::string& prefix, const std::string& name,
                                store::UnixSeconds now, const std::string& tenantId) override {
    return inner_->addApiKey(keyHash, prefix, name, now, tenantId);
  }
  std::optional<store::ApiKeyRecord> findApiKeyByHash(const std::string& keyHash) override {
    return inner_->findApiKeyByHash(keyHash);
  }
  int64_t countApiKeys() override { return inner_->countApiKeys(); }

  store::TenantRecord createTenant(store::TenantRecord tenant) override { return inner_->createTenant(tenant); }
  std::optional<store::TenantRecord> findTenant(const std::string& id) override { return inner_->findTenant(id); }
  int64_t countTenants() override { return inner_->countTenants(); }
  std::vector<store::TenantRecord> listTenants() override { return inner_->listTenants(); }
  std::vector<store::TermsRecord> listTerms(const std::string& tenantId) override {
    return inner_->listTerms(tenantId);
  }
  void putTerms(const store::TermsRecord& terms) override { inner_->putTerms(terms); }
  bool replaceTerms(const store::TermsRecord& expected, const store::TermsRecord& next) override {
    return inner_->replaceTerms(expected, next);
  }

  store::UserRecord createUser(store::UserRecord user) override;
  std::optional<store::UserRecord> findUser(const std::string& id) override;
  std::optional<store::UserRecord> findUserByEmail(const std::string& email) override;
  int64_t countUsers() override { return inner_->countUsers(); }
  std::vector<store::UserRecord> listUsers() override;
  bool updateUserPersonal(const store::UserRecord& user) override;
  bool sealUnsealedUser(const store::UserRecord& user) override { return inner_->sealUnsealedUser(user); }
  // Plaintext in, plaintext compared: the row's seed is opened for the comparison and
  // `next` is sealed before it is written.
  bool replaceUserTotpSecret(const std::string& userId, const std::string& expected,
                             const std::string& next) override;

  void createSession(const store::SessionRecord& session) override { inner_->createSession(session); }
  std::optional<store::SessionRecord> findSession(const std::string& idHash) override {
    return inner_->findSession(idHash);
  }
  void touchSession(const std::string& idHash, store::UnixSeconds lastSeenAt) override {
    inner_->touchSession(idHash, lastSeenAt);
  }
  void deleteSession(const std::string& idHash) override { inner_->deleteSession(idHash); }
  int64_t deleteExpiredSessions(store::UnixSeconds now) override { return inner_->deleteExpiredSessions(now); }
  int64_t deleteUserSessions(const std::string& userId) override { return inner_->deleteUserSessions(userId); }

  store::AppointmentRecord createAppointment(store::AppointmentRecord appointment) override;
  std::optional<store::AppointmentRecord> findAppointment(const std::string& id) override;
  std::vector<store::AppointmentRecord> listAppointments(const std::string& tenantId, store::UnixSeconds from,
                                                         store::UnixSeconds to) override;
  bool updateAppointment(const store::AppointmentRecord& appointment) override;
  bool setAppointmentDelegate(const std::string& id, const std::string& delegateId, store::UnixSeconds now) override {
    return inner_->setAppointmentDelegate(id, delegateId, now);
  }
  std::vector<store::AppointmentRecord> listUnsealedAppointments() override {
    return inner_->listUnsealedAppointments();
  }
  bool sealUnsealedAppointment(const store::AppointmentRecord& appointment) override {
    return inner_->sealUnsealedAppointment(appointment);
  }
  std::vector<std::string> listAppointmentIds() override { return inner_->listAppointmentIds(); }
  bool roomHasAppointment(const std::string& roomId) override { return inner_->roomHasAppointment(roomId); }

  store::InvitationRecord createInvitation(store::InvitationRecord invitation) override {
    return inner_->createInvitation(invitation);
  }
  std::optional<store::InvitationRecord> findInvitation(const std::string& id) override {
    return inner_->findInvitation(id);
  }
  std::optional<store::InvitationRecord> findInvitationByTokenHash(const std::string& tokenHash) override {
    return inner_->findInvitationByTokenHash(tokenHash);
  }
  std::optional<store::InvitationRecord> findInvitationByCodeHash(const std::string& codeHash) override {
    return inner_->findInvitationByCodeHash(codeHash);
  }
  std::vector<store::InvitationRecord> listInvitations(const std::string& appointmentId) override {
    return inner_->listInvitations(appointmentId);
  }
  bool claimInvitation(const std::string& id, const std::string& guestId, store::UnixSeconds now) override {
    return inner_->claimInvitation(id, guestId, now);
  }
  bool unclaimInvitation(const std::string& id, const std::string& guestId) override {
    return inner_->unclaimInvitation(id, guestId);
  }
  bool revokeInvitation(const std::string& id, store::UnixSeconds now) override {
    return inner_->revokeInvitation(id, now);
  }
  int64_t revokeRoomInvitations(const std::string& roomId, store::UnixSeconds now) override {
    return inner_->revokeRoomInvitations(roomId, now);
  }
  void setAppointmentInvitationsExpiry(const std::string& appointmentId, store::UnixSeconds expiresAt) override {
    inner_->setAppointmentInvitationsExpiry(appointmentId, expiresAt);
  }
  // The request-keyed writes touch no sealed field: passed through.
  std::optional<store::Rescheduled> rescheduleAppointment(const store::Reschedule& r) override {
    return inner_->rescheduleAppointment(r);
  }
  bool undoReschedule(const std::string& id, const std::string& change, store::UnixSeconds start,
                      store::UnixSeconds end, store::UnixSeconds invitationsExpireAt,
                      const store::Rescheduled& replaced) override {
    return inner_->undoReschedule(id, change, start, end, invitationsExpireAt, replaced);
  }
  store::Cancellation cancelAppointment(const std::string& id, const std::string& by, const std::string& change,
                                        store::UnixSeconds now) override {
    return inner_->cancelAppointment(id, by, change, now);
  }
  bool undoCancel(const std::string& id, const std::string& change, const std::string& previousStatus,
                  store::UnixSeconds previousUpdate, store::UnixSeconds roomEndedAt) override {
    return inner_->undoCancel(id, change, previousStatus, previousUpdate, roomEndedAt);
  }
  std::optional<store::Revocation> revokeInvitationBy(const std::string& id, const std::string& by,
                                                      const std::string& change, store::UnixSeconds now) override {
    return inner_->revokeInvitationBy(id, by, change, now);
  }
  bool unrevokeInvitation(const std::string& id, const std::string& change) override {
    return inner_->unrevokeInvitation(id, change);
  }
  // The appointment's key goes with it (nothing sealed with it remains).
  bool deleteAppointment(const std::string& id) override {
    bool deleted = inner_->deleteAppointment(id);
    keys_->erase(id);
    return deleted;
  }

  store::GuestRecord createGuest(store::GuestRecord guest) override { return inner_->createGuest(guest); }
  std::optional<store::GuestRecord> findGuest(const std::string& id) override { return inner_->findGuest(id); }
  std::optional<store::GuestRecord> findGuestByIdentity(const std::string& roomId,
                                                        const std::string& identity) override {
    return inner_->findGuestByIdentity(roomId, identity);
  }
  bool transitionRoomAppointment(const std::string& roomId, const std::string& expected, const std::string& next,
                                 store::UnixSeconds now) override {
    return inner_->transitionRoomAppointment(roomId, expected, next, now);
  }
  bool transitionGuest(const std::string& id, const std::string& expected, const std::string& next,
                       store::UnixSeconds now) override {
    return inner_->transitionGuest(id, expected, next, now);
  }
  void settleChange(store::SettledChange what, const std::string& id, const std::string& change) override {
    inner_->settleChange(what, id, change);
  }
  store::StaffAdd addStaffGuest(const store::GuestRecord& staff, const std::string& change,
                                store::UnixSeconds now) override {
    return inner_->addStaffGuest(staff, change, now);
  }
  bool undoStaffAdd(const std::string& guestId, const std::string& change, const std::string& previous,
                    store::UnixSeconds now) override {
    return inner_->undoStaffAdd(guestId, change, previous, now);
  }

  store::MetadataPurge purgeMetadata(const std::string& tenantId, store::UnixSeconds cutoff) override {
    return inner_->purgeMetadata(tenantId, cutoff);
  }

  // Quality samples hold ids and figures only: nothing to seal.
  int64_t addQualitySamples(const std::vector<store::QualitySampleRecord>& samples, int64_t maxPerRoom) override {
    return inner_->addQualitySamples(samples, maxPerRoom);
  }
  std::vector<store::QualitySampleRecord> listQualitySamples(const std::string& roomId, store::UnixSeconds since,
                                                             size_t limit) override {
    return inner_->listQualitySamples(roomId, since, limit);
  }
  std::vector<store::QualityRoomRecord> listQualityRooms(const std::string& tenantId, store::UnixSeconds since,
                                                         size_t limit) override {
    return inner_->listQualityRooms(tenantId, since, limit);
  }

 private:
  store::UserRecord sealUser(store::UserRecord user);
  store::UserRecord openUser(store::UserRecord row);
  store::AppointmentRecord sealAppointment(store::AppointmentRecord appointment);
  store::AppointmentRecord openAppointment(store::AppointmentRecord row);

  std::unique_ptr<store::Store> inner_;
  std::shared_ptr<SubjectKeyStore> keys_;
  std::vector<uint8_t> indexKey_;
  const Clock& clock_;
};

// <data>/store-index.key: the blind-index key, created (0600) on first use.
std::filesystem::path storeIndexKeyFile(const std::filesystem::path& dataDir);

// Wraps `inner` with the data dir's keys: `keys` when given (serve shares the audit
// log's), otherwise a FileSubjectKeyStore on <data>/audit/subject-keys.
std::unique_ptr<SealedStore> sealStore(std::unique_ptr<store::Store> inner, const std::filesystem::path& dataDir,
                                       std::shared_ptr<SubjectKeyStore> keys = nullptr,
                                       const Clock& clock = SystemClock::instance());

}  // namespace medrtc::compliance
