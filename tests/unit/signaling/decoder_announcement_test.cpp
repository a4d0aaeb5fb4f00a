// join.decoders (issue 12 item 1, docs/protocol.md "Announced decoders"): the browser's
// receive capabilities, checked strictly and bounded; a bad one is dropped on its own and
// named, the join itself still parses.
#include <gtest/gtest.h>

#include <string>

#include "signaling/message/client_message.hpp"
#include "signaling/message/decoder_announcement.hpp"
#include "signaling/message/error_code.hpp"

namespace medrtc::signaling {
namespace {

JoinMessage joinWith(const std::string& decoders) {
  auto parsed = parseClientMessage(R"({"type":"join","token":"t","capabilities":["p2p"],"decoders":)" + decoders + "}");
  EXPECT_TRUE(parsed.ok()) << decoders;
  return parsed.ok() ? std::get<JoinMessage>(*parsed) : JoinMessage{};
}

// The field a malformed announcement is refused for ("" when it was taken).
std::string refusedField(const std::string& decoders) {
  JoinMessage m = joinWith(decoders);
  EXPECT_EQ(m.token, "t") << "the join itself parses";
  EXPECT_TRUE(m.p2pCapable);
  EXPECT_EQ(m.decoders.has_value(), m.decodersInvalid.empty()) << decoders;
  return m.decodersInvalid;
}

std::string codecs(size_t n) {
  std::string out = "[";
  for (size_t i = 0; i < n; ++i) {
    out += std::string(i ? "," : "") + R"({"mime_type":"video/VP8","clock_rate":90000})";
  }
  return out + "]";
}

TEST(DecoderAnnouncement, IsCode36AndNotFatal) {
  EXPECT_EQ(static_cast<int>(ErrorCode::kDecodersInvalid), 36);
  EXPECT_STREQ(toString(ErrorCode::kDecodersInvalid), "decoders_invalid");
  EXPECT_FALSE(isFatal(ErrorCode::kDecodersInvalid));
}

TEST(DecoderAnnouncement, AJoinWithoutItParsesAsBefore) {
  auto parsed = parseClientMessage(R"({"type":"join","token":"t"})");
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(std::get<JoinMessage>(*parsed).decoders.has_value());
  EXPECT_TRUE(std::get<JoinMessage>(*parsed).decodersInvalid.empty());
}

TEST(DecoderAnnouncement, ReadsWhatGetCapabilitiesGives) {
  JoinMessage m = joinWith(R"({"codecs":[
      {"mime_type":"video/VP8","clock_rate":90000},
      {"mime_type":"video/rtx","clock_rate":90000},
      {"mime_type":"video/H264","clock_rate":90000,
       "sdp_fmtp_line":"level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"},
      {"mime_type":"audio/opus","clock_rate":48000,"channels":2,"sdp_fmtp_line":"minptime=10;useinbandfec=1"}],
    "header_extensions":["urn:ietf:params:rtp-hdrext:sdes:mid",
      "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"]})");
  ASSERT_TRUE(m.decoders.has_value()) << m.decodersInvalid;
  const auto& c = m.decoders->codecs;
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0], (sfu::DecoderCodec{"video", "VP8", 90000, 0, ""}));
  EXPECT_EQ(c[1].name, "rtx");
  EXPECT_EQ(c[2].fmtp, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
  EXPECT_EQ(c[3], (sfu::DecoderCodec{"audio", "opus", 48000, 2, "minptime=10;useinbandfec=1"}));
  EXPECT_EQ(m.decoders->headerExtensions.size(), 2u);
  // An empty list is an announcement too: this browser receives nothing.
  EXPECT_EQ(refusedField(R"({"codecs":[],"header_extensions":[]})"), "");
}

