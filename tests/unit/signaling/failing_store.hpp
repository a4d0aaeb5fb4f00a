#pragma once
// A store whose backend is gone (disk failed, database unreachable): every call throws
// StoreFailure, as SqliteStore and PostgresStore do then. For tests of the boundary that
// must turn that into 503 problem+json.
#include "store/store.hpp"

namespace medrtc::signaling::testing {

class FailingStore final : public store::Store {
 public:
  store::RoomRecord createRoom(const store::NewRoom&, store::UnixSeconds) override { down(); }
  std::optional<store::RoomRecord> findRoom(const std::string&) override { down(); }
  bool endRoom(const std::string&, store::UnixSeconds) override { down(); }
  bool reopenRoom(const std::string&, store::UnixSeconds) override { down(); }
  store::ApiKeyRecord addApiKey(const std::string&, const std::string&, const std::string&, store::UnixSeconds,
                                const std::string&) override {
    down();
  }
  std::optional<store::ApiKeyRecord> findApiKeyByHash(const std::string&) override { down(); }
  int64_t countApiKeys() override { down(); }
  store::TenantRecord createTenant(store::TenantRecord) override { down(); }
  std::optional<store::TenantRecord> findTenant(const std::string&) override { down(); }
  int64_t countTenants() override { down(); }
  std::vector<store::TenantRecord> listTenants() override { down(); }
  std::vector<store::TermsRecord> listTerms(const std::string&) override { down(); }
  void putTerms(const store::TermsRecord&) override { down(); }
  bool replaceTerms(const store::TermsRecord&, const store::TermsRecord&) override { down(); }
  store::UserRecord createUser(store::UserRecord) override { down(); }
  std::optional<store::UserRecord> findUser(const std::string&) override { down(); }
  std::optional<store::UserRecord> findUserByEmail(const std::string&) override { down(); }
  int64_t countUsers() override { down(); }
  std::vector<store::UserRecord> listUsers() override { down(); }
  bool updateUserPersonal(const store::UserRecord&) override { down(); }
  bool sealUnsealedUser(const store::UserRecord&) override { down(); }
  bool replaceUserTotpSecret(const std::string&, const std::string&, const std::string&) override { down(); }
  void createSession(const store::SessionRecord&) override { down(); }
  std::optional<store::SessionRecord> findSession(const std::string&) override { down(); }
  void touchSession(const std::string&, store::UnixSeconds) override { down(); }
  void deleteSession(const std::string&) override { down(); }
  int64_t deleteExpiredSessions(store::UnixSeconds) override { down(); }
  int64_t deleteUserSessions(const std::string&) override { down(); }
  store::AppointmentRecord createAppointment(store::AppointmentRecord) override { down(); }
  std::optional<store::AppointmentRecord> findAppointment(const std::string&) override { down(); }
  std::vector<store::AppointmentRecord> listAppointments(const std::string&, store::UnixSeconds,
                                                         store::UnixSeconds) override {
    down();
  }
  bool updateAppointment(const store::AppointmentRecord&) override { down(); }
  std::vector<store::AppointmentRecord> listUnsealedAppointments() override { down(); }
  bool sealUnsealedAppointment(const store::AppointmentRecord&) override { down(); }
  std::vector<std::string> listAppointmentIds() override { down(); }
  bool setAppointmentDelegate(const std::string&, const std::string&, store::UnixSeconds) override { down(); }
  bool transitionRoomAppointment(const std::string&, const std::string&, const std::string&,
                                 store::UnixSeconds) override {
    down();
  }
  bool roomHasAppointment(const std::string&) override { down(); }
  store::InvitationRecord createInvitation(store::InvitationRecord) override { down(); }
  std::optional<store::InvitationRecord> findInvitation(const std::string&) override { down(); }
  std::optional<store::InvitationRecord> findInvitationByTokenHash(const std::string&) override { down(); }
  std::optional<store::InvitationRecord> findInvitationByCodeHash(const std::string&) override { down(); }
  std::vector<store::InvitationRecord> listInvitations(const std::string&) override { down(); }
  bool claimInvitation(const std::string&, const std::string&, store::UnixSeconds) override { down(); }
  bool unclaimInvitation(const std::string&, const std::string&) override { down(); }
  bool revokeInvitation(const std::string&, store::UnixSeconds) override { down(); }
  int64_t revokeRoomInvitations(const std::string&, store::UnixSeconds) override { down(); }
  void setAppointmentInvitationsExpiry(const std::string&, store::UnixSeconds) override { down(); }
  std::optional<store::Rescheduled> rescheduleAppointment(const store::Reschedule&) override { down(); }
  bool undoReschedule(const std::string&, const std::string&, store::UnixSeconds, store::UnixSeconds,
                      store::UnixSeconds, const store::Rescheduled&) override {
    down();
  }
  store::Cancellation cancelAppointment(const std::string&, const std::string&, const std::string&,
                                        store::UnixSeconds) override {
    down();
  }
  bool undoCancel(const std::string&, const std::string&, const std::string&, store::UnixSeconds,
                  store::UnixSeconds) override {
    down();
  }
  std::optional<store::Revocation> revokeInvitationBy(const std::string&, const std::string&, const std::string&,
                                                      store::UnixSeconds) override {
    down();
  }
  bool unrevokeInvitation(const std::string&, const std::string&) override { down(); }
  bool deleteAppointment(const std::string&) override { down(); }
  store::GuestRecord createGuest(store::GuestRecord) override { down(); }
  std::optional<store::GuestRecord> findGuest(const std::string&) override { down(); }
  std::optional<store::GuestRecord> findGuestByIdentity(const std::string&, const std::string&) override { down(); }
  bool transitionGuest(const std::string&, const std::string&, const std::string&, store::UnixSeconds) override {
    down();
  }
  void settleChange(store::SettledChange, const std::string&, const std::string&) override { down(); }
  store::StaffAdd addStaffGuest(const store::GuestRecord&, const std::string&, store::UnixSeconds) override {
    down();
  }
  bool undoStaffAdd(const std::string&, const std::string&, const std::string&, store::UnixSeconds) override {
    down();
  }
  store::MetadataPurge purgeMetadata(const std::string&, store::UnixSeconds) override { down(); }
  int64_t addQualitySamples(const std::vector<store::QualitySampleRecord>&, int64_t) override { down(); }
  std::vector<store::QualitySampleRecord> listQualitySamples(const std::string&, store::UnixSeconds,
                                                             size_t) override {
    down();
  }
  std::vector<store::QualityRoomRecord> listQualityRooms(const std::string&, store::UnixSeconds, size_t) override {
    down();
  }

 private:
  [[noreturn]] static void down() { throw store::StoreFailure("database is unavailable (test)"); }
};

}  // namespace medrtc::signaling::testing
