// The signaling protocol (docs/protocol.md) end to end over a real WebSocket, against an
// in-process server with a fake media plane.
#include <gtest/gtest.h>
#include <thread>

#include "signaling/message/client_message.hpp"
#include "signaling/signaling_hub.hpp"
#include "test_support.hpp"

namespace medrtc::signaling {
namespace {

using testing::httpRequest;
using testing::str;
using testing::TestServer;
using testing::TestServerOptions;
using testing::WsClient;
namespace json = boost::json;

std::string errorCode(const json::object& o) {
  return o.contains("type") && o.at("type") == "error" ? str(o.at("code")) : "<" + json::serialize(o) + ">";
}

// Reads the fatal error and the close that must follow it.
void expectFatal(WsClient& ws, const std::string& code, uint16_t closeCode) {
  EXPECT_EQ(errorCode(ws.readJson()), code);
  EXPECT_FALSE(ws.read().has_value());
  EXPECT_EQ(ws.closeCode(), closeCode);
}

TEST(WebSocket, JoinReturnsJoinedWithOthers) {
  TestServer server;
  std::string room = server.createRoom();
  WsClient a(server.port());
  json::object joinedA = a.join(server.createToken(room, "dr-weber", "Dr. Weber", "host"));
  ASSERT_EQ(str(joinedA["type"]), "joined") << json::serialize(joinedA);
  std::string pidA = str(joinedA["participant_id"]);
  EXPECT_EQ(pidA.rfind("p_", 0), 0u);
  EXPECT_EQ(str(joinedA["room_id"]), room);
  EXPECT_EQ(str(joinedA["identity"]), "dr-weber");
  EXPECT_EQ(str(joinedA["role"]), "host");
  EXPECT_TRUE(joinedA["participants"].as_array().empty());
  EXPECT_TRUE(joinedA["ice_servers"].is_array());
  EXPECT_TRUE(server.media().sawCall("open " + room));
  EXPECT_TRUE(server.media().sawCall("add " + room + " " + pidA));

  WsClient b(server.port());
  json::object joinedB = b.join(server.createToken(room, "patient-1", "Pat"));
  ASSERT_EQ(str(joinedB["type"]), "joined");
  auto& others = joinedB["participants"].as_array();
  ASSERT_EQ(others.size(), 1u);
  EXPECT_EQ(str(others[0].at("participant_id")), pidA);
  EXPECT_EQ(str(others[0].at("name")), "Dr. Weber");
  EXPECT_EQ(others[0].at("audio_muted"), false);

  json::object note = a.readJson();
  EXPECT_EQ(str(note["type"]), "participant_joined");
  EXPECT_EQ(str(note["participant"].at("participant_id")), str(joinedB["participant_id"]));
  EXPECT_EQ(str(note["participant"].at("identity")), "patient-1");
  EXPECT_EQ(str(note["participant"].at("role")), "guest");
}

TEST(WebSocket, PingPong) {
  TestServer server;
  std::string room = server.createRoom();
  WsClient ws(server.port());
  ASSERT_EQ(str(ws.join(server.createToken(room, "a", "A"))["type"]), "joined");
  EXPECT_TRUE(ws.pingPongIsNext());
}

TEST(WebSocket, FirstMessageMustBeJoin) {
  TestServer server;
  WsClient ws(server.port());
  ws.send(R"({"type":"ping"})");
  expectFatal(ws, "auth_required", 4003);
}

TEST(WebSocket, NoJoinInTimeIsAuthRequired) {
  TestServer server(TestServerOptions{.joinTimeout = std::chrono::milliseconds(200)});
  WsClient ws(server.port());
  expectFatal(ws, "auth_required", 4003);
}

TEST(WebSocket, BadTokensAreFatal) {
  TestServer server;
  std::string room = server.createRoom();
  std::string token = server.createToken(room, "a", "A");
  {
    WsClient ws(server.port());
    std::string tampered = token;
    tampered[5] = tampered[5] == 'A' ? 'B' : 'A';
    ws.sendJson({{"type", "join"}, {"token", tampered}});
    expectFatal(ws, "token_invalid", 4004);
  }
  for (const char* bad : {"garbage", ""}) {
    WsClient ws(server.port());
    ws.sendJson({{"type", "join"}, {"token", bad}});
    expectFatal(ws, "token_invalid", 4004);
  }
  {
    WsClient ws(server.port());
    server.advanceClock(std::chrono::seconds(3601));
    ws.sendJson({{"type", "join"}, {"token", token}});
    expectFatal(ws, "token_expired", 4005);
  }
}

TEST(WebSocket, TokenForUnknownRoomIsRoomNotFound) {
  TestServer server;
  JoinClaims claims;
  claims.roomId = "r_ffffffffffffffff";
  claims.identity = "a";
  claims.name = "A";
  claims.role = "guest";
  std::string token;
  server.onControl([&] { token = server.signer().issue(claims, std::chrono::seconds(60)); });
  WsClient ws(server.port());
  ws.sendJson({{"type", "join"}, {"token", token}});
  expectFatal(ws, "room_not_found", 4006);
}

TEST(WebSocket, InvalidMessagesAreNotFatal) {
  TestServer server;
  std::string room = server.createRoom();
  WsClient ws(server.port());
  ws.send("not json");  // before join: an unreadable join is invalid, not an auth failure
  EXPECT_EQ(errorCode(ws.readJson()), "invalid_message");
  ASSERT_EQ(str(ws.join(server.createToken(room, "a", "A"))["type"]), "joined");
  ws.send(R"({"type":"dance"})");
  json::object e = ws.readJson();
  EXPECT_EQ(errorCode(e), "invalid_message");
  EXPECT_EQ(str(e["request_type"]), "dance");
  ws.send(R"({"type":"subscribe_answer","sdp":"v=0"})");
  e = ws.readJson();
  EXPECT_EQ(errorCode(e), "invalid_message");
  EXPECT_EQ(str(e["request_type"]), "subscribe_answer");
  EXPECT_TRUE(ws.pingPongIsNext());
}

TEST(WebSocket, OversizeFrameIsFatal) {
  TestServer server;
  std::string room = server.createRoom();
  WsClient ws(server.port());
  ASSERT_EQ(str(ws.join(server.createToken(room, "a", "A"))["type"]), "joined");
  ws.send(R"({"type":"publish_offer","sdp":")" + std::string(70 * 1024, 'a') + "\"}");
  expectFatal(ws, "message_too_large", 4002);
}

TEST(WebSocket, ExactlyMaxSizeFrameIsAccepted) {
  TestServer server;
  std::string room = server.createRoom();
  WsClient ws(server.port());
  ASSERT_EQ(str(ws.join(server.createToken(room, "a", "A"))["type"]), "joined");
  std::string prefix = R"({"type":"publish_offer","sdp":")";
  ws.send(prefix + std::string(kMaxMessageBytes - prefix.size() - 2, 'a') + "\"}");
  EXPECT_EQ(str(ws.readJson()["type"]), "publish_answer");
}

