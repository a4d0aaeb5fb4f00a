// Issue 12 item 1 on the control side: a subscriber whose browser cannot decode a
// publisher's codec is told so (codec_unsupported, 35, not fatal) and the call goes on.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "signaling/message/error_code.hpp"
#include "test_support.hpp"

namespace medrtc::signaling {
namespace {

namespace json = boost::json;
using testing::str;
using testing::TestServer;
using testing::WsClient;

TEST(CodecUnsupported, IsCode35AndNotFatal) {
  EXPECT_EQ(static_cast<int>(ErrorCode::kCodecUnsupported), 35);
  EXPECT_STREQ(toString(ErrorCode::kCodecUnsupported), "codec_unsupported");
  EXPECT_FALSE(isFatal(ErrorCode::kCodecUnsupported));
}

TEST(CodecUnsupported, OnlyTheSubscriberHearsItAndStaysInTheCall) {
  TestServer server;
  std::string room = server.createRoom();
  WsClient host(server.port());
  std::string hostId = str(host.join(server.createToken(room, "dr", "Dr Secret", "host"))["participant_id"]);
  WsClient guest(server.port());
  std::string guestId = str(guest.join(server.createToken(room, "pat", "Patient Secret"))["participant_id"]);
  ASSERT_EQ(str(host.readJson()["type"]), "participant_joined");

  server.onControl([&] { server.media().events().onCodecUnsupported(room, guestId, hostId, "video", "H264"); });
  json::object m = guest.readUntil("error");
  EXPECT_EQ(str(m["code"]), "codec_unsupported");
  std::string message = str(m["message"]);
  EXPECT_NE(message.find(hostId), std::string::npos);
  EXPECT_NE(message.find("video"), std::string::npos);
  EXPECT_NE(message.find("H264"), std::string::npos);
  EXPECT_EQ(message.find("Secret"), std::string::npos) << "participant ids, never names";
  // A subscriber who left, or one of another room, hears nothing; nobody else does either.
  server.onControl([&] { server.media().events().onCodecUnsupported(room, "p_gone", hostId, "video", "H264"); });
  server.onControl([&] { server.media().events().onCodecUnsupported("other-room", hostId, guestId, "video", "H264"); });
  EXPECT_TRUE(host.pingPongIsNext());
  EXPECT_TRUE(guest.pingPongIsNext());
}

// join.decoders (docs/protocol.md "Announced decoders"): the hub keeps what the browser
// announced with the participant and gives it, typed, to the media plane, whose first
// subscribe offer then has only what the browser decodes (sfu CodecIntersection tests).
TEST(CodecUnsupported, AnnouncedDecodersGoTypedToTheMediaPlane) {
  TestServer server;
  std::string room = server.createRoom();
  WsClient host(server.port());
  std::string hostId = str(host.join(server.createToken(room, "dr", "Dr", "host"))["participant_id"]);
  WsClient guest(server.port());
  guest.send(R"({"type":"join","token":")" + server.createToken(room, "pat", "Pat") +
             R"(","decoders":{"codecs":[{"mime_type":"video/VP8","clock_rate":90000},)"
             R"({"mime_type":"audio/opus","clock_rate":48000,"channels":2}],)"
             R"("header_extensions":["urn:ietf:params:rtp-hdrext:sdes:mid"]}})");
  json::object joined = guest.readJson();
  ASSERT_EQ(str(joined["type"]), "joined") << json::serialize(joined);
  std::string guestId = str(joined["participant_id"]);

  auto decoders = server.media().decodersOf(guestId);
  ASSERT_TRUE(decoders.has_value());
  EXPECT_EQ(decoders->codecs, (std::vector<sfu::DecoderCodec>{{"video", "VP8", 90000, 0, ""},
                                                              {"audio", "opus", 48000, 2, ""}}));
  EXPECT_EQ(decoders->headerExtensions, std::vector<std::string>{"urn:ietf:params:rtp-hdrext:sdes:mid"});
  EXPECT_FALSE(server.media().decodersOf(hostId).has_value()) << "a join without decoders: as before";
  EXPECT_TRUE(guest.pingPongIsNext());
}

// With announced decoders the media plane rules a track out while it adds the participant,
// before `joined` went out: the notice is kept and follows `joined`.
TEST(CodecUnsupported, ANoticeRaisedWhileJoiningFollowsJoined) {
  TestServer server;
  std::string room = server.createRoom();
  WsClient host(server.port());
  std::string hostId = str(host.join(server.createToken(room, "dr", "Dr", "host"))["participant_id"]);
  server.onControl([&] { server.media().holdAdds = true; });
  WsClient guest(server.port());
  guest.sendJson({{"type", "join"}, {"token", server.createToken(room, "pat", "Pat")}});
  std::string guestId;
  for (int i = 0; i < 200 && guestId.empty(); ++i) {
    for (const std::string& call : server.media().calls()) {
      if (call.rfind("add " + room + " ", 0) == 0 && call.find(hostId) == std::string::npos) {
        guestId = call.substr(call.rfind(' ') + 1);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_FALSE(guestId.empty());
  server.onControl([&] {
    server.media().events().onCodecUnsupported(room, guestId, hostId, "video", "H264");
    server.media().releaseAdds();
  });
  EXPECT_EQ(str(guest.readJson()["type"]), "joined");
  json::object notice = guest.readUntil("error");
  EXPECT_EQ(str(notice["code"]), "codec_unsupported");
  EXPECT_NE(str(notice["message"]).find(hostId), std::string::npos);
  EXPECT_TRUE(guest.pingPongIsNext()) << "once";
}

TEST(CodecUnsupported, AMalformedAnnouncementIsNamedAndTheJoinGoesOnWithoutIt) {
  TestServer server;
  std::string room = server.createRoom();
  WsClient guest(server.port());
  guest.send(R"({"type":"join","token":")" + server.createToken(room, "pat", "Pat") +
             R"(","decoders":{"codecs":[{"mime_type":"video/VP8","clock_rate":"fast"}],"header_extensions":[]}})");
  json::object error = guest.readJson();
  ASSERT_EQ(str(error["type"]), "error") << json::serialize(error);
  EXPECT_EQ(str(error["code"]), "decoders_invalid");
  EXPECT_EQ(str(error["request_type"]), "join");
  EXPECT_NE(str(error["message"]).find("decoders.codecs.clock_rate"), std::string::npos);
  json::object joined = guest.readJson();
  ASSERT_EQ(str(joined["type"]), "joined") << json::serialize(joined);
  EXPECT_FALSE(server.media().decodersOf(str(joined["participant_id"])).has_value());
  EXPECT_TRUE(guest.pingPongIsNext());
}

}  // namespace
}  // namespace medrtc::signaling
