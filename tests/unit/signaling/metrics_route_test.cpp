// GET /metrics (docs/operations.md): behind its bearer token on the main listener, open on
// --metrics-listen, figures that follow the calls, and nothing that names a person.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include <sstream>

#include "signaling/signaling_hub.hpp"
#include "test_support.hpp"

namespace medrtc::signaling {
namespace {

using testing::ClinicClient;
using testing::httpRequest;
using testing::str;
using testing::TestServer;
using testing::TestServerOptions;
using testing::WsClient;

constexpr const char* kToken = "0123456789abcdef0123456789abcdef";

testing::HttpResult scrape(const TestServer& server, const std::string& token = kToken,
                           const testing::Headers& extra = {}) {
  testing::Headers headers = extra;
  if (!token.empty()) {
    headers.emplace_back("Authorization", "Bearer " + token);
  }
  return httpRequest(server.port(), "GET", "/metrics", "", "", "", headers);
}

// The value of the sample `series` (name plus labels, as rendered); -1 when absent.
double sample(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(series + " ", 0) == 0) {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return -1;
}

TEST(MetricsRoute, IsNotFoundOnTheMainListenerWithoutAToken) {
  TestServer server;
  auto r = httpRequest(server.port(), "GET", "/metrics");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(scrape(server).status, 404);
}

TEST(MetricsRoute, NeedsTheBearerToken) {
  TestServer server(TestServerOptions{.metricsToken = kToken});
  auto none = scrape(server, "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.header("www-authenticate"), "Bearer");
  EXPECT_EQ(none.header("content-type"), "application/problem+json");
  EXPECT_EQ(scrape(server, "0123456789abcdef0123456789abcdeX").status, 401);
  // An API key is not the metrics token.
  EXPECT_EQ(scrape(server, server.apiKey()).status, 401);
  auto ok = scrape(server);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(ok.body.find("# TYPE medrtc_participants gauge\n"), std::string::npos) << ok.body;
  EXPECT_NE(ok.body.find("# HELP medrtc_rooms "), std::string::npos);
  // Unlabelled instruments show (at 0) before their first event.
  for (const char* family : {"# TYPE medrtc_joins_total counter\n", "# TYPE medrtc_join_duration_seconds histogram\n",
                             "# TYPE medrtc_turn_credentials_issued_total counter\n",
                             "# TYPE medrtc_audit_write_duration_seconds histogram\n"}) {
    EXPECT_NE(ok.body.find(family), std::string::npos) << family;
  }
}

TEST(MetricsRoute, AnswersOpenMetricsWhenAsked) {
  TestServer server(TestServerOptions{.metricsToken = kToken});
  auto r = scrape(server, kToken, {{"Accept", "application/openmetrics-text;version=1.0.0"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "application/openmetrics-text; version=1.0.0; charset=utf-8");
  ASSERT_GE(r.body.size(), 6u);
  EXPECT_EQ(r.body.substr(r.body.size() - 6), "# EOF\n");
}

TEST(MetricsRoute, FiguresFollowACallAndNameNobody) {
  TestServer server(TestServerOptions{.metricsToken = kToken});
  double joinsBefore = sample(scrape(server).body, "medrtc_joins_total");
  std::string room = server.createRoom();
  WsClient a(server.port());
  auto joinedA = a.join(server.createToken(room, "dr-weber", "Dr. Weber", "host"));
  ASSERT_EQ(str(joinedA["type"]), "joined");
  WsClient b(server.port());
  auto joinedB = b.join(server.createToken(room, "patient-1", "Pat Example"));
  ASSERT_EQ(str(joinedB["type"]), "joined");

  std::string text = scrape(server).body;
  EXPECT_EQ(sample(text, "medrtc_participants"), 2) << text;
  EXPECT_EQ(sample(text, "medrtc_rooms"), 1);
  EXPECT_EQ(sample(text, "medrtc_joins_total"), std::max(joinsBefore, 0.0) + 2);
  EXPECT_GE(sample(text, "medrtc_join_duration_seconds_count"), 2);
  for (const std::string& personal : {std::string("Dr. Weber"), std::string("dr-weber"), std::string("Pat Example"),
                                      std::string("patient-1"), room, str(joinedA["participant_id"]),
                                      str(joinedB["participant_id"])}) {
    EXPECT_EQ(text.find(personal), std::string::npos) << "/metrics shows " << personal;
  }

  b.dropTcp();
  // Held for a resume until the grace passes (docs/protocol.md "Recovery").
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server.advanceClock(SignalingHub::kResumeGrace + std::chrono::seconds(1));
  // The hub learns of the drop asynchronously; poll until the gauge follows.
  double participants = 2;
  for (int i = 0; i < 200 && participants != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    participants = sample(scrape(server).body, "medrtc_participants");
  }
  EXPECT_EQ(participants, 1);
}

TEST(MetricsRoute, CountsSignInOutcomesWithoutTheEmail) {
  TestServer server(TestServerOptions{.metricsToken = kToken});
  auto account = server.addAccount("metrics-user@example.org");
  const std::string ok = "medrtc_sign_ins_total{outcome=\"ok\"}";
  const std::string bad = "medrtc_sign_ins_total{outcome=\"bad_password\"}";
  std::string before = scrape(server).body;
  ClinicClient wrong(server.port());
  EXPECT_EQ(wrong.login(account.email, "not the password").status, 401);
  ClinicClient right(server.port());
  EXPECT_EQ(right.login(account.email, account.password).status, 200);
  std::string after = scrape(server).body;
  EXPECT_EQ(sample(after, bad), std::max(sample(before, bad), 0.0) + 1) << after;
  EXPECT_EQ(sample(after, ok), std::max(sample(before, ok), 0.0) + 1);
  EXPECT_EQ(after.find("metrics-user"), std::string::npos);
}

TEST(MetricsRoute, CountsPolicyRefusalsAndTurnCredentials) {
  TestServer server(TestServerOptions{
      .metricsToken = kToken,
      .recordingRefusal = "policy kbv: rule recording.allowed=false",
      .iceServers = [](const std::string&) {
        return std::vector<IceServerView>{{{"turn:127.0.0.1:3478"}, "turn-user-1", "s3cr3t-turn-password"}};
      }});
  const std::string refusals = "medrtc_policy_refusals_total{action=\"recording\"}";
  const std::string turn = "medrtc_turn_credentials_issued_total";
  std::string before = scrape(server).body;
  std::string room = server.createRoom();
  EXPECT_EQ(httpRequest(server.port(), "POST", "/api/v1/rooms/" + room + "/recordings", "{}", server.apiKey()).status,
            403);
  WsClient ws(server.port());
  ASSERT_EQ(str(ws.join(server.createToken(room, "a", "A"))["type"]), "joined");
  std::string after = scrape(server).body;
  EXPECT_EQ(sample(after, refusals), std::max(sample(before, refusals), 0.0) + 1) << after;
  EXPECT_EQ(sample(after, turn), sample(before, turn) + 1);
  EXPECT_EQ(after.find("s3cr3t-turn-password"), std::string::npos) << "no TURN secret in a scrape";
  EXPECT_EQ(after.find("turn-user-1"), std::string::npos);
}

TEST(MetricsRoute, SeparateListenerServesWithoutAuthorizationAndOnlyMetrics) {
  TestServer server(TestServerOptions{.metricsListener = true});
  ASSERT_NE(server.metricsPort(), 0);
  ASSERT_NE(server.metricsPort(), server.port());
  auto r = httpRequest(server.metricsPort(), "GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("# TYPE medrtc_rooms gauge"), std::string::npos);
  EXPECT_EQ(httpRequest(server.metricsPort(), "GET", "/healthz").status, 404);
  EXPECT_EQ(httpRequest(server.metricsPort(), "POST", "/metrics").status, 405);
  // The main listener still needs a token, and has none here.
  EXPECT_EQ(httpRequest(server.port(), "GET", "/metrics").status, 404);
}

TEST(MetricsRoute, SeparateListenerHoldsAtMostSixteenConnectionsAndRecovers) {
  // An unauthenticated port must not become a way to use up descriptors (issue 10 item 5):
  // past 16 open sessions a new connection is closed at once; closed ones free their place.
  TestServer server(TestServerOptions{.metricsListener = true});
  auto connectIdle = [&] {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(server.metricsPort());
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to), 0);
    return fd;
  };
  std::vector<int> idle;
  for (int i = 0; i < 16; ++i) {
    idle.push_back(connectIdle());
  }
  // The 17th is accepted and closed once the 16 are sessions: wait for its EOF.
  bool refused = false;
  for (int attempt = 0; attempt < 50 && !refused; ++attempt) {
    int fd = connectIdle();
    timeval wait{0, 200'000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    char byte = 0;
    refused = ::recv(fd, &byte, 1, 0) == 0;
    ::close(fd);
  }
  EXPECT_TRUE(refused) << "a 17th connection stayed open";
  for (int fd : idle) {
    ::close(fd);
  }
  int status = 0;
  for (int attempt = 0; attempt < 50 && status != 200; ++attempt) {
    try {
      status = httpRequest(server.metricsPort(), "GET", "/metrics").status;
    } catch (const std::exception&) {
      status = 0;  // closed at accept: the idle sessions are not gone yet
    }
    if (status != 200) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  EXPECT_EQ(status, 200);
}

}  // namespace
}  // namespace medrtc::signaling
