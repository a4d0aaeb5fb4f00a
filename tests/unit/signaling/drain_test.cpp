// Graceful drain (issue 15 item 4): while the server drains, /readyz says not ready, no
// new call starts (503 with Retry-After on REST, server_draining on the WebSocket), and
// calls already running go on, including a participant coming back into one.
#include <gtest/gtest.h>

#include "consultation_support.hpp"
#include "signaling/signaling_hub.hpp"

namespace medrtc::signaling {
namespace {

using namespace testing;
namespace json = boost::json;

void expectDraining(const HttpResult& r) {
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  EXPECT_EQ(r.header("retry-after"), "10");
  EXPECT_EQ(str(r.json().at("code")), "server_draining") << r.body;
}

HttpResult tokenFor(TestServer& server, const std::string& roomId, const std::string& identity) {
  json::object body{{"identity", identity}, {"name", identity}};
  return httpRequest(server.port(), "POST", "/api/v1/rooms/" + roomId + "/tokens", json::serialize(body),
                     server.apiKey());
}

TEST(Drain, ReadyzTurnsNotReadyWhileHealthzStaysUp) {
  TestServer server;
  HttpResult ready = httpRequest(server.port(), "GET", "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(str(ready.json().at("status")), "ready");

  server.drain();
  expectDraining(httpRequest(server.port(), "GET", "/readyz"));
  HttpResult health = httpRequest(server.port(), "GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(str(health.json().at("status")), "ok");
}

TEST(Drain, NewRoomsAndTokensForEmptyRoomsAreRefused) {
  TestServer server({.dev = true});
  std::string idle = server.createRoom();
  server.drain();
  expectDraining(httpRequest(server.port(), "POST", "/api/v1/rooms", "{}", server.apiKey()));
  expectDraining(httpRequest(server.port(), "POST", "/api/v1/dev/rooms"));
  expectDraining(tokenFor(server, idle, "alice"));
  // Reading and ending rooms still work.
  EXPECT_EQ(httpRequest(server.port(), "GET", "/api/v1/rooms/" + idle, "", server.apiKey()).status, 200);
}

TEST(Drain, JoinToAnEmptyRoomIsRefusedAndTheSocketGoesAway) {
  TestServer server;
  std::string room = server.createRoom();
  std::string token = server.createToken(room, "alice", "Alice");  // issued before the drain
  server.drain();
  WsClient ws(server.port());
  json::object reply = ws.join(token);
  EXPECT_EQ(str(reply["type"]), "error") << json::serialize(reply);
  EXPECT_EQ(str(reply["code"]), "server_draining");
  EXPECT_FALSE(ws.read().has_value());
  EXPECT_EQ(ws.closeCode(), std::optional<uint16_t>(kCloseGoingAway));
  EXPECT_EQ(server.liveRooms(), 0u);
}

TEST(Drain, RunningCallGoesOnAndTakesParticipantsBack) {
  TestServer server;
  std::string room = server.createRoom();
  std::string aliceToken = server.createToken(room, "alice", "Alice", "host");
  std::string bobToken = server.createToken(room, "bob", "Bob");
  WsClient alice(server.port());
  ASSERT_EQ(str(alice.join(aliceToken)["type"]), "joined");
  EXPECT_EQ(server.liveRooms(), 1u);

  server.drain();
  // A new token for the running call, and joins into it, still work (a patient whose
  // network dropped comes back).
  HttpResult fresh = tokenFor(server, room, "carol");
  EXPECT_EQ(fresh.status, 201) << fresh.body;
  {
    WsClient bob(server.port());
    ASSERT_EQ(str(bob.join(bobToken)["type"]), "joined");
    EXPECT_EQ(str(alice.readUntil("participant_joined")["type"]), "participant_joined");
  }
  // Bob's socket dropped: held for a resume (docs/protocol.md "Recovery") until the grace passes.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server.advanceClock(SignalingHub::kResumeGrace + std::chrono::seconds(1));
  EXPECT_EQ(str(alice.readUntil("participant_left")["type"]), "participant_left");
  WsClient bobAgain(server.port());
  ASSERT_EQ(str(bobAgain.join(bobToken)["type"]), "joined");
  EXPECT_EQ(server.liveRooms(), 1u);

  // The call ends by its participants leaving: the drain has nothing left to wait for.
  alice.sendJson({{"type", "leave"}});
  bobAgain.sendJson({{"type", "leave"}});
  for (int i = 0; i < 100 && server.liveRooms() != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(server.liveRooms(), 0u);
  // Now the room is empty: a join into it would start a new call.
  WsClient late(server.port());
  EXPECT_EQ(str(late.join(bobToken)["code"]), "server_draining");
}

TEST(Drain, HostJoinsAPatientAlreadyWaitingButNotAnEmptyConsultation) {
  TestServer server;
  ClinicClient doctor(server.port());
  ClinicAccount account = server.addAccount("weber@example.org");
  ASSERT_EQ(doctor.login(account.email, account.password).status, 200);
  Booking waitedFor = book(doctor, server);
  Booking empty = book(doctor, server, 1200);
  HttpResult redeemed = redeemLink(server, waitedFor.linkToken, "Erika Mustermann");
  ASSERT_EQ(redeemed.status, 200) << redeemed.body;
  WsClient patient(server.port());
  EXPECT_EQ(str(patient.join(joinTokenOf(redeemed))["type"]), "waiting");

  server.drain();
  expectDraining(doctor.call("POST", "/api/v1/appointments/" + empty.appointmentId + "/host-token"));
  std::string host = hostToken(doctor, waitedFor.appointmentId);
  WsClient ws(server.port());
  EXPECT_EQ(str(ws.join(host)["type"]), "joined");
}

}  // namespace
}  // namespace medrtc::signaling
