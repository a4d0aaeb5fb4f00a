// Operator logs carry ids, never the names people are shown to each other by.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "captured_log.hpp"
#include "test_support.hpp"

namespace medrtc::signaling {
namespace {

using testing::CapturedLog;
using testing::httpRequest;
using testing::str;
using testing::TestServer;
using testing::WsClient;

TEST(Logging, NamesAndTokensNeverReachTheLog) {
  const std::string patientName = "Zyxwvut Patientname";
  const std::string doctorName = "Qwertz Doktorname";
  CapturedLog log;
  std::string room;
  std::string token;
  std::string apiKey;
  {
    TestServer server;
    apiKey = server.apiKey();
    room = server.createRoom();
    token = server.createToken(room, "patient-77", patientName);
    WsClient doctor(server.port());
    ASSERT_EQ(str(doctor.join(server.createToken(room, "dr-77", doctorName, "host"))["type"]), "joined");
    WsClient patient(server.port());
    ASSERT_EQ(str(patient.join(token)["type"]), "joined");
    patient.sendJson({{"type", "publish_offer"}, {"sdp", "bad"}});
    patient.readJson();
    WsClient duplicate(server.port());
    duplicate.join(token);
    duplicate.dropTcp();
    EXPECT_EQ(httpRequest(server.port(), "DELETE", "/api/v1/rooms/" + room, "", server.apiKey()).status, 204);
    doctor.read();
  }
  std::string text = log.text();
  EXPECT_NE(text.find("room_created room=" + room), std::string::npos) << text;
  EXPECT_NE(text.find("participant_joined room=" + room), std::string::npos) << text;
  EXPECT_NE(text.find("code=duplicate_identity"), std::string::npos) << text;
  EXPECT_NE(text.find("room_ended room=" + room), std::string::npos) << text;
  for (const std::string& secret : {patientName, std::string("Zyxwvut"), doctorName, token, apiKey,
                                    std::string("patient-77"), std::string("dr-77")}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << "log contains \"" << secret << "\":\n" << text;
  }
}

}  // namespace
}  // namespace medrtc::signaling
