// The clinic entities of the Store interface (migration 2) on SQLite.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/random.hpp"
#include "store/sqlite_store.hpp"

namespace medrtc::store {
namespace {

class ClinicStore : public ::testing::Test {
 protected:
  ClinicStore() : dir_(std::filesystem::temp_directory_path() / ("medrtc-clinic-store-" + randomHex(6))) {
    std::filesystem::create_directories(dir_);
    store_ = std::make_unique<SqliteStore>(dir_ / "medrtc.db");
  }
  ~ClinicStore() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void reopen() {
    store_.reset();
    store_ = std::make_unique<SqliteStore>(dir_ / "medrtc.db");
  }

  TenantRecord tenant() {
    TenantRecord t;
    t.name = "Praxis Weber";
    t.policyProfile = "kbv";
    t.region = "eu-de";
    t.requireTotp = true;
    t.idleLogoffMinutes = 10;
    t.createdAt = 100;
    return store_->createTenant(t);
  }

  std::filesystem::path dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(ClinicStore, TenantAndUserRoundTrip) {
  TenantRecord t = tenant();
  EXPECT_EQ(t.id.substr(0, 2), "t_");
  UserRecord u;
  u.tenantId = t.id;
  u.email = "weber@example.org";
  u.role = "practitioner";
  u.passwordHash = "$argon2id$...";
  u.totpSecret = "JBSWY3DPEHPK3PXP";
  u.createdAt = 5;
  u = store_->createUser(u);
  EXPECT_EQ(u.id.substr(0, 2), "u_");
  reopen();
  auto foundT = store_->findTenant(t.id);
  ASSERT_TRUE(foundT);
  EXPECT_TRUE(foundT->requireTotp);
  EXPECT_EQ(foundT->idleLogoffMinutes, 10);
  EXPECT_EQ(foundT->policyProfile, "kbv");
  auto byEmail = store_->findUserByEmail("weber@example.org");
  ASSERT_TRUE(byEmail);
  EXPECT_EQ(byEmail->id, u.id);
  EXPECT_EQ(byEmail->totpSecret, "JBSWY3DPEHPK3PXP");
  EXPECT_EQ(store_->countUsers(), 1);
  EXPECT_EQ(store_->countTenants(), 1);
  UserRecord dup = u;
  dup.id.clear();
  EXPECT_THROW(store_->createUser(dup), StoreConflict);
}

TEST_F(ClinicStore, SessionsTouchAndExpire) {
  TenantRecord t = tenant();
  UserRecord u = store_->createUser(UserRecord{"", t.id, "a@b.c", "", "admin", "", "", false, 1});
  store_->createSession(SessionRecord{"h1", u.id, t.id, "csrf", 10, 10, 100});
  store_->touchSession("h1", 50);
  store_->touchSession("h1", 40);  // never goes back
  auto s = store_->findSession("h1");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->lastSeenAt, 50);
  EXPECT_EQ(store_->deleteExpiredSessions(99), 0);
  EXPECT_EQ(store_->deleteExpiredSessions(100), 1);
  EXPECT_FALSE(store_->findSession("h1"));
}

TEST_F(ClinicStore, RoomKeepsWaitingRoomFlagAndTenant) {
  TenantRecord t = tenant();
  RoomRecord r = store_->createRoom(NewRoom{"", true, t.id}, 1);
  auto again = store_->findRoom(r.id);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->waitingRoom);
  EXPECT_EQ(again->tenantId, t.id);
  EXPECT_FALSE(store_->findRoom(store_->createRoom(NewRoom{}, 1).id)->waitingRoom);
}

TEST_F(ClinicStore, AppointmentsListByTenantAndTime) {
  TenantRecord t = tenant();
  TenantRecord other = tenant();
  for (int64_t start : {300, 100, 200}) {
    AppointmentRecord a;
    a.tenantId = t.id;
    a.status = "booked";
    a.start = start;
    a.end = start + 50;
    a.roomId = "r_x";
    store_->createAppointment(a);
  }
  AppointmentRecord foreign;
  foreign.tenantId = other.id;
  foreign.status = "booked";
  foreign.start = 150;
  store_->createAppointment(foreign);
  auto list = store_->listAppointments(t.id, 100, 300);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].start, 100);
  EXPECT_EQ(list[1].start, 200);
  AppointmentRecord changed = list[0];
  changed.status = "cancelled";
  changed.end = 999;
  EXPECT_TRUE(store_->updateAppointment(changed));
  auto found = store_->findAppointment(changed.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->status, "cancelled");
  EXPECT_EQ(found->end, 999);
}

TEST_F(ClinicStore, InvitationIsClaimedOnceAndNotWhenRevokedOrExpired) {
  InvitationRecord i;
  i.tenantId = "t_1";
  i.appointmentId = "a_1";
  i.roomId = "r_1";
  i.role = "patient";
  i.tokenHash = "th1";
  i.codeHash = "ch1";
  i.expiresAt = 1000;
  i = store_->createInvitation(i);
  EXPECT_EQ(i.id.substr(0, 2), "i_");
  EXPECT_TRUE(store_->findInvitationByTokenHash("th1"));
  EXPECT_TRUE(store_->findInvitationByCodeHash("ch1"));
  EXPECT_TRUE(store_->claimInvitation(i.id, "g_1", 10));
  EXPECT_FALSE(store_->claimInvitation(i.id, "g_2", 11));
  EXPECT_EQ(store_->findInvitation(i.id)->usedByGuestId, "g_1");

  InvitationRecord j = i;
  j.id.clear();
  j.tokenHash = "th2";
  EXPECT_THROW(store_->createInvitation(j), StoreConflict);  // same code hash
  j.codeHash = "ch2";
  j.usedAt.reset();
  j.usedByGuestId.clear();
  j = store_->createInvitation(j);
  EXPECT_FALSE(store_->claimInvitation(j.id, "g_3", 1000));  // expired at 1000
  store_->setAppointmentInvitationsExpiry("a_1", 2000);
  EXPECT_EQ(store_->revokeRoomInvitations("r_1", 1500), 2);
  EXPECT_FALSE(store_->claimInvitation(j.id, "g_3", 1001));
  EXPECT_EQ(*store_->findInvitation(j.id)->revokedAt, 1500);
  EXPECT_EQ(store_->listInvitations("a_1").size(), 2u);
}

TEST_F(ClinicStore, GuestStateIsCompareAndSetAndSurvivesReopen) {
  GuestRecord g;
  g.roomId = "r_1";
  g.role = "patient";
  g.state = "waiting";
  g = store_->createGuest(g);
  EXPECT_EQ(g.identity, g.id);
  EXPECT_TRUE(store_->transitionGuest(g.id, "waiting", "admitted", 5));
  EXPECT_FALSE(store_->transitionGuest(g.id, "waiting", "admitted", 6));
  reopen();
  auto found = store_->findGuestByIdentity("r_1", g.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->state, "admitted");
  EXPECT_EQ(found->updatedAt, 5);
}

}  // namespace
}  // namespace medrtc::store
