// Issue 10 item 7: audit writes and sign-in's store calls are off the control thread.
// With the audit disk stuck in fdatasync, or the database holding a sign-in's write, the
// server keeps answering (/healthz); a join (fail closed: stored and audited, or not at
// all) completes only once its event is durable. The bounds are generous: what is
// asserted is the ordering (answered while the slow part was still held).
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "clinic/rfc3339.hpp"
#include "compliance/sync_gate.hpp"
#include "consultation_support.hpp"
#include "test_support.hpp"

namespace medrtc::signaling {
namespace {

using namespace testing;

TEST(SlowAudit, HealthzAnswersWhileTheAuditDiskIsStuckAndTheJoinWaitsForIt) {
  compliance::testing::SyncGate disk;
  TestServerOptions options;
  options.auditLog = true;
  options.auditSync = disk.hook();
  TestServer server(options);
  std::string roomId = server.createRoom();
  std::string token = server.createToken(roomId, "alice", "Alice", "host");
  int syncsBefore = disk.syncs();

  disk.hold();
  WsClient host(server.port());
  host.sendJson({{"type", "join"}, {"token", token}});
  ASSERT_TRUE(disk.waitUntilHeld()) << "the join was not audited";

  // The join's event is stuck in fdatasync; the control thread is not.
  std::chrono::milliseconds worst{0};
  for (int i = 0; i < 20; ++i) {
    auto start = std::chrono::steady_clock::now();
    ASSERT_EQ(httpRequest(server.port(), "GET", "/healthz").status, 200);
    worst = std::max(worst,
                     std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start));
  }
  // Generous: the point is the ordering (answered while the sync is still held), and a
  // blocked control thread would wait the gate's full minute.
  EXPECT_LT(worst.count(), 1000) << "/healthz waited behind the audit disk";
  EXPECT_EQ(disk.syncs(), syncsBefore + 1) << "the sync was still held while /healthz answered";

