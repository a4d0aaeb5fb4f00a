// POST /api/v1/connectivity-probes (docs/consultation-api.md "Pre-call check"): only
// what a patient already holds authorizes a probe (a join token, an invitation link or
// code, never nothing), the invitation is not used up, a wrong code counts like a wrong
// code on redeem, and the bounds per subject hold.
#include <gtest/gtest.h>

#include "consultation_support.hpp"

namespace medrtc::signaling::testing {
namespace {

HttpResult probe(TestServer& server, boost::json::object body, const std::string& transport = "udp",
                 const std::string& offer = "v=0 offer") {
  body["transport"] = transport;
  body["offer"] = offer;
  return httpRequest(server.port(), "POST", "/api/v1/connectivity-probes", boost::json::serialize(body));
}

std::string codeOf(const HttpResult& r) { return str(r.json().at("code")); }

struct Clinic {
  TestServer server;
  ClinicClient practitioner{server.port()};
  Booking booking;
  Clinic(TestServerOptions options = {}) : server(std::move(options)) {
    auto account = server.addAccount("weber@example.org");
    EXPECT_EQ(practitioner.login(account.email, account.password).status, 200);
    booking = book(practitioner, server);
  }
};

TEST(ConnectivityProbeRoute, NoCredentialIsRefusedAndNothingOpens) {
  TestServer server;
  auto r = probe(server, {});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(codeOf(r), "invalid_field");
  auto forged = probe(server, {{"join_token", "v1.not-a-token"}});
  EXPECT_EQ(forged.status, 401);
  EXPECT_EQ(codeOf(forged), "invalid_token");
  auto unknown = probe(server, {{"invitation", "0123456789abcdef0123456789abcdef"}});
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(codeOf(unknown), "invitation_not_found");
  auto both = probe(server, {{"invitation", "abc"}, {"code", "123456789"}});
  EXPECT_EQ(both.status, 400);
  EXPECT_FALSE(server.media().sawCall("probe udp"));
}

TEST(ConnectivityProbeRoute, InvitationLinkOpensAProbeWithoutUsingTheInvitation) {
  auto turn = [](const std::string& id) {
    return std::vector<IceServerView>{{{"turns:turn.example.org:443?transport=tcp"}, "1700000000:" + id, "secret"}};
  };
  Clinic c(TestServerOptions{.iceServers = turn});
  auto r = probe(c.server, {{"invitation", c.booking.linkToken}});
  ASSERT_EQ(r.status, 201) << r.body;
  auto o = r.json().as_object();
  EXPECT_EQ(str(o.at("answer")), "probe-answer:v=0 offer");
  EXPECT_EQ(o.at("expires_in").as_int64(), 15);
  std::string probeId = str(o.at("probe_id"));
  ASSERT_EQ(o.at("ice_servers").as_array().size(), 1u);
  // TURN credentials are issued to the probe, not to a person.
  EXPECT_EQ(str(o.at("ice_servers").as_array()[0].at("username")), "1700000000:" + probeId);
  EXPECT_TRUE(c.server.media().sawCall("probe udp"));
  // The link still redeems afterwards: the check did not use it up.
  EXPECT_EQ(redeemLink(c.server, c.booking.linkToken, "Erika Mustermann").status, 200);
}

TEST(ConnectivityProbeRoute, TcpAsksTheMediaPlaneForTcpCandidatesOnly) {
  Clinic c;
  auto r = probe(c.server, {{"code", c.booking.code}}, "tcp");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_TRUE(c.server.media().sawCall("probe tcp"));
  c.server.media().tcpOff = true;
  auto off = probe(c.server, {{"code", c.booking.code}}, "tcp");
  EXPECT_EQ(off.status, 409);
  EXPECT_EQ(codeOf(off), "transport_off");
  auto badTransport = probe(c.server, {{"code", c.booking.code}}, "sctp");
  EXPECT_EQ(badTransport.status, 400);
  auto badOffer = probe(c.server, {{"code", c.booking.code}}, "udp", "bad offer");
  EXPECT_EQ(badOffer.status, 400);
  EXPECT_EQ(codeOf(badOffer), "sdp_invalid");
}

TEST(ConnectivityProbeRoute, AJoinTokenAuthorizesAProbe) {
  Clinic c;
  auto redeemed = redeemLink(c.server, c.booking.linkToken, "Erika Mustermann");
  ASSERT_EQ(redeemed.status, 200);
  auto r = probe(c.server, {{"join_token", joinTokenOf(redeemed)}}, "relay");
  EXPECT_EQ(r.status, 201) << r.body;
  // An expired join token no longer does.
  c.server.advanceClock(std::chrono::hours(48));
  auto late = probe(c.server, {{"join_token", joinTokenOf(redeemed)}});
  EXPECT_EQ(late.status, 401);
}

TEST(ConnectivityProbeRoute, RevokedOrExpiredInvitationsOpenNoProbe) {
  Clinic c;
  ASSERT_EQ(c.practitioner.call("DELETE", "/api/v1/invitations/" + c.booking.invitationId).status, 204);
  auto revoked = probe(c.server, {{"invitation", c.booking.linkToken}});
  EXPECT_EQ(revoked.status, 410);
  EXPECT_EQ(codeOf(revoked), "invitation_revoked");
  Booking later = book(c.practitioner, c.server, 60, 10);
  c.server.advanceClock(std::chrono::seconds(60 + 600 + 1800));
  auto expired = probe(c.server, {{"invitation", later.linkToken}});
  EXPECT_EQ(expired.status, 410);
  EXPECT_EQ(codeOf(expired), "invitation_expired");
  EXPECT_FALSE(c.server.media().sawCall("probe udp"));
}

TEST(ConnectivityProbeRoute, WrongCodesCountAgainstTheRedeemLimit) {
  Clinic c;
  // AppointmentPolicy: 10 wrong codes per address per 15 minutes, probe and redeem together.
  for (int i = 0; i < 10; ++i) {
    auto wrong = probe(c.server, {{"code", "000000000"}});
    ASSERT_EQ(wrong.status, 404) << i;
  }
  auto blocked = probe(c.server, {{"code", c.booking.code}});
  EXPECT_EQ(blocked.status, 429);
  EXPECT_EQ(codeOf(blocked), "too_many_attempts");
  auto redeem = httpRequest(c.server.port(), "POST", "/api/v1/invitations/redeem",
                            boost::json::serialize(boost::json::object{{"code", c.booking.code}, {"name", "Erika"}}));
  EXPECT_EQ(redeem.status, 429);
}

TEST(ConnectivityProbeRoute, OneSubjectHoldsAtMostSixProbesAtOnce) {
  Clinic c;
  for (int i = 0; i < 6; ++i) {
    ASSERT_EQ(probe(c.server, {{"invitation", c.booking.linkToken}}).status, 201) << i;
  }
  auto seventh = probe(c.server, {{"invitation", c.booking.linkToken}});
  EXPECT_EQ(seventh.status, 429);
  EXPECT_EQ(codeOf(seventh), "too_many_probes");
  EXPECT_FALSE(seventh.header("retry-after").empty());
  // The code names the same invitation: the same subject.
  EXPECT_EQ(probe(c.server, {{"code", c.booking.code}}).status, 429);
  // Once the probes' lifetime (15 s) is over, their slots are free again.
  c.server.advanceClock(std::chrono::seconds(16));
  EXPECT_EQ(probe(c.server, {{"invitation", c.booking.linkToken}}).status, 201);
}

TEST(ConnectivityProbeRoute, ADrainingServerOpensNoProbe) {
  Clinic c;
  c.server.drain();
  auto r = probe(c.server, {{"invitation", c.booking.linkToken}});
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(codeOf(r), "server_draining");
}

}  // namespace
}  // namespace medrtc::signaling::testing
