// TURN URI parsing for the doctor's allocation probe (RFC 7065 §3.1). The
// allocation itself runs against a real coturn in tests/e2e/doctor.test.mjs.
#include "turn/turn_allocation_probe.hpp"

#include <gtest/gtest.h>

namespace medrtc::turn {
namespace {

TEST(TurnServerUri, ReadsHostPortAndTransportWithTheRfcDefaults) {
  auto udp = parseTurnServerUri("turn:turn.example.org");
  ASSERT_TRUE(udp);
  EXPECT_EQ(udp->host, "turn.example.org");
  EXPECT_EQ(udp->port, 3478);
  EXPECT_EQ(udp->transport, TurnTransport::kUdp);

  auto tcp = parseTurnServerUri("turn:10.0.0.1:3479?transport=tcp");
  ASSERT_TRUE(tcp);
  EXPECT_EQ(tcp->port, 3479);
  EXPECT_EQ(tcp->transport, TurnTransport::kTcp);

  auto tls = parseTurnServerUri("turns:[2001:db8::1]:443?transport=tcp");
  ASSERT_TRUE(tls);
  EXPECT_EQ(tls->host, "2001:db8::1");
  EXPECT_EQ(tls->port, 443);
  EXPECT_EQ(tls->transport, TurnTransport::kTls);
  EXPECT_EQ(parseTurnServerUri("turns:turn.example.org")->port, 5349);
}

TEST(TurnServerUri, RefusesWhatIsNoTurnUri) {
  EXPECT_FALSE(parseTurnServerUri("stun:turn.example.org"));
  EXPECT_FALSE(parseTurnServerUri("turn:"));
  EXPECT_FALSE(parseTurnServerUri("turn:host:0"));
  EXPECT_FALSE(parseTurnServerUri("turn:host:70000"));
  EXPECT_FALSE(parseTurnServerUri("turn:host:12x"));
  EXPECT_FALSE(parseTurnServerUri("turn:host?transport=sctp"));
  EXPECT_FALSE(parseTurnServerUri("turn:[::1"));
}

TEST(TurnAllocationProbe, NobodyListeningIsAPlainFailureNotAnException) {
  TurnServerUri server{"127.0.0.1", 9, TurnTransport::kTcp};
  auto result = probeAllocation(server, "1:u", "p", {std::chrono::milliseconds(500), ""});
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.detail.find("cannot reach 127.0.0.1:9 over TCP"), std::string::npos) << result.detail;
}

}  // namespace
}  // namespace medrtc::turn
