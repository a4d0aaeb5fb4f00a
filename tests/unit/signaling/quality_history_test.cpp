// Issue 15 item 6: the call-quality history kept after a room ends. QualityHistory takes
// one sample per participant every 10 s from the 5 s reports, hands them over in batches
// (and at once when a room ends), drops and counts a batch the writer refuses, and stores
// ids and figures only. Through the server: an ended consultation's history is what the
// admin's REST routes show, tenant-scoped and admin only.
#include <gtest/gtest.h>

#include <thread>

#include "consultation_support.hpp"
#include "signaling/quality_history.hpp"

namespace medrtc::signaling {
namespace {

using namespace testing;
namespace json = boost::json;

sfu::ParticipantQuality figures(const std::string& participantId, int layer = 0) {
  sfu::ParticipantQuality q;
  q.participantId = participantId;
  q.lossPercent = 1.5;
  q.rttMs = 30;
  q.jitterMs = 4;
  q.bitrateInBps = 500'000;
  q.bitrateOutBps = 700'000;
  q.layer = layer;
  q.freezeCount = 2;
  q.score = 88;
  q.mos = 4.2;
  return q;
}

TEST(QualityHistory, KeepsOneSampleEveryTenSecondsAndWritesInBatches) {
  std::vector<std::vector<store::QualitySampleRecord>> batches;
  QualityHistory history([&](std::vector<store::QualitySampleRecord> batch) {
    batches.push_back(std::move(batch));
    return true;
  });
  // 5 s reports of a two-person call for 25 s: samples at 0, 10, 20.
  for (int64_t at = 1000; at <= 1025; at += 5) {
    history.record("r_1", "t_1", {figures("p_a", 2), figures("p_b", 1)}, at);
  }
  EXPECT_EQ(history.buffered(), 6u);
  EXPECT_TRUE(batches.empty()) << "a batch waits for more samples or 30 s";
  history.record("r_1", "t_1", {figures("p_a", 2), figures("p_b", 1)}, 1030);
  ASSERT_EQ(batches.size(), 1u) << "the oldest sample waited 30 s";
  ASSERT_EQ(batches[0].size(), 8u);
  const store::QualitySampleRecord& s = batches[0][0];
  EXPECT_EQ(s.roomId, "r_1");
  EXPECT_EQ(s.tenantId, "t_1");
  EXPECT_EQ(s.participantId, "p_a");
  EXPECT_EQ(s.at, 1000);
  EXPECT_EQ(s.layer, 2);
  EXPECT_EQ(batches[0][1].layer, 1);
  EXPECT_EQ(s.bitrateInBps, 500'000);
  EXPECT_EQ(s.freezeCount, 2);
  EXPECT_DOUBLE_EQ(s.mos, 4.2);
  EXPECT_EQ(batches[0][2].at, 1010);
  EXPECT_EQ(batches[0][6].at, 1030);

  // A full batch goes at once.
  std::vector<sfu::ParticipantQuality> many;
  for (size_t i = 0; i < QualityHistory::kBatchSamples; ++i) {
    many.push_back(figures("p_" + std::to_string(i)));
  }
  history.record("r_2", "t_1", many, 1031);
  EXPECT_EQ(batches.size(), 2u);

  // The room's end hands over what waits; another room's end with nothing of its own
  // does not flush.
  history.record("r_1", "t_1", {figures("p_a")}, 1040);
  history.roomEnded("r_unknown");
  EXPECT_EQ(history.buffered(), 1u);
  history.roomEnded("r_1");
  EXPECT_EQ(history.buffered(), 0u);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[2][0].at, 1040);
  // The next call in the same room starts sampling again at once.
  history.record("r_1", "t_1", {figures("p_a")}, 1041);
  EXPECT_EQ(history.buffered(), 1u);
}

TEST(QualityHistory, ABatchTheWriterRefusesIsDroppedAndCounted) {
  QualityHistory history([](std::vector<store::QualitySampleRecord>) { return false; });
  history.record("r_1", "t_1", {figures("p_a"), figures("p_b")}, 1000);
  history.flush();
  EXPECT_EQ(history.buffered(), 0u);
  EXPECT_EQ(history.droppedSamples(), 2u);
}

TEST(QualityHistory, StoredSamplesAreChartedPerTimeLikeALiveRoom) {
  auto a = toSample("r_1", "t_1", figures("p_a", 2), 100);
  auto b = toSample("r_1", "t_1", figures("p_b", 1), 100);
  b.lossPercent = 6;
  b.score = 50;
  auto later = toSample("r_1", "t_1", figures("p_a", 2), 110);
  std::vector<RoomQualitySample> chart = summarizeStored({a, b, later});
  ASSERT_EQ(chart.size(), 2u);
  EXPECT_EQ(chart[0].at, 100);
  EXPECT_EQ(chart[0].participants, 2u);
  EXPECT_DOUBLE_EQ(chart[0].lossPercent, 6.0);  // the worst link
  EXPECT_EQ(chart[0].layer, 1);                  // the lowest layer forwarded
  EXPECT_DOUBLE_EQ(chart[0].score, 50.0);
  EXPECT_EQ(chart[0].bitrateBps, 1'000'000u);
  EXPECT_EQ(chart[1].at, 110);
  EXPECT_EQ(chart[1].layer, 2);
  EXPECT_TRUE(summarizeStored({}).empty());
}

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

TEST(QualityHistory, AnEndedConsultationsHistoryIsShownToItsAdminOnlyWithoutNames) {
  // The batches go straight into the server's store, on the control thread (serve hands
  // them to its store pool instead).
  store::Store* target = nullptr;
  QualityHistory history([&](std::vector<store::QualitySampleRecord> batch) {
    target->addQualitySamples(batch, QualityHistory::kMaxSamplesPerRoom);
    return true;
  });
  TestServerOptions options;
  options.qualityHistory = &history;
  TestServer server(options);
  target = &server.store();
  auto doctor = server.addAccount("dr@a.org");
  auto admin = server.addAccount("admin@a.org", "admin", false, doctor.tenantId);
  auto otherAdmin = server.addAccount("admin@b.org", "admin");
  std::string key = server.addApiKey(doctor.tenantId);
  std::string room = roomWithKey(server, key);

  WsClient host(server.port());
  std::string hostId =
      str(host.join(tokenWithKey(server, key, room, "dr-identity", "Dr Secretname", "host"))["participant_id"]);
  ASSERT_FALSE(hostId.empty());
  for (int i = 0; i < 4; ++i) {  // 20 s of 5 s reports: samples at 0 and 10 s
    server.onControl([&] { server.media().events().onQualityReport(room, {figures(hostId, 2)}); });
    server.advanceClock(std::chrono::seconds(5));
  }
  size_t stored = 0;
  server.onControl([&] { stored = server.store().listQualitySamples(room, 0, 100).size(); });
  EXPECT_EQ(stored, 0u) << "nothing is written while the batch is small and young";

  host.sendJson({{"type", "leave"}});
  for (int i = 0; i < 100 && stored == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    server.onControl([&] { stored = server.store().listQualitySamples(room, 0, 100).size(); });
  }
  ASSERT_EQ(stored, 2u) << "the room's end writes its samples";
  server.onControl([&] {
    for (const auto& q : server.store().listQualitySamples(room, 0, 100)) {
      EXPECT_EQ(q.participantId, hostId) << "the participant id, never the identity or name";
      EXPECT_EQ(q.tenantId, doctor.tenantId);
    }
  });

  ClinicClient a = signedIn(server, admin);
  HttpResult quality = a.call("GET", "/api/v1/admin/consultations/" + room + "/quality");
  ASSERT_EQ(quality.status, 200) << quality.body;
  EXPECT_EQ(quality.body.find("Secretname"), std::string::npos);
  EXPECT_EQ(quality.body.find("dr-identity"), std::string::npos);
  EXPECT_FALSE(quality.json().at("live").as_bool());
  EXPECT_EQ(quality.json().at("interval_seconds").to_number<int>(), 10);
  json::array points = quality.json().at("samples").as_array();
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].at("layer").to_number<int>(), 2);
  EXPECT_DOUBLE_EQ(points[0].at("rtt_ms").to_number<double>(), 30.0);
  EXPECT_EQ(points[1].at("at").to_number<int64_t>() - points[0].at("at").to_number<int64_t>(), 10);

