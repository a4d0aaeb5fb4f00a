// The clinic entities of the Store interface (migration 2) on every backend: tenants,
// users, sessions, appointments, invitations, guests, and the two races the waiting
// room depends on (one claim per invitation, one admit per guest).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store_fixture.hpp"

namespace medrtc::store::testing {
namespace {

TenantRecord makeTenant(Store& store) {
  TenantRecord t;
  t.name = "Praxis Weber";
  t.displayName = "Praxis Dr. Weber";
  t.primaryColor = "#0b5cad";
  t.logoUrl = "/branding/weber.svg";
  t.policyProfile = "kbv";
  t.region = "eu-de";
  t.requireTotp = true;
  t.idleLogoffMinutes = 10;
  t.createdAt = 100;
  return store.createTenant(t);
}

UserRecord makeUser(Store& store, const std::string& tenantId, const std::string& email) {
  UserRecord u;
  u.tenantId = tenantId;
  u.email = email;
  u.displayName = "Dr. Weber";
  u.role = "practitioner";
  u.passwordHash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
  u.totpSecret = "JBSWY3DPEHPK3PXP";
  u.createdAt = 5;
  return store.createUser(u);
}

InvitationRecord invitation(const std::string& tokenHash, const std::string& codeHash) {
  InvitationRecord i;
  i.tenantId = "t_1";
  i.appointmentId = "a_1";
  i.roomId = "r_1";
  i.role = "patient";
  i.tokenHash = tokenHash;
  i.codeHash = codeHash;
  i.createdAt = 1;
  i.expiresAt = 1000;
  return i;
}

TEST_P(StoreTest, TenantRoundTripKeepsEveryField) {
  TenantRecord t = makeTenant(store());
  EXPECT_EQ(t.id.size(), 18u);
  EXPECT_EQ(t.id.substr(0, 2), "t_");
  reopen();
  auto found = store().findTenant(t.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "Praxis Weber");
  EXPECT_EQ(found->displayName, "Praxis Dr. Weber");
  EXPECT_EQ(found->primaryColor, "#0b5cad");
  EXPECT_EQ(found->logoUrl, "/branding/weber.svg");
  EXPECT_EQ(found->policyProfile, "kbv");
  EXPECT_EQ(found->region, "eu-de");
  EXPECT_TRUE(found->requireTotp);
  EXPECT_EQ(found->idleLogoffMinutes, 10);
  EXPECT_EQ(found->createdAt, 100);
  EXPECT_EQ(store().countTenants(), 1);
  EXPECT_FALSE(store().findTenant("t_unknown"));

  TenantRecord given;
  given.id = "t_given";
  given.name = "x";
  EXPECT_EQ(store().createTenant(given).id, "t_given");
  EXPECT_FALSE(store().findTenant("t_given")->requireTotp);
}

// K10 (migration 10): one terms text per tenant and language; a second write replaces it.
TEST_P(StoreTest, TermsArePerTenantAndLanguageAndReplaced) {
  store().putTerms(TermsRecord{"t_a", "de", "Erste Fassung", 10, "u_admin"});
  store().putTerms(TermsRecord{"t_a", "en", "First", 11, "u_admin"});
  store().putTerms(TermsRecord{"t_b", "de", "Andere Praxis", 12, "u_other"});
  store().putTerms(TermsRecord{"t_a", "de", "Zweite Fassung", 20, "u_admin2"});
  auto a = store().listTerms("t_a");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].lang, "de");
  EXPECT_EQ(a[0].body, "Zweite Fassung");
  EXPECT_EQ(a[0].updatedAt, 20);
  EXPECT_EQ(a[0].updatedBy, "u_admin2");
  EXPECT_EQ(a[1].body, "First");
  ASSERT_EQ(store().listTerms("t_b").size(), 1u);
  EXPECT_TRUE(store().listTerms("t_c").empty());
}

// The undo of a terms edit whose event failed: only while the row is still that edit.
TEST_P(StoreTest, TermsAreReplacedOnlyWhileTheyAreWhatWasExpected) {
  TermsRecord first{"t_a", "de", "Erste Fassung", 10, "u_admin"};
  TermsRecord second{"t_a", "de", "Zweite Fassung", 20, "u_admin2"};
  store().putTerms(first);
  store().putTerms(second);
  EXPECT_FALSE(store().replaceTerms(first, TermsRecord{"t_a", "de", "", 30, ""})) << "a later edit stays";
  EXPECT_EQ(store().listTerms("t_a").at(0).body, "Zweite Fassung");
  EXPECT_TRUE(store().replaceTerms(second, first));
  auto back = store().listTerms("t_a").at(0);
  EXPECT_EQ(back.body, "Erste Fassung");
  EXPECT_EQ(back.updatedAt, 10);
  EXPECT_EQ(back.updatedBy, "u_admin");
  EXPECT_FALSE(store().replaceTerms(TermsRecord{"t_a", "en", "", 0, ""}, first)) << "no row: nothing written";
}

