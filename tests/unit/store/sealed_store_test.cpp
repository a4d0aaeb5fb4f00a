// Personal fields sealed with per-subject keys (compliance/store_sealing.hpp) on every
// backend: the database holds no plaintext email, name, title or patient reference,
// sign-in still finds users by email (blind index), erasure leaves an explicit marker,
// and rows of the previous release are sealed when the store is opened.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/clock.hpp"
#include "common/random.hpp"
#include "compliance/store_sealing.hpp"
#include "compliance/test_support.hpp"
#include "store/secret_file.hpp"
#include "store/sqlite_store.hpp"
#include "store_fixture.hpp"

namespace medrtc::store::testing {
namespace {

using compliance::testing::TempDir;

constexpr const char* kEmail = "erika.musterfrau@praxis.example";
constexpr const char* kName = "Dr. Erika Musterfrau";
constexpr const char* kTitle = "Nachsorge Knie links";
constexpr const char* kPatient = "Patient/pt-4711";

class SealedStoreTest : public StoreTest {
 protected:
  // The sealed store over this test's database; keys and index key in a temp data dir.
  compliance::SealedStore& sealed() {
    if (!sealed_) {
      reopenSealed();
    }
    return *sealed_;
  }
  void reopenSealed() {
    sealed_.reset();
    sealed_ = compliance::sealStore(db().open(), dataDir_.path(), nullptr, clock_);
  }

  std::string tenant() {
    TenantRecord t;
    t.name = "Praxis";
    t.createdAt = 1;
    return sealed().createTenant(t).id;
  }
  UserRecord user(const std::string& tenantId, const std::string& email = kEmail) {
    UserRecord u;
    u.tenantId = tenantId;
    u.email = email;
    u.displayName = kName;
    u.role = "practitioner";
    u.createdAt = 5;
    return u;
  }
  AppointmentRecord appointment(const std::string& tenantId) {
    AppointmentRecord a;
    a.tenantId = tenantId;
    a.practitionerId = "u_1";
    a.status = "booked";
    a.start = 1000;
    a.end = 2000;
    a.title = kTitle;
    a.patientReference = kPatient;
    a.roomId = "r_" + randomHex(8);
    a.createdAt = 10;
    a.updatedAt = 10;
    return a;
  }
  // Rows whose column equals, or contains, the plaintext.
  int64_t rawMatches(const std::string& table, const std::string& column, const std::string& text) {
    return db().queryInt("SELECT COUNT(*) FROM " + table + " WHERE " + column + " LIKE '%' || CAST($1 AS TEXT) || '%'",
                         text);
  }

