// The server-enforced waiting room and the host's controls (docs/consultation-api.md).
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "common/random.hpp"
#include "captured_log.hpp"
#include "consultation_support.hpp"

namespace medrtc::signaling {
namespace {

using namespace testing;
namespace json = boost::json;

// A practitioner signed in, one appointment, its patient's join token.
struct Consultation {
  explicit Consultation(TestServer& s) : server(s), doctor(s.port()) {
    account = s.addAccount("weber@example.org");
    EXPECT_EQ(doctor.login(account.email, account.password).status, 200);
    booking = book(doctor, s);
  }
  std::string patientToken(const std::string& name = "Erika Mustermann") {
    auto r = redeemLink(server, booking.linkToken, name);
    EXPECT_EQ(r.status, 200) << r.body;
    return joinTokenOf(r);
  }
  // A new invitation of `role`, redeemed.
  std::string guestToken(const std::string& role, const std::string& name) {
    auto inv = doctor.call("POST", "/api/v1/appointments/" + booking.appointmentId + "/invitations",
                           json::serialize(json::object{{"role", role}}));
    std::string url = str(inv.json().at("url"));
    return joinTokenOf(redeemLink(server, url.substr(url.find("#i=") + 3), name));
  }
  std::string host() { return hostToken(doctor, booking.appointmentId); }

