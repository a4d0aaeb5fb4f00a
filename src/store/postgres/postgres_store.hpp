#pragma once
// The PostgreSQL store (libpqxx), selected by `medrtc serve --database postgres://…`.
// Several medrtc nodes may share one database (DESIGN.md §2, scale-out).
//
// One connection, reopened when it breaks (see PgConnection). Not thread-safe: owned by
// the control thread, like SqliteStore. Its calls block on network round trips; that is
// accepted for now (DESIGN.md §2 moves blocking store calls to a small pool later).
// Every statement is parameterised ($1, $2, …); no value is ever spliced into SQL.
#include <memory>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace medrtc::store {

class PgConnection;

class PostgresStore final : public Store {
 public:
  // Connects to `url` (a libpq URI, "postgres://user@host:port/db?…") and applies
  // pending migrations in one transaction under an advisory lock, so nodes starting at
  // once migrate once. Throws StoreFailure if the server cannot be reached or migrated,
  // or if the schema is newer than this binary knows.
  explicit PostgresStore(const std::string& url);
  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  // The schema version after migration.
  int schemaVersion();

  RoomRecord createRoom(const NewRoom& room, UnixSeconds now) override;
  std::optional<RoomRecord> findRoom(const std::string& id) override;
  bool endRoom(const std::string& id, UnixSeconds now) override;
  bool reopenRoom(const std::string& id, UnixSeconds endedAt) override;

  ApiKeyRecord addApiKey(const std::string& keyHash, const std::string& prefix, const std::string& name,
                         UnixSeconds now, const std::string& tenantId) override;
  std::optional<ApiKeyRecord> findApiKeyByHash(const std::string& keyHash) override;
  int64_t countApiKeys() override;

  TenantRecord createTenant(TenantRecord tenant) override;
  std::optional<TenantRecord> findTenant(const std::string& id) override;
  int64_t countTenants() override;
  std::vector<TenantRecord> listTenants() override;
  std::vector<TermsRecord> listTerms(const std::string& tenantId) override;
  void putTerms(const TermsRecord& terms) override;
  bool replaceTerms(const TermsRecord& expected, const TermsRecord& next) override;

  UserRecord createUser(UserRecord user) override;
  std::optional<UserRecord> findUser(const std::string& id) override;
  std::optional<UserRecord> findUserByEmail(const std::string& email) override;
  int64_t countUsers() override;
  std::vector<UserRecord> listUsers() override;
  bool updateUserPersonal(const UserRecord& user) override;
  bool sealUnsealedUser(const UserRecord& user) override;
  bool replaceUserTotpSecret(const std::string& userId, const std::string& expected,
                             const std::string& next) override;

  void createSession(const SessionRecord& session) override;
  std::optional<SessionRecord> findSession(const std::string& idHash) override;
  void touchSession(const std::string& idHash, UnixSeconds lastSeenAt) override;
  void deleteSession(const std::string& idHash) override;
  int64_t deleteExpiredSessions(UnixSeconds now) override;
  int64_t deleteUserSessions(const std::string& userId) override;

  AppointmentRecord createAppointment(AppointmentRecord appointment) override;
  std::optional<AppointmentRecord> findAppointment(const std::string& id) override;
  std::vector<AppointmentRecord> listAppointments(const std::string& tenantId, UnixSeconds from,
                                                  UnixSeconds to) override;
  bool updateAppointment(const AppointmentRecord& appointment) override;
  bool setAppointmentDelegate(const std::string& id, const std::string& delegateId, UnixSeconds now) override;
  std::vector<AppointmentRecord> listUnsealedAppointments() override;
  bool sealUnsealedAppointment(const AppointmentRecord& appointment) override;
  std::vector<std::string> listAppointmentIds() override;
  bool roomHasAppointment(const std::string& roomId) override;

  InvitationRecord createInvitation(InvitationRecord invitation) override;
  std::optional<InvitationRecord> findInvitation(const std::string& id) override;
  std::optional<InvitationRecord> findInvitationByTokenHash(const std::string& tokenHash) override;
  std::optional<InvitationRecord> findInvitationByCodeHash(const std::string& codeHash) override;
  std::vector<InvitationRecord> listInvitations(const std::string& appointmentId) override;
  bool claimInvitation(const std::string& id, const std::string& guestId, UnixSeconds now) override;
  bool unclaimInvitation(const std::string& id, const std::string& guestId) override;
  bool revokeInvitation(const std::string& id, UnixSeconds now) override;
  int64_t revokeRoomInvitations(const std::string& roomId, UnixSeconds now) override;
  void setAppointmentInvitationsExpiry(const std::string& appointmentId, UnixSeconds expiresAt) override;
  std::optional<Rescheduled> rescheduleAppointment(const Reschedule& r) override;
  bool undoReschedule(const std::string& id, const std::string& change, UnixSeconds start, UnixSeconds end,
                      UnixSeconds invitationsExpireAt, const Rescheduled& replaced) override;
  Cancellation cancelAppointment(const std::string& id, const std::string& by, const std::string& change,
                                 UnixSeconds now) override;
  bool undoCancel(const std::string& id, const std::string& change, const std::string& previousStatus,
                  UnixSeconds previousUpdate, UnixSeconds roomEndedAt) override;
  std::optional<Revocation> revokeInvitationBy(const std::string& id, const std::string& by,
                                               const std::string& change, UnixSeconds now) override;
  bool unrevokeInvitation(const std::string& id, const std::string& change) override;
  bool deleteAppointment(const std::string& id) override;

  GuestRecord createGuest(GuestRecord guest) override;
  std::optional<GuestRecord> findGuest(const std::string& id) override;
  std::optional<GuestRecord> findGuestByIdentity(const std::string& roomId, const std::string& identity) override;
  bool transitionRoomAppointment(const std::string& roomId, const std::string& expected, const std::string& next,
                                 UnixSeconds now) override;
  bool transitionGuest(const std::string& id, const std::string& expected, const std::string& next,
                       UnixSeconds now) override;
  StaffAdd addStaffGuest(const GuestRecord& staff, const std::string& change, UnixSeconds now) override;
  void settleChange(SettledChange what, const std::string& id, const std::string& change) override;
  bool undoStaffAdd(const std::string& guestId, const std::string& change, const std::string& previous,
                    UnixSeconds now) override;

  MetadataPurge purgeMetadata(const std::string& tenantId, UnixSeconds cutoff) override;

  // postgres_quality_history.cpp
  int64_t addQualitySamples(const std::vector<QualitySampleRecord>& samples, int64_t maxPerRoom) override;
  std::vector<QualitySampleRecord> listQualitySamples(const std::string& roomId, UnixSeconds since,
                                                      size_t limit) override;
  std::vector<QualityRoomRecord> listQualityRooms(const std::string& tenantId, UnixSeconds since,
                                                  size_t limit) override;

 private:
  void migrate();

  std::unique_ptr<PgConnection> db_;
};

}  // namespace medrtc::store