  HttpResult list = a.call("GET", "/api/v1/admin/quality-history");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.body.find("Secretname"), std::string::npos);
  json::array rooms = list.json().at("consultations").as_array();
  ASSERT_EQ(rooms.size(), 1u);
  EXPECT_EQ(str(rooms[0].at("room_id")), room);
  EXPECT_EQ(rooms[0].at("samples").to_number<int>(), 2);
  EXPECT_EQ(rooms[0].at("participants").to_number<int>(), 1);
  EXPECT_FALSE(rooms[0].at("live").as_bool());

  // A practitioner of the same practice: refused.
  ClinicClient dr = signedIn(server, doctor);
  EXPECT_EQ(dr.call("GET", "/api/v1/admin/quality-history").status, 403);
  EXPECT_EQ(dr.call("GET", "/api/v1/admin/consultations/" + room + "/quality").status, 403);
  // Another practice's admin: nothing listed, and the room is as unknown as a made-up id.
  ClinicClient b = signedIn(server, otherAdmin);
  EXPECT_EQ(b.call("GET", "/api/v1/admin/quality-history").json().at("consultations").as_array().size(), 0u);
  HttpResult foreign = b.call("GET", "/api/v1/admin/consultations/" + room + "/quality");
  HttpResult unknown = b.call("GET", "/api/v1/admin/consultations/r_0000000000000000/quality");
  EXPECT_EQ(foreign.status, 404);
  EXPECT_EQ(foreign.body, unknown.body);
  // Without a sign-in: 401.
  EXPECT_EQ(httpRequest(server.port(), "GET", "/api/v1/admin/quality-history").status, 401);
}

}  // namespace
}  // namespace medrtc::signaling
