#include "sdp/parse.hpp"

#include <gtest/gtest.h>

#include "fixtures.hpp"

namespace medrtc::sdp {
namespace {

using testing::loadFixture;
using testing::offerFixtures;

SessionDescription parseOk(const std::string& text) {
  auto r = parse(text);
  EXPECT_TRUE(r.ok()) << "error " << toString(r.ok() ? SdpError::kTooLarge : r.error().code)
                      << " at line " << (r.ok() ? 0 : r.error().line);
  return r.ok() ? *r : SessionDescription{};
}

ParseFailure parseFails(const std::string& text) {
  auto r = parse(text);
  EXPECT_FALSE(r.ok());
  return r.ok() ? ParseFailure{SdpError::kTooLarge, 999999} : r.error();
}

// A minimal valid offer, LF line ends; tests splice lines into it.
std::string minimal(const std::string& mediaExtra = "", const std::string& mline =
                                                            "m=audio 9 UDP/TLS/RTP/SAVPF 111") {
  return "v=0\no=- 1 1 IN IP4 127.0.0.1\ns=-\nt=0 0\n" + mline +
         "\nc=IN IP4 0.0.0.0\na=mid:0\na=rtpmap:111 opus/48000/2\n" + mediaExtra;
}

TEST(SdpParse, AllFixturesParse) {
  for (const std::string& name : offerFixtures()) {
    std::string text = loadFixture(name);
    ASSERT_FALSE(text.empty()) << name;
    auto r = parse(text);
    ASSERT_TRUE(r.ok()) << name << ": " << toString(r.error().code) << " line " << r.error().line;
    EXPECT_GE(r->media.size(), 2u) << name;
  }
}

TEST(SdpParse, ChromeOfferFields) {
  SessionDescription sdp = parseOk(loadFixture("chrome_publish_offer.sdp"));
  EXPECT_EQ(sdp.sessionId, "2527710129072096463");
  EXPECT_EQ(sdp.sessionVersion, 2u);
  ASSERT_NE(sdp.bundleGroup(), nullptr);
  EXPECT_EQ(sdp.bundleGroup()->mids, (std::vector<std::string>{"0", "1"}));
  EXPECT_TRUE(sdp.extmapAllowMixed);
  EXPECT_EQ(sdp.msidSemantic, "WMS c238215c-e3ab-41c6-b05b-acef3f1d70c6");
  EXPECT_FALSE(sdp.iceLite);
  ASSERT_EQ(sdp.media.size(), 2u);

  const MediaSection& audio = sdp.media[0];
  EXPECT_EQ(audio.kind, "audio");
  EXPECT_EQ(audio.port, 9);
  EXPECT_EQ(audio.protocol, "UDP/TLS/RTP/SAVPF");
  EXPECT_EQ(audio.mid, "0");
  EXPECT_EQ(audio.direction, Direction::kSendOnly);
  EXPECT_TRUE(audio.rtcpMux);
  EXPECT_TRUE(audio.rtcpRsize);
  EXPECT_EQ(audio.iceUfrag, "MlPd");
  EXPECT_EQ(audio.icePwd, "S76BVbgd44nvvHprPjhATeAh");
  EXPECT_EQ(audio.iceOptions, "trickle");
  ASSERT_EQ(audio.fingerprints.size(), 1u);
  EXPECT_EQ(audio.fingerprints[0].algorithm, "sha-256");
  EXPECT_EQ(audio.setup, SetupRole::kActpass);
  ASSERT_EQ(audio.codecs.size(), 8u);
  EXPECT_EQ(audio.codecs[0].payloadType, 111);
  EXPECT_EQ(audio.codecs[0].name, "opus");
  EXPECT_EQ(audio.codecs[0].clockRate, 48000u);
  EXPECT_EQ(audio.codecs[0].channels, 2u);
  EXPECT_EQ(audio.codecs[0].fmtp, "minptime=10;useinbandfec=1");
  EXPECT_EQ(audio.codecs[0].rtcpFeedback, (std::vector<std::string>{"transport-cc"}));
  EXPECT_EQ(audio.codecs[1].name, "red");
  EXPECT_EQ(audio.codecs[1].fmtp, "111/111");
  EXPECT_FALSE(audio.codecs[1].rtxFor);
  ASSERT_EQ(audio.extensions.size(), 4u);
  EXPECT_EQ(audio.extensions[0].id, 1);
  EXPECT_EQ(audio.extensions[0].uri, "urn:ietf:params:rtp-hdrext:ssrc-audio-level");
  ASSERT_EQ(audio.candidates.size(), 2u);
  EXPECT_EQ(audio.candidates[0].parsed.address, "2054360e-e807-41ef-b183-f940a40cf911.local");
  EXPECT_EQ(audio.candidates[0].parsed.port, 53890);
  EXPECT_EQ(audio.candidates[0].parsed.priority, 2113937151u);
  EXPECT_EQ(audio.candidates[0].parsed.type, "host");
  EXPECT_EQ(audio.candidates[0].parsed.transport, "udp");
  ASSERT_TRUE(audio.msid);
  EXPECT_EQ(audio.msid->first, "c238215c-e3ab-41c6-b05b-acef3f1d70c6");
  EXPECT_EQ(audio.msid->second, "4ae9bc5c-94f6-4526-8e91-6affa02c0eab");
  ASSERT_EQ(audio.ssrcs.size(), 1u);
  EXPECT_EQ(audio.ssrcs[0].ssrc, 4118672409u);
  EXPECT_EQ(audio.ssrcs[0].cname, "TXR4Tkr4WNRaw2BG");
  // a=rtcp and a=rtcp-xr are not modelled and kept verbatim.
  EXPECT_EQ(audio.otherAttributes,
            (std::vector<std::string>{"rtcp:9 IN IP4 0.0.0.0", "rtcp-xr:rcvr-rtt=all"}));

  const MediaSection& video = sdp.media[1];
  EXPECT_EQ(video.codecs.size(), 23u);
  const Codec* rtx = video.findCodec(97);
  ASSERT_NE(rtx, nullptr);
  EXPECT_EQ(rtx->name, "rtx");
  EXPECT_EQ(rtx->rtxFor, 96);
  const Codec* h264 = video.findCodec(108);
  ASSERT_NE(h264, nullptr);
  EXPECT_EQ(h264->fmtp, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
  EXPECT_EQ(h264->rtcpFeedback.size(), 5u);
  ASSERT_EQ(video.ssrcGroups.size(), 1u);
  EXPECT_EQ(video.ssrcGroups[0].semantics, "FID");
  EXPECT_EQ(video.ssrcGroups[0].ssrcs, (std::vector<uint32_t>{1927924088u, 485099404u}));
  ASSERT_EQ(video.ssrcs.size(), 2u);
  EXPECT_EQ(video.ssrcs[1].msid,
            "c238215c-e3ab-41c6-b05b-acef3f1d70c6 38ff0acb-0b30-4824-8f8d-5f16943ec64b");
  EXPECT_EQ(video.extensions.size(), 11u);
  EXPECT_EQ(video.extensions[0].id, 14);
}

TEST(SdpParse, ChromeSimulcastRidsAndSimulcast) {
  SessionDescription sdp = parseOk(loadFixture("chrome_simulcast_offer.sdp"));
  const MediaSection& video = sdp.media[1];
  ASSERT_EQ(video.rids.size(), 3u);
  EXPECT_EQ(video.rids[0].id, "q");
  EXPECT_EQ(video.rids[0].direction, "send");
  ASSERT_TRUE(video.simulcast);
  EXPECT_EQ(video.simulcast->send,
            (std::vector<std::vector<std::string>>{{"q"}, {"h"}, {"f"}}));
  EXPECT_TRUE(video.simulcast->recv.empty());
}

TEST(SdpParse, ChromeDataChannelSection) {
  SessionDescription sdp = parseOk(loadFixture("chrome_datachannel_offer.sdp"));
  ASSERT_EQ(sdp.media.size(), 3u);
  const MediaSection& app = sdp.media[2];
  EXPECT_EQ(app.kind, "application");
  EXPECT_EQ(app.protocol, "UDP/DTLS/SCTP");
  EXPECT_FALSE(app.isRtp());
  EXPECT_EQ(app.formats, (std::vector<std::string>{"webrtc-datachannel"}));
  EXPECT_TRUE(app.codecs.empty());
  EXPECT_EQ(app.sctpPort, 5000);
  EXPECT_EQ(app.maxMessageSize, 262144u);
}

TEST(SdpParse, FirefoxSessionLevelFingerprintAppliesToMedia) {
  SessionDescription sdp = parseOk(loadFixture("firefox_offer.sdp"));
  ASSERT_EQ(sdp.fingerprints.size(), 1u);
  EXPECT_TRUE(sdp.media[0].fingerprints.empty());
  TransportParams t = resolveTransport(sdp, sdp.media[0]);
  ASSERT_EQ(t.fingerprints.size(), 1u);
  EXPECT_EQ(t.fingerprints[0], sdp.fingerprints[0]);
  EXPECT_EQ(t.iceUfrag, "3e1c5f7a");
  EXPECT_EQ(t.direction, Direction::kSendOnly);  // media level wins over session sendrecv
  EXPECT_EQ(sdp.direction, Direction::kSendRecv);
}

TEST(SdpParse, FirefoxFmtpBeforeRtpmapAndExtmapDirection) {
  SessionDescription sdp = parseOk(loadFixture("firefox_offer.sdp"));
  const MediaSection& video = sdp.media[1];
  const Codec* h264 = video.findCodec(126);
  ASSERT_NE(h264, nullptr);
  EXPECT_EQ(h264->name, "H264");
  EXPECT_EQ(h264->fmtp, "profile-level-id=42e01f;level-asymmetry-allowed=1;packetization-mode=1");
  EXPECT_EQ(video.findCodec(127)->rtxFor, 126);
  EXPECT_EQ(video.findCodec(119)->rtxFor, 122);
  const MediaSection& audio = sdp.media[0];
  ASSERT_EQ(audio.extensions.size(), 3u);
  EXPECT_EQ(audio.extensions[1].direction, Direction::kRecvOnly);
  EXPECT_EQ(audio.findCodec(101)->channels, 1u);
}

TEST(SdpParse, WeriftUpperCaseOpusAndStaticPcmu) {
  SessionDescription sdp = parseOk(loadFixture("werift_default_offer.sdp"));
  const MediaSection& audio = sdp.media[0];
  ASSERT_EQ(audio.codecs.size(), 2u);
  EXPECT_EQ(audio.codecs[0].name, "OPUS");
  EXPECT_EQ(audio.codecs[0].payloadType, 96);
  EXPECT_EQ(audio.codecs[1].name, "PCMU");
  EXPECT_TRUE(audio.endOfCandidates);
  EXPECT_EQ(audio.candidates[1].parsed.address, "fd00::2");
}

TEST(SdpParse, StaticPayloadTypeWithoutRtpmap) {
  SessionDescription sdp = parseOk(minimal("", "m=audio 9 UDP/TLS/RTP/SAVPF 111 0 8"));
  ASSERT_EQ(sdp.media[0].codecs.size(), 3u);
  EXPECT_EQ(sdp.media[0].codecs[1].name, "PCMU");
  EXPECT_EQ(sdp.media[0].codecs[2].name, "PCMA");
  EXPECT_EQ(sdp.media[0].codecs[2].clockRate, 8000u);
}

TEST(SdpParse, AcceptsLfAndCrlfAlike) {
  std::string lf = loadFixture("firefox_offer.sdp");
  std::string crlf;
  for (char c : lf) {
    if (c == '\n') {
      crlf += '\r';
    }
    crlf += c;
  }
  EXPECT_EQ(parseOk(lf), parseOk(crlf));
}

TEST(SdpParse, RtcpFbWildcardAppliesToEveryCodec) {
  SessionDescription sdp = parseOk(
      minimal("a=rtpmap:0 PCMU/8000\na=rtcp-fb:* nack\n", "m=audio 9 UDP/TLS/RTP/SAVPF 111 0"));
  EXPECT_EQ(sdp.media[0].codecs[0].rtcpFeedback, (std::vector<std::string>{"nack"}));
  EXPECT_EQ(sdp.media[0].codecs[1].rtcpFeedback, (std::vector<std::string>{"nack"}));
}

TEST(SdpParse, AttributesForUnlistedPayloadTypesAreDropped) {
  SessionDescription sdp = parseOk(minimal("a=rtpmap:96 VP8/90000\na=fmtp:96 x=1\n"));
  ASSERT_EQ(sdp.media[0].codecs.size(), 1u);
  EXPECT_EQ(sdp.media[0].codecs[0].payloadType, 111);
}

TEST(SdpParse, UnknownAttributesKeptVerbatim) {
  SessionDescription sdp = parseOk(minimal("a=x-google-flag:conference\na=bundle-only\n"));
  EXPECT_EQ(sdp.media[0].otherAttributes,
            (std::vector<std::string>{"x-google-flag:conference", "bundle-only"}));
}

TEST(SdpParse, RejectsOversizedInput) {
  std::string big = minimal() + std::string(kMaxSdpBytes, 'x');
  ParseFailure f = parseFails(big);
  EXPECT_EQ(f.code, SdpError::kTooLarge);
  EXPECT_EQ(f.line, 0u);
}

TEST(SdpParse, RejectsTooManyLines) {
  std::string many = minimal();
  for (size_t i = 0; i < kMaxSdpLines; ++i) {
    many += "a=x\n";
  }
  EXPECT_EQ(parseFails(many).code, SdpError::kTooManyLines);
}

TEST(SdpParse, RequiresVersionZeroFirst) {
  EXPECT_EQ(parseFails("").code, SdpError::kMissingVersion);
  EXPECT_EQ(parseFails("o=- 1 1 IN IP4 0.0.0.0\nv=0\n").code, SdpError::kMissingVersion);
  EXPECT_EQ(parseFails("v=1\no=- 1 1 IN IP4 0.0.0.0\ns=-\n").code, SdpError::kMissingVersion);
}

TEST(SdpParse, RequiresOriginAndSessionName) {
  EXPECT_EQ(parseFails("v=0\ns=-\nt=0 0\n").code, SdpError::kMissingOrigin);
  EXPECT_EQ(parseFails("v=0\no=- 1 1 IN IP4 0.0.0.0\nt=0 0\n").code, SdpError::kMissingSessionName);
  EXPECT_EQ(parseFails("v=0\ns=-\nm=audio 9 RTP/AVP 0\n").code, SdpError::kMissingOrigin);
  EXPECT_EQ(parseFails("v=0\no=- abc 1 IN IP4 0.0.0.0\ns=-\n").code, SdpError::kInvalidOrigin);
}

TEST(SdpParse, NamesTheOffendingLine) {
  std::string text =
      "v=0\no=- 1 1 IN IP4 127.0.0.1\ns=-\nt=0 0\nm=audio 9 UDP/TLS/RTP/SAVPF 111\n"
      "c=IN IP4 0.0.0.0\na=mid:0\na=rtpmap:111 opus/0\na=rtcp-mux\n";
  ParseFailure f = parseFails(text);
  EXPECT_EQ(f.code, SdpError::kInvalidRtpmap);
  EXPECT_EQ(f.line, 8u);
}

TEST(SdpParse, RejectsMalformedLines) {
  EXPECT_EQ(parseFails(minimal("garbage\n")).code, SdpError::kMalformedLine);
  EXPECT_EQ(parseFails(minimal("A=x\n")).code, SdpError::kMalformedLine);
  EXPECT_EQ(parseFails(minimal(std::string("a=x\0y\n", 6))).code, SdpError::kMalformedLine);
}

TEST(SdpParse, PayloadTypesMustBe0To127AndUnique) {
  EXPECT_EQ(parseFails(minimal("", "m=audio 9 UDP/TLS/RTP/SAVPF 128")).code,
            SdpError::kInvalidPayloadType);
  EXPECT_EQ(parseFails(minimal("", "m=audio 9 UDP/TLS/RTP/SAVPF 111 111")).code,
            SdpError::kInvalidPayloadType);
  EXPECT_EQ(parseFails(minimal("", "m=audio 9 UDP/TLS/RTP/SAVPF -1")).code,
            SdpError::kInvalidPayloadType);
  EXPECT_EQ(parseFails(minimal("a=fmtp:300 x=1\n")).code, SdpError::kInvalidPayloadType);
}

TEST(SdpParse, PortsMustFitSixteenBits) {
  EXPECT_EQ(parseFails(minimal("", "m=audio 65536 UDP/TLS/RTP/SAVPF 111")).code,
            SdpError::kInvalidPort);
  EXPECT_EQ(parseFails(minimal("", "m=audio x UDP/TLS/RTP/SAVPF 111")).code,
            SdpError::kInvalidPort);
  EXPECT_EQ(parseFails(minimal("", "m=audio 9 UDP/TLS/RTP/SAVPF")).code,
            SdpError::kInvalidMediaLine);
  EXPECT_EQ(parseOk(minimal("", "m=audio 0 UDP/TLS/RTP/SAVPF 111")).media[0].port, 0);
}

TEST(SdpParse, ExtmapIdsInRange) {
  EXPECT_EQ(parseOk(minimal("a=extmap:255 urn:x\n")).media[0].extensions[0].id, 255);
  EXPECT_EQ(parseFails(minimal("a=extmap:0 urn:x\n")).code, SdpError::kInvalidExtmap);
  EXPECT_EQ(parseFails(minimal("a=extmap:256 urn:x\n")).code, SdpError::kInvalidExtmap);
  EXPECT_EQ(parseFails(minimal("a=extmap:4096 urn:x\n")).code, SdpError::kInvalidExtmap);
  EXPECT_EQ(parseFails(minimal("a=extmap:1/sideways urn:x\n")).code, SdpError::kInvalidExtmap);
  EXPECT_EQ(parseFails(minimal("a=extmap:1 urn:x\na=extmap:1 urn:y\n")).code,
            SdpError::kInvalidExtmap);
}

TEST(SdpParse, RejectsBadTransportAttributes) {
  EXPECT_EQ(parseFails(minimal("a=ice-ufrag:ab\n")).code, SdpError::kInvalidIceCredentials);
  EXPECT_EQ(parseFails(minimal("a=ice-pwd:tooshort\n")).code, SdpError::kInvalidIceCredentials);
  EXPECT_EQ(parseFails(minimal("a=fingerprint:sha-256 ZZ:00\n")).code,
            SdpError::kInvalidFingerprint);
  EXPECT_EQ(parseFails(minimal("a=fingerprint:sha-256\n")).code, SdpError::kInvalidFingerprint);
  EXPECT_EQ(parseFails(minimal("a=setup:sometimes\n")).code, SdpError::kInvalidSetup);
  EXPECT_EQ(parseFails(minimal("a=candidate:1 1 udp 1 1.2.3.4 70000 typ host\n")).code,
            SdpError::kInvalidCandidate);
  EXPECT_EQ(parseFails(minimal("a=candidate:1 0 udp 1 1.2.3.4 5 typ host\n")).code,
            SdpError::kInvalidCandidate);
  EXPECT_EQ(parseFails(minimal("a=candidate:1 1 udp 1 1.2.3.4 5 host\n")).code,
            SdpError::kInvalidCandidate);
}

TEST(SdpParse, RejectsBadSsrcAndGroups) {
  EXPECT_EQ(parseFails(minimal("a=ssrc:4294967296 cname:x\n")).code, SdpError::kInvalidSsrc);
  EXPECT_EQ(parseFails(minimal("a=ssrc:1\n")).code, SdpError::kInvalidSsrc);
  // Fuzzer finding: "cname" without a value could not be serialized back.
  EXPECT_EQ(parseFails(minimal("a=ssrc:1 cname\n")).code, SdpError::kInvalidSsrc);
  EXPECT_EQ(parseFails(minimal("a=ssrc:1 msid: \n")).code, SdpError::kInvalidSsrc);
  EXPECT_EQ(parseOk(minimal("a=ssrc:1 x-flag\n")).media[0].ssrcs[0].otherAttributes.size(), 1u);
  EXPECT_EQ(parseFails(minimal("a=ssrc-group:FID\n")).code, SdpError::kInvalidSsrcGroup);
  EXPECT_EQ(parseFails(minimal("a=ssrc-group:FID 1 x\n")).code, SdpError::kInvalidSsrcGroup);
}

TEST(SdpParse, RejectsDuplicateAndInvalidMids) {
  std::string two = minimal() + "m=video 9 UDP/TLS/RTP/SAVPF 96\na=mid:0\n";
  ParseFailure f = parseFails(two);
  EXPECT_EQ(f.code, SdpError::kDuplicateMid);
  EXPECT_EQ(f.line, 10u);
  EXPECT_EQ(parseFails(minimal("a=mid:1\n")).code, SdpError::kInvalidMid);  // second mid
}

TEST(SdpParse, RejectsBadRidAndSimulcast) {
  EXPECT_EQ(parseFails(minimal("a=rid:q sideways\n")).code, SdpError::kInvalidRid);
  EXPECT_EQ(parseFails(minimal("a=rid:q!x send\n")).code, SdpError::kInvalidRid);
  EXPECT_EQ(parseFails(minimal("a=simulcast:send\n")).code, SdpError::kInvalidSimulcast);
  EXPECT_EQ(parseFails(minimal("a=simulcast:send a;;b\n")).code, SdpError::kInvalidSimulcast);
  SessionDescription ok = parseOk(minimal("a=simulcast:recv a,b;~c send d\n"));
  EXPECT_EQ(ok.media[0].simulcast->recv,
            (std::vector<std::vector<std::string>>{{"a", "b"}, {"~c"}}));
  EXPECT_EQ(ok.media[0].simulcast->send, (std::vector<std::vector<std::string>>{{"d"}}));
}

TEST(SdpParse, RtxAptMustBeAPayloadType) {
  std::string sdp = minimal("a=rtpmap:97 rtx/90000\na=fmtp:97 apt=999\n",
                            "m=video 9 UDP/TLS/RTP/SAVPF 111 97");
  EXPECT_EQ(parseFails(sdp).code, SdpError::kInvalidFmtp);
}

}  // namespace
}  // namespace medrtc::sdp
