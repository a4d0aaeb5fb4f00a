// Issue 10 items 7 and 8 through the real server: argon2id does not stall the control
// thread, and behind a trusted proxy each client has its own sign-in limit.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "test_support.hpp"

namespace medrtc::signaling {
namespace {

using namespace testing;

std::string loginBody(const std::string& email, const std::string& password) {
  return boost::json::serialize(boost::json::object{{"email", email}, {"password", password}});
}

TEST(SignInLoad, HealthzStaysFastWhileManySignInsHash) {
  TestServerOptions options;
  options.auth.maxFailuresPerAddress = 1000;  // this test is about time, not limits
  TestServer server(options);
  constexpr int kSignIns = 40;  // ~70 ms of argon2id each: ~3 s in a row on one thread
  std::atomic<int> done{0};
  std::vector<std::thread> clients;
  std::vector<int> statuses(kSignIns);
  for (int i = 0; i < kSignIns; ++i) {
    clients.emplace_back([&, i] {
      statuses[i] = httpRequest(server.port(), "POST", "/api/v1/auth/login",
                                loginBody("nobody" + std::to_string(i) + "@example.org", "wrong password"))
                        .status;
      ++done;
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let the hashes queue up
  std::chrono::milliseconds worst{0};
  int samples = 0;
  while (done < kSignIns) {
    auto start = std::chrono::steady_clock::now();
    ASSERT_EQ(httpRequest(server.port(), "GET", "/healthz").status, 200);
    worst = std::max(worst,
                     std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start));
    ++samples;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (auto& t : clients) {
    t.join();
  }
  EXPECT_GE(samples, 3) << "the sign-ins finished before /healthz was measured";
  EXPECT_LT(worst.count(), 500) << "/healthz waited behind password hashes";
  for (int s : statuses) {
    // Wrong credentials, or "busy, retry" once 64 wait for a hash thread.
    EXPECT_TRUE(s == 401 || s == 503) << s;
  }
}

TEST(SignInLoad, BehindATrustedProxyEachClientHasItsOwnAddressLimit) {
  TestServerOptions options;
  options.auth.maxFailuresPerAddress = 3;
  options.trustedProxies = {"127.0.0.1"};
  TestServer server(options);
  server.addAccount("weber@example.org");
  auto login = [&](const std::string& forwardedFor, const std::string& email) {
    return httpRequest(server.port(), "POST", "/api/v1/auth/login", loginBody(email, "wrong password"), "",
                       "application/json", {{"X-Forwarded-For", forwardedFor}})
        .status;
  };
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(login("198.51.100.1", "guess" + std::to_string(i) + "@example.org"), 401);
  }
  EXPECT_EQ(login("198.51.100.1", "guess@example.org"), 429);
  // Another client behind the same proxy is not locked out by the first.
  EXPECT_EQ(login("198.51.100.2", "guess@example.org"), 401);
  // A client cannot pick its own address by prepending to the header: the proxy appends
  // the address it saw, and that is the one counted.
  EXPECT_EQ(login("203.0.113.9, 198.51.100.1", "guess@example.org"), 429);
}

TEST(SignInLoad, ForwardedForFromAnUntrustedPeerIsIgnored) {
  TestServerOptions options;
  options.auth.maxFailuresPerAddress = 3;
  TestServer server(options);
  auto login = [&](const std::string& forwardedFor) {
    return httpRequest(server.port(), "POST", "/api/v1/auth/login", loginBody("x@example.org", "wrong password"), "",
                       "application/json", {{"X-Forwarded-For", forwardedFor}})
        .status;
  };
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(login("198.51.100." + std::to_string(i)), 401);
  }
  // Rotating the header does not dodge the limit of the real peer.
  EXPECT_EQ(login("198.51.100.99"), 429);
}

}  // namespace
}  // namespace medrtc::signaling
