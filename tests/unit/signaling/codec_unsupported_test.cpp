// Issue 12 item 1 on the control side: a subscriber whose browser cannot decode a
// publisher's codec is told so (codec_unsupported, 35, not fatal) and the call goes on.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace medrtc::signaling
