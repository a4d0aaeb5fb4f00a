// Issue 15 item 6: the admin dashboard's REST routes. Tenant admins only, their own
// tenant's live rooms only (another tenant's room answers like an unknown one), and ids,
// counts, waiting times and quality figures — never a name.
#include <gtest/gtest.h>

#include "consultation_support.hpp"

namespace medrtc::signaling {
namespace {

using namespace testing;
namespace json = boost::json;

std::string roomWithKey(TestServer& server, const std::string& key) {
  auto r = httpRequest(server.port(), "POST", "/api/v1/rooms", "{}", key);
  EXPECT_EQ(r.status, 201) << r.body;
  return r.status == 201 ? str(r.json().at("id")) : "";
}

std::string tokenWithKey(TestServer& server, const std::string& key, const std::string& roomId,
                         const std::string& identity, const std::string& name, const std::string& role) {
  json::object body{{"identity", identity}, {"name", name}, {"role", role}};
  auto r = httpRequest(server.port(), "POST", "/api/v1/rooms/" + roomId + "/tokens", json::serialize(body), key);
  EXPECT_EQ(r.status, 201) << r.body;
  return str(r.json().at("token"));
}

ClinicClient signedIn(TestServer& server, const ClinicAccount& account) {
  ClinicClient client(server.port());
  EXPECT_EQ(client.login(account.email, account.password).status, 200);
  return client;
}

TEST(AdminDashboard, TheTenantAdminSeesItsLiveConsultationsWithQualityAndNoNames) {
  TestServer server;
  auto doctor = server.addAccount("dr@a.org");
  auto admin = server.addAccount("admin@a.org", "admin", false, doctor.tenantId);
  auto otherAdmin = server.addAccount("admin@b.org", "admin");
  std::string key = server.addApiKey(doctor.tenantId);
  std::string room = roomWithKey(server, key);

  WsClient host(server.port());
  std::string hostId = str(host.join(tokenWithKey(server, key, room, "dr", "Dr Secretname", "host"))["participant_id"]);
  ASSERT_FALSE(hostId.empty());
  sfu::ParticipantQuality q;
  q.participantId = hostId;
  q.lossPercent = 3;
  q.rttMs = 42;
  q.bitrateInBps = 800'000;
  q.score = 85;
  server.onControl([&] { server.media().events().onQualityReport(room, {q}); });

  ClinicClient a = signedIn(server, admin);
  HttpResult list = a.call("GET", "/api/v1/admin/consultations");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.body.find("Secretname"), std::string::npos);
  json::array consultations = list.json().at("consultations").as_array();
  ASSERT_EQ(consultations.size(), 1u);
  const json::object& c = consultations[0].as_object();
  EXPECT_EQ(str(c.at("room_id")), room);
  EXPECT_EQ(c.at("participants").to_number<int>(), 1);
  EXPECT_EQ(c.at("waiting").to_number<int>(), 0);
  EXPECT_TRUE(c.at("started_at").is_int64());
  EXPECT_DOUBLE_EQ(c.at("quality").at("loss_percent").to_number<double>(), 3.0);
  EXPECT_EQ(str(c.at("quality").at("quality")), "good");

  HttpResult samples = a.call("GET", "/api/v1/admin/consultations/" + room + "/quality");
  ASSERT_EQ(samples.status, 200) << samples.body;
  json::array points = samples.json().at("samples").as_array();
  ASSERT_EQ(points.size(), 1u);
  EXPECT_DOUBLE_EQ(points[0].at("rtt_ms").to_number<double>(), 42.0);
  EXPECT_EQ(points[0].at("bitrate_bps").to_number<int64_t>(), 800'000);
  int64_t at = points[0].at("at").to_number<int64_t>();
  EXPECT_EQ(a.call("GET", "/api/v1/admin/consultations/" + room + "/quality?since=" + std::to_string(at + 1))
                .json().at("samples").as_array().size(),
            0u);

  // A practitioner of the same practice: refused.
  ClinicClient dr = signedIn(server, doctor);
  HttpResult refused = dr.call("GET", "/api/v1/admin/consultations");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(str(refused.json().at("code")), "forbidden");
  EXPECT_EQ(dr.call("GET", "/api/v1/admin/consultations/" + room + "/quality").status, 403);

  // Another practice's admin: nothing listed, and the room is as unknown as a made-up id.
  ClinicClient b = signedIn(server, otherAdmin);
  EXPECT_EQ(b.call("GET", "/api/v1/admin/consultations").json().at("consultations").as_array().size(), 0u);
  HttpResult foreign = b.call("GET", "/api/v1/admin/consultations/" + room + "/quality");
  HttpResult unknown = b.call("GET", "/api/v1/admin/consultations/r_0000000000000000/quality");
  EXPECT_EQ(foreign.status, 404);
  EXPECT_EQ(foreign.body, unknown.body);

  // Without a sign-in: 401.
  EXPECT_EQ(httpRequest(server.port(), "GET", "/api/v1/admin/consultations").status, 401);
}

TEST(AdminDashboard, WaitingGuestsShowWithTheirWaitingTime) {
  TestServer server;
  auto doctor = server.addAccount("dr@a.org");
  auto admin = server.addAccount("admin@a.org", "admin", false, doctor.tenantId);
  std::string key = server.addApiKey(doctor.tenantId);
  auto created = httpRequest(server.port(), "POST", "/api/v1/rooms", R"({"waiting_room":true})", key);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string room = str(created.json().at("id"));
  WsClient guest(server.port());
  json::object waiting = guest.join(tokenWithKey(server, key, room, "pat", "Pat Secretname", "guest"));
  ASSERT_EQ(str(waiting["type"]), "waiting") << json::serialize(waiting);
  server.advanceClock(std::chrono::seconds(90));

  ClinicClient a = signedIn(server, admin);
  HttpResult list = a.call("GET", "/api/v1/admin/consultations");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.body.find("Secretname"), std::string::npos);
  json::array consultations = list.json().at("consultations").as_array();
  ASSERT_EQ(consultations.size(), 1u);
  const json::object& c = consultations[0].as_object();
  EXPECT_EQ(c.at("participants").to_number<int>(), 0);
  EXPECT_EQ(c.at("waiting").to_number<int>(), 1);
  EXPECT_TRUE(c.at("started_at").is_null());
  EXPECT_GE(c.at("waiting_seconds").as_array().at(0).to_number<int64_t>(), 90);
}

}  // namespace
}  // namespace medrtc::signaling
