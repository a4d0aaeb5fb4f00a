#include "loadgen/medrtc_messages.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "loadgen/http_client.hpp"

namespace medrtc::loadgen {
namespace {

namespace json = boost::json;

TEST(MedrtcMessages, BuildsRestBodies) {
  EXPECT_EQ(json::parse(createRoomBody("loadgen 3")), (json::value{{"name", "loadgen 3"}}));
  json::value token = json::parse(createTokenBody("loadgen-c0-a", "loadgen-c0-a", "host"));
  EXPECT_EQ(token.at("identity").as_string(), "loadgen-c0-a");
  EXPECT_EQ(token.at("name").as_string(), "loadgen-c0-a");
  EXPECT_EQ(token.at("role").as_string(), "host");
}

TEST(MedrtcMessages, ParsesRestReplies) {
  EXPECT_EQ(parseRoomId(R"({"id":"r_91c0","name":"x","status":"open"})"), "r_91c0");
  EXPECT_FALSE(parseRoomId(R"({"type":"about:blank","status":401})"));
  EXPECT_FALSE(parseRoomId("<html>"));
  EXPECT_EQ(parseToken(R"({"token":"eyJ.x.y","join_url":"/call/r#t=eyJ","expires_at":"2030-01-01T00:00:00Z"})"),
            "eyJ.x.y");
  EXPECT_FALSE(parseToken(R"({"token":""})"));
}

TEST(MedrtcMessages, BuildsSignalingMessages) {
  EXPECT_EQ(json::parse(joinMessage("eyJ")), (json::value{{"type", "join"}, {"token", "eyJ"}}));
  EXPECT_EQ(json::parse(publishOfferMessage("v=0\r\n")), (json::value{{"type", "publish_offer"}, {"sdp", "v=0\r\n"}}));
  json::value answer = json::parse(subscribeAnswerMessage("v=0\r\n", 3));
  EXPECT_EQ(answer.at("type").as_string(), "subscribe_answer");
  EXPECT_EQ(answer.at("version").as_int64(), 3);
  EXPECT_EQ(json::parse(pingMessage()).at("type").as_string(), "ping");
  EXPECT_EQ(json::parse(leaveMessage()).at("type").as_string(), "leave");
}

TEST(MedrtcMessages, ParsesServerMessages) {
  // From docs/protocol.md's example.
  auto joined = parseServerMessage(
      R"({"type":"joined","participant_id":"p_3f2a","room_id":"r_91c0","identity":"dr-weber","role":"host",)"
      R"("participants":[],"ice_servers":[]})");
  ASSERT_TRUE(joined);
  EXPECT_EQ(joined->type, "joined");
  EXPECT_EQ(joined->participantId, "p_3f2a");

  auto offer = parseServerMessage(R"({"type":"subscribe_offer","version":1,"sdp":"v=0..."})");
  ASSERT_TRUE(offer);
  EXPECT_EQ(offer->version, 1);
  EXPECT_EQ(offer->sdp, "v=0...");

  auto error = parseServerMessage(R"({"type":"error","code":"not_joined","message":"join first"})");
  EXPECT_EQ(error->errorCode, "not_joined");
  EXPECT_EQ(error->errorMessage, "join first");

  EXPECT_FALSE(parseServerMessage(R"({"type":"publish_answer"})"));  // no sdp
  EXPECT_FALSE(parseServerMessage(R"({"type":"subscribe_offer","version":"1","sdp":"v=0"})"));
  EXPECT_FALSE(parseServerMessage(R"({"sdp":"v=0"})"));
  EXPECT_FALSE(parseServerMessage("[]"));
  EXPECT_FALSE(parseServerMessage("{"));
}

TEST(HttpUrl, ParsesTargets) {
  auto medrtc = parseUrl("http://127.0.0.1:8080");
  ASSERT_TRUE(medrtc);
  EXPECT_EQ(medrtc->host, "127.0.0.1");
  EXPECT_EQ(medrtc->port, "8080");
  EXPECT_EQ(medrtc->path, "");
  auto janus = parseUrl("http://192.0.2.2:8088/janus/");
  ASSERT_TRUE(janus);
  EXPECT_EQ(janus->port, "8088");
  EXPECT_EQ(janus->path, "/janus");
  EXPECT_EQ(parseUrl("http://localhost")->port, "80");
  EXPECT_FALSE(parseUrl("https://127.0.0.1:8080"));
  EXPECT_FALSE(parseUrl("http://:8080"));
  EXPECT_FALSE(parseUrl("http://host:99999"));
  EXPECT_FALSE(parseUrl("http://host:80x"));
}

}  // namespace
}  // namespace medrtc::loadgen
