// Waiting guests keep their place in line (issue 11 item 3, docs/protocol.md "Waiting
// room"): across a resume, across a join after a drop, and across a server restart; a
// guest who leaves gives its place up.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "common/random.hpp"
#include "consultation_support.hpp"
#include "signaling/signaling_hub.hpp"

namespace medrtc::signaling {
namespace {

using namespace testing;
namespace json = boost::json;

// An appointment with two waiting-room invitations, redeemed two seconds apart: the first
// patient took its place first.
struct Line {
  explicit Line(TestServer& s) : server(s), doctor(s.port()) {
    account = s.addAccount("weber@example.org");
    EXPECT_EQ(doctor.login(account.email, account.password).status, 200);
    booking = book(doctor, s);
    first = joinTokenOf(redeemLink(s, booking.linkToken, "Erika Mustermann"));
    s.advanceClock(std::chrono::seconds(2));
    auto inv = doctor.call("POST", "/api/v1/appointments/" + booking.appointmentId + "/invitations",
                           json::serialize(json::object{{"role", "carer"}}));
    std::string url = str(inv.json().at("url"));
    second = joinTokenOf(redeemLink(s, url.substr(url.find("#i=") + 3), "Max Mustermann"));
  }
  TestServer& server;
  ClinicClient doctor;
  ClinicAccount account;
  Booking booking;
  std::string first;
  std::string second;
};

int64_t position(const json::object& waiting) {
  EXPECT_EQ(str(waiting.at("type")), "waiting") << json::serialize(waiting);
  return waiting.contains("position") ? waiting.at("position").to_number<int64_t>() : -1;
}

TEST(QueuePlace, KeptAcrossAResume) {
  TestServer server;
  Line line(server);
  WsClient a(server.port());
  json::object waiting = a.join(line.first);
  EXPECT_EQ(position(waiting), 1);
  std::string resumeToken = str(waiting["resume_token"]);
  ASSERT_EQ(resumeToken.rfind("rt_", 0), 0u) << json::serialize(waiting);
  WsClient b(server.port());
  EXPECT_EQ(position(b.join(line.second)), 2);

  a.dropTcp();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(b.pingPongIsNext());  // still second, nothing moved
  WsClient again(server.port());
  again.sendJson({{"type", "resume"}, {"token", line.first}, {"resume_token", resumeToken}});
  json::object resumed = again.readJson();
  ASSERT_EQ(str(resumed["type"]), "resumed") << json::serialize(resumed);
  EXPECT_TRUE(resumed["waiting"].as_bool());
  EXPECT_TRUE(resumed["participants"].as_array().empty());  // nothing about the room while waiting
  json::object back = again.readJson();
  EXPECT_EQ(position(back), 1);
  EXPECT_NE(str(back["resume_token"]), resumeToken);
  EXPECT_TRUE(b.pingPongIsNext());
}

TEST(QueuePlace, KeptByAJoinAfterADrop) {
  TestServer server;
  Line line(server);
  WsClient a(server.port());
  EXPECT_EQ(position(a.join(line.first)), 1);
  WsClient b(server.port());
  EXPECT_EQ(position(b.join(line.second)), 2);
  a.dropTcp();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // A client without resume joins again: it replaces its held self (which leaves the line
  // for a moment, as any replaced socket does) and is put back in its old place.
  WsClient again(server.port());
  EXPECT_EQ(position(again.join(line.first)), 1);
  EXPECT_EQ(position(b.readJson()), 1);
  EXPECT_EQ(position(b.readJson()), 2);
  EXPECT_TRUE(b.pingPongIsNext());
}

TEST(QueuePlace, KeptAcrossAServerRestart) {
  auto dir = std::filesystem::temp_directory_path() / ("medrtc-line-" + randomHex(6));
  std::string first;
  std::string second;
  {
    TestServer server(TestServerOptions{.dataDir = dir});
    Line line(server);
    first = line.first;
    second = line.second;
    WsClient a(server.port());
    EXPECT_EQ(position(a.join(first)), 1);
    WsClient b(server.port());
    EXPECT_EQ(position(b.join(second)), 2);
  }  // the server stops; both sockets close "going away"
  TestServer server(TestServerOptions{.dataDir = dir});
  // The second comes back first: alone, first in line …
  WsClient b(server.port());
  EXPECT_EQ(position(b.join(second)), 1);
  // … until the first is back, in front of it again.
  WsClient a(server.port());
  EXPECT_EQ(position(a.join(first)), 1);
  EXPECT_EQ(position(b.readJson()), 2);
  std::filesystem::remove_all(dir);
}

TEST(QueuePlace, GivenUpByLeave) {
  TestServer server;
  Line line(server);
  {
    WsClient a(server.port());
    EXPECT_EQ(position(a.join(line.first)), 1);
    a.sendJson({{"type", "leave"}});
    EXPECT_FALSE(a.read());
  }
  WsClient b(server.port());
  EXPECT_EQ(position(b.join(line.second)), 1);
  server.advanceClock(std::chrono::seconds(2));
  WsClient a(server.port());
  EXPECT_EQ(position(a.join(line.first)), 2);  // at the end now
  EXPECT_TRUE(b.pingPongIsNext());
}

TEST(QueuePlace, GivenUpAfterTheGrace) {
  TestServer server;
  Line line(server);
  WsClient b(server.port());
  {
    WsClient a(server.port());
    EXPECT_EQ(position(a.join(line.first)), 1);
    EXPECT_EQ(position(b.join(line.second)), 2);
    a.dropTcp();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server.advanceClock(SignalingHub::kResumeGrace + std::chrono::seconds(1));
  EXPECT_EQ(position(b.readJson()), 1);  // the grace check moves it up
  WsClient a(server.port());
  EXPECT_EQ(position(a.join(line.first)), 2);
}

}  // namespace
}  // namespace medrtc::signaling
