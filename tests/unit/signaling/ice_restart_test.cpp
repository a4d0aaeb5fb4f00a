// restart_ice over a real WebSocket against the fake media plane (docs/protocol.md
// "Recovery"): the answer, and requests that must change nothing.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace medrtc::signaling {
namespace {

using testing::FakeMedia;
using testing::str;
using testing::TestServer;
using testing::WsClient;
namespace json = boost::json;

std::string errorCode(const json::object& o) {
  return o.contains("type") && o.at("type") == "error" ? str(o.at("code")) : "<" + json::serialize(o) + ">";
}

TEST(IceRestart, RestartsTheNamedTransportOfTheSender) {
  TestServer server;
  std::string room = server.createRoom();
  WsClient ws(server.port());
  std::string pid = str(ws.join(server.createToken(room, "a", "A"))["participant_id"]);

  ws.sendJson({{"type", "restart_ice"}, {"ice_ufrag", FakeMedia::iceUfragOf(pid, true)}});
  json::object answer = ws.readJson();
  EXPECT_EQ(str(answer["type"]), "ice_restarted") << json::serialize(answer);
  EXPECT_EQ(str(answer["connection"]), "publisher");
  EXPECT_EQ(str(answer["ice_ufrag"]), FakeMedia::iceUfragOf(pid, true) + "r");
  EXPECT_EQ(str(answer["ice_pwd"]), "pwd-" + FakeMedia::iceUfragOf(pid, true) + "r");

  ws.sendJson({{"type", "restart_ice"}, {"ice_ufrag", FakeMedia::iceUfragOf(pid, false)}});
  answer = ws.readJson();
  EXPECT_EQ(str(answer["connection"]), "subscriber") << json::serialize(answer);
  EXPECT_TRUE(server.media().sawCall("restart_ice " + room + " " + pid + " " + FakeMedia::iceUfragOf(pid, false)));
}

TEST(IceRestart, AnotherParticipantsTransportIsTransportNotFoundAndChangesNothing) {
  TestServer server;
  std::string room = server.createRoom();
  WsClient a(server.port());
  std::string pidA = str(a.join(server.createToken(room, "a", "A"))["participant_id"]);
  WsClient b(server.port());
  std::string pidB = str(b.join(server.createToken(room, "b", "B"))["participant_id"]);
  EXPECT_EQ(str(a.readJson()["type"]), "participant_joined");

  // B names A's publisher transport: refused, as an unknown ufrag would be.
  b.sendJson({{"type", "restart_ice"}, {"ice_ufrag", FakeMedia::iceUfragOf(pidA, true)}});
  json::object e = b.readJson();
  EXPECT_EQ(errorCode(e), "transport_not_found");
  EXPECT_EQ(str(e["request_type"]), "restart_ice");
  b.sendJson({{"type", "restart_ice"}, {"ice_ufrag", "nosuchufrag"}});
  EXPECT_EQ(errorCode(b.readJson()), "transport_not_found");
  EXPECT_TRUE(b.pingPongIsNext());  // not fatal

  // A's transport kept its credentials: A restarts it with the original ufrag, and A heard
  // nothing of B's attempt.
  a.sendJson({{"type", "restart_ice"}, {"ice_ufrag", FakeMedia::iceUfragOf(pidA, true)}});
  json::object answer = a.readJson();
  EXPECT_EQ(str(answer["type"]), "ice_restarted") << json::serialize(answer);
  EXPECT_EQ(str(answer["ice_ufrag"]), FakeMedia::iceUfragOf(pidA, true) + "r");
  EXPECT_TRUE(a.pingPongIsNext());
}

TEST(IceRestart, AnOutdatedUfragIsTransportNotFound) {
  TestServer server;
  std::string room = server.createRoom();
  WsClient ws(server.port());
  std::string pid = str(ws.join(server.createToken(room, "a", "A"))["participant_id"]);
  ws.sendJson({{"type", "restart_ice"}, {"ice_ufrag", FakeMedia::iceUfragOf(pid, true)}});
  EXPECT_EQ(str(ws.readJson()["type"]), "ice_restarted");
  // The same request again (a client that did not see the answer) does not restart twice.
  ws.sendJson({{"type", "restart_ice"}, {"ice_ufrag", FakeMedia::iceUfragOf(pid, true)}});
  EXPECT_EQ(errorCode(ws.readJson()), "transport_not_found");
}

TEST(IceRestart, MalformedRequestsAreInvalidMessage) {
  TestServer server;
  std::string room = server.createRoom();
  WsClient ws(server.port());
  ASSERT_EQ(str(ws.join(server.createToken(room, "a", "A"))["type"]), "joined");
  ws.sendJson({{"type", "restart_ice"}});
  EXPECT_EQ(errorCode(ws.readJson()), "invalid_message");
  ws.sendJson({{"type", "restart_ice"}, {"ice_ufrag", 7}});
  EXPECT_EQ(errorCode(ws.readJson()), "invalid_message");
  ws.sendJson({{"type", "restart_ice"}, {"ice_ufrag", std::string(257, 'u')}});
  EXPECT_EQ(errorCode(ws.readJson()), "invalid_message");
  EXPECT_TRUE(ws.pingPongIsNext());
}

}  // namespace
}  // namespace medrtc::signaling
