#pragma once
// A store that passes every call to another one: a test overrides the calls it needs to
// watch or to interleave with (e.g. a status change between a job's read and its write).
#include "store/store.hpp"

namespace medrtc::signaling::testing {

class ForwardingStore : public store::Store {
 public:
  explicit ForwardingStore(store::Store& inner) : inner_(inner) {}

  store::RoomRecord createRoom(const store::NewRoom& a0, store::UnixSeconds a1) override {
    return inner_.createRoom(a0, a1);
  }
  std::optional<store::RoomRecord> findRoom(const std::string& a0) override { return inner_.findRoom(a0); }
  bool endRoom(const std::string& a0, store::UnixSeconds a1) override { return inner_.endRoom(a0, a1); }
  bool reopenRoom(const std::string& a0, store::UnixSeconds a1) override { return inner_.reopenRoom(a0, a1); }
  store::ApiKeyRecord addApiKey(const std::string& a0, const std::string& a1, const std::string& a2,
                                store::UnixSeconds a3, const std::string& a4) override {
    return inner_.addApiKey(a0, a1, a2, a3, a4);
  }
  std::optional<store::ApiKeyRecord> findApiKeyByHash(const std::string& a0) override {
    return inner_.findApiKeyByHash(a0);
  }
  int64_t countApiKeys() override { return inner_.countApiKeys(); }
  store::TenantRecord createTenant(store::TenantRecord a0) override { return inner_.createTenant(a0); }
  std::optional<store::TenantRecord> findTenant(const std::string& a0) override { return inner_.findTenant(a0); }
  int64_t countTenants() override { return inner_.countTenants(); }
  std::vector<store::TenantRecord> listTenants() override { return inner_.listTenants(); }
  std::vector<store::TermsRecord> listTerms(const std::string& a0) override { return inner_.listTerms(a0); }
  void putTerms(const store::TermsRecord& a0) override { inner_.putTerms(a0); }
  store::UserRecord createUser(store::UserRecord a0) override { return inner_.createUser(a0); }
  std::optional<store::UserRecord> findUser(const std::string& a0) override { return inner_.findUser(a0); }
  std::optional<store::UserRecord> findUserByEmail(const std::string& a0) override {
    return inner_.findUserByEmail(a0);
  }
  int64_t countUsers() override { return inner_.countUsers(); }
  std::vector<store::UserRecord> listUsers() override { return inner_.listUsers(); }
  bool updateUserPersonal(const store::UserRecord& a0) override { return inner_.updateUserPersonal(a0); }
  bool sealUnsealedUser(const store::UserRecord& a0) override { return inner_.sealUnsealedUser(a0); }
  bool replaceUserTotpSecret(const std::string& a0, const std::string& a1, const std::string& a2) override {
    return inner_.replaceUserTotpSecret(a0, a1, a2);
  }
  void createSession(const store::SessionRecord& a0) override { inner_.createSession(a0); }
  std::optional<store::SessionRecord> findSession(const std::string& a0) override { return inner_.findSession(a0); }
  void touchSession(const std::string& a0, store::UnixSeconds a1) override { inner_.touchSession(a0, a1); }
  void deleteSession(const std::string& a0) override { inner_.deleteSession(a0); }
  int64_t deleteExpiredSessions(store::UnixSeconds a0) override { return inner_.deleteExpiredSessions(a0); }
  int64_t deleteUserSessions(const std::string& a0) override { return inner_.deleteUserSessions(a0); }
  store::AppointmentRecord createAppointment(store::AppointmentRecord a0) override {
    return inner_.createAppointment(a0);
  }
  std::optional<store::AppointmentRecord> findAppointment(const std::string& a0) override {
    return inner_.findAppointment(a0);
  }
  std::vector<store::AppointmentRecord> listAppointments(const std::string& a0, store::UnixSeconds a1,
                                                         store::UnixSeconds a2) override {
    return inner_.listAppointments(a0, a1, a2);
  }
  bool updateAppointment(const store::AppointmentRecord& a0) override { return inner_.updateAppointment(a0); }
  std::vector<store::AppointmentRecord> listUnsealedAppointments() override {
    return inner_.listUnsealedAppointments();
  }
  bool sealUnsealedAppointment(const store::AppointmentRecord& a0) override {
    return inner_.sealUnsealedAppointment(a0);
  }
  std::vector<std::string> listAppointmentIds() override { return inner_.listAppointmentIds(); }
  bool setAppointmentDelegate(const std::string& a0, const std::string& a1, store::UnixSeconds a2) override {
    return inner_.setAppointmentDelegate(a0, a1, a2);
  }
  bool transitionRoomAppointment(const std::string& a0, const std::string& a1, const std::string& a2,
                                 store::UnixSeconds a3) override {
    return inner_.transitionRoomAppointment(a0, a1, a2, a3);
  }
  bool roomHasAppointment(const std::string& a0) override { return inner_.roomHasAppointment(a0); }
  store::InvitationRecord createInvitation(store::InvitationRecord a0) override { return inner_.createInvitation(a0); }
  std::optional<store::InvitationRecord> findInvitation(const std::string& a0) override {
    return inner_.findInvitation(a0);
  }
  std::optional<store::InvitationRecord> findInvitationByTokenHash(const std::string& a0) override {
    return inner_.findInvitationByTokenHash(a0);
  }
  std::optional<store::InvitationRecord> findInvitationByCodeHash(const std::string& a0) override {
    return inner_.findInvitationByCodeHash(a0);
  }
  std::vector<store::InvitationRecord> listInvitations(const std::string& a0) override {
    return inner_.listInvitations(a0);
  }
  bool claimInvitation(const std::string& a0, const std::string& a1, store::UnixSeconds a2) override {
    return inner_.claimInvitation(a0, a1, a2);
  }
  bool revokeInvitation(const std::string& a0, store::UnixSeconds a1) override {
    return inner_.revokeInvitation(a0, a1);
  }  bool unclaimInvitation(const std::string& a0, const std::string& a1) override {
    return inner_.unclaimInvitation(a0, a1);
  }
  bool replaceTerms(const store::TermsRecord& a0, const store::TermsRecord& a1) override {
    return inner_.replaceTerms(a0, a1);
  }