  TempDir dataDir_;
  ManualClock clock_;
  std::unique_ptr<compliance::SealedStore> sealed_;
};

TEST_P(SealedStoreTest, UserFieldsAreCiphertextAtRestAndSignInFindsTheEmail) {
  UserRecord u = sealed().createUser(user(tenant()));
  EXPECT_EQ(u.email, kEmail);
  EXPECT_EQ(rawMatches("users", "email", "musterfrau"), 0);
  EXPECT_EQ(rawMatches("users", "email_sealed", "musterfrau"), 0);
  EXPECT_EQ(rawMatches("users", "display_name", "Musterfrau"), 0);
  EXPECT_EQ(db().queryInt("SELECT COUNT(*) FROM users WHERE email LIKE 'bi1:%'"), 1);

  reopenSealed();
  auto found = sealed().findUserByEmail(kEmail);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, u.id);
  EXPECT_EQ(found->email, kEmail);
  EXPECT_EQ(found->displayName, kName);
  EXPECT_FALSE(found->erased);
  EXPECT_TRUE(found->sealedEmail.empty());
  EXPECT_EQ(sealed().findUser(u.id)->displayName, kName);
  EXPECT_FALSE(sealed().findUserByEmail("someone.else@praxis.example"));
  // The unique constraint still holds on the blind index.
  EXPECT_THROW(sealed().createUser(user(u.tenantId)), StoreConflict);
}

// The undo of a new appointment whose event failed takes its subject key with it: nothing
// sealed with it remains.
TEST_P(SealedStoreTest, DeletingANewAppointmentDropsItsKey) {
  std::string t = tenant();
  RoomRecord room = sealed().createRoom(NewRoom{.name = "", .waitingRoom = true, .tenantId = t}, 1);
  AppointmentRecord draft = appointment(t);
  draft.roomId = room.id;
  AppointmentRecord a = sealed().createAppointment(draft);
  ASSERT_TRUE(sealed().keys().findKey(a.id));
  EXPECT_TRUE(sealed().deleteAppointment(a.id));
  EXPECT_FALSE(sealed().findAppointment(a.id));
  EXPECT_FALSE(sealed().keys().findKey(a.id)) << "the key outlived its appointment";
}

TEST_P(SealedStoreTest, AppointmentFieldsAreCiphertextAtRest) {
  std::string t = tenant();
  AppointmentRecord a = sealed().createAppointment(appointment(t));
  EXPECT_EQ(rawMatches("appointments", "title", "Knie"), 0);
  EXPECT_EQ(rawMatches("appointments", "patient_reference", "4711"), 0);

  reopenSealed();
  auto found = sealed().findAppointment(a.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->title, kTitle);
  EXPECT_EQ(found->patientReference, kPatient);
  EXPECT_FALSE(found->sealed);
  found->title = "Nachsorge Knie rechts";
  found->status = "arrived";
  ASSERT_TRUE(sealed().updateAppointment(*found));
  auto listed = sealed().listAppointments(t, 0, 5000);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].title, "Nachsorge Knie rechts");
  EXPECT_EQ(listed[0].status, "arrived");
  EXPECT_EQ(rawMatches("appointments", "title", "Knie"), 0);
}

TEST_P(SealedStoreTest, ErasureLeavesAnExplicitMarkerAndTheEmailNoLongerMatches) {
  std::string t = tenant();
  UserRecord u = sealed().createUser(user(t));
  AppointmentRecord a = sealed().createAppointment(appointment(t));
  SessionRecord session;
  session.idHash = "h-erased";
  session.userId = u.id;
  session.tenantId = t;
  session.csrfToken = "c";
  session.createdAt = 1;
  session.lastSeenAt = 1;
  session.expiresAt = 4'000'000'000;
  sealed().createSession(session);

  EXPECT_TRUE(sealed().eraseSubject(u.id));
  EXPECT_FALSE(sealed().findSession("h-erased")) << "an erased person stays signed in";
  EXPECT_TRUE(sealed().eraseSubject(a.id));
  reopenSealed();
  auto erasedUser = sealed().findUser(u.id);
  ASSERT_TRUE(erasedUser);
  EXPECT_TRUE(erasedUser->erased);
  EXPECT_TRUE(erasedUser->email.empty());
  EXPECT_TRUE(erasedUser->displayName.empty());
  EXPECT_FALSE(sealed().findUserByEmail(kEmail));
  EXPECT_EQ(db().queryInt("SELECT COUNT(*) FROM users WHERE email LIKE 'bi1:%'"), 0);

  auto erasedAppointment = sealed().findAppointment(a.id);
  ASSERT_TRUE(erasedAppointment);
  EXPECT_TRUE(erasedAppointment->erased);
  EXPECT_TRUE(erasedAppointment->title.empty());
  EXPECT_TRUE(erasedAppointment->patientReference.empty());
  // The workflow goes on (a status change) and the appointment stays erased.
  erasedAppointment->status = "cancelled";
  ASSERT_TRUE(sealed().updateAppointment(*erasedAppointment));
  auto after = sealed().findAppointment(a.id);
  EXPECT_EQ(after->status, "cancelled");
  EXPECT_TRUE(after->erased);

  // The address is free again (a new account for the same person is a new subject).
  EXPECT_NO_THROW(sealed().createUser(user(t)));
  EXPECT_FALSE(sealed().eraseSubject("u_never_existed"));
}