TEST_P(StoreTest, UserRoundTripAndEmailIsUnique) {
  TenantRecord t = makeTenant(store());
  UserRecord u = makeUser(store(), t.id, "weber@example.org");
  EXPECT_EQ(u.id.substr(0, 2), "u_");
  reopen();
  auto byEmail = store().findUserByEmail("weber@example.org");
  ASSERT_TRUE(byEmail);
  EXPECT_EQ(byEmail->id, u.id);
  EXPECT_EQ(byEmail->tenantId, t.id);
  EXPECT_EQ(byEmail->displayName, "Dr. Weber");
  EXPECT_EQ(byEmail->role, "practitioner");
  EXPECT_EQ(byEmail->passwordHash, u.passwordHash);
  EXPECT_EQ(byEmail->totpSecret, "JBSWY3DPEHPK3PXP");
  EXPECT_FALSE(byEmail->disabled);
  EXPECT_EQ(byEmail->createdAt, 5);
  auto byId = store().findUser(u.id);
  ASSERT_TRUE(byId);
  EXPECT_EQ(byId->email, "weber@example.org");
  EXPECT_FALSE(store().findUserByEmail("nobody@example.org"));
  EXPECT_FALSE(store().findUser("u_unknown"));
  EXPECT_EQ(store().countUsers(), 1);

  UserRecord dup = u;
  dup.id.clear();
  EXPECT_THROW(store().createUser(dup), StoreConflict);
  EXPECT_EQ(store().countUsers(), 1);
  // The store is still usable after a refused write.
  EXPECT_TRUE(store().findUser(u.id));
}

TEST_P(StoreTest, SessionsTouchAndExpire) {
  TenantRecord t = makeTenant(store());
  UserRecord u = makeUser(store(), t.id, "a@b.c");
  store().createSession(SessionRecord{"h1", u.id, t.id, "csrf", 10, 10, 100});
  store().createSession(SessionRecord{"h2", u.id, t.id, "csrf2", 10, 10, 500});
  store().touchSession("h1", 50);
  store().touchSession("h1", 40);  // requests finish out of order: never goes back
  auto s = store().findSession("h1");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->userId, u.id);
  EXPECT_EQ(s->tenantId, t.id);
  EXPECT_EQ(s->csrfToken, "csrf");
  EXPECT_EQ(s->createdAt, 10);
  EXPECT_EQ(s->lastSeenAt, 50);
  EXPECT_EQ(s->expiresAt, 100);
  EXPECT_EQ(store().deleteExpiredSessions(99), 0);
  EXPECT_EQ(store().deleteExpiredSessions(100), 1);
  EXPECT_FALSE(store().findSession("h1"));
  store().deleteSession("h2");
  EXPECT_FALSE(store().findSession("h2"));
  store().deleteSession("h2");  // deleting twice is harmless
}

TEST_P(StoreTest, AppointmentsListByTenantAndTime) {
  TenantRecord t = makeTenant(store());
  TenantRecord other = makeTenant(store());
  for (int64_t start : {300, 100, 200}) {
    AppointmentRecord a;
    a.tenantId = t.id;
    a.practitionerId = "u_1";
    a.status = "booked";
    a.start = start;
    a.end = start + 50;
    a.title = "follow-up";
    a.roomId = "r_x";
    a.createdAt = 7;
    a.updatedAt = 7;
    EXPECT_EQ(store().createAppointment(a).id.substr(0, 2), "a_");
  }
  AppointmentRecord foreign;
  foreign.tenantId = other.id;
  foreign.status = "booked";
  foreign.start = 150;
  store().createAppointment(foreign);

  auto list = store().listAppointments(t.id, 100, 300);  // [from, to)
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].start, 100);
  EXPECT_EQ(list[1].start, 200);
  EXPECT_EQ(list[0].practitionerId, "u_1");
  EXPECT_EQ(list[0].title, "follow-up");
  EXPECT_EQ(list[0].roomId, "r_x");
  EXPECT_EQ(list[0].end, 150);
  EXPECT_TRUE(store().listAppointments(t.id, 301, 400).empty());

  AppointmentRecord changed = list[0];
  changed.status = "cancelled";
  changed.start = 110;
  changed.end = 999;
  changed.patientReference = "Patient/123";
  changed.updatedAt = 8;
  EXPECT_TRUE(store().updateAppointment(changed));
  auto found = store().findAppointment(changed.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->status, "cancelled");
  EXPECT_EQ(found->start, 110);
  EXPECT_EQ(found->end, 999);
  EXPECT_EQ(found->patientReference, "Patient/123");
  EXPECT_EQ(found->createdAt, 7);
  EXPECT_EQ(found->updatedAt, 8);
  changed.id = "a_unknown";
  EXPECT_FALSE(store().updateAppointment(changed));
  EXPECT_FALSE(store().findAppointment("a_unknown"));
}

