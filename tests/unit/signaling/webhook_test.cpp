// Webhooks at the control plane (issue 15 item 3): which events the hub emits in a call
// with a waiting room, and the /api/v1/webhooks routes (API key or practice admin, tenant
// isolation, target policy, audit).
#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>

#include "compliance/sync_gate.hpp"
#include "test_support.hpp"

namespace medrtc::signaling {
namespace {

using namespace testing;
namespace json = boost::json;

class RecordingSink final : public webhooks::WebhookSink {
 public:
  void emit(webhooks::Event event) override {
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(event));
  }
  std::vector<webhooks::Event> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }
  std::vector<std::string> types() const {
    std::vector<std::string> out;
    for (const auto& e : events()) {
      out.emplace_back(webhooks::eventTypeName(e.type));
    }
    return out;
  }
  // How many events of `type` were emitted.
  size_t count(webhooks::EventType type) const {
    auto all = events();
    return static_cast<size_t>(std::count_if(all.begin(), all.end(), [&](const auto& e) { return e.type == type; }));
  }

 private:
  mutable std::mutex mutex_;
  std::vector<webhooks::Event> events_;
};

// The id of the first guest in the host's queue, once one is there.
std::string firstInQueue(WsClient& host) {
  for (;;) {
    json::object queue = host.readUntil("waiting_room");
    if (queue.empty()) {
      ADD_FAILURE() << "no waiting_room with a guest";
      return "";
    }
    if (!queue["queue"].as_array().empty()) {
      return str(queue["queue"].as_array()[0].at("participant_id"));
    }
  }
}

std::string createWaitingRoom(TestServer& server) {
  auto r = httpRequest(server.port(), "POST", "/api/v1/rooms", R"({"waiting_room": true})", server.apiKey());
  EXPECT_EQ(r.status, 201) << r.body;
  return str(r.json().at("id"));
}

TEST(WebhookEvents, ACallWithAWaitingRoomEmitsEachStepWithIds) {
  RecordingSink sink;
  TestServerOptions options;
  options.webhooks = &sink;
  TestServer server(options);
  std::string room = createWaitingRoom(server);

  WsClient host(server.port());
  json::object joined = host.join(server.createToken(room, "dr", "Dr. Weber", "host"));
  ASSERT_EQ(str(joined["type"]), "joined") << json::serialize(joined);
  std::string hostId = str(joined["participant_id"]);
  WsClient guest(server.port());
  ASSERT_EQ(str(guest.join(server.createToken(room, "erika", "Erika Mustermann"))["type"]), "waiting");
  std::string guestId = firstInQueue(host);
  host.sendJson({{"type", "admit"}, {"participant_id", guestId}});
  ASSERT_EQ(str(guest.readUntil("joined")["type"]), "joined");
  WsClient late(server.port());
  ASSERT_EQ(str(late.join(server.createToken(room, "late", "Late"))["type"]), "waiting");
  std::string lateId = firstInQueue(host);
  host.sendJson({{"type", "deny"}, {"participant_id", lateId}});
  late.readUntil("denied");
  host.sendJson({{"type", "end_consultation"}});
  host.readUntil("room_ended");
  server.onControl([] {});  // the end's last events come after the host's room_ended

  std::vector<std::string> expected{"room_started", "participant_joined", "waiting_room_entered",
                                    "admitted",     "participant_joined", "waiting_room_entered",
                                    "denied",       "consultation_ended", "participant_left",
                                    "participant_left", "room_finished"};
  EXPECT_EQ(sink.types(), expected);
  auto events = sink.events();
  ASSERT_EQ(events.size(), expected.size());
  for (const auto& e : events) {
    EXPECT_EQ(e.roomId, room);
    EXPECT_EQ(e.tenantId, "") << "a node-operator key's room";
  }
  EXPECT_EQ(events[1].participantId, hostId);
  EXPECT_EQ(events[1].role, "host");
  EXPECT_EQ(events[3].participantId, guestId);
  EXPECT_EQ(events[3].by, hostId);
  EXPECT_EQ(events[6].participantId, lateId);
  EXPECT_EQ(events[7].by, hostId);
  EXPECT_EQ(events[7].reason, "ended_by_host");
  // The name travels in the event; the dispatcher leaves it out unless the endpoint opted in.
  EXPECT_EQ(events[4].name, "Erika Mustermann");
}