TEST(WebSocket, SecondJoinIsAlreadyJoined) {
  TestServer server;
  std::string room = server.createRoom();
  std::string token = server.createToken(room, "a", "A");
  WsClient ws(server.port());
  ASSERT_EQ(str(ws.join(token)["type"]), "joined");
  json::object e = ws.join(token);
  EXPECT_EQ(errorCode(e), "already_joined");
  EXPECT_EQ(str(e["request_type"]), "join");
  EXPECT_TRUE(ws.pingPongIsNext());
}

TEST(WebSocket, MediaMessageBeforeJoinedIsNotJoined) {
  TestServer server;
  std::string room = server.createRoom();
  std::string token = server.createToken(room, "a", "A");
  server.onControl([&] { server.media().holdAdds = true; });
  WsClient ws(server.port());
  ws.sendJson({{"type", "join"}, {"token", token}});
  ws.sendJson({{"type", "publish_offer"}, {"sdp", "v=0"}});
  json::object e = ws.readJson();
  EXPECT_EQ(errorCode(e), "not_joined");
  EXPECT_EQ(str(e["request_type"]), "publish_offer");
  server.onControl([&] { server.media().releaseAdds(); });
  EXPECT_EQ(str(ws.readJson()["type"]), "joined");
}

TEST(WebSocket, PublishAnswersAndMapsMediaErrors) {
  TestServer server;
  std::string room = server.createRoom();
  WsClient ws(server.port());
  ASSERT_EQ(str(ws.join(server.createToken(room, "a", "A"))["type"]), "joined");
  ws.sendJson({{"type", "publish_offer"}, {"sdp", "v=0 offer"}});
  json::object answer = ws.readJson();
  EXPECT_EQ(str(answer["type"]), "publish_answer");
  EXPECT_EQ(str(answer["sdp"]), "answer:v=0 offer");

  ws.sendJson({{"type", "publish_offer"}, {"sdp", "bad sdp"}});
  json::object e = ws.readJson();
  EXPECT_EQ(errorCode(e), "sdp_invalid");
  EXPECT_EQ(str(e["request_type"]), "publish_offer");
  ws.sendJson({{"type", "publish_offer"}, {"sdp", "forbidden"}});
  EXPECT_EQ(errorCode(ws.readJson()), "forbidden");
  EXPECT_TRUE(ws.pingPongIsNext());
}

