// Peer-to-peer 1:1 (docs/p2p.md): the hub's mode decision per room and the relay of
// p2p_signal between the two peers only.
#include <gtest/gtest.h>

#include "signaling/message/client_message.hpp"
#include "test_support.hpp"

namespace medrtc::signaling {
namespace {

using testing::str;
using testing::TestServer;
using testing::TestServerOptions;
using testing::WsClient;
namespace json = boost::json;

// A node whose profile prefers P2P for 1:1 (KBV).
TestServerOptions p2pNode() {
  TestServerOptions o;
  o.p2pPreferred = true;
  return o;
}

json::object joinP2p(WsClient& ws, const std::string& token) {
  ws.sendJson({{"type", "join"}, {"token", token}, {"capabilities", json::array{"p2p"}}});
  return ws.readJson();
}

struct Pair {
  std::string a, b;  // participant ids
};

// Two capable participants in a room of a P2P-preferring node; both have read their
// media_mode with the peer.
Pair joinTwo(TestServer& server, const std::string& room, WsClient& a, WsClient& b) {
  json::object ja = joinP2p(a, server.createToken(room, "dr", "Dr", "host"));
  EXPECT_EQ(str(ja["media_mode"]), "p2p") << json::serialize(ja);
  json::object jb = joinP2p(b, server.createToken(room, "pat", "Pat"));
  EXPECT_EQ(str(jb["media_mode"]), "p2p") << json::serialize(jb);
  Pair p{str(ja["participant_id"]), str(jb["participant_id"])};
  json::object ma = a.readUntil("media_mode");
  json::object mb = b.readUntil("media_mode");
  EXPECT_EQ(str(ma["mode"]), "p2p");
  EXPECT_EQ(str(ma["peer"]), p.b);
  EXPECT_EQ(str(mb["mode"]), "p2p");
  EXPECT_EQ(str(mb["peer"]), p.a);
  // Exactly one side is polite (perfect negotiation).
  EXPECT_NE(ma["polite"].as_bool(), mb["polite"].as_bool());
  return p;
}

std::string errorCode(const json::object& o) {
  return o.contains("type") && o.at("type") == "error" ? str(o.at("code")) : "<" + json::serialize(o) + ">";
}

TEST(MediaMode, TwoCapableParticipantsGoPeerToPeer) {
  TestServer server(p2pNode());
  std::string room = server.createRoom();
  WsClient a(server.port()), b(server.port());
  joinTwo(server, room, a, b);
}

TEST(MediaMode, NodeWithoutThePreferenceSaysNothing) {
  TestServer server;
  std::string room = server.createRoom();
  WsClient a(server.port()), b(server.port());
  json::object ja = joinP2p(a, server.createToken(room, "dr", "Dr", "host"));
  json::object jb = joinP2p(b, server.createToken(room, "pat", "Pat"));
  EXPECT_FALSE(ja.contains("media_mode"));
  EXPECT_FALSE(jb.contains("media_mode"));
  EXPECT_EQ(str(a.readJson()["type"]), "participant_joined");
  EXPECT_TRUE(a.pingPongIsNext());
  EXPECT_TRUE(b.pingPongIsNext());
}

TEST(MediaMode, ClientWithoutP2pKeepsTheRoomOnTheSfu) {
  TestServer server(p2pNode());
  std::string room = server.createRoom();
  WsClient a(server.port()), b(server.port());
  json::object ja = joinP2p(a, server.createToken(room, "dr", "Dr", "host"));
  EXPECT_EQ(str(ja["media_mode"]), "p2p");  // alone: hold the media for a peer
  json::object jb = b.join(server.createToken(room, "pat", "Pat"));
  EXPECT_FALSE(jb.contains("media_mode"));
  json::object ma = a.readUntil("media_mode");
  EXPECT_EQ(str(ma["mode"]), "sfu");
  EXPECT_FALSE(ma.contains("peer"));
  EXPECT_TRUE(b.pingPongIsNext());  // the old client hears nothing about modes
}

TEST(MediaMode, ThirdParticipantSwitchesEveryoneToTheSfuForGood) {
  TestServer server(p2pNode());
  std::string room = server.createRoom();
  WsClient a(server.port()), b(server.port());
  joinTwo(server, room, a, b);
  {
    WsClient c(server.port());
    json::object jc = joinP2p(c, server.createToken(room, "carer", "Carer"));
    EXPECT_EQ(str(jc["media_mode"]), "sfu");
    EXPECT_EQ(str(a.readUntil("media_mode")["mode"]), "sfu");
    EXPECT_EQ(str(b.readUntil("media_mode")["mode"]), "sfu");
    c.send(R"({"type":"leave"})");
    EXPECT_EQ(str(a.readUntil("participant_left")["type"]), "participant_left");
    EXPECT_EQ(str(b.readUntil("participant_left")["type"]), "participant_left");
  }
  // Back to two: still the SFU (no flapping while media runs through it).
  EXPECT_TRUE(a.pingPongIsNext());
  EXPECT_TRUE(b.pingPongIsNext());
}

TEST(MediaMode, P2pFailedFallsBackToTheSfu) {
  TestServer server(p2pNode());
  std::string room = server.createRoom();
  WsClient a(server.port()), b(server.port());
  joinTwo(server, room, a, b);
  b.send(R"({"type":"p2p_failed"})");
  EXPECT_EQ(str(a.readUntil("media_mode")["mode"]), "sfu");
  EXPECT_EQ(str(b.readUntil("media_mode")["mode"]), "sfu");
  // The other side's report arrives late: nothing more happens.
  a.send(R"({"type":"p2p_failed"})");
  EXPECT_TRUE(a.pingPongIsNext());
  EXPECT_TRUE(b.pingPongIsNext());
}

TEST(MediaMode, PeerLeavingLeavesTheOtherWaitingForANewPeer) {
  TestServer server(p2pNode());
  std::string room = server.createRoom();
  WsClient a(server.port());
  std::string pidA;
  {
    WsClient b(server.port());
    pidA = joinTwo(server, room, a, b).a;
    b.send(R"({"type":"leave"})");
  }
  json::object alone = a.readUntil("media_mode");
  EXPECT_EQ(str(alone["mode"]), "p2p");
  EXPECT_FALSE(alone.contains("peer"));
  WsClient c(server.port());
  json::object jc = joinP2p(c, server.createToken(room, "pat2", "Pat"));
  EXPECT_EQ(str(c.readUntil("media_mode")["peer"]), pidA);
  EXPECT_EQ(str(a.readUntil("media_mode")["peer"]), str(jc["participant_id"]));
}

TEST(MediaMode, AWaitingGuestCountsOnlyOnceAdmitted) {
  TestServer server(p2pNode());
  auto created = testing::httpRequest(server.port(), "POST", "/api/v1/rooms", R"({"waiting_room":true})",
                                      server.apiKey());
  ASSERT_EQ(created.status, 201);
  std::string room = str(created.json().at("id"));
  WsClient host(server.port()), guest(server.port()), second(server.port());
  json::object jh = joinP2p(host, server.createToken(room, "dr", "Dr", "host"));
  EXPECT_EQ(str(jh["media_mode"]), "p2p");
  guest.sendJson({{"type", "join"}, {"token", server.createToken(room, "pat", "Pat")}, {"capabilities", json::array{"p2p"}}});
  EXPECT_EQ(str(guest.readJson()["type"]), "waiting");
  second.sendJson({{"type", "join"}, {"token", server.createToken(room, "carer", "Carer")}, {"capabilities", json::array{"p2p"}}});
  EXPECT_EQ(str(second.readUntil("waiting")["type"]), "waiting");
  // Two waiting guests do not make a room of three: it stays P2P, and the admitted one is
  // the host's peer.
  json::object queue;
  for (int i = 0; i < 4 && (queue.empty() || queue["queue"].as_array().empty()); ++i) {
    queue = host.readUntil("waiting_room");  // the first one (on joining) is empty
  }
  ASSERT_FALSE(queue.empty());
  ASSERT_FALSE(queue["queue"].as_array().empty());
  std::string guestId = str(queue["queue"].as_array().at(0).at("participant_id"));
  host.sendJson({{"type", "admit"}, {"participant_id", guestId}});
  json::object jg = guest.readUntil("joined");
  EXPECT_EQ(str(jg["media_mode"]), "p2p");
  EXPECT_EQ(str(guest.readUntil("media_mode")["peer"]), str(jh["participant_id"]));
  EXPECT_EQ(str(host.readUntil("media_mode")["peer"]), guestId);
}

TEST(MediaMode, SignalIsRelayedToThePeerOnly) {
  TestServer server(p2pNode());
  std::string room = server.createRoom();
  WsClient a(server.port()), b(server.port());
  Pair p = joinTwo(server, room, a, b);
  a.sendJson({{"type", "p2p_signal"}, {"to", p.b}, {"data", {{"sdp", {{"type", "offer"}, {"sdp", "v=0"}}}}}});
  json::object got = b.readUntil("p2p_signal");
  EXPECT_EQ(str(got["from"]), p.a);
  EXPECT_EQ(str(got["data"].at("sdp").at("type")), "offer");
  EXPECT_EQ(str(got["data"].at("sdp").at("sdp")), "v=0");
  EXPECT_TRUE(a.pingPongIsNext());  // not echoed
}

TEST(MediaMode, SignalToAWrongTargetIsRefused) {
  TestServer server(p2pNode());
  std::string room = server.createRoom();
  std::string otherRoom = server.createRoom();
  WsClient a(server.port()), b(server.port()), x(server.port());
  Pair p = joinTwo(server, room, a, b);
  json::object jx = joinP2p(x, server.createToken(otherRoom, "other", "Other"));
  std::string pidX = str(jx["participant_id"]);

  json::object data{{"candidate", {{"candidate", "candidate:1 1 udp 1 10.0.0.1 9 typ host"}}}};
  a.sendJson({{"type", "p2p_signal"}, {"to", pidX}, {"data", data}});
  json::object e = a.readJson();
  EXPECT_EQ(errorCode(e), "participant_not_found");
  EXPECT_EQ(str(e["request_type"]), "p2p_signal");
  a.sendJson({{"type", "p2p_signal"}, {"to", p.a}, {"data", data}});
  EXPECT_EQ(errorCode(a.readJson()), "participant_not_found");  // itself
  a.sendJson({{"type", "p2p_signal"}, {"to", "p_nobody"}, {"data", data}});
  EXPECT_EQ(errorCode(a.readJson()), "participant_not_found");
  EXPECT_TRUE(x.pingPongIsNext());  // nothing leaked into the other room

  // Once on the SFU, the relay is closed.
  b.send(R"({"type":"p2p_failed"})");
  EXPECT_EQ(str(a.readUntil("media_mode")["mode"]), "sfu");
  a.sendJson({{"type", "p2p_signal"}, {"to", p.b}, {"data", data}});
  EXPECT_EQ(errorCode(a.readUntil("error")), "p2p_not_active");
}

TEST(MediaMode, SignalWithoutP2pPreferenceIsRefused) {
  TestServer server;
  std::string room = server.createRoom();
  WsClient a(server.port()), b(server.port());
  joinP2p(a, server.createToken(room, "dr", "Dr", "host"));
  std::string pidB = str(joinP2p(b, server.createToken(room, "pat", "Pat"))["participant_id"]);
  a.sendJson({{"type", "p2p_signal"}, {"to", pidB}, {"data", {{"sdp", "x"}}}});
  EXPECT_EQ(errorCode(a.readUntil("error")), "p2p_not_active");
  EXPECT_TRUE(b.pingPongIsNext());
}

TEST(MediaMode, BadSignalMessagesAreInvalid) {
  TestServer server(p2pNode());
  std::string room = server.createRoom();
  WsClient a(server.port());
  joinP2p(a, server.createToken(room, "dr", "Dr", "host"));
  for (const char* text : {R"({"type":"p2p_signal","data":{}})", R"({"type":"p2p_signal","to":"p_1"})",
                           R"({"type":"p2p_signal","to":"p_1","data":"sdp"})",
                           R"({"type":"p2p_signal","to":"","data":{}})"}) {
    a.send(text);
    json::object e = a.readUntil("error");
    EXPECT_EQ(errorCode(e), "invalid_message") << text;
    EXPECT_EQ(str(e["request_type"]), "p2p_signal") << text;
  }
}

TEST(MediaModeParse, JoinCapabilities) {
  auto m = parseClientMessage(R"({"type":"join","token":"t","capabilities":["future","p2p"]})");
  ASSERT_TRUE(m);
  EXPECT_TRUE(std::get<JoinMessage>(*m).p2pCapable);
  m = parseClientMessage(R"({"type":"join","token":"t"})");
  ASSERT_TRUE(m);
  EXPECT_FALSE(std::get<JoinMessage>(*m).p2pCapable);
  auto bad = parseClientMessage(R"({"type":"join","token":"t","capabilities":"p2p"})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "capabilities");
  bad = parseClientMessage(R"({"type":"join","token":"t","capabilities":[1]})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, MessageErrorKind::kWrongField);
}

TEST(MediaModeParse, SignalDataStaysAnObject) {
  auto m = parseClientMessage(R"({"type":"p2p_signal","to":"p_1","data":{"candidate":null}})");
  ASSERT_TRUE(m);
  EXPECT_EQ(std::get<P2pSignalMessage>(*m).to, "p_1");
  EXPECT_EQ(std::get<P2pSignalMessage>(*m).data, R"({"candidate":null})");
  EXPECT_TRUE(parseClientMessage(R"({"type":"p2p_failed"})"));
}

}  // namespace
}  // namespace medrtc::signaling