// A guest's erasure ends their way in, as a user's ends their sessions: the invitation they
// redeemed is revoked, so their join token no longer joins and a running server's re-check
// sends them out of the call (SignalingHub::recheckSessions, GuestRevocation.*).
TEST_P(SealedStoreTest, ErasingAGuestRevokesTheirInvitation) {
  InvitationRecord i;
  i.tenantId = "t_1";
  i.appointmentId = "a_1";
  i.roomId = "r_1";
  i.role = "patient";
  i.tokenHash = "th-erased";
  i.codeHash = "ch-erased";
  i.createdAt = 1;
  i.expiresAt = 4'000'000'000;
  i = sealed().createInvitation(i);
  GuestRecord g;
  g.roomId = "r_1";
  g.role = "patient";
  g.state = "admitted";
  g.invitationId = i.id;
  g = sealed().createGuest(g);
  ASSERT_TRUE(sealed().claimInvitation(i.id, g.id, 2));
  EXPECT_FALSE(sealed().findInvitation(i.id)->revokedAt);

  EXPECT_TRUE(sealed().eraseSubject(g.id));
  EXPECT_TRUE(sealed().findInvitation(i.id)->revokedAt) << "an erased guest's link still works";
  EXPECT_FALSE(sealed().eraseSubject("g_never_existed"));
}

TEST_P(SealedStoreTest, PlaintextRowsOfThePreviousReleaseAreSealedOnOpen) {
  std::string tenantId;
  std::string userId, appointmentId;
  {
    // The previous release wrote straight to the backend.
    auto plain = db().open();
    TenantRecord t;
    t.name = "Praxis";
    tenantId = plain->createTenant(t).id;
    userId = plain->createUser(user(tenantId)).id;
    appointmentId = plain->createAppointment(appointment(tenantId)).id;
  }
  EXPECT_EQ(rawMatches("users", "email", "musterfrau"), 1);

  auto conversion = sealed().sealPlaintextRows();  // the open already converted them
  EXPECT_EQ(conversion.users, 0);
  EXPECT_EQ(conversion.appointments, 0);
  EXPECT_EQ(rawMatches("users", "email", "musterfrau"), 0);
  EXPECT_EQ(rawMatches("users", "display_name", "Musterfrau"), 0);
  EXPECT_EQ(rawMatches("appointments", "title", "Knie"), 0);
  EXPECT_EQ(rawMatches("appointments", "patient_reference", "4711"), 0);

  auto found = sealed().findUserByEmail(kEmail);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, userId);
  EXPECT_EQ(found->displayName, kName);
  EXPECT_EQ(sealed().findAppointment(appointmentId)->title, kTitle);
}

constexpr const char* kTotpSeed = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

// RFC 6238 §5.1: the seed is the shared secret itself (unlike the password hash beside it).
TEST_P(SealedStoreTest, TotpSeedIsCiphertextAtRestAndOpensForSignIn) {
  UserRecord u = user(tenant());
  u.totpSecret = kTotpSeed;
  u = sealed().createUser(u);
  EXPECT_EQ(u.totpSecret, kTotpSeed);
  EXPECT_EQ(rawMatches("users", "totp_secret", "JBSWY3DP"), 0);
  EXPECT_EQ(db().queryInt("SELECT COUNT(*) FROM users WHERE totp_secret LIKE 'sealed1:%'"), 1);

  reopenSealed();
  EXPECT_EQ(sealed().findUserByEmail(kEmail)->totpSecret, kTotpSeed);
  EXPECT_EQ(sealed().findUser(u.id)->totpSecret, kTotpSeed);
  EXPECT_EQ(sealed().listUsers().at(0).totpSecret, kTotpSeed);
  // Re-enrolment through the sealed store compares plaintext and writes ciphertext.
  EXPECT_FALSE(sealed().replaceUserTotpSecret(u.id, "WRONGSEED", "NEWSEEDNEWSEED22"));
  EXPECT_TRUE(sealed().replaceUserTotpSecret(u.id, kTotpSeed, "NEWSEEDNEWSEED22"));
  EXPECT_EQ(rawMatches("users", "totp_secret", "NEWSEED"), 0);
  EXPECT_EQ(sealed().findUser(u.id)->totpSecret, "NEWSEEDNEWSEED22");
}

