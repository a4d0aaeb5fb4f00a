// Session resume (docs/protocol.md "Recovery"): a dropped socket's participant is kept for
// 30 s and a new socket with its resume token takes it over; bad tokens change nothing.
#include <gtest/gtest.h>

#include <thread>

#include "signaling/message/client_message.hpp"
#include "signaling/message/error_code.hpp"
#include "signaling/signaling_hub.hpp"
#include "test_support.hpp"

namespace medrtc::signaling {
namespace {

using testing::httpRequest;
using testing::str;
using testing::TestServer;
using testing::WsClient;
namespace json = boost::json;

std::string errorCode(const json::object& o) {
  return o.contains("type") && o.at("type") == "error" ? str(o.at("code")) : "<" + json::serialize(o) + ">";
}

json::object resume(WsClient& ws, const std::string& token, const std::string& resumeToken) {
  ws.sendJson({{"type", "resume"}, {"token", token}, {"resume_token", resumeToken}});
  return ws.readJson();
}

bool sawRemove(TestServer& server, const std::string& pid) {
  for (const auto& call : server.media().calls()) {
    if (call.rfind("remove ", 0) == 0 && call.find(pid) != std::string::npos) {
      return true;
    }
  }
  return false;
}

// The hub notices a drop asynchronously; a resume sent before that would find the old
// socket still attached (which also works, but is another case).
void letTheDropLand() { std::this_thread::sleep_for(std::chrono::milliseconds(100)); }

struct TwoInACall {
  explicit TwoInACall(TestServer& s) : server(s), room(s.createRoom()), a(s.port()), b(s.port()) {
    tokenA = server.createToken(room, "a", "A");
    json::object joined = a.join(tokenA);
    pidA = str(joined["participant_id"]);
    resumeA = str(joined["resume_token"]);
    tokenB = server.createToken(room, "b", "B");
    json::object joinedB = b.join(tokenB);
    pidB = str(joinedB["participant_id"]);
    resumeB = str(joinedB["resume_token"]);
    EXPECT_EQ(str(a.readJson()["type"]), "participant_joined");
  }
  TestServer& server;
  std::string room;
  WsClient a;
  WsClient b;
  std::string tokenA, pidA, resumeA, tokenB, pidB, resumeB;
};

TEST(SessionResume, ParsesTheResumeMessageAndItsErrors) {
  auto m = parseClientMessage(R"({"type":"resume","token":"abc.def","resume_token":"rt_01"})");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(std::get<ResumeMessage>(*m).token, "abc.def");
  EXPECT_EQ(std::get<ResumeMessage>(*m).resumeToken, "rt_01");
  EXPECT_FALSE(parseClientMessage(R"({"type":"resume","resume_token":"rt_01"})").ok());
  EXPECT_FALSE(parseClientMessage(R"({"type":"resume","token":"a","resume_token":7})").ok());
  // Codes 26-29, none fatal: the client joins again on the same socket.
  EXPECT_STREQ(toString(ErrorCode::kResumeInvalid), "resume_invalid");
  EXPECT_STREQ(toString(ErrorCode::kResumeExpired), "resume_expired");
  EXPECT_STREQ(toString(ErrorCode::kResumeReplayed), "resume_replayed");
  EXPECT_STREQ(toString(ErrorCode::kResumeMismatch), "resume_mismatch");
  EXPECT_EQ(static_cast<int>(ErrorCode::kResumeInvalid), 26);
  EXPECT_EQ(static_cast<int>(ErrorCode::kResumeMismatch), 29);
  for (ErrorCode c : {ErrorCode::kResumeInvalid, ErrorCode::kResumeExpired, ErrorCode::kResumeReplayed,
                      ErrorCode::kResumeMismatch}) {
    EXPECT_FALSE(isFatal(c)) << toString(c);
  }
}

TEST(SessionResume, JoinedCarriesAResumeToken) {
  TestServer server;
  TwoInACall call(server);
  EXPECT_EQ(call.resumeA.rfind("rt_", 0), 0u) << call.resumeA;
  EXPECT_NE(call.resumeA, call.resumeB);
}

TEST(SessionResume, ADroppedSocketResumesAsTheSameParticipantAndNobodySeesALeave) {
  TestServer server;
  TwoInACall call(server);
  call.a.dropTcp();
  letTheDropLand();
  EXPECT_TRUE(call.b.pingPongIsNext());  // no participant_left

  WsClient again(server.port());
  json::object resumed = resume(again, call.tokenA, call.resumeA);
  ASSERT_EQ(str(resumed["type"]), "resumed") << json::serialize(resumed);
  EXPECT_EQ(str(resumed["participant_id"]), call.pidA);
  EXPECT_FALSE(resumed["waiting"].as_bool());
  std::string rotated = str(resumed["resume_token"]);
  EXPECT_EQ(rotated.rfind("rt_", 0), 0u);
  EXPECT_NE(rotated, call.resumeA);
  ASSERT_EQ(resumed["participants"].as_array().size(), 1u);
  EXPECT_EQ(str(resumed["participants"].as_array()[0].at("participant_id")), call.pidB);
  EXPECT_TRUE(again.pingPongIsNext());
  // Neither the others nor the media plane heard of it: no leave, no join, no new transport.
  EXPECT_TRUE(call.b.pingPongIsNext());
  EXPECT_FALSE(sawRemove(server, call.pidA));
  auto get = httpRequest(server.port(), "GET", "/api/v1/rooms/" + call.room, "", server.apiKey());
  EXPECT_EQ(get.json().at("participants").as_array().size(), 2u);

  // The resumed socket is the participant: B's track_state reaches it, its own reaches B.
  call.b.sendJson({{"type", "track_state"}, {"kind", "audio"}, {"muted", true}});
  json::object state = again.readJson();
  EXPECT_EQ(str(state["type"]), "track_state") << json::serialize(state);
  EXPECT_EQ(str(state["participant_id"]), call.pidB);
  again.sendJson({{"type", "track_state"}, {"kind", "video"}, {"muted", true}});
  EXPECT_EQ(str(call.b.readJson()["participant_id"]), call.pidA);
}

TEST(SessionResume, WhatHappenedDuringTheOutageIsDeliveredAfterResumed) {
  TestServer server;
  TwoInACall call(server);
  call.a.dropTcp();
  letTheDropLand();
  call.b.sendJson({{"type", "chat"}, {"text", "still there?"}});
  EXPECT_EQ(str(call.b.readJson()["type"]), "chat");  // the sender's own copy
  WsClient c(server.port());
  std::string pidC = str(c.join(server.createToken(call.room, "c", "C"))["participant_id"]);

  WsClient again(server.port());
  json::object resumed = resume(again, call.tokenA, call.resumeA);
  ASSERT_EQ(str(resumed["type"]), "resumed") << json::serialize(resumed);
  EXPECT_EQ(resumed["participants"].as_array().size(), 2u);
  json::object chat = again.readJson();
  EXPECT_EQ(str(chat["type"]), "chat") << json::serialize(chat);
  EXPECT_EQ(str(chat["text"]), "still there?");
  json::object joined = again.readJson();
  EXPECT_EQ(str(joined["type"]), "participant_joined") << json::serialize(joined);
  EXPECT_EQ(str(joined["participant"].at("participant_id")), pidC);
}

TEST(SessionResume, AnUnansweredSubscribeOfferIsOfferedAgain) {
  TestServer server;
  TwoInACall call(server);
  server.onControl([&] { server.media().offer(call.room, call.pidA, 3, "v=0 offer3"); });
  json::object offer = call.a.readJson();
  ASSERT_EQ(str(offer["type"]), "subscribe_offer");
  call.a.dropTcp();  // before it could answer
  letTheDropLand();
  WsClient again(server.port());
  ASSERT_EQ(str(resume(again, call.tokenA, call.resumeA)["type"]), "resumed");
  json::object repeated = again.readJson();
  EXPECT_EQ(str(repeated["type"]), "subscribe_offer") << json::serialize(repeated);
  EXPECT_EQ(repeated["version"].to_number<int64_t>(), 3);
  EXPECT_EQ(str(repeated["sdp"]), "v=0 offer3");
}

TEST(SessionResume, AfterTheGraceTheParticipantLeavesAndItsTokenIsExpired) {
  TestServer server;
  TwoInACall call(server);
  call.a.dropTcp();
  letTheDropLand();
  server.advanceClock(std::chrono::seconds(31));
  json::object left = call.b.readUntil("participant_left");  // the grace check runs every second
  EXPECT_EQ(str(left["participant_id"]), call.pidA);
  EXPECT_TRUE(sawRemove(server, call.pidA));

  WsClient late(server.port());
  json::object e = resume(late, call.tokenA, call.resumeA);
  EXPECT_EQ(errorCode(e), "resume_expired");
  EXPECT_EQ(str(e["request_type"]), "resume");
  // Not fatal: the same socket joins as a new participant.
  json::object joined = late.join(call.tokenA);
  EXPECT_EQ(str(joined["type"]), "joined") << json::serialize(joined);
  EXPECT_NE(str(joined["participant_id"]), call.pidA);
}

TEST(SessionResume, AResumeTokenWorksOnceAndIsRotated) {
  TestServer server;
  TwoInACall call(server);
  call.a.dropTcp();
  letTheDropLand();
  WsClient first(server.port());
  json::object resumed = resume(first, call.tokenA, call.resumeA);
  ASSERT_EQ(str(resumed["type"]), "resumed");

  WsClient replay(server.port());
  json::object e = resume(replay, call.tokenA, call.resumeA);
  EXPECT_EQ(errorCode(e), "resume_replayed");
  // Nothing changed: the first resumed socket still holds the participant, unbothered.
  EXPECT_TRUE(first.pingPongIsNext());
  EXPECT_TRUE(call.b.pingPongIsNext());

  // The rotated token resumes again, from a socket whose predecessor is still open (the
  // client gave up on it first): the old one is told and closed, the participant stays.
  WsClient second(server.port());
  json::object again = resume(second, call.tokenA, str(resumed["resume_token"]));
  EXPECT_EQ(str(again["type"]), "resumed") << json::serialize(again);
  EXPECT_EQ(str(again["participant_id"]), call.pidA);
  EXPECT_EQ(errorCode(first.readJson()), "duplicate_identity");
  EXPECT_FALSE(first.read());
  EXPECT_TRUE(call.b.pingPongIsNext());
  EXPECT_TRUE(second.pingPongIsNext());
}

TEST(SessionResume, AnotherParticipantsTokenIsRefusedAndChangesNothing) {
  TestServer server;
  TwoInACall call(server);
  // B (with its own join token) presents A's resume token while A is connected.
  WsClient thief(server.port());
  json::object e = resume(thief, call.tokenB, call.resumeA);
  EXPECT_EQ(errorCode(e), "resume_mismatch");
  EXPECT_EQ(str(e["request_type"]), "resume");
  EXPECT_TRUE(call.a.pingPongIsNext());  // A was not replaced
  EXPECT_TRUE(call.b.pingPongIsNext());
  // A's token is still good for A.
  call.a.dropTcp();
  letTheDropLand();
  WsClient again(server.port());
  EXPECT_EQ(str(resume(again, call.tokenA, call.resumeA)["participant_id"]), call.pidA);
}

TEST(SessionResume, ATokenOfAnotherRoomIsRefusedAndOtherCallsAreUnaffected) {
  TestServer server;
  TwoInACall call(server);
  TwoInACall other(server);  // another call on the same node
  WsClient elsewhere(server.port());
  EXPECT_EQ(errorCode(resume(elsewhere, other.tokenA, call.resumeA)), "resume_mismatch");
  WsClient replayer(server.port());
  EXPECT_EQ(errorCode(resume(replayer, other.tokenB, "rt_ffffffffffffffffffffffffffffffff")), "resume_invalid");
  EXPECT_TRUE(call.a.pingPongIsNext());
  for (WsClient* ws : {&other.a, &other.b}) {
    EXPECT_TRUE(ws->pingPongIsNext());
  }
  auto get = httpRequest(server.port(), "GET", "/api/v1/rooms/" + other.room, "", server.apiKey());
  EXPECT_EQ(get.json().at("participants").as_array().size(), 2u);
}

TEST(SessionResume, UnknownOrMalformedTokensAreRefused) {
  TestServer server;
  TwoInACall call(server);
  WsClient ws(server.port());
  EXPECT_EQ(errorCode(resume(ws, call.tokenA, "rt_00000000000000000000000000000000")), "resume_invalid");
  ws.sendJson({{"type", "resume"}, {"token", call.tokenA}});
  EXPECT_EQ(errorCode(ws.readJson()), "invalid_message");
  ws.sendJson({{"type", "resume"}, {"token", call.tokenA}, {"resume_token", std::string(129, 'x')}});
  EXPECT_EQ(errorCode(ws.readJson()), "invalid_message");
  // A bad join token is refused as at join (fatal), before the resume token is looked at.
  WsClient forged(server.port());
  EXPECT_EQ(errorCode(resume(forged, "not-a-token", call.resumeA)), "token_invalid");
  EXPECT_TRUE(call.a.pingPongIsNext());
  EXPECT_TRUE(call.b.pingPongIsNext());
}

TEST(SessionResume, ResumeAfterJoinIsAlreadyJoined) {
  TestServer server;
  TwoInACall call(server);
  call.b.sendJson({{"type", "resume"}, {"token", call.tokenB}, {"resume_token", call.resumeB}});
  EXPECT_EQ(errorCode(call.b.readJson()), "already_joined");
}

TEST(SessionResume, LeaveIsAGoodbyeWithoutGrace) {
  TestServer server;
  std::string room = server.createRoom();
  WsClient a(server.port());
  a.join(server.createToken(room, "a", "A"));
  std::string pidB;
  {
    WsClient b(server.port());
    pidB = str(b.join(server.createToken(room, "b", "B"))["participant_id"]);
    EXPECT_EQ(str(a.readJson()["type"]), "participant_joined");
    b.sendJson({{"type", "leave"}});
  }
  EXPECT_EQ(str(a.readJson()["participant_id"]), pidB);  // participant_left at once
}

}  // namespace
}  // namespace medrtc::signaling