TEST(DecoderAnnouncement, RefusesMalformedFieldsByName) {
  EXPECT_EQ(refusedField(R"([])"), "decoders");
  EXPECT_EQ(refusedField(R"("VP8")"), "decoders");
  EXPECT_EQ(refusedField(R"({"header_extensions":[]})"), "decoders.codecs");
  EXPECT_EQ(refusedField(R"({"codecs":{},"header_extensions":[]})"), "decoders.codecs");
  EXPECT_EQ(refusedField(R"({"codecs":["video/VP8"],"header_extensions":[]})"), "decoders.codecs");
  EXPECT_EQ(refusedField(R"({"codecs":[]})"), "decoders.header_extensions");
  EXPECT_EQ(refusedField(R"({"codecs":[],"header_extensions":[1]})"), "decoders.header_extensions");
  EXPECT_EQ(refusedField(R"({"codecs":[],"header_extensions":[""]})"), "decoders.header_extensions");
  EXPECT_EQ(refusedField(R"({"codecs":[],"header_extensions":["a b"]})"), "decoders.header_extensions");
  for (const char* mime : {R"("VP8")", R"("text/VP8")", R"("video/")", R"("video")", R"("video/V P8")",
                           R"("video/VP8\n")", "1", "null"}) {
    EXPECT_EQ(refusedField(std::string(R"({"codecs":[{"mime_type":)") + mime +
                           R"(,"clock_rate":90000}],"header_extensions":[]})"),
              "decoders.codecs.mime_type")
        << mime;
  }
  for (const char* rate : {"0", "-1", "90000.5", "1000001", "18446744073709551615", R"("90000")"}) {
    EXPECT_EQ(refusedField(std::string(R"({"codecs":[{"mime_type":"video/VP8","clock_rate":)") + rate +
                           R"(}],"header_extensions":[]})"),
              "decoders.codecs.clock_rate")
        << rate;
  }
  EXPECT_EQ(refusedField(R"({"codecs":[{"mime_type":"video/VP8"}],"header_extensions":[]})"),
            "decoders.codecs.clock_rate");
  EXPECT_EQ(refusedField(R"({"codecs":[{"mime_type":"audio/opus","clock_rate":48000,"channels":0}],"header_extensions":[]})"),
            "decoders.codecs.channels");
  EXPECT_EQ(refusedField(R"({"codecs":[{"mime_type":"audio/opus","clock_rate":48000,"channels":256}],"header_extensions":[]})"),
            "decoders.codecs.channels");
  EXPECT_EQ(refusedField(R"({"codecs":[{"mime_type":"video/VP8","clock_rate":90000,"sdp_fmtp_line":"a=1\r\nb=2"}],"header_extensions":[]})"),
            "decoders.codecs.sdp_fmtp_line");
  EXPECT_EQ(refusedField(R"({"codecs":[{"mime_type":"video/VP8","clock_rate":90000,"sdp_fmtp_line":7}],"header_extensions":[]})"),
            "decoders.codecs.sdp_fmtp_line");
}

TEST(DecoderAnnouncement, RefusesWhatIsOverItsBounds) {
  EXPECT_EQ(refusedField(R"({"codecs":)" + codecs(kMaxAnnouncedCodecs) + R"(,"header_extensions":[]})"), "");
  EXPECT_EQ(refusedField(R"({"codecs":)" + codecs(kMaxAnnouncedCodecs + 1) + R"(,"header_extensions":[]})"),
            "decoders.codecs");
  std::string uris = "[";
  for (size_t i = 0; i <= kMaxAnnouncedExtensions; ++i) {
    uris += std::string(i ? "," : "") + "\"urn:x:" + std::to_string(i) + "\"";
  }
  uris += "]";
  EXPECT_EQ(refusedField(R"({"codecs":[],"header_extensions":)" + uris + "}"), "decoders.header_extensions");
  std::string longUri(kMaxExtensionUriBytes + 1, 'u');
  EXPECT_EQ(refusedField(R"({"codecs":[],"header_extensions":[")" + longUri + R"("]})"), "decoders.header_extensions");
  std::string longFmtp(kMaxFmtpBytes + 1, 'f');
  EXPECT_EQ(refusedField(R"({"codecs":[{"mime_type":"video/VP8","clock_rate":90000,"sdp_fmtp_line":")" + longFmtp +
                         R"("}],"header_extensions":[]})"),
            "decoders.codecs.sdp_fmtp_line");
  std::string longMime = "video/" + std::string(kMaxMimeTypeBytes, 'V');
  EXPECT_EQ(refusedField(R"({"codecs":[{"mime_type":")" + longMime + R"(","clock_rate":90000}],"header_extensions":[]})"),
            "decoders.codecs.mime_type");
}

}  // namespace
}  // namespace medrtc::signaling