// Issue 10 item 2: the one practitioner who may host in the appointment's
// practitioner's place; written on its own so a reschedule or status change keeps it.
TEST_P(StoreTest, AppointmentDelegateIsSetAndWithdrawn) {
  TenantRecord t = makeTenant(store());
  AppointmentRecord a;
  a.tenantId = t.id;
  a.practitionerId = "u_1";
  a.status = "booked";
  a.start = 100;
  a.end = 200;
  a.roomId = "r_x";
  a = store().createAppointment(a);
  EXPECT_EQ(store().findAppointment(a.id)->hostDelegateId, "");
  EXPECT_TRUE(store().setAppointmentDelegate(a.id, "u_2", 9));
  auto found = store().findAppointment(a.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->hostDelegateId, "u_2");
  EXPECT_EQ(found->updatedAt, 9);
  found->end = 300;
  EXPECT_TRUE(store().updateAppointment(*found));
  EXPECT_EQ(store().listAppointments(t.id, 0, 1000).at(0).hostDelegateId, "u_2");
  EXPECT_TRUE(store().setAppointmentDelegate(a.id, "", 10));
  EXPECT_EQ(store().findAppointment(a.id)->hostDelegateId, "");
  EXPECT_FALSE(store().setAppointmentDelegate("a_unknown", "u_2", 10));
  EXPECT_TRUE(store().roomHasAppointment("r_x"));
  EXPECT_FALSE(store().roomHasAppointment("r_integrator"));
}

TEST_P(StoreTest, InvitationIsClaimedOnceAndNotWhenRevokedOrExpired) {
  InvitationRecord i = store().createInvitation(invitation("th1", "ch1"));
  EXPECT_EQ(i.id.substr(0, 2), "i_");
  auto byToken = store().findInvitationByTokenHash("th1");
  ASSERT_TRUE(byToken);
  EXPECT_EQ(byToken->id, i.id);
  EXPECT_EQ(byToken->role, "patient");
  EXPECT_FALSE(byToken->usedAt);
  EXPECT_FALSE(byToken->revokedAt);
  EXPECT_TRUE(store().findInvitationByCodeHash("ch1"));
  EXPECT_FALSE(store().findInvitationByCodeHash("th1"));
  EXPECT_TRUE(store().claimInvitation(i.id, "g_1", 10));
  EXPECT_FALSE(store().claimInvitation(i.id, "g_2", 11));
  auto used = store().findInvitation(i.id);
  ASSERT_TRUE(used);
  EXPECT_EQ(used->usedByGuestId, "g_1");
  EXPECT_EQ(used->usedAt, std::optional<UnixSeconds>(10));

  InvitationRecord j = invitation("th2", "ch1");
  EXPECT_THROW(store().createInvitation(j), StoreConflict);  // same code hash
  j.codeHash = "ch2";
  j = store().createInvitation(j);
  EXPECT_FALSE(store().claimInvitation(j.id, "g_3", 1000));  // expired at 1000
  store().setAppointmentInvitationsExpiry("a_1", 2000);      // rescheduled
  EXPECT_EQ(store().findInvitation(j.id)->expiresAt, 2000);
  EXPECT_EQ(store().revokeRoomInvitations("r_1", 1500), 1);  // i was used: it stays "used"
  EXPECT_EQ(store().revokeRoomInvitations("r_1", 1600), 0);
  EXPECT_FALSE(store().claimInvitation(j.id, "g_3", 1001));
  EXPECT_EQ(*store().findInvitation(j.id)->revokedAt, 1500);
  EXPECT_EQ(store().listInvitations("a_1").size(), 2u);
  EXPECT_TRUE(store().listInvitations("a_other").empty());
}

TEST_P(StoreTest, RevokingAnInvitationKeepsTheFirstTime) {
  InvitationRecord i = store().createInvitation(invitation("th1", "ch1"));
  EXPECT_TRUE(store().revokeInvitation(i.id, 20));
  EXPECT_TRUE(store().revokeInvitation(i.id, 30));
  EXPECT_EQ(*store().findInvitation(i.id)->revokedAt, 20);
  EXPECT_FALSE(store().revokeInvitation("i_unknown", 20));
  EXPECT_FALSE(store().claimInvitation(i.id, "g_1", 21));
}