  int64_t revokeRoomInvitations(const std::string& a0, store::UnixSeconds a1) override {
    return inner_.revokeRoomInvitations(a0, a1);
  }
  void setAppointmentInvitationsExpiry(const std::string& a0, store::UnixSeconds a1) override {
    inner_.setAppointmentInvitationsExpiry(a0, a1);
  }
  std::optional<store::Rescheduled> rescheduleAppointment(const store::Reschedule& a0) override {
    return inner_.rescheduleAppointment(a0);
  }
  bool undoReschedule(const std::string& a0, const std::string& a1, store::UnixSeconds a2, store::UnixSeconds a3,
                      store::UnixSeconds a4, const store::Rescheduled& a5) override {
    return inner_.undoReschedule(a0, a1, a2, a3, a4, a5);
  }
  store::Cancellation cancelAppointment(const std::string& a0, const std::string& a1, const std::string& a2,
                                        store::UnixSeconds a3) override {
    return inner_.cancelAppointment(a0, a1, a2, a3);
  }
  bool undoCancel(const std::string& a0, const std::string& a1, const std::string& a2, store::UnixSeconds a3,
                  store::UnixSeconds a4) override {
    return inner_.undoCancel(a0, a1, a2, a3, a4);
  }
  std::optional<store::Revocation> revokeInvitationBy(const std::string& a0, const std::string& a1,
                                                      const std::string& a2, store::UnixSeconds a3) override {
    return inner_.revokeInvitationBy(a0, a1, a2, a3);
  }
  bool unrevokeInvitation(const std::string& a0, const std::string& a1) override {
    return inner_.unrevokeInvitation(a0, a1);
  }
  bool deleteAppointment(const std::string& a0) override { return inner_.deleteAppointment(a0); }
  store::GuestRecord createGuest(store::GuestRecord a0) override { return inner_.createGuest(a0); }
  std::optional<store::GuestRecord> findGuest(const std::string& a0) override { return inner_.findGuest(a0); }
  std::optional<store::GuestRecord> findGuestByIdentity(const std::string& a0, const std::string& a1) override {
    return inner_.findGuestByIdentity(a0, a1);
  }
  bool transitionGuest(const std::string& a0, const std::string& a1, const std::string& a2,
                       store::UnixSeconds a3) override {
    return inner_.transitionGuest(a0, a1, a2, a3);
  }
  void settleChange(store::SettledChange a0, const std::string& a1, const std::string& a2) override {
    inner_.settleChange(a0, a1, a2);
  }
  store::StaffAdd addStaffGuest(const store::GuestRecord& a0, const std::string& a1, store::UnixSeconds a2) override {
    return inner_.addStaffGuest(a0, a1, a2);
  }
  bool undoStaffAdd(const std::string& a0, const std::string& a1, const std::string& a2,
                    store::UnixSeconds a3) override {
    return inner_.undoStaffAdd(a0, a1, a2, a3);
  }
  store::MetadataPurge purgeMetadata(const std::string& a0, store::UnixSeconds a1) override {
    return inner_.purgeMetadata(a0, a1);
  }
  int64_t addQualitySamples(const std::vector<store::QualitySampleRecord>& a0, int64_t a1) override {
    return inner_.addQualitySamples(a0, a1);
  }
  std::vector<store::QualitySampleRecord> listQualitySamples(const std::string& a0, store::UnixSeconds a1,
                                                             size_t a2) override {
    return inner_.listQualitySamples(a0, a1, a2);
  }
  std::vector<store::QualityRoomRecord> listQualityRooms(const std::string& a0, store::UnixSeconds a1,
                                                         size_t a2) override {
    return inner_.listQualityRooms(a0, a1, a2);
  }

 protected:
  store::Store& inner_;
};

}  // namespace medrtc::signaling::testing