// Both kinds of old rows: all plaintext (before sealing), and email sealed but seed in
// clear (the release that sealed emails only). PostgreSQL and SQLite alike.
TEST_P(SealedStoreTest, PlaintextTotpSeedsOfOlderReleasesAreSealedOnOpen) {
  std::string tenantId = tenant();
  std::string plainId, halfId;
  {
    auto plain = db().open();
    UserRecord u = user(tenantId, "old@praxis.example");
    u.totpSecret = kTotpSeed;
    plainId = plain->createUser(u).id;
  }
  UserRecord half = user(tenantId);
  halfId = sealed().createUser(half).id;
  db().exec(std::string("UPDATE users SET totp_secret = '") + kTotpSeed + "' WHERE id = '" + halfId + "'");
  sealed_.reset();
  EXPECT_EQ(rawMatches("users", "totp_secret", "JBSWY3DP"), 2);

  reopenSealed();  // the open converts
  EXPECT_EQ(rawMatches("users", "totp_secret", "JBSWY3DP"), 0);
  EXPECT_EQ(db().queryInt("SELECT COUNT(*) FROM users WHERE totp_secret LIKE 'sealed1:%'"), 2);
  EXPECT_EQ(sealed().findUser(plainId)->totpSecret, kTotpSeed);
  EXPECT_EQ(sealed().findUser(halfId)->totpSecret, kTotpSeed);
  EXPECT_EQ(sealed().findUserByEmail("old@praxis.example")->totpSecret, kTotpSeed);
  EXPECT_EQ(sealed().sealPlaintextRows().totpSeeds, 0);  // idempotent
}

TEST_P(SealedStoreTest, ErasureDestroysTheTotpSeedToo) {
  UserRecord u = user(tenant());
  u.totpSecret = kTotpSeed;
  u = sealed().createUser(u);
  ASSERT_TRUE(sealed().eraseSubject(u.id));
  EXPECT_EQ(db().queryInt("SELECT COUNT(*) FROM users WHERE totp_secret <> ''"), 0);
  reopenSealed();
  auto erased = sealed().findUser(u.id);
  ASSERT_TRUE(erased);
  EXPECT_TRUE(erased->erased);
  EXPECT_TRUE(erased->totpSecret.empty());
}

// Two nodes on one database with a shared key dir (docs/compliance/README.md), or
// `medrtc admin` started beside serve, open the store at the same moment: both seal the
// previous release's rows. Every row must open afterwards, whichever node wrote it last.
TEST_P(SealedStoreTest, TwoNodesSealingThePreviousReleasesRowsAtOnceLeaveEveryRowReadable) {
  constexpr int kRows = 40;
  std::string tenantId;
  std::vector<std::string> userIds, appointmentIds;
  {
    auto plain = db().open();
    TenantRecord t;
    t.name = "Praxis";
    tenantId = plain->createTenant(t).id;
    for (int i = 0; i < kRows; ++i) {
      userIds.push_back(plain->createUser(user(tenantId, "u" + std::to_string(i) + "@praxis.example")).id);
      appointmentIds.push_back(plain->createAppointment(appointment(tenantId)).id);
    }
  }
  // The index key exists already: of two processes creating it at once one stops with
  // "File exists" (store/secret_file.cpp, O_EXCL) and is restarted; that is not this test.
  loadOrCreateSecret(compliance::storeIndexKeyFile(dataDir_.path()), compliance::kStoreIndexKeyBytes);
  std::unique_ptr<Store> backends[2] = {db().open(), db().open()};
  std::atomic<int> ready{0};
  std::atomic<int> failures{0};
  auto node = [&](int n) {
    ready.fetch_add(1);
    while (ready.load() < 2) {
    }
    try {
      // Each node has its own key store object (its own process) on the shared dir.
      compliance::sealStore(std::move(backends[n]), dataDir_.path(), nullptr, clock_);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "node " << n << ": " << e.what();
      failures.fetch_add(1);
    }
  };
  std::thread a(node, 0);
  std::thread b(node, 1);
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0);
  reopenSealed();  // the next start: keys from the files only
  int unreadable = 0;
  for (int i = 0; i < kRows; ++i) {
    auto u = sealed().findUser(userIds[i]);
    auto ap = sealed().findAppointment(appointmentIds[i]);
    if (!u || u->erased || u->displayName != kName || !ap || ap->erased || ap->title != kTitle) {
      ++unreadable;
    }
  }
  EXPECT_EQ(unreadable, 0) << "of " << kRows << " users and appointments";
  EXPECT_TRUE(sealed().findUserByEmail("u7@praxis.example"));
}