TEST(WebSocket, PublishWithoutGrantIsForbidden) {
  TestServer server;
  std::string room = server.createRoom();
  JoinClaims claims;
  claims.roomId = room;
  claims.identity = "viewer";
  claims.name = "V";
  claims.role = "guest";
  claims.canPublish = false;
  std::string token;
  server.onControl([&] { token = server.signer().issue(claims, std::chrono::seconds(60)); });
  WsClient ws(server.port());
  ASSERT_EQ(str(ws.join(token)["type"]), "joined");
  ws.sendJson({{"type", "publish_offer"}, {"sdp", "v=0"}});
  EXPECT_EQ(errorCode(ws.readJson()), "forbidden");
}

TEST(WebSocket, SubscribeOfferAndStaleAnswer) {
  TestServer server;
  std::string room = server.createRoom();
  WsClient ws(server.port());
  json::object joined = ws.join(server.createToken(room, "a", "A"));
  std::string pid = str(joined["participant_id"]);
  server.onControl([&] { server.media().offer(room, pid, 1, "v=0 sub1"); });
  server.onControl([&] { server.media().offer(room, pid, 2, "v=0 sub2"); });
  json::object offer1 = ws.readJson();
  EXPECT_EQ(str(offer1["type"]), "subscribe_offer");
  EXPECT_EQ(offer1["version"].as_int64(), 1);
  EXPECT_EQ(str(offer1["sdp"]), "v=0 sub1");
  EXPECT_EQ(ws.readJson()["version"].as_int64(), 2);

  ws.sendJson({{"type", "subscribe_answer"}, {"sdp", "v=0 a"}, {"version", 1}});
  json::object e = ws.readJson();
  EXPECT_EQ(errorCode(e), "stale_version");
  EXPECT_EQ(str(e["request_type"]), "subscribe_answer");
  ws.sendJson({{"type", "subscribe_answer"}, {"sdp", "v=0 a"}, {"version", 2}});
  EXPECT_TRUE(ws.pingPongIsNext());  // a current answer gets no reply
  EXPECT_TRUE(server.media().sawCall("answer " + room + " " + pid + " 2"));
}

TEST(WebSocket, TrackStateIsBroadcastAndRemembered) {
  TestServer server;
  std::string room = server.createRoom();
  WsClient a(server.port());
  std::string pidA = str(a.join(server.createToken(room, "a", "A"))["participant_id"]);
  WsClient b(server.port());
  ASSERT_EQ(str(b.join(server.createToken(room, "b", "B"))["type"]), "joined");
  ASSERT_EQ(str(a.readJson()["type"]), "participant_joined");
  a.sendJson({{"type", "track_state"}, {"kind", "audio"}, {"muted", true}});
  json::object note = b.readJson();
  EXPECT_EQ(str(note["type"]), "track_state");
  EXPECT_EQ(str(note["participant_id"]), pidA);
  EXPECT_EQ(str(note["kind"]), "audio");
  EXPECT_EQ(note["muted"], true);
  EXPECT_TRUE(a.pingPongIsNext());  // not echoed to the sender

  WsClient c(server.port());
  json::object joinedC = c.join(server.createToken(room, "c", "C"));
  for (auto& p : joinedC["participants"].as_array()) {
    if (str(p.at("participant_id")) == pidA) {
      EXPECT_EQ(p.at("audio_muted"), true);
      EXPECT_EQ(p.at("video_muted"), false);
    }
  }
}

TEST(WebSocket, LeaveClosesNormallyAndTellsOthers) {
  TestServer server;
  std::string room = server.createRoom();
  WsClient a(server.port());
  ASSERT_EQ(str(a.join(server.createToken(room, "a", "A"))["type"]), "joined");
  WsClient b(server.port());
  std::string pidB = str(b.join(server.createToken(room, "b", "B"))["participant_id"]);
  ASSERT_EQ(str(a.readJson()["type"]), "participant_joined");
  b.send(R"({"type":"leave"})");
  EXPECT_FALSE(b.read().has_value());
  EXPECT_EQ(b.closeCode(), 1000);
  json::object left = a.readJson();
  EXPECT_EQ(str(left["type"]), "participant_left");
  EXPECT_EQ(str(left["participant_id"]), pidB);
  EXPECT_TRUE(server.media().sawCall("remove " + room + " " + pidB));
}

