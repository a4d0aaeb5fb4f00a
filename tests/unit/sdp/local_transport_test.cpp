#include "sdp/local_transport.hpp"

#include <gtest/gtest.h>

#include "sdp/parse.hpp"
#include "sdp/serialize.hpp"

namespace medrtc::sdp {
namespace {

LocalTransport transportOn(std::vector<std::string> ips) {
  return LocalTransport{"ufrag", "passwordOf24CharactersXX", "AB:CD", std::move(ips), 40000};
}

TEST(LocalTransport, OneHostCandidatePerAddressBestFirst) {
  MediaSection m;
  applyLocalTransport(m, transportOn({"203.0.113.7", "192.0.2.2", "2001:db8::2"}), SetupRole::kPassive);
  ASSERT_EQ(m.candidates.size(), 3u);
  // RFC 8445 §5.1.2.1: type preference 126, local preference 65535 for the first, then less.
  EXPECT_EQ(m.candidates[0].value, "1 1 udp 2130706431 203.0.113.7 40000 typ host");
  EXPECT_EQ(m.candidates[1].value, "2 1 udp 2130706175 192.0.2.2 40000 typ host");
  EXPECT_EQ(m.candidates[2].value, "3 1 udp 2130705919 2001:db8::2 40000 typ host");
  EXPECT_GT(m.candidates[0].parsed.priority, m.candidates[1].parsed.priority);
  EXPECT_GT(m.candidates[1].parsed.priority, m.candidates[2].parsed.priority);
  EXPECT_NE(m.candidates[0].parsed.foundation, m.candidates[1].parsed.foundation);
  EXPECT_TRUE(m.endOfCandidates);
}

TEST(LocalTransport, CandidatesSurviveASerializeParseRoundTrip) {
  SessionDescription sdp = makeLocalSession(transportOn({"192.0.2.2", "fd00::2"}), 1);
  MediaSection m;
  m.kind = "audio";
  m.mid = "0";
  m.protocol = "UDP/TLS/RTP/SAVPF";
  m.formats = {"111"};
  m.codecs = {Codec{111, "opus", 48000, 2, "", {}, {}}};
  applyLocalTransport(m, transportOn({"192.0.2.2", "fd00::2"}), SetupRole::kPassive);
  sdp.media.push_back(m);
  auto parsed = parse(serialize(sdp));
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->media.size(), 1u);
  ASSERT_EQ(parsed->media[0].candidates.size(), 2u);
  EXPECT_EQ(parsed->media[0].candidates[0].parsed.address, "192.0.2.2");
  EXPECT_EQ(parsed->media[0].candidates[1].parsed.address, "fd00::2");
  EXPECT_EQ(parsed->media[0].candidates[1].parsed.port, 40000);
}

TEST(LocalTransport, ApplyingAgainReplacesTheCandidates) {
  MediaSection m;
  applyLocalTransport(m, transportOn({"192.0.2.2", "192.0.2.3"}), SetupRole::kPassive);
  applyLocalTransport(m, transportOn({"192.0.2.9"}), SetupRole::kActpass);
  ASSERT_EQ(m.candidates.size(), 1u);
  EXPECT_EQ(m.candidates[0].parsed.address, "192.0.2.9");
}

}  // namespace
}  // namespace medrtc::sdp

namespace medrtc::sdp {
namespace {

TEST(LocalTransport, PassiveTcpCandidatesFollowUdpWithLowerPriority) {
  MediaSection m;
  LocalTransport local;
  local.candidateIps = {"203.0.113.7", "2001:db8::2"};
  local.candidatePort = 40000;
  local.tcpCandidates = true;
  applyLocalTransport(m, local, SetupRole::kPassive);
  ASSERT_EQ(m.candidates.size(), 4u);
  EXPECT_EQ(m.candidates[2].value, "t1 1 tcp 2124414975 203.0.113.7 40000 typ host tcptype passive");
  EXPECT_EQ(m.candidates[3].value, "t2 1 tcp 2124414719 2001:db8::2 40000 typ host tcptype passive");
  // RFC 6544 §4.2 preferences: every UDP candidate ranks above every TCP one, so a browser
  // uses TCP only when UDP fails; the address order holds within TCP.
  EXPECT_GT(m.candidates[1].parsed.priority, m.candidates[2].parsed.priority);
  EXPECT_GT(m.candidates[2].parsed.priority, m.candidates[3].parsed.priority);
  EXPECT_EQ(m.candidates[2].parsed.transport, "tcp");
  EXPECT_NE(m.candidates[2].parsed.foundation, m.candidates[0].parsed.foundation);
  // Off unless asked for: hosts without the TCP listener announce none.
  local.tcpCandidates = false;
  applyLocalTransport(m, local, SetupRole::kPassive);
  EXPECT_EQ(m.candidates.size(), 2u);
}

}  // namespace
}  // namespace medrtc::sdp