TEST(WebhookEvents, LeavingEmitsParticipantLeftAndTheLastOneFinishesTheRoom) {
  RecordingSink sink;
  TestServerOptions options;
  options.webhooks = &sink;
  TestServer server(options);
  std::string room = server.createRoom();
  WsClient a(server.port());
  ASSERT_EQ(str(a.join(server.createToken(room, "a", "A"))["type"]), "joined");
  WsClient b(server.port());
  ASSERT_EQ(str(b.join(server.createToken(room, "b", "B"))["type"]), "joined");
  a.sendJson({{"type", "leave"}});
  b.readUntil("participant_left");
  b.sendJson({{"type", "leave"}});
  b.read();
  server.onControl([] {});
  EXPECT_EQ(sink.types(), (std::vector<std::string>{"room_started", "participant_joined", "participant_joined",
                                                    "participant_left", "participant_left", "room_finished"}))
      << "room_finished only after the last one";
  EXPECT_EQ(sink.events()[3].reason, "leave");
}

TEST(WebhookEvents, QualityAlertsNameTheParticipantsRoomAndFigures) {
  RecordingSink sink;
  TestServerOptions options;
  options.webhooks = &sink;
  TestServer server(options);
  std::string room = server.createRoom();
  WsClient a(server.port());
  json::object joined = a.join(server.createToken(room, "a", "A"));
  std::string pid = str(joined["participant_id"]);
  server.qualityAlert(pid, webhooks::QualityFigures{0.12, 450, 1.8});
  server.qualityAlert("p_unknown", webhooks::QualityFigures{0.5, 900, 1});
  server.qualityAlert(pid, webhooks::QualityFigures{0.2, 500, 1.5});  // within the minute: dropped
  auto events = sink.events();
  ASSERT_EQ(events.size(), 3u) << "room_started, participant_joined, one alert (unknown ids are ignored)";
  const webhooks::Event& alert = events[2];
  EXPECT_EQ(alert.type, webhooks::EventType::kQualityAlert);
  EXPECT_EQ(alert.roomId, room);
  EXPECT_EQ(alert.participantId, pid);
  ASSERT_TRUE(alert.quality);
  EXPECT_DOUBLE_EQ(alert.quality->loss, 0.12);
  EXPECT_DOUBLE_EQ(alert.quality->rttMs, 450);
  EXPECT_DOUBLE_EQ(alert.quality->score, 1.8);
  server.advanceClock(std::chrono::seconds(61));
  server.qualityAlert(pid, webhooks::QualityFigures{0.2, 500, 1.5});
  ASSERT_EQ(sink.events().size(), 4u) << "a minute later the next alert goes out";
  EXPECT_DOUBLE_EQ(sink.events()[3].quality->loss, 0.2);
}

// The media plane's 5 s quality report is what raises the alert: a participant rated poor
// gets one, a good or fair one none.
TEST(WebhookEvents, APoorQualityReportRaisesAQualityAlert) {
  RecordingSink sink;
  TestServerOptions options;
  options.webhooks = &sink;
  TestServer server(options);
  std::string room = server.createRoom();
  WsClient a(server.port());
  std::string poor = str(a.join(server.createToken(room, "a", "A"))["participant_id"]);
  WsClient b(server.port());
  std::string fine = str(b.join(server.createToken(room, "b", "B"))["participant_id"]);
  auto figures = [](const std::string& pid, double lossPercent, sfu::QualityRating rating) {
    sfu::ParticipantQuality q;
    q.participantId = pid;
    q.lossPercent = lossPercent;
    q.rttMs = 320;
    q.mos = rating == sfu::QualityRating::kPoor ? 1.6 : 4.4;
    q.rating = rating;
    return q;
  };
  server.onControl([&] {
    server.media().events().onQualityReport(
        room, {figures(poor, 18, sfu::QualityRating::kPoor), figures(fine, 0, sfu::QualityRating::kGood)});
  });
  std::vector<webhooks::Event> alerts;
  for (const webhooks::Event& e : sink.events()) {
    if (e.type == webhooks::EventType::kQualityAlert) {
      alerts.push_back(e);
    }
  }
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].participantId, poor);
  ASSERT_TRUE(alerts[0].quality);
  EXPECT_DOUBLE_EQ(alerts[0].quality->loss, 0.18);
  EXPECT_DOUBLE_EQ(alerts[0].quality->rttMs, 320);
  EXPECT_DOUBLE_EQ(alerts[0].quality->score, 1.6);
}