TEST(WebSocket, DuplicateIdentityTakesOver) {
  TestServer server;
  std::string room = server.createRoom();
  std::string token = server.createToken(room, "patient-1", "Pat");
  WsClient host(server.port());
  std::string hostPid = str(host.join(server.createToken(room, "dr", "Dr", "host"))["participant_id"]);
  WsClient first(server.port());
  std::string firstPid = str(first.join(token)["participant_id"]);
  ASSERT_EQ(str(host.readJson()["type"]), "participant_joined");

  WsClient second(server.port());
  json::object joined = second.join(token);
  ASSERT_EQ(str(joined["type"]), "joined");
  std::string secondPid = str(joined["participant_id"]);
  EXPECT_NE(secondPid, firstPid);
  auto& others = joined["participants"].as_array();
  ASSERT_EQ(others.size(), 1u);  // the old connection is gone already
  EXPECT_EQ(str(others[0].at("participant_id")), hostPid);

  expectFatal(first, "duplicate_identity", 4008);
  json::object left = host.readJson();
  EXPECT_EQ(str(left["type"]), "participant_left");
  EXPECT_EQ(str(left["participant_id"]), firstPid);
  json::object arrived = host.readJson();
  EXPECT_EQ(str(arrived["type"]), "participant_joined");
  EXPECT_EQ(str(arrived["participant"].at("participant_id")), secondPid);
  EXPECT_TRUE(server.media().sawCall("remove " + room + " " + firstPid));
}

TEST(WebSocket, VanishedClientLeavesOnlyItsRoom) {
  TestServer server;
  std::string room1 = server.createRoom();
  std::string room2 = server.createRoom();
  WsClient alice(server.port());
  ASSERT_EQ(str(alice.join(server.createToken(room1, "alice", "Alice"))["type"]), "joined");
  WsClient carol(server.port());
  ASSERT_EQ(str(carol.join(server.createToken(room2, "carol", "Carol"))["type"]), "joined");
  WsClient dave(server.port());
  ASSERT_EQ(str(dave.join(server.createToken(room2, "dave", "Dave"))["type"]), "joined");
  ASSERT_EQ(str(carol.readJson()["type"]), "participant_joined");

  {
    WsClient bob(server.port());
    std::string pidBob = str(bob.join(server.createToken(room1, "bob", "Bob"))["participant_id"]);
    ASSERT_EQ(str(alice.readJson()["type"]), "participant_joined");
    bob.sendJson({{"type", "publish_offer"}, {"sdp", "v=0 offer"}});
    bob.dropTcp();  // mid-handshake: no close frame, no answer read
    // Held for a resume (docs/protocol.md "Recovery") until the grace passes.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    server.advanceClock(SignalingHub::kResumeGrace + std::chrono::seconds(1));

    json::object left = alice.readJson();
    EXPECT_EQ(str(left["type"]), "participant_left");
    EXPECT_EQ(str(left["participant_id"]), pidBob);
    EXPECT_TRUE(server.media().sawCall("remove " + room1 + " " + pidBob));
  }
  // The other room saw nothing and still works.
  EXPECT_TRUE(carol.pingPongIsNext());
  EXPECT_TRUE(dave.pingPongIsNext());
  auto get = httpRequest(server.port(), "GET", "/api/v1/rooms/" + room2, "", server.apiKey());
  EXPECT_EQ(get.json().at("participants").as_array().size(), 2u);
  EXPECT_TRUE(alice.pingPongIsNext());
}