// Sealing an old row must not write back anything else it listed: between the listing
// and the write another node (or an older one, mid-upgrade) may cancel the appointment
// or erase the user, and the stale copy would undo that. PostgreSQL only: the other
// node's transaction holds the row while this node's conversion waits for it.
class SealingRace : public SealedStoreTest {
 protected:
  void SetUp() override {
    SealedStoreTest::SetUp();
    if (IsSkipped()) {
      return;
    }
    if (GetParam() != "postgres") {
      GTEST_SKIP() << "SQLite serialises writers; the interleaving needs row locks";
    }
    auto plain = db().open();
    TenantRecord t;
    t.name = "Praxis";
    tenantId_ = plain->createTenant(t).id;
    userId_ = plain->createUser(user(tenantId_)).id;
    appointmentId_ = plain->createAppointment(appointment(tenantId_)).id;
    loadOrCreateSecret(compliance::storeIndexKeyFile(dataDir_.path()), compliance::kStoreIndexKeyBytes);
  }
  // Runs `otherNode` (SQL committed after 0.8 s) while this node opens the store.
  std::unique_ptr<compliance::SealedStore> openDuring(const std::string& otherNode) {
    std::thread other([&] { db().exec(otherNode + "; SELECT pg_sleep(0.8)"); });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto node = compliance::sealStore(db().open(), dataDir_.path(), nullptr, clock_);
    other.join();
    return node;
  }
  std::string tenantId_, userId_, appointmentId_;
};

TEST_P(SealingRace, AnAppointmentCancelledMeanwhileStaysCancelled) {
  auto node = openDuring("UPDATE appointments SET status = 'cancelled', updated_at = 77 WHERE id = '" +
                         appointmentId_ + "'");
  auto a = node->findAppointment(appointmentId_);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, "cancelled");
  EXPECT_EQ(a->updatedAt, 77);
  EXPECT_EQ(a->title, kTitle);
  EXPECT_EQ(rawMatches("appointments", "title", "Knie"), 0);
}

TEST_P(SealingRace, AUserErasedMeanwhileStaysErased) {
  auto node = openDuring("UPDATE users SET email = 'erased:" + userId_ +
                         "', display_name = '', email_sealed = 'erased' WHERE id = '" + userId_ + "'");
  auto u = node->findUser(userId_);
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->erased);
  EXPECT_EQ(u->email, "");
  EXPECT_EQ(rawMatches("users", "email", "musterfrau"), 0);
  EXPECT_FALSE(node->findUserByEmail(kEmail));
}