// DELETE of a room is idempotent (204 again), and the consultation ends once: a repeated
// DELETE does not announce consultation_ended a second time.
TEST(WebhookEvents, ARepeatedDeleteOfARoomAnnouncesItsEndOnce) {
  RecordingSink sink;
  TestServerOptions options;
  options.webhooks = &sink;
  TestServer server(options);
  std::string room = server.createRoom();
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(httpRequest(server.port(), "DELETE", "/api/v1/rooms/" + room, "", server.apiKey()).status, 204);
  }
  server.onControl([] {});
  EXPECT_EQ(sink.count(webhooks::EventType::kConsultationEnded), 1u);
}

// A second admit while the first is being recorded (a double click, two hosts) is
// refused: it must not clear the first one's mark, and the guest enters once.
TEST(WebhookEvents, ASecondAdmitWhileTheFirstIsBeingRecordedIsRefusedAndTheGuestEntersOnce) {
  RecordingSink sink;
  compliance::testing::SyncGate disk;
  TestServerOptions options;
  options.webhooks = &sink;
  options.auditLog = true;
  options.auditSync = disk.hook();
  TestServer server(options);
  std::string room = createWaitingRoom(server);
  WsClient host(server.port());
  ASSERT_EQ(str(host.join(server.createToken(room, "dr", "Dr", "host"))["type"]), "joined");
  WsClient guest(server.port());
  ASSERT_EQ(str(guest.join(server.createToken(room, "erika", "Erika"))["type"]), "waiting");
  std::string guestId = firstInQueue(host);

  disk.hold();
  host.sendJson({{"type", "admit"}, {"participant_id", guestId}});
  ASSERT_TRUE(disk.waitUntilHeld()) << "the admit was not audited";
  host.sendJson({{"type", "admit"}, {"participant_id", guestId}});
  json::object refused = host.readUntil("error");
  EXPECT_EQ(str(refused["code"]), "already_admitted") << json::serialize(refused);
  // The guest reconnects while the admit is still not durable: it waits, and enters when
  // the admit lands (had the second admit cleared the mark, it would be let in at once).
  guest.sendJson({{"type", "leave"}});
  guest.readUntil("__closed__");  // until the server closes it
  WsClient again(server.port());
  EXPECT_EQ(str(again.join(server.createToken(room, "erika", "Erika"))["type"]), "waiting");
  disk.release();
  EXPECT_EQ(str(again.readUntil("joined")["type"]), "joined");
  server.onControl([] {});
  EXPECT_EQ(sink.count(webhooks::EventType::kAdmitted), 1u);
}

// The end is stored, then audited with the audit disk held: a second end in that window
// (a double click, a second host) is refused, and the consultation ends, is audited and
// is announced once.
TEST(WebhookEvents, ASecondEndWhileTheFirstIsBeingRecordedIsRefusedAndAnnouncedOnce) {
  RecordingSink sink;
  compliance::testing::SyncGate disk;
  TestServerOptions options;
  options.webhooks = &sink;
  options.auditLog = true;
  options.auditSync = disk.hook();
  TestServer server(options);
  std::string room = server.createRoom();
  WsClient host(server.port());
  host.join(server.createToken(room, "dr", "Dr", "host"));

  disk.hold();
  host.sendJson({{"type", "end_consultation"}});
  ASSERT_TRUE(disk.waitUntilHeld()) << "the end was not audited";
  host.sendJson({{"type", "end_consultation"}});
  json::object refused = host.readUntil("error");
  EXPECT_EQ(str(refused["code"]), "already_admitted") << json::serialize(refused);
  disk.release();
  host.readUntil("room_ended");
  EXPECT_EQ(sink.count(webhooks::EventType::kConsultationEnded), 1u);
}

HttpResult createWebhook(TestServer& server, const std::string& key, const json::object& body) {
  return httpRequest(server.port(), "POST", "/api/v1/webhooks", json::serialize(body), key);
}