  TestServer& server;
  ClinicClient doctor;
  ClinicAccount account;
  Booking booking;
};

// Joins as host and reads `joined` plus the first waiting_room.
json::object joinHost(WsClient& ws, const std::string& token) {
  json::object joined = ws.join(token);
  EXPECT_EQ(str(joined["type"]), "joined") << json::serialize(joined);
  json::object queue = ws.readJson();
  EXPECT_EQ(str(queue["type"]), "waiting_room") << json::serialize(queue);
  return queue;
}

bool sawAdd(TestServer& server, const std::string& participantId) {
  for (const auto& call : server.media().calls()) {
    if (call.rfind("add ", 0) == 0 && call.find(participantId) != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST(WaitingRoom, PatientWaitsWithoutMediaOrRoomInformationUntilAdmitted) {
  TestServer server;
  Consultation c(server);
  WsClient host(server.port());
  json::object empty = joinHost(host, c.host());
  EXPECT_TRUE(empty["queue"].as_array().empty());

  WsClient patient(server.port());
  json::object waiting = patient.join(c.patientToken());
  ASSERT_EQ(str(waiting["type"]), "waiting") << json::serialize(waiting);
  EXPECT_EQ(waiting["position"].as_int64(), 1);
  // Type, position and its own resume token (docs/protocol.md "Recovery"): nothing about
  // the room or its people.
  EXPECT_EQ(waiting.size(), 3u) << json::serialize(waiting);
  EXPECT_TRUE(waiting.contains("resume_token"));
  EXPECT_TRUE(patient.pingPongIsNext());

  json::object queue = host.readUntil("waiting_room");
  ASSERT_EQ(queue["queue"].as_array().size(), 1u);
  const auto& entry = queue["queue"].as_array()[0].as_object();
  EXPECT_EQ(str(entry.at("name")), "Erika Mustermann");
  EXPECT_EQ(str(entry.at("role")), "patient");
  std::string pid = str(entry.at("participant_id"));
  EXPECT_FALSE(str(entry.at("waiting_since")).empty());
  EXPECT_FALSE(sawAdd(server, pid));  // no media transport while waiting
  auto appt = c.doctor.call("GET", "/api/v1/appointments/" + c.booking.appointmentId);
  EXPECT_EQ(appt.json().at("waiting_count").as_int64(), 1);

  host.sendJson({{"type", "admit"}, {"participant_id", pid}});
  json::object joined = patient.readJson();
  ASSERT_EQ(str(joined["type"]), "joined") << json::serialize(joined);
  EXPECT_EQ(str(joined["participant_id"]), pid);
  EXPECT_EQ(str(joined["role"]), "patient");
  ASSERT_EQ(joined["participants"].as_array().size(), 1u);  // now it sees the host
  EXPECT_TRUE(sawAdd(server, pid));
  EXPECT_TRUE(host.readUntil("waiting_room")["queue"].as_array().empty());
  EXPECT_EQ(server.audit().count("admit"), 1u);
}

TEST(WaitingRoom, PositionsFollowTheQueue) {
  TestServer server;
  Consultation c(server);
  WsClient patient(server.port());
  ASSERT_EQ(str(patient.join(c.patientToken())["type"]), "waiting");
  WsClient carer(server.port());
  json::object second = carer.join(c.guestToken("carer", "Max Carer"));
  ASSERT_EQ(str(second["type"]), "waiting");
  EXPECT_EQ(second["position"].as_int64(), 2);
  patient.sendJson({{"type", "leave"}});
  json::object moved = carer.readJson();
  EXPECT_EQ(str(moved["type"]), "waiting");
  EXPECT_EQ(moved["position"].as_int64(), 1);
}

TEST(WaitingRoom, AWaitingPatientsFloodOfHostOnlyMessagesIsOneAuditEventPerWindow) {
  // Issue 10 item 6: 5,000 refused admits in ~1 s were 5,000 events, one fdatasync each.
  TestServer server;
  Consultation c(server);
  WsClient patient(server.port());
  ASSERT_EQ(str(patient.join(c.patientToken())["type"]), "waiting");
  // Within the socket's message budget (message_budget_test.cpp has the frames beyond it),
  // so every refusal reaches the audit path.
  constexpr int kFlood = 150;
  for (int i = 0; i < kFlood; ++i) {
    patient.sendJson({{"type", "admit"}, {"participant_id", "p_" + std::to_string(i)}});
  }
  for (int i = 0; i < kFlood; ++i) {
    json::object e = patient.readJson();
    ASSERT_EQ(str(e["code"]), "forbidden") << i;  // every one is still answered
  }
  EXPECT_EQ(server.audit().count("admit_refused"), 1u);
  // The window's count is recorded once the window is over (here: at the next refusal).
  server.advanceClock(std::chrono::seconds(61));
  patient.sendJson({{"type", "admit"}, {"participant_id", "p_x"}});
  ASSERT_EQ(str(patient.readJson()["code"]), "forbidden");
  EXPECT_EQ(server.audit().count("admit_refused"), 3u);
  EXPECT_EQ(server.audit().count("admit_refused: repeated " + std::to_string(kFlood - 1) + " more times"), 1u);
}

TEST(WaitingRoom, NonHostsAreForbiddenHostControlsAndAudited) {
  TestServer server;
  Consultation c(server);
  WsClient host(server.port());
  joinHost(host, c.host());
  WsClient patient(server.port());
  ASSERT_EQ(str(patient.join(c.patientToken())["type"]), "waiting");
  std::string pid = str(host.readUntil("waiting_room")["queue"].as_array()[0].at("participant_id"));
  // A waiting patient tries to admit itself, and every other host-only message.
  for (json::object m : {json::object{{"type", "admit"}, {"participant_id", pid}},
                         json::object{{"type", "deny"}, {"participant_id", pid}},
                         json::object{{"type", "mute_participant"}, {"participant_id", pid}, {"kind", "audio"}},
                         json::object{{"type", "remove_participant"}, {"participant_id", pid}},
                         json::object{{"type", "end_consultation"}}}) {
    patient.sendJson(m);
    json::object e = patient.readJson();
    EXPECT_EQ(str(e["type"]), "error");
    EXPECT_EQ(str(e["code"]), "forbidden") << json::serialize(m);
    EXPECT_EQ(str(e["request_type"]), str(m["type"]));
  }
  EXPECT_EQ(server.audit().count("admit_refused"), 1u);
  EXPECT_EQ(server.audit().count("end_consultation_refused"), 1u);
  for (const auto& e : server.audit().events()) {
    if (e.outcomeDesc == "admit_refused") {
      EXPECT_EQ(e.type.code, "110113");  // DICOM security alert
      EXPECT_EQ(e.agents[0].role, "patient");
    }
  }
  // Still waiting, nothing changed.
  EXPECT_TRUE(patient.pingPongIsNext());
  // An admitted patient cannot end the consultation either.
  host.sendJson({{"type", "admit"}, {"participant_id", pid}});
  ASSERT_EQ(str(patient.readUntil("joined")["type"]), "joined");
  patient.sendJson({{"type", "end_consultation"}});
  EXPECT_EQ(str(patient.readUntil("error")["code"]), "forbidden");
  EXPECT_TRUE(host.pingPongIsNext() || true);
  // The tenant's own key (the node operator's cannot see a tenant's rooms).
  auto room = httpRequest(server.port(), "GET", "/api/v1/rooms/" + c.booking.roomId, "",
                          server.addApiKey(c.account.tenantId));
  EXPECT_EQ(str(room.json().at("status")), "open");
}

TEST(WaitingRoom, TwoHostsAdmittingAtOnceOneWins) {
  TestServer server;
  Consultation c(server);
  WsClient host1(server.port());
  joinHost(host1, c.host());
  // A second host (a colleague) in the same room.
  std::string second;
  server.onControl([&] {
    JoinClaims claims;
    claims.roomId = c.booking.roomId;
    claims.identity = "u_colleague";
    claims.name = "Dr. Zwei";
    claims.role = "host";
    second = server.signer().issue(claims, std::chrono::seconds(600));
  });
  WsClient host2(server.port());
  joinHost(host2, second);
  host1.readUntil("participant_joined");
  WsClient patient(server.port());
  ASSERT_EQ(str(patient.join(c.patientToken())["type"]), "waiting");
  std::string pid = str(host1.readUntil("waiting_room")["queue"].as_array()[0].at("participant_id"));
  host2.readUntil("waiting_room");
  host1.sendJson({{"type", "admit"}, {"participant_id", pid}});
  host2.sendJson({{"type", "admit"}, {"participant_id", pid}});
  json::object e = host2.readUntil("error");
  EXPECT_EQ(str(e["code"]), "already_admitted");
  EXPECT_EQ(str(patient.readJson()["type"]), "joined");
  EXPECT_EQ(server.audit().count("admit"), 1u);
  EXPECT_EQ(server.media().calls().size() > 0, true);
}

TEST(WaitingRoom, ReconnectAfterAdmitSkipsTheQueue) {
  TestServer server;
  Consultation c(server);
  WsClient host(server.port());
  joinHost(host, c.host());
  std::string token = c.patientToken();
  {
    WsClient patient(server.port());
    ASSERT_EQ(str(patient.join(token)["type"]), "waiting");
    std::string pid = str(host.readUntil("waiting_room")["queue"].as_array()[0].at("participant_id"));
    host.sendJson({{"type", "admit"}, {"participant_id", pid}});
    ASSERT_EQ(str(patient.readJson()["type"]), "joined");
    patient.dropTcp();
  }
  WsClient again(server.port());
  json::object joined = again.join(token);
  EXPECT_EQ(str(joined["type"]), "joined") << json::serialize(joined);
}

TEST(WaitingRoom, DeniedGuestIsClosedAndStaysOut) {
  TestServer server;
  Consultation c(server);
  WsClient host(server.port());
  joinHost(host, c.host());
  std::string token = c.patientToken();
  WsClient patient(server.port());
  ASSERT_EQ(str(patient.join(token)["type"]), "waiting");
  std::string pid = str(host.readUntil("waiting_room")["queue"].as_array()[0].at("participant_id"));
  host.sendJson({{"type", "deny"}, {"participant_id", pid}});
  EXPECT_EQ(str(patient.readJson()["type"]), "denied");
  EXPECT_FALSE(patient.read());
  EXPECT_EQ(patient.closeCode(), 4016);
  WsClient again(server.port());
  EXPECT_EQ(str(again.join(token)["type"]), "denied");
  EXPECT_EQ(server.audit().count("deny"), 1u);
}

TEST(WaitingRoom, RemovedParticipantLeavesAndCannotRejoin) {
  TestServer server;
  Consultation c(server);
  WsClient host(server.port());
  joinHost(host, c.host());
  std::string token = c.patientToken();
  WsClient patient(server.port());
  ASSERT_EQ(str(patient.join(token)["type"]), "waiting");
  std::string pid = str(host.readUntil("waiting_room")["queue"].as_array()[0].at("participant_id"));
  host.sendJson({{"type", "admit"}, {"participant_id", pid}});
  ASSERT_EQ(str(patient.readJson()["type"]), "joined");
  host.sendJson({{"type", "mute_participant"}, {"participant_id", pid}, {"kind", "audio"}});
  json::object muted = patient.readUntil("track_state");
  EXPECT_EQ(str(muted["participant_id"]), pid);
  EXPECT_TRUE(muted["muted"].as_bool());
  host.sendJson({{"type", "remove_participant"}, {"participant_id", pid}});
  EXPECT_EQ(str(patient.readUntil("removed")["type"]), "removed");
  EXPECT_FALSE(patient.read());
  EXPECT_EQ(patient.closeCode(), 4017);
  EXPECT_EQ(str(host.readUntil("participant_left")["participant_id"]), pid);
  WsClient again(server.port());
  EXPECT_EQ(str(again.join(token)["type"]), "removed");
  EXPECT_EQ(server.audit().count("remove_participant"), 1u);
}

TEST(WaitingRoom, EndConsultationEndsTheRoomAndRevokesInvitations) {
  TestServer server;
  Consultation c(server);
  std::string unusedInterpreterLink;
  {
    auto inv = c.doctor.call("POST", "/api/v1/appointments/" + c.booking.appointmentId + "/invitations",
                             R"({"role":"interpreter"})");
    std::string url = str(inv.json().at("url"));
    unusedInterpreterLink = url.substr(url.find("#i=") + 3);
  }
  WsClient host(server.port());
  joinHost(host, c.host());
  std::string token = c.patientToken();
  WsClient patient(server.port());
  ASSERT_EQ(str(patient.join(token)["type"]), "waiting");
  host.readUntil("waiting_room");
  host.sendJson({{"type", "end_consultation"}});
  EXPECT_EQ(str(patient.readJson()["reason"]), "ended_by_host");
  EXPECT_EQ(str(host.readUntil("room_ended")["reason"]), "ended_by_host");
  auto late = redeemLink(server, unusedInterpreterLink, "Ina Interpreter");
  EXPECT_EQ(late.status, 410);
  EXPECT_EQ(str(late.json().at("code")), "invitation_revoked");
  WsClient again(server.port());
  EXPECT_EQ(str(again.join(token)["code"]), "room_ended");
  EXPECT_EQ(server.audit().count("end_consultation"), 1u);
}

TEST(WaitingRoom, ChatOnlyForAdmittedAndBounded) {
  TestServer server;
  Consultation c(server);
  WsClient host(server.port());
  joinHost(host, c.host());
  WsClient patient(server.port());
  ASSERT_EQ(str(patient.join(c.patientToken())["type"]), "waiting");
  std::string pid = str(host.readUntil("waiting_room")["queue"].as_array()[0].at("participant_id"));
  patient.sendJson({{"type", "chat"}, {"text", "hello?"}});
  EXPECT_EQ(str(patient.readJson()["code"]), "not_joined");
  host.sendJson({{"type", "admit"}, {"participant_id", pid}});
  ASSERT_EQ(str(patient.readJson()["type"]), "joined");
  host.readUntil("participant_joined");
  patient.sendJson({{"type", "chat"}, {"text", "Guten Tag"}});
  json::object atHost = host.readUntil("chat");
  EXPECT_EQ(str(atHost["text"]), "Guten Tag");
  EXPECT_EQ(str(atHost["from"]), pid);
  EXPECT_EQ(str(atHost["name"]), "Erika Mustermann");
  EXPECT_FALSE(str(atHost["sent_at"]).empty());
  EXPECT_EQ(str(patient.readUntil("chat")["text"]), "Guten Tag");  // echoed to the sender
  std::string longest;
  for (int i = 0; i < 2000; ++i) {
    longest += "\xc3\xa9";  // 2000 characters, 4000 bytes
  }
  host.sendJson({{"type", "chat"}, {"text", longest}});
  EXPECT_EQ(str(patient.readUntil("chat")["text"]), longest);
  host.sendJson({{"type", "chat"}, {"text", longest + "x"}});
  EXPECT_EQ(str(host.readUntil("error")["code"]), "chat_too_long");
}

TEST(WaitingRoom, InterpreterWaitsForAdmitToo) {
  TestServer server;
  Consultation c(server);
  WsClient host(server.port());
  joinHost(host, c.host());
  WsClient interpreter(server.port());
  ASSERT_EQ(str(interpreter.join(c.guestToken("interpreter", "Ina Interpreter"))["type"]), "waiting");
  auto entry = host.readUntil("waiting_room")["queue"].as_array()[0].as_object();
  EXPECT_EQ(str(entry.at("role")), "interpreter");
  host.sendJson({{"type", "admit"}, {"participant_id", entry.at("participant_id")}});
  EXPECT_EQ(str(interpreter.readJson()["type"]), "joined");
}

TEST(WaitingRoom, IntegratorRoomWithWaitingRoomHoldsPlainGuests) {
  TestServer server;
  auto created = httpRequest(server.port(), "POST", "/api/v1/rooms", R"({"waiting_room":true})", server.apiKey());
  ASSERT_EQ(created.status, 201);
  EXPECT_TRUE(created.json().at("waiting_room").as_bool());
  std::string room = str(created.json().at("id"));
  WsClient guest(server.port());
  EXPECT_EQ(str(guest.join(server.createToken(room, "guest-1", "Gast"))["type"]), "waiting");
  WsClient host(server.port());
  json::object queue = joinHost(host, server.createToken(room, "host-1", "Host", "host"));
  ASSERT_EQ(queue["queue"].as_array().size(), 1u);
  // A room without it: guests join directly, as before.
  std::string plain = server.createRoom();
  WsClient direct(server.port());
  EXPECT_EQ(str(direct.join(server.createToken(plain, "guest-2", "Gast"))["type"]), "joined");
}

TEST(WaitingRoom, RestartWhileWaitingKeepsTheFlow) {
  auto dir = std::filesystem::temp_directory_path() / ("medrtc-restart-" + randomHex(6));
  std::string patientToken;
  std::string appointmentId;
  ClinicAccount account;
  {
    TestServer server(TestServerOptions{.dataDir = dir});
    Consultation c(server);
    account = c.account;
    appointmentId = c.booking.appointmentId;
    patientToken = c.patientToken();
    WsClient patient(server.port());
    ASSERT_EQ(str(patient.join(patientToken)["type"]), "waiting");
  }  // the server stops: the patient's socket is closed
  TestServer server(TestServerOptions{.dataDir = dir});
  WsClient patient(server.port());
  json::object waiting = patient.join(patientToken);
  EXPECT_EQ(str(waiting["type"]), "waiting") << json::serialize(waiting);
  ClinicClient doctor(server.port());
  ASSERT_EQ(doctor.login(account.email, account.password).status, 200);
  WsClient host(server.port());
  json::object queue = joinHost(host, hostToken(doctor, appointmentId));
  ASSERT_EQ(queue["queue"].as_array().size(), 1u);
  host.sendJson({{"type", "admit"}, {"participant_id", queue["queue"].as_array()[0].at("participant_id")}});
  EXPECT_EQ(str(patient.readJson()["type"]), "joined");
  std::filesystem::remove_all(dir);
}

TEST(WaitingRoom, NoPatientNameOrChatTextInAnyLogLine) {
  const std::string name = "Quoxyl Patientin";
  const std::string chat = "Meine Diagnose Xylophon";
  CapturedLog log;
  std::string token;
  Booking booking;
  {
    TestServer server;
    Consultation c(server);
    booking = c.booking;
    WsClient host(server.port());
    joinHost(host, c.host());
    token = c.patientToken(name);
    WsClient patient(server.port());
    ASSERT_EQ(str(patient.join(token)["type"]), "waiting");
    std::string pid = str(host.readUntil("waiting_room")["queue"].as_array()[0].at("participant_id"));
    patient.sendJson({{"type", "admit"}, {"participant_id", pid}});  // forbidden, audited
    patient.readJson();
    host.sendJson({{"type", "admit"}, {"participant_id", pid}});
    patient.readUntil("joined");
    patient.sendJson({{"type", "chat"}, {"text", chat}});
    host.readUntil("chat");
    patient.sendJson({{"type", "chat"}, {"text", std::string(2001, 'a')}});
    patient.readUntil("error");
    redeemLink(server, booking.linkToken, name);  // reuse: refused
    host.sendJson({{"type", "end_consultation"}});
    host.readUntil("room_ended");
  }
  std::string text = log.text();
  EXPECT_NE(text.find("participant_admitted"), std::string::npos) << text;
  for (const std::string& secret : {name, std::string("Quoxyl"), chat, std::string("Xylophon"), token,
                                    booking.linkToken, booking.code}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << "log contains \"" << secret << "\":\n" << text;
  }
}

}  // namespace
}  // namespace medrtc::signaling