TEST_P(SealedStoreTest, RetentionPurgeDeletesWhatEndedBeforeTheCutoffWithItsInvitationsAndGuests) {
  std::string t = tenant();
  AppointmentRecord old = appointment(t);
  old.end = 2000;
  old = sealed().createAppointment(old);
  AppointmentRecord later = appointment(t);
  later.start = 8000;
  later.end = 9000;
  later = sealed().createAppointment(later);
  NewRoom nr;
  nr.tenantId = t;
  nr.waitingRoom = true;
  RoomRecord endedRoom = sealed().createRoom(nr, 100);
  sealed().endRoom(endedRoom.id, 2500);
  RoomRecord liveRoom = sealed().createRoom(nr, 100);
  RoomRecord integratorRoom = sealed().createRoom(NewRoom{}, 100);
  sealed().endRoom(integratorRoom.id, 200);
  auto invite = [&](const AppointmentRecord& a) {
    InvitationRecord i;
    i.tenantId = t;
    i.appointmentId = a.id;
    i.roomId = a.roomId;
    i.role = "patient";
    i.tokenHash = randomHex(16);
    i.codeHash = randomHex(16);
    i.expiresAt = a.end;
    return sealed().createInvitation(i);
  };
  InvitationRecord oldInvite = invite(old);
  InvitationRecord laterInvite = invite(later);
  GuestRecord g;
  g.roomId = old.roomId;
  g.role = "patient";
  g.state = "admitted";
  g.tenantId = t;
  g.invitationId = oldInvite.id;
  GuestRecord oldGuest = sealed().createGuest(g);
  g.roomId = endedRoom.id;
  g.invitationId.clear();
  GuestRecord endedRoomGuest = sealed().createGuest(g);
  g.roomId = later.roomId;
  g.invitationId = laterInvite.id;
  GuestRecord laterGuest = sealed().createGuest(g);

  MetadataPurge p = sealed().purgeMetadata(t, 3000);
  EXPECT_EQ(p.appointmentIds, std::vector<std::string>{old.id});
  EXPECT_EQ(p.appointments, 1);
  EXPECT_EQ(p.invitations, 1);
  EXPECT_EQ(p.guests, 2);
  EXPECT_EQ(p.rooms, 1);  // endedRoom; the appointment's room was never created as a row
  EXPECT_FALSE(sealed().findAppointment(old.id));
  EXPECT_FALSE(sealed().findInvitation(oldInvite.id));
  EXPECT_FALSE(sealed().findGuest(oldGuest.id));
  EXPECT_FALSE(sealed().findGuest(endedRoomGuest.id));
  EXPECT_FALSE(sealed().findRoom(endedRoom.id));
  EXPECT_TRUE(sealed().findAppointment(later.id));
  EXPECT_TRUE(sealed().findInvitation(laterInvite.id));
  EXPECT_TRUE(sealed().findGuest(laterGuest.id));
  EXPECT_TRUE(sealed().findRoom(liveRoom.id));
  EXPECT_TRUE(sealed().findRoom(integratorRoom.id));  // another "tenant"

  MetadataPurge integrator = sealed().purgeMetadata("", 3000);
  EXPECT_EQ(integrator.rooms, 1);
  EXPECT_FALSE(sealed().findRoom(integratorRoom.id));
  EXPECT_EQ(sealed().purgeMetadata(t, 3000).appointments, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, SealedStoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Backends, SealingRace, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

// SQLite: the file itself (and its WAL) never holds the plaintext, including rows of the
// previous release once they are sealed (secure_delete zeroes the old cells).
std::string fileBytes(const std::filesystem::path& p) { return compliance::testing::readFile(p); }

TEST(SealedSqliteFile, DatabaseBytesHoldNoPlaintextPersonalField) {
  TempDir dir;
  ManualClock clock;
  std::string userId;
  {
    auto plain = std::make_unique<SqliteStore>(dir.path() / "medrtc.db");
    TenantRecord t;
    t.name = "Praxis";
    std::string tenantId = plain->createTenant(t).id;
    UserRecord u;
    u.tenantId = tenantId;
    u.email = "old.release@praxis.example";
    u.displayName = "Old Release Name";
    u.role = "admin";
    plain->createUser(u);
  }
  {
    auto sealed = compliance::sealStore(std::make_unique<SqliteStore>(dir.path() / "medrtc.db"), dir.path(),
                                        nullptr, clock);
    UserRecord u;
    u.tenantId = sealed->listTenants().at(0).id;
    u.email = kEmail;
    u.displayName = kName;
    u.role = "practitioner";
    userId = sealed->createUser(u).id;
    AppointmentRecord a;
    a.tenantId = u.tenantId;
    a.practitionerId = userId;
    a.status = "booked";
    a.title = kTitle;
    a.patientReference = kPatient;
    a.roomId = "r_1";
    sealed->createAppointment(a);
    ASSERT_TRUE(sealed->findUserByEmail("old.release@praxis.example"));
  }
  std::string bytes = fileBytes(dir.path() / "medrtc.db");
  if (std::filesystem::exists(dir.path() / "medrtc.db-wal")) {
    bytes += fileBytes(dir.path() / "medrtc.db-wal");
  }
  ASSERT_FALSE(bytes.empty());
  for (const char* plaintext : {"musterfrau", "Musterfrau", "Knie", "pt-4711", "old.release", "Old Release"}) {
    EXPECT_EQ(bytes.find(plaintext), std::string::npos) << plaintext;
  }
  EXPECT_NE(bytes.find(userId), std::string::npos);  // ids stay plain: they name no one
}

}  // namespace
}  // namespace medrtc::store::testing
