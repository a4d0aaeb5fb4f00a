// The retention job over the store (K9, F4) with an injectable clock: under KBV the
// consultation metadata survives 89 days and is gone after 91, the keys of what went are
// erased, staff accounts stay readable, and the audit chain still verifies.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "audit_fixtures.hpp"
#include "compliance/audit_format.hpp"
#include "compliance/audit_log.hpp"
#include "compliance/audit_verify.hpp"
#include "compliance/store_retention.hpp"
#include "compliance/store_sealing.hpp"
#include "store/sqlite_store.hpp"
#include "test_support.hpp"

namespace medrtc::compliance {
namespace {

using testing::TempDir;
using namespace std::chrono_literals;

store::UnixSeconds unix(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.wallNow().time_since_epoch()).count();
}

struct Clinic {
  std::string tenantId, userId, appointmentId, invitationId, guestId, roomId, integratorRoomId;
};

// A KBV tenant with a practitioner, an appointment (ended now) with its room, an
// invitation and an admitted guest; and an integrator room that ended now.
Clinic seed(store::Store& s, const Clock& clock, const std::string& profile = "kbv") {
  Clinic c;
  store::UnixSeconds now = unix(clock);
  store::TenantRecord t;
  t.name = "Praxis";
  t.policyProfile = profile;
  t.createdAt = now;
  c.tenantId = s.createTenant(t).id;
  store::UserRecord u;
  u.tenantId = c.tenantId;
  u.email = profile == "kbv" ? "dr.weber@praxis.example" : "dr.weber@" + profile + ".example";
  u.displayName = "Dr. Weber";
  u.role = "practitioner";
  u.createdAt = now;
  c.userId = s.createUser(u).id;
  store::NewRoom nr;
  nr.tenantId = c.tenantId;
  nr.waitingRoom = true;
  c.roomId = s.createRoom(nr, now - 1800).id;
  s.endRoom(c.roomId, now);
  store::AppointmentRecord a;
  a.tenantId = c.tenantId;
  a.practitionerId = c.userId;
  a.status = "fulfilled";
  a.start = now - 1800;
  a.end = now;
  a.title = "Nachsorge";
  a.patientReference = "Patient/pt-1";
  a.roomId = c.roomId;
  c.appointmentId = s.createAppointment(a).id;
  store::InvitationRecord i;
  i.tenantId = c.tenantId;
  i.appointmentId = c.appointmentId;
  i.roomId = c.roomId;
  i.role = "patient";
  i.tokenHash = "token-" + c.tenantId;
  i.codeHash = "code-" + c.tenantId;
  i.createdAt = now - 3600;
  i.expiresAt = now;
  c.invitationId = s.createInvitation(i).id;
  store::GuestRecord g;
  g.roomId = c.roomId;
  g.role = "patient";
  g.state = "admitted";
  g.tenantId = c.tenantId;
  g.invitationId = c.invitationId;
  c.guestId = s.createGuest(g).id;
  c.integratorRoomId = s.createRoom(store::NewRoom{}, now - 60).id;
  s.endRoom(c.integratorRoomId, now);
  return c;
}

class StoreRetention : public ::testing::Test {
 protected:
  void SetUp() override {
    auto kbv = loadPolicyByName("kbv", testing::policiesDir());
    ASSERT_TRUE(kbv) << kbv.error().toString();
    kbv_ = *kbv;
    keys_ = std::make_shared<FileSubjectKeyStore>(audit_files::subjectKeys(dir_.path()));
    store_ = sealStore(std::make_unique<store::SqliteStore>(dir_.path() / "medrtc.db"), dir_.path(), keys_, clock_);
    AuditLogOptions options = testing::logOptions(dir_.path(), &clock_);
    options.subjectKeys = keys_;
    log_ = AuditLog::open(options);
  }

