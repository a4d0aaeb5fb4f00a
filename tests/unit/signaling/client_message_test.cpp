#include "signaling/message/client_message.hpp"

#include <gtest/gtest.h>

#include "signaling/message/server_message.hpp"

namespace medrtc::signaling {
namespace {

MessageErrorKind errorOf(std::string_view text) {
  auto r = parseClientMessage(text);
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? MessageErrorKind::kNotJson : r.error().kind;
}

TEST(ClientMessage, ParsesEveryType) {
  auto join = parseClientMessage(R"({"type":"join","token":"abc.def"})");
  ASSERT_TRUE(join.ok());
  EXPECT_EQ(std::get<JoinMessage>(*join).token, "abc.def");

  auto offer = parseClientMessage(R"({"type":"publish_offer","sdp":"v=0\r\n"})");
  ASSERT_TRUE(offer.ok());
  EXPECT_EQ(std::get<PublishOfferMessage>(*offer).sdp, "v=0\r\n");

  auto answer = parseClientMessage(R"({"type":"subscribe_answer","sdp":"v=0","version":4294967295})");
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(std::get<SubscribeAnswerMessage>(*answer).version, 4294967295u);

  auto track = parseClientMessage(R"({"type":"track_state","kind":"video","muted":true})");
  ASSERT_TRUE(track.ok());
  EXPECT_EQ(std::get<TrackStateMessage>(*track).kind, TrackKind::kVideo);
  EXPECT_TRUE(std::get<TrackStateMessage>(*track).muted);

  EXPECT_TRUE(std::holds_alternative<LeaveMessage>(*parseClientMessage(R"({"type":"leave"})")));
  EXPECT_TRUE(std::holds_alternative<PingMessage>(*parseClientMessage(R"({"type":"ping","extra":1})")));
}

TEST(ClientMessage, RejectsMalformedInputWithNamedErrors) {
  EXPECT_EQ(errorOf("not json"), MessageErrorKind::kNotJson);
  EXPECT_EQ(errorOf(""), MessageErrorKind::kNotJson);
  EXPECT_EQ(errorOf(R"({"type":"ping",})"), MessageErrorKind::kNotJson);  // trailing comma
  EXPECT_EQ(errorOf("[1,2]"), MessageErrorKind::kNotObject);
  EXPECT_EQ(errorOf(R"({"token":"x"})"), MessageErrorKind::kMissingType);
  EXPECT_EQ(errorOf(R"({"type":7})"), MessageErrorKind::kMissingType);
  EXPECT_EQ(errorOf(R"({"type":"dance"})"), MessageErrorKind::kUnknownType);
  EXPECT_EQ(errorOf(R"({"type":"join"})"), MessageErrorKind::kMissingField);
  EXPECT_TRUE(parseClientMessage(R"({"type":"join","token":""})").ok());  // refused later as token_invalid
  EXPECT_EQ(errorOf(R"({"type":"join","token":5})"), MessageErrorKind::kWrongField);
  EXPECT_EQ(errorOf(R"({"type":"subscribe_answer","sdp":"v=0"})"), MessageErrorKind::kMissingField);
  EXPECT_EQ(errorOf(R"({"type":"subscribe_answer","sdp":"v=0","version":-1})"), MessageErrorKind::kWrongField);
  EXPECT_EQ(errorOf(R"({"type":"subscribe_answer","sdp":"v=0","version":4294967296})"), MessageErrorKind::kWrongField);
  EXPECT_EQ(errorOf(R"({"type":"subscribe_answer","sdp":"v=0","version":1.5})"), MessageErrorKind::kWrongField);
  EXPECT_EQ(errorOf(R"({"type":"track_state","kind":"screen","muted":true})"), MessageErrorKind::kWrongField);
  EXPECT_EQ(errorOf(R"({"type":"track_state","kind":"audio","muted":"yes"})"), MessageErrorKind::kWrongField);
  EXPECT_EQ(errorOf(R"({"type":"track_state","kind":"audio"})"), MessageErrorKind::kMissingField);
}

TEST(ClientMessage, ReportsTheRequestTypeAndField) {
  auto r = parseClientMessage(R"({"type":"publish_offer","sdp":3})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().requestType, "publish_offer");
  EXPECT_EQ(r.error().field, "sdp");
  EXPECT_EQ(describe(r.error()), "field \"sdp\" has a wrong type or value");
}

TEST(ClientMessage, RefusesOversizeAndDeepNesting) {
  std::string big = R"({"type":"publish_offer","sdp":")" + std::string(kMaxMessageBytes, 'a') + "\"}";
  EXPECT_EQ(errorOf(big), MessageErrorKind::kTooLarge);
  std::string deep(60000, '[');
  EXPECT_EQ(errorOf(deep), MessageErrorKind::kNotJson);
  std::string nested = R"({"type":"ping","x":)" + std::string(50, '[') + std::string(50, ']') + "}";
  EXPECT_EQ(errorOf(nested), MessageErrorKind::kNotJson);
}

TEST(ClientMessage, RefusesInvalidUtf8) { EXPECT_EQ(errorOf("{\"type\":\"join\",\"token\":\"\xff\"}"), MessageErrorKind::kNotJson); }

TEST(ServerMessage, SerializesErrorsWithCodeAndRequestType) {
  EXPECT_EQ(errorMessage(ErrorCode::kNotJoined, "join first", "publish_offer"),
            R"({"type":"error","code":"not_joined","message":"join first","request_type":"publish_offer"})");
  EXPECT_EQ(errorMessage(ErrorCode::kAuthRequired, "x"), R"({"type":"error","code":"auth_required","message":"x"})");
  EXPECT_EQ(closeCodeFor(ErrorCode::kAuthRequired), 4003);
  EXPECT_TRUE(isFatal(ErrorCode::kDuplicateIdentity));
  EXPECT_FALSE(isFatal(ErrorCode::kStaleVersion));
}

}  // namespace
}  // namespace medrtc::signaling