// A redeem whose event failed is undone: its claim and its guest go, only for that guest.
TEST_P(StoreTest, UnclaimingTakesBackOnlyThisGuestsClaim) {
  InvitationRecord i = store().createInvitation(invitation("th1", "ch1"));
  ASSERT_TRUE(store().claimInvitation(i.id, "g_1", 10));
  GuestRecord g;
  g.id = "g_1";
  g.roomId = "r_1";
  g.role = "patient";
  g.state = "waiting";
  g.tenantId = "t_1";
  g.invitationId = i.id;
  store().createGuest(g);
  EXPECT_FALSE(store().unclaimInvitation(i.id, "g_2")) << "another guest's claim stays";
  EXPECT_EQ(store().findInvitation(i.id)->usedByGuestId, "g_1");
  EXPECT_TRUE(store().unclaimInvitation(i.id, "g_1"));
  auto free = store().findInvitation(i.id);
  ASSERT_TRUE(free);
  EXPECT_FALSE(free->usedAt);
  EXPECT_EQ(free->usedByGuestId, "");
  EXPECT_FALSE(store().findGuest("g_1")) << "the undone redeem's guest stayed";
  EXPECT_TRUE(store().claimInvitation(i.id, "g_3", 11)) << "the invitation can be redeemed again";
  EXPECT_FALSE(store().unclaimInvitation(i.id, "g_1"));
  EXPECT_EQ(store().findInvitation(i.id)->usedByGuestId, "g_3");
}

TEST_P(StoreTest, TwoRedeemersAtOnceOneClaimsTheInvitation) {
  InvitationRecord i = store().createInvitation(invitation("th1", "ch1"));
  std::unique_ptr<Store> second = db().open();  // another connection, as a second node
  for (int round = 0; round < 5; ++round) {
    InvitationRecord r = store().createInvitation(invitation("tr" + std::to_string(round), "cr" + std::to_string(round)));
    std::atomic<int> wins{0};
    std::thread other([&] { wins += second->claimInvitation(r.id, "g_b", 10) ? 1 : 0; });
    wins += store().claimInvitation(r.id, "g_a", 10) ? 1 : 0;
    other.join();
    EXPECT_EQ(wins.load(), 1) << "round " << round;
  }
}

TEST_P(StoreTest, GuestStateIsCompareAndSetAndSurvivesReopen) {
  GuestRecord g;
  g.roomId = "r_1";
  g.role = "patient";
  g.state = "waiting";
  g.tenantId = "t_1";
  g.invitationId = "i_1";
  g.createdAt = 3;
  g.updatedAt = 3;
  g = store().createGuest(g);
  EXPECT_EQ(g.id.substr(0, 2), "g_");
  EXPECT_EQ(g.identity, g.id);
  EXPECT_TRUE(store().transitionGuest(g.id, "waiting", "admitted", 5));
  EXPECT_FALSE(store().transitionGuest(g.id, "waiting", "admitted", 6));
  EXPECT_FALSE(store().transitionGuest("g_unknown", "waiting", "admitted", 6));
  reopen();  // a server restart in the middle of a consultation
  auto found = store().findGuestByIdentity("r_1", g.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->state, "admitted");
  EXPECT_EQ(found->updatedAt, 5);
  EXPECT_EQ(found->createdAt, 3);
  EXPECT_EQ(found->tenantId, "t_1");
  EXPECT_EQ(found->invitationId, "i_1");
  EXPECT_FALSE(store().findGuestByIdentity("r_2", g.id));
  EXPECT_TRUE(store().findGuest(g.id));

  GuestRecord named;
  named.roomId = "r_1";
  named.identity = "ext-42";
  named.role = "guest";
  named.state = "waiting";
  named = store().createGuest(named);
  EXPECT_NE(named.id, "ext-42");
  EXPECT_EQ(store().findGuestByIdentity("r_1", "ext-42")->id, named.id);
  GuestRecord again = named;
  again.id.clear();
  EXPECT_THROW(store().createGuest(again), StoreConflict);  // one identity per room
}

TEST_P(StoreTest, TwoHostsAdmittingAtOnceOneWins) {
  std::unique_ptr<Store> second = db().open();
  for (int round = 0; round < 5; ++round) {
    GuestRecord g;
    g.roomId = "r_1";
    g.role = "patient";
    g.state = "waiting";
    g = store().createGuest(g);
    std::atomic<int> wins{0};
    std::thread other([&] { wins += second->transitionGuest(g.id, "waiting", "admitted", 7) ? 1 : 0; });
    wins += store().transitionGuest(g.id, "waiting", "admitted", 7) ? 1 : 0;
    other.join();
    EXPECT_EQ(wins.load(), 1) << "round " << round;
  }
}

}  // namespace
}  // namespace medrtc::store::testing