TEST(WebhookRoutes, AnApiKeyCreatesListsAndDeletesItsTenantsEndpointsAudited) {
  TestServerOptions options;
  options.webhookTargets.allowPrivate = true;
  TestServer server(options);
  auto created = createWebhook(server, server.apiKey(),
                               {{"url", "http://127.0.0.1:9/hook"}, {"events", json::array{"room_started"}}});
  ASSERT_EQ(created.status, 201) << created.body;
  json::object o = created.json().as_object();
  std::string id = str(o.at("id"));
  EXPECT_EQ(created.header("location"), "/api/v1/webhooks/" + id);
  EXPECT_EQ(str(o.at("secret")).rfind("whsec_", 0), 0u);
  EXPECT_FALSE(o.at("include_names").as_bool());
  EXPECT_EQ(server.audit().count("webhook_create"), 1u);

  auto listed = httpRequest(server.port(), "GET", "/api/v1/webhooks", "", server.apiKey());
  ASSERT_EQ(listed.status, 200);
  json::value listedJson = listed.json();
  const auto& hooks = listedJson.at("webhooks").as_array();
  ASSERT_EQ(hooks.size(), 1u);
  EXPECT_FALSE(hooks[0].as_object().contains("secret")) << "the secret is shown once";
  EXPECT_EQ(httpRequest(server.port(), "GET", "/api/v1/webhooks/" + id + "/deliveries", "", server.apiKey()).status,
            200);

  // Another tenant's key sees nothing and cannot delete it.
  std::string other = server.addApiKey(server.addAccount("a@example.org", "admin").tenantId);
  EXPECT_TRUE(httpRequest(server.port(), "GET", "/api/v1/webhooks", "", other).json().at("webhooks").as_array().empty());
  EXPECT_EQ(httpRequest(server.port(), "GET", "/api/v1/webhooks/" + id, "", other).status, 404);
  EXPECT_EQ(httpRequest(server.port(), "DELETE", "/api/v1/webhooks/" + id, "", other).status, 404);

  EXPECT_EQ(httpRequest(server.port(), "DELETE", "/api/v1/webhooks/" + id, "", server.apiKey()).status, 204);
  EXPECT_EQ(server.audit().count("webhook_delete"), 1u);
  EXPECT_EQ(httpRequest(server.port(), "GET", "/api/v1/webhooks/" + id, "", server.apiKey()).status, 404);
}

TEST(WebhookRoutes, RefusesPlainHttpPrivateTargetsAndUnknownEvents) {
  TestServer server;  // private targets not allowed
  for (const char* url : {"http://hooks.example.org/x", "https://10.0.0.1/x", "https://169.254.169.254/",
                          "http://127.0.0.1:9/hook"}) {
    auto r = createWebhook(server, server.apiKey(), {{"url", url}});
    EXPECT_EQ(r.status, 400) << url;
    EXPECT_EQ(str(r.json().at("code")), "webhook_target_refused") << url;
  }
  EXPECT_EQ(createWebhook(server, server.apiKey(), {{"url", "ftp://x/"}}).status, 400);
  auto unknown = createWebhook(server, server.apiKey(),
                               {{"url", "https://hooks.example.org/x"}, {"events", json::array{"room_ended"}}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(createWebhook(server, server.apiKey(), {{"url", "https://hooks.example.org/x"}}).status, 201);
  EXPECT_EQ(server.audit().count("webhook_create"), 1u);
}

TEST(WebhookRoutes, APracticeAdminManagesThemAPractitionerMayNot) {
  TestServer server;
  ClinicAccount admin = server.addAccount("admin@example.org", "admin");
  ClinicAccount doctor = server.addAccount("doc@example.org", "practitioner", false, admin.tenantId);
  ClinicClient adminClient(server.port());
  ASSERT_EQ(adminClient.login(admin.email, admin.password).status, 200);
  auto created = adminClient.call("POST", "/api/v1/webhooks",
                                  R"({"url": "https://ehr.example.org/hook", "include_names": true})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_TRUE(created.json().at("include_names").as_bool());
  EXPECT_EQ(adminClient.call("POST", "/api/v1/webhooks", R"({"url": "https://ehr.example.org/h"})", false).status,
            403)
      << "CSRF";
  // The tenant's API key sees the admin's endpoint: the same tenant.
  std::string key = server.addApiKey(admin.tenantId);
  EXPECT_EQ(httpRequest(server.port(), "GET", "/api/v1/webhooks", "", key).json().at("webhooks").as_array().size(),
            1u);
  ClinicClient doctorClient(server.port());
  ASSERT_EQ(doctorClient.login(doctor.email, doctor.password).status, 200);
  EXPECT_EQ(doctorClient.call("GET", "/api/v1/webhooks").status, 403);
  EXPECT_EQ(httpRequest(server.port(), "GET", "/api/v1/webhooks").status, 401);
  EXPECT_EQ(httpRequest(server.port(), "GET", "/api/v1/webhooks", "", "wrong-key").status, 401);
}

}  // namespace
}  // namespace medrtc::signaling