  RetentionRunReport run(const PolicyProfile* node) {
    RetentionRunOptions options;
    options.nodeProfile = node;
    options.audit = log_.get();
    options.tenantProfile = [](const std::string& name) -> std::optional<PolicyProfile> {
      auto p = loadPolicyByName(name, testing::policiesDir());
      return p ? std::optional(*p) : std::nullopt;
    };
    return runRetention(*store_, *keys_, clock_, options);
  }

  TempDir dir_;
  ManualClock clock_;
  PolicyProfile kbv_;
  std::shared_ptr<FileSubjectKeyStore> keys_;
  std::unique_ptr<SealedStore> store_;
  std::unique_ptr<AuditLog> log_;
};

TEST_F(StoreRetention, KbvKeepsMetadata89DaysAndPurgesItAfter91WithTheAuditChainValid) {
  ASSERT_EQ(kbv_.metadataRetentionDays, 90u);
  Clinic c = seed(*store_, clock_);
  // The guest's typed name in the audit log, sealed with the guest's key.
  log_->append(testing::admitEvent(c.guestId, "Max Mustermann"));

  clock_.advance(89 * 24h);
  auto early = run(&kbv_);
  EXPECT_EQ(early.counts.total(), 0) << early.counts.summary();
  EXPECT_TRUE(store_->findAppointment(c.appointmentId));
  EXPECT_EQ(store_->findAppointment(c.appointmentId)->title, "Nachsorge");
  EXPECT_TRUE(store_->findInvitation(c.invitationId));
  EXPECT_TRUE(store_->findGuest(c.guestId));
  EXPECT_TRUE(store_->findRoom(c.roomId));
  EXPECT_TRUE(store_->findRoom(c.integratorRoomId));

  clock_.advance(2 * 24h);  // 91 days after the consultation ended
  auto report = run(&kbv_);
  EXPECT_EQ(report.counts.appointments, 1) << report.counts.summary();
  EXPECT_EQ(report.counts.invitations, 1);
  EXPECT_EQ(report.counts.guests, 1);
  EXPECT_EQ(report.counts.rooms, 2);  // the appointment's room and the integrator room
  EXPECT_FALSE(store_->findAppointment(c.appointmentId));
  EXPECT_FALSE(store_->findInvitation(c.invitationId));
  EXPECT_FALSE(store_->findGuest(c.guestId));
  EXPECT_FALSE(store_->findRoom(c.roomId));
  EXPECT_FALSE(store_->findRoom(c.integratorRoomId));
  // The appointment's key and the guest's audit key went; the practitioner is a live
  // account, not metadata: still readable.
  EXPECT_FALSE(keys_->findKey(c.appointmentId));
  EXPECT_FALSE(keys_->findKey(c.guestId));
  EXPECT_EQ(report.counts.erasedKeys, 2);
  auto user = store_->findUserByEmail("dr.weber@praxis.example");
  ASSERT_TRUE(user);
  EXPECT_EQ(user->displayName, "Dr. Weber");
  log_->close();

  // The audit log itself is never purged: every event is still there and verifies,
  // including the two "retention purge" events (counts only).
  auto verified = verifyAuditLog(dir_.path());
  EXPECT_TRUE(verified.ok) << verified.summary();
  EXPECT_EQ(verified.eventCount, 3u);
  std::string events = testing::readFile(audit_files::events(dir_.path()));
  EXPECT_NE(events.find("retention purge: appointments=1 invitations=1 guests=1 rooms=2"), std::string::npos);
  EXPECT_EQ(events.find("Mustermann"), std::string::npos);
  EXPECT_EQ(events.find("Nachsorge"), std::string::npos);
}

TEST_F(StoreRetention, ATenantsOwnProfileGovernsItsMetadata) {
  Clinic hipaaClinic = seed(*store_, clock_, "hipaa");
  Clinic kbvClinic = seed(*store_, clock_, "kbv");
  clock_.advance(91 * 24h);
  // No node profile: each tenant under its own.
  auto report = run(nullptr);
  EXPECT_EQ(report.counts.appointments, 1);
  EXPECT_TRUE(store_->findAppointment(hipaaClinic.appointmentId));
  EXPECT_FALSE(store_->findAppointment(kbvClinic.appointmentId));
  // Integrator rooms follow the node profile, and there is none.
  EXPECT_TRUE(store_->findRoom(kbvClinic.integratorRoomId));
}

// A tenant's own profile that does not load (a name this node's policies dir lacks, a
// broken file) may keep metadata far longer than the node's (hipaa: 6 years on a kbv
// node): purging it under the node's 90 days would delete what must stay. Fail closed.
TEST_F(StoreRetention, ATenantWhoseProfileDoesNotLoadIsNotPurgedUnderTheNodes) {
  Clinic c = seed(*store_, clock_, "hipaa");
  clock_.advance(91 * 24h);
  RetentionRunOptions options;
  options.nodeProfile = &kbv_;
  options.audit = log_.get();
  options.tenantProfile = [](const std::string&) -> std::optional<PolicyProfile> { return std::nullopt; };
  auto report = runRetention(*store_, *keys_, clock_, options);
  ASSERT_TRUE(store_->findAppointment(c.appointmentId));
  EXPECT_EQ(store_->findAppointment(c.appointmentId)->title, "Nachsorge");
  EXPECT_TRUE(store_->findInvitation(c.invitationId));
  EXPECT_TRUE(store_->findGuest(c.guestId));
  EXPECT_TRUE(store_->findRoom(c.roomId));
  EXPECT_EQ(report.counts.appointments, 0) << report.counts.summary();
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_NE(report.problems[0].find("not purged"), std::string::npos) << report.problems[0];
  // Integrator rooms still follow the node's profile.
  EXPECT_FALSE(store_->findRoom(c.integratorRoomId));
}

TEST_F(StoreRetention, ExpiredSessionsGoWhateverTheProfile) {
  Clinic c = seed(*store_, clock_);
  store::SessionRecord s{"hash", c.userId, c.tenantId, "csrf", unix(clock_), unix(clock_), unix(clock_) + 3600};
  store_->createSession(s);
  clock_.advance(2h);
  EXPECT_EQ(run(nullptr).counts.sessions, 1);
  EXPECT_FALSE(store_->findSession("hash"));
}

TEST_F(StoreRetention, LiveSubjectsKeepTheirKeysHoweverOldTheirLastUse) {
  Clinic c = seed(*store_, clock_);
  store::AppointmentRecord future;
  future.tenantId = c.tenantId;
  future.practitionerId = c.userId;
  future.status = "booked";
  future.start = unix(clock_) + 200 * 24 * 3600;
  future.end = future.start + 1800;
  future.title = "Kontrolle in einem halben Jahr";
  future.roomId = "r_future";
  future = store_->createAppointment(future);
  clock_.advance(120 * 24h);
  run(&kbv_);
  EXPECT_EQ(store_->findAppointment(future.id)->title, "Kontrolle in einem halben Jahr");
  EXPECT_EQ(store_->findUser(c.userId)->displayName, "Dr. Weber");
  EXPECT_FALSE(store_->findAppointment(c.appointmentId));
}

TEST_F(StoreRetention, ErasingAUserShredsStoreAndAuditFieldsAndTheChainVerifies) {
  Clinic c = seed(*store_, clock_);
  log_->append(testing::admitEvent(c.userId, "Dr. Weber"));
  EXPECT_TRUE(store_->eraseSubject(c.userId));
  EXPECT_TRUE(store_->findUser(c.userId)->erased);
  EXPECT_FALSE(store_->findUserByEmail("dr.weber@praxis.example"));
  log_->close();
  EXPECT_TRUE(verifyAuditLog(dir_.path()).ok);
}

}  // namespace
}  // namespace medrtc::compliance