  disk.release();
  boost::json::object joined = host.readJson();
  EXPECT_EQ(str(joined["type"]), "joined") << boost::json::serialize(joined);
}

TEST(SlowAudit, AJoinWhoseEventCannotBeWrittenDoesNotHappen) {
  compliance::testing::SyncGate disk;
  TestServerOptions options;
  options.auditLog = true;
  options.auditSync = disk.hook();
  TestServer server(options);
  std::string roomId = server.createRoom();
  std::string token = server.createToken(roomId, "alice", "Alice", "host");
  disk.failSync(disk.syncs() + 1);
  WsClient host(server.port());
  boost::json::object reply = host.join(token);
  EXPECT_EQ(str(reply["type"]), "error") << boost::json::serialize(reply);
  EXPECT_EQ(server.liveRooms(), 0u);
}

// Another writer holds SQLite's write lock (a long transaction elsewhere, a slow disk) while
// `call` runs on a client thread: /healthz keeps answering, `call` does not finish until
// the lock goes, then it does. Returns what `call` answered.
HttpResult whileTheDatabaseHoldsItsWrite(TestServer& server, const std::function<HttpResult()>& call) {
  sqlite3* other = nullptr;
  EXPECT_EQ(sqlite3_open((server.dataDir() / "medrtc.db").c_str(), &other), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::atomic<bool> answered{false};
  HttpResult result;
  std::thread client([&] {
    result = call();
    answered = true;
  });
  std::chrono::milliseconds worst{0};
  for (int i = 0; i < 10; ++i) {
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(httpRequest(server.port(), "GET", "/healthz").status, 200);
    worst = std::max(worst,
                     std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start));
    EXPECT_FALSE(answered) << "the call finished although the database held its write";
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  EXPECT_LT(worst.count(), 1000) << "/healthz waited behind the call's store work";
  EXPECT_EQ(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  client.join();
  return result;
}

TEST(SlowStore, HealthzAnswersWhileASignInWaitsForTheDatabase) {
  TestServerOptions options;
  options.storePool = true;
  TestServer server(options);
  ClinicAccount account = server.addAccount("weber@example.org");
  // The sign-in's session write waits for the other writer (busy_timeout, 5 s).
  ClinicClient c(server.port());
  HttpResult signedIn =
      whileTheDatabaseHoldsItsWrite(server, [&] { return c.login(account.email, account.password); });
  EXPECT_EQ(signedIn.status, 200) << "the sign-in completes once the database lets it write";
}

// The session check (it refreshes the session's last-seen time: a write) and the list's
// reads wait on the store pool, not on the control thread.
TEST(SlowStore, HealthzAnswersWhileADashboardCallWaitsForTheDatabase) {
  TestServerOptions options;
  options.storePool = true;
  TestServer server(options);
  ClinicAccount account = server.addAccount("weber@example.org");
  ClinicClient c(server.port());
  ASSERT_EQ(c.login(account.email, account.password).status, 200);
  int64_t now = server.wallSeconds();
  std::string body = boost::json::serialize(boost::json::object{{"start", clinic::formatRfc3339(now + 60)},
                                                                {"end", clinic::formatRfc3339(now + 1800)}});
  auto created = c.call("POST", "/api/v1/appointments", body);
  ASSERT_EQ(created.status, 201) << created.body;
  HttpResult listed = whileTheDatabaseHoldsItsWrite(server, [&] { return c.call("GET", "/api/v1/appointments"); });
  ASSERT_EQ(listed.status, 200) << "the call completes once the database lets it write";
  auto list = listed.json().at("appointments").as_array();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].at("id"), created.json().at("id"));
}

// Sign-out's delete waits on the pool; the session is gone once it answers.
TEST(SlowStore, HealthzAnswersWhileASignOutWaitsForTheDatabase) {
  TestServerOptions options;
  options.storePool = true;
  TestServer server(options);
  ClinicAccount account = server.addAccount("weber@example.org");
  ClinicClient c(server.port());
  ASSERT_EQ(c.login(account.email, account.password).status, 200);
  HttpResult out = whileTheDatabaseHoldsItsWrite(server, [&] { return c.call("POST", "/api/v1/auth/logout"); });
  EXPECT_EQ(out.status, 204) << out.body;
  EXPECT_EQ(server.audit().count("sign_out"), 1u);
  EXPECT_EQ(c.call("GET", "/api/v1/auth/me").status, 401) << "the session outlived its sign-out";
}

// An integrator's key is looked up on the pool (and the room written there).
TEST(SlowStore, HealthzAnswersWhileAnApiKeyCallWaitsForTheDatabase) {
  TestServerOptions options;
  options.storePool = true;
  TestServer server(options);
  HttpResult created = whileTheDatabaseHoldsItsWrite(server, [&] {
    return httpRequest(server.port(), "POST", "/api/v1/rooms", "{}", server.apiKey(), "application/json");
  });
  EXPECT_EQ(created.status, 201) << created.body;
}

// The patient's redeem claims the invitation and stores the guest on the pool: it waits
// there for the database, and the join token comes once the claim and its event are in.
TEST(SlowStore, HealthzAnswersWhileARedeemWaitsForTheDatabase) {
  TestServerOptions options;
  options.storePool = true;
  TestServer server(options);
  ClinicAccount account = server.addAccount("weber@example.org");
  ClinicClient c(server.port());
  ASSERT_EQ(c.login(account.email, account.password).status, 200);
  Booking booking = book(c, server);
  HttpResult redeemed =
      whileTheDatabaseHoldsItsWrite(server, [&] { return redeemLink(server, booking.linkToken, "Erika Mustermann"); });
  ASSERT_EQ(redeemed.status, 200) << redeemed.body;
  EXPECT_EQ(str(redeemed.json().at("room_id")), booking.roomId);
  EXPECT_EQ(server.audit().count("invitation_redeem: link"), 1u);
}

// A webhook endpoint is stored on the pool's webhook connection: it waits there for the
// database, and the 201 comes once the row and its event are in.
TEST(SlowStore, HealthzAnswersWhileAWebhookCreateWaitsForTheDatabase) {
  TestServerOptions options;
  options.storePool = true;
  options.webhookTargets.allowPrivate = true;
  TestServer server(options);
  HttpResult created = whileTheDatabaseHoldsItsWrite(server, [&] {
    return httpRequest(server.port(), "POST", "/api/v1/webhooks", R"({"url": "http://127.0.0.1:9/hook"})",
                       server.apiKey(), "application/json");
  });
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(server.audit().count("webhook_create"), 1u);
  std::string id = str(created.json().at("id"));
  HttpResult deleted = whileTheDatabaseHoldsItsWrite(
      server, [&] { return httpRequest(server.port(), "DELETE", "/api/v1/webhooks/" + id, "", server.apiKey()); });
  EXPECT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_EQ(server.audit().count("webhook_delete"), 1u);
}

// The pre-call check's invitation look-up (a read) waits on the pool too: here behind a
// redeem that waits for the database on the pool's one SQLite connection.
TEST(SlowStore, HealthzAnswersWhileAPreCallCheckWaitsForTheDatabase) {
  TestServerOptions options;
  options.storePool = true;
  TestServer server(options);
  ClinicAccount account = server.addAccount("weber@example.org");
  ClinicClient c(server.port());
  ASSERT_EQ(c.login(account.email, account.password).status, 200);
  Booking booking = book(c, server);
  HttpResult redeemed;
  std::thread redeemer;
  HttpResult probed = whileTheDatabaseHoldsItsWrite(server, [&] {
    redeemer = std::thread([&] { redeemed = redeemLink(server, booking.linkToken, "Erika Mustermann"); });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the redeem holds the pool's connection first
    boost::json::object body{{"code", booking.code}, {"transport", "udp"}, {"offer", "v=0 offer"}};
    return httpRequest(server.port(), "POST", "/api/v1/connectivity-probes", boost::json::serialize(body));
  });
  redeemer.join();
  EXPECT_EQ(redeemed.status, 200) << redeemed.body;
  ASSERT_EQ(probed.status, 201) << probed.body;
  EXPECT_TRUE(server.media().sawCall("probe udp"));
}

// Every write to the appointments and invitations tables made slow (a trigger that counts
// a large cross join, on whichever connection writes, as a slow disk would hold it) while
// `call` runs on a client thread: /healthz keeps answering meanwhile. On the control thread
// the same write would hold every other request for as long. Returns what `call` answered.
HttpResult whileItsWriteIsSlow(TestServer& server, const std::function<HttpResult()>& call) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open((server.dataDir() / "medrtc.db").c_str(), &db), SQLITE_OK);
  std::string setup = "CREATE TABLE slow_rows (x INTEGER); WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                      "FROM c WHERE x < 500) INSERT INTO slow_rows SELECT x FROM c;";
  for (const char* table : {"appointments", "invitations"}) {
    for (const char* op : {"INSERT", "UPDATE"}) {
      setup += std::string("CREATE TRIGGER slow_") + op + "_" + table + " AFTER " + op + " ON " + table +
               " BEGIN SELECT count(*) FROM slow_rows a, slow_rows b, slow_rows c; END;";
    }
  }
  EXPECT_EQ(sqlite3_exec(db, setup.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  std::atomic<bool> answered{false};
  HttpResult result;
  auto started = std::chrono::steady_clock::now();
  std::thread client([&] {
    result = call();
    answered = true;
  });
  std::chrono::milliseconds worst{0};
  int whileWriting = 0;
  while (!answered) {
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(httpRequest(server.port(), "GET", "/healthz").status, 200);
    worst = std::max(worst,
                     std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start));
    whileWriting += answered ? 0 : 1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  client.join();
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  // On the control thread one /healthz would wait about as long as the whole call.
  EXPECT_GT(took.count(), 400) << "the write was not slow: the test proves nothing";
  EXPECT_GT(whileWriting, 3) << "/healthz did not answer while the write ran";
  EXPECT_LT(worst.count(), took.count() / 2) << "/healthz waited behind the call's store work";
  EXPECT_EQ(sqlite3_exec(db,
                         "DROP TRIGGER slow_INSERT_appointments; DROP TRIGGER slow_UPDATE_appointments; DROP TRIGGER "
                         "slow_INSERT_invitations; DROP TRIGGER slow_UPDATE_invitations; DROP TABLE slow_rows;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  return result;
}

// The appointment writes and an invitation's revocation wait on the pool, not on the
// control thread (issue 10 item 7 leftover).
TEST(SlowStore, HealthzAnswersWhileAnAppointmentWriteIsSlow) {
  TestServerOptions options;
  options.storePool = true;
  TestServer server(options);
  ClinicAccount account = server.addAccount("weber@example.org");
  ClinicClient c(server.port());
  ASSERT_EQ(c.login(account.email, account.password).status, 200);
  int64_t now = server.wallSeconds();
  auto times = [](int64_t start) {
    return boost::json::serialize(boost::json::object{{"start", clinic::formatRfc3339(start)},
                                                      {"end", clinic::formatRfc3339(start + 1800)}});
  };
  HttpResult created = whileItsWriteIsSlow(server, [&] { return c.call("POST", "/api/v1/appointments", times(now + 60)); });
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id(created.json().at("id").as_string());
  std::string invitation(created.json().at("invitation").at("id").as_string());
  HttpResult moved =
      whileItsWriteIsSlow(server, [&] { return c.call("PATCH", "/api/v1/appointments/" + id, times(now + 120)); });
  EXPECT_EQ(moved.status, 200) << moved.body;
  HttpResult revoked = whileItsWriteIsSlow(server, [&] { return c.call("DELETE", "/api/v1/invitations/" + invitation); });
  EXPECT_EQ(revoked.status, 204) << revoked.body;
  HttpResult cancelled =
      whileItsWriteIsSlow(server, [&] { return c.call("POST", "/api/v1/appointments/" + id + "/cancel"); });
  EXPECT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(server.audit().count("appointment_cancel"), 1u);
}

}  // namespace
}  // namespace medrtc::signaling