TEST(WebSocket, SilentClientIsDroppedAfterIdleTimeout) {
  TestServer server(TestServerOptions{.idleTimeout = std::chrono::milliseconds(300)});
  std::string room = server.createRoom();
  WsClient alice(server.port());
  ASSERT_EQ(str(alice.join(server.createToken(room, "alice", "Alice"))["type"]), "joined");
  WsClient bob(server.port());
  std::string pidBob = str(bob.join(server.createToken(room, "bob", "Bob"))["participant_id"]);
  ASSERT_EQ(str(alice.readJson()["type"]), "participant_joined");
  // Alice keeps pinging; Bob says nothing. Once dropped, Bob is held for a resume until
  // the grace passes (docs/protocol.md "Recovery").
  json::object left;
  for (int i = 0; i < 40 && left.empty(); ++i) {
    if (i == 10) {
      server.advanceClock(SignalingHub::kResumeGrace + std::chrono::seconds(1));
    }
    alice.send(R"({"type":"ping"})");
    json::object o = alice.readJson();
    if (str(o["type"]) == "participant_left") {
      left = o;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(left.empty());
  EXPECT_EQ(str(left["participant_id"]), pidBob);
}

TEST(WebSocket, DeleteRoomEndsItForEveryone) {
  TestServer server;
  std::string room = server.createRoom();
  std::string token = server.createToken(room, "a", "A");
  WsClient a(server.port());
  ASSERT_EQ(str(a.join(token)["type"]), "joined");
  WsClient b(server.port());
  ASSERT_EQ(str(b.join(server.createToken(room, "b", "B"))["type"]), "joined");
  ASSERT_EQ(str(a.readJson()["type"]), "participant_joined");

  EXPECT_EQ(httpRequest(server.port(), "DELETE", "/api/v1/rooms/" + room, "", server.apiKey()).status, 204);
  for (WsClient* ws : {&a, &b}) {
    json::object ended = ws->readJson();
    EXPECT_EQ(str(ended["type"]), "room_ended");
    EXPECT_FALSE(str(ended["reason"]).empty());
    EXPECT_FALSE(ws->read().has_value());
    EXPECT_EQ(ws->closeCode(), 4007);
  }
  EXPECT_TRUE(server.media().sawCall("close " + room));

  WsClient late(server.port());
  late.sendJson({{"type", "join"}, {"token", token}});
  expectFatal(late, "room_ended", 4007);
}

TEST(WebSocket, MediaFailureIsReportedAndTheParticipantLeavesTheRoom) {
  TestServer server;
  std::string room = server.createRoom();
  WsClient ws(server.port());
  std::string pid = str(ws.join(server.createToken(room, "a", "A"))["participant_id"]);
  WsClient other(server.port());
  other.join(server.createToken(room, "b", "B"));
  json::object joined = ws.readJson();
  ASSERT_EQ(str(joined["type"]), "participant_joined");

  server.onControl([&] { server.media().events().onMediaFailed(room, pid, "ice_timeout"); });
  json::object e = ws.readJson();
  EXPECT_EQ(errorCode(e), "media_failed");
  EXPECT_EQ(str(e["message"]), "ice_timeout");
  EXPECT_FALSE(ws.read().has_value());
  EXPECT_EQ(ws.closeCode(), 1011);  // not a fatal 4xxx: the client joins again
  json::object left = other.readJson();
  EXPECT_EQ(str(left["type"]), "participant_left");
  EXPECT_EQ(str(left["participant_id"]), pid);
  EXPECT_TRUE(server.media().sawCall("remove " + room + " " + pid));

  // A late report for the same participant (it is already gone) changes nothing.
  server.onControl([&] { server.media().events().onMediaFailed(room, pid, "dtls_timeout"); });
  WsClient again(server.port());
  EXPECT_FALSE(str(again.join(server.createToken(room, "a", "A"))["participant_id"]).empty());
}

TEST(WebSocket, SubscribeOfferBeforeJoinedIsDeliveredAfterJoined) {
  TestServer server;
  std::string room = server.createRoom();
  std::string token = server.createToken(room, "a", "A");
  server.onControl([&] { server.media().holdAdds = true; });
  WsClient ws(server.port());
  ws.sendJson({{"type", "join"}, {"token", token}});
  ASSERT_TRUE(ws.pingPongIsNext());  // join is being processed
  std::string pid;
  server.onControl([&] {
    for (auto& call : server.media().calls()) {
      if (call.rfind("add ", 0) == 0) {
        pid = call.substr(call.rfind(' ') + 1);
      }
    }
    server.media().offer(room, pid, 1, "v=0 early");
    server.media().releaseAdds();
  });
  EXPECT_EQ(str(ws.readJson()["type"]), "joined");
  json::object offer = ws.readJson();
  EXPECT_EQ(str(offer["type"]), "subscribe_offer");
  EXPECT_EQ(str(offer["sdp"]), "v=0 early");
}

}  // namespace
}  // namespace medrtc::signaling

namespace medrtc::signaling {
namespace {

// H6: entering and leaving a call are audit events (ids only), recorded before the client
// hears `joined` and before the leave's close frame.
TEST(WebSocket, JoinAndLeaveAreAudited) {
  TestServer server;
  std::string room = server.createRoom();
  WsClient a(server.port());
  ASSERT_EQ(str(a.join(server.createToken(room, "dr-weber", "Dr Weber", "host"))["type"]), "joined");
  EXPECT_EQ(server.audit().count("join"), 1u);
  a.send(R"({"type":"leave"})");
  EXPECT_FALSE(a.read().has_value());
  EXPECT_EQ(server.audit().count("leave:leave"), 1u);
  for (const auto& e : server.audit().events()) {
    if (e.outcomeDesc == "join") {
      ASSERT_FALSE(e.agents.empty());
      EXPECT_EQ(e.agents.front().who.find("Dr Weber"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace medrtc::signaling
