// Tenant isolation and revocation (issue 10 items 1-4, 9): API keys see only their
// tenant's rooms, hosting is the appointment's practitioner's (or its delegate's), every
// join re-checks the state behind its token, and participants are capped.
#include <gtest/gtest.h>

#include "consultation_support.hpp"

namespace medrtc::signaling {
namespace {

using namespace testing;
namespace json = boost::json;

std::string createRoomWith(TestServer& server, const std::string& key) {
  auto r = httpRequest(server.port(), "POST", "/api/v1/rooms", "{}", key);
  EXPECT_EQ(r.status, 201) << r.body;
  return r.status == 201 ? str(r.json().at("id")) : "";
}

HttpResult tokenWith(TestServer& server, const std::string& key, const std::string& roomId,
                     const std::string& identity, const std::string& role = "guest") {
  json::object body{{"identity", identity}, {"name", identity}, {"role", role}};
  return httpRequest(server.port(), "POST", "/api/v1/rooms/" + roomId + "/tokens", json::serialize(body), key);
}

// The answers an unknown id gets, for comparison.
void expectLikeUnknown(TestServer& server, const std::string& key, const std::string& roomId) {
  auto unknownGet = httpRequest(server.port(), "GET", "/api/v1/rooms/r_0000000000000000", "", key);
  auto get = httpRequest(server.port(), "GET", "/api/v1/rooms/" + roomId, "", key);
  EXPECT_EQ(get.status, 404) << get.body;
  EXPECT_EQ(get.body, unknownGet.body);
  auto token = tokenWith(server, key, roomId, "intruder", "host");
  EXPECT_EQ(token.status, 404) << token.body;
  EXPECT_EQ(str(token.json().at("code")), "room_not_found");
  auto del = httpRequest(server.port(), "DELETE", "/api/v1/rooms/" + roomId, "", key);
  EXPECT_EQ(del.status, 404) << del.body;
  EXPECT_EQ(del.body, unknownGet.body);
}

// ---- Item 1: API keys are scoped to a tenant.

TEST(TenantScope, ApiKeysReachOnlyTheirTenantsRooms) {
  TestServer server;
  auto a = server.addAccount("dr@one.org");
  auto b = server.addAccount("dr@two.org");
  std::string keyA = server.addApiKey(a.tenantId);
  std::string keyB = server.addApiKey(b.tenantId);
  ClinicClient doctor(server.port());
  ASSERT_EQ(doctor.login(a.email, a.password).status, 200);
  Booking booking = book(doctor, server);

  // Tenant B's key and the node-operator key: tenant A's consultation is not there.
  expectLikeUnknown(server, keyB, booking.roomId);
  expectLikeUnknown(server, server.apiKey(), booking.roomId);
  // A room made with tenant A's key belongs to tenant A.
  std::string roomA = createRoomWith(server, keyA);
  expectLikeUnknown(server, keyB, roomA);
  expectLikeUnknown(server, server.apiKey(), roomA);
  EXPECT_EQ(httpRequest(server.port(), "GET", "/api/v1/rooms/" + roomA, "", keyA).status, 200);
  EXPECT_EQ(tokenWith(server, keyA, roomA, "u1").status, 201);
  // The node-operator key keeps its own (tenant-less) rooms, as keys of older releases do.
  std::string operatorRoom = server.createRoom();
  expectLikeUnknown(server, keyA, operatorRoom);
  EXPECT_EQ(httpRequest(server.port(), "GET", "/api/v1/rooms/" + operatorRoom, "", server.apiKey()).status, 200);
  // Neither the consultation nor tenant A's room was touched by the refused DELETEs.
  EXPECT_EQ(str(httpRequest(server.port(), "GET", "/api/v1/rooms/" + roomA, "", keyA).json().at("status")), "open");
  EXPECT_EQ(str(doctor.call("GET", "/api/v1/appointments/" + booking.appointmentId).json().at("status")), "booked");
  // Tenant A's own key sees its consultation but cannot mint a way into it: hosting is
  // the practitioner's, guests come through invitations.
  EXPECT_EQ(httpRequest(server.port(), "GET", "/api/v1/rooms/" + booking.roomId, "", keyA).status, 200);
  for (const char* role : {"host", "guest"}) {
    auto minted = tokenWith(server, keyA, booking.roomId, a.userId, role);
    EXPECT_EQ(minted.status, 403) << role << " " << minted.body;
    EXPECT_EQ(str(minted.json().at("code")), "forbidden");
  }
  WsClient host(server.port());
  EXPECT_EQ(str(host.join(hostToken(doctor, booking.appointmentId))["type"]), "joined");
}

// ---- Item 2: hosting is the appointment's practitioner's, or an audited delegate's.

TEST(Hosting, OnlyThePractitionerOrAnAuditedDelegateHosts) {
  TestServer server;
  auto weber = server.addAccount("weber@example.org");
  auto lang = server.addAccount("lang@example.org", "practitioner", false, weber.tenantId);
  auto boss = server.addAccount("admin@example.org", "admin", false, weber.tenantId);
  auto desk = server.addAccount("desk@example.org", "staff", false, weber.tenantId);
  ClinicClient drWeber(server.port());
  ClinicClient drLang(server.port());
  ClinicClient admin(server.port());
  ClinicClient staff(server.port());
  ASSERT_EQ(drWeber.login(weber.email, weber.password).status, 200);
  ASSERT_EQ(drLang.login(lang.email, lang.password).status, 200);
  ASSERT_EQ(admin.login(boss.email, boss.password).status, 200);
  ASSERT_EQ(staff.login(desk.email, desk.password).status, 200);
  Booking b = book(drWeber, server);
  std::string base = "/api/v1/appointments/" + b.appointmentId;

  auto refused = drLang.call("POST", base + "/host-token");
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(str(refused.json().at("code")), "forbidden");
  std::string grant = json::serialize(json::object{{"practitioner_id", lang.userId}});
  EXPECT_EQ(drLang.call("PUT", base + "/delegate", grant).status, 403);  // not its own to give
  EXPECT_EQ(staff.call("PUT", base + "/delegate", grant).status, 403);
  EXPECT_EQ(admin.call("PUT", base + "/delegate", json::serialize(json::object{{"practitioner_id", desk.userId}}))
                .status,
            400);  // staff do not host

  auto granted = admin.call("PUT", base + "/delegate", grant);
  ASSERT_EQ(granted.status, 200) << granted.body;
  EXPECT_EQ(str(granted.json().at("host_delegate_id")), lang.userId);
  EXPECT_EQ(server.audit().count("appointment_delegate"), 1u);
  std::string delegateToken = hostToken(drLang, b.appointmentId);
  ASSERT_FALSE(delegateToken.empty());
  WsClient cover(server.port());
  ASSERT_EQ(str(cover.join(delegateToken)["type"]), "joined");

  // The practitioner withdraws it: the delegate leaves and its token no longer joins.
  auto withdrawn = drWeber.call("PUT", base + "/delegate", R"({"practitioner_id":null})");
  ASSERT_EQ(withdrawn.status, 200) << withdrawn.body;
  EXPECT_EQ(str(withdrawn.json().at("host_delegate_id")), "");
  EXPECT_EQ(str(cover.readUntil("error")["code"]), "access_revoked");
  WsClient again(server.port());
  EXPECT_EQ(str(again.join(delegateToken)["code"]), "access_revoked");
  EXPECT_EQ(drLang.call("POST", base + "/host-token").status, 403);
  EXPECT_EQ(server.audit().count("appointment_delegate"), 2u);
}

// ---- Item 3: revocation revokes.

struct Consultation {
  explicit Consultation(TestServer& s) : server(s), doctor(s.port()) {
    account = s.addAccount("weber@example.org");
    EXPECT_EQ(doctor.login(account.email, account.password).status, 200);
    booking = book(doctor, s);
  }
  std::string patientToken() { return joinTokenOf(redeemLink(server, booking.linkToken, "Erika Mustermann")); }
  // Joins as host and returns after the first waiting_room.
  void joinHost(WsClient& ws) {
    EXPECT_EQ(str(ws.join(hostToken(doctor, booking.appointmentId))["type"]), "joined");
    ws.readUntil("waiting_room");
  }
  std::string admitNext(WsClient& host, WsClient& patient) {
    std::string pid = str(host.readUntil("waiting_room")["queue"].as_array().at(0).at("participant_id"));
    host.sendJson({{"type", "admit"}, {"participant_id", pid}});
    EXPECT_EQ(str(patient.readJson()["type"]), "joined");
    return pid;
  }

  TestServer& server;
  ClinicClient doctor;
  ClinicAccount account;
  Booking booking;
};

TEST(Revocation, RevokedInvitationKeepsAnAdmittedPatientOut) {
  TestServer server;
  Consultation c(server);
  WsClient host(server.port());
  c.joinHost(host);
  std::string token = c.patientToken();
  WsClient patient(server.port());
  ASSERT_EQ(str(patient.join(token)["type"]), "waiting");
  std::string pid = c.admitNext(host, patient);

  ASSERT_EQ(c.doctor.call("DELETE", "/api/v1/invitations/" + c.booking.invitationId).status, 204);
  // In the call: out at once.
  json::object kicked = patient.readUntil("error");
  EXPECT_EQ(str(kicked["code"]), "access_revoked");
  EXPECT_FALSE(patient.read());
  EXPECT_EQ(patient.closeCode(), 4022);
  EXPECT_EQ(str(host.readUntil("participant_left")["participant_id"]), pid);
  // And no way back past the waiting room with the same token.
  WsClient again(server.port());
  json::object refused = again.join(token);
  EXPECT_EQ(str(refused["code"]), "access_revoked") << json::serialize(refused);
  EXPECT_FALSE(again.read());
  EXPECT_EQ(again.closeCode(), 4022);
}

TEST(Revocation, WaitingGuestOfARevokedInvitationCannotBeAdmitted) {
  TestServer server;
  Consultation c(server);
  WsClient host(server.port());
  c.joinHost(host);
  WsClient patient(server.port());
  ASSERT_EQ(str(patient.join(c.patientToken())["type"]), "waiting");
  std::string pid = str(host.readUntil("waiting_room")["queue"].as_array().at(0).at("participant_id"));
  // Revoked behind this node's back (another node, an operator tool): the admit re-checks.
  server.onControl([&] { server.store().revokeInvitation(c.booking.invitationId, server.wallSeconds()); });
  host.sendJson({{"type", "admit"}, {"participant_id", pid}});
  json::object answer = host.readUntil("error");
  EXPECT_EQ(str(answer["code"]), "participant_not_found");
  EXPECT_EQ(str(answer["request_type"]), "admit");
  EXPECT_EQ(str(patient.readJson()["code"]), "access_revoked");
  EXPECT_FALSE(patient.read());
  EXPECT_EQ(patient.closeCode(), 4022);
  EXPECT_TRUE(host.readUntil("waiting_room")["queue"].as_array().empty());
  EXPECT_EQ(server.audit().count("admit"), 0u);
}

TEST(Revocation, RevokingAnInvitationSendsTheWaitingGuestAway) {
  TestServer server;
  Consultation c(server);
  WsClient patient(server.port());
  ASSERT_EQ(str(patient.join(c.patientToken())["type"]), "waiting");
  ASSERT_EQ(c.doctor.call("DELETE", "/api/v1/invitations/" + c.booking.invitationId).status, 204);
  EXPECT_EQ(str(patient.readUntil("error")["code"]), "access_revoked");
  EXPECT_FALSE(patient.read());
  EXPECT_EQ(patient.closeCode(), 4022);
  auto appointment = c.doctor.call("GET", "/api/v1/appointments/" + c.booking.appointmentId);
  EXPECT_EQ(appointment.json().at("waiting_count").as_int64(), 0);
}

TEST(Revocation, HostTokenDiesWithSignOut) {
  TestServer server;
  Consultation c(server);
  std::string token = hostToken(c.doctor, c.booking.appointmentId);
  WsClient live(server.port());
  ASSERT_EQ(str(live.join(token)["type"]), "joined");
  ASSERT_EQ(c.doctor.call("POST", "/api/v1/auth/logout").status, 204);
  EXPECT_EQ(str(live.readUntil("error")["code"]), "access_revoked");
  EXPECT_FALSE(live.read());
  EXPECT_EQ(live.closeCode(), 4022);
  WsClient again(server.port());
  EXPECT_EQ(str(again.join(token)["code"]), "access_revoked");
  // A new sign-in mints a token that works.
  ClinicClient back(server.port());
  ASSERT_EQ(back.login(c.account.email, c.account.password).status, 200);
  WsClient fresh(server.port());
  EXPECT_EQ(str(fresh.join(hostToken(back, c.booking.appointmentId))["type"]), "joined");
}

// Issue 10 (leftover of item 3): erasure signs the person out everywhere; one who is in a
// call right now leaves it as at sign-out, even when the erasure ran in another process
// (`medrtc admin erase-subject` beside serve), which the server only sees in the store.
void expectErasureEndsTheCall(bool storePool) {
  TestServerOptions options;
  options.storePool = storePool;
  options.sessionRecheckInterval = std::chrono::milliseconds(50);
  TestServer server(options);
  Consultation c(server);
  WsClient live(server.port());
  c.joinHost(live);
  WsClient patient(server.port());
  ASSERT_EQ(str(patient.join(c.patientToken())["type"]), "waiting");
  c.admitNext(live, patient);
  ASSERT_TRUE(server.eraseSubject(c.account.userId));
  json::object kicked = live.readUntil("error");
  EXPECT_EQ(str(kicked["code"]), "access_revoked") << json::serialize(kicked);
  EXPECT_FALSE(live.read());
  EXPECT_EQ(live.closeCode(), 4022);
  // The patient stays (it is not the erased person) and sees the host leave.
  EXPECT_FALSE(str(patient.readUntil("participant_left")["participant_id"]).empty());
  EXPECT_EQ(server.liveRooms(), 1u);
}

TEST(Revocation, ErasingAUserEndsTheirPartInARunningCall) { expectErasureEndsTheCall(false); }

TEST(Revocation, ErasingAUserEndsTheirPartInARunningCallWithTheStorePool) { expectErasureEndsTheCall(true); }

TEST(Revocation, DeadHostTokenCannotKickTheLiveHost) {
  TestServer server;
  Consultation c(server);
  std::string stale = hostToken(c.doctor, c.booking.appointmentId);
  ASSERT_EQ(c.doctor.call("POST", "/api/v1/auth/logout").status, 204);
  ClinicClient back(server.port());
  ASSERT_EQ(back.login(c.account.email, c.account.password).status, 200);
  WsClient live(server.port());
  ASSERT_EQ(str(live.join(hostToken(back, c.booking.appointmentId))["type"]), "joined");
  live.readUntil("waiting_room");
  WsClient intruder(server.port());
  EXPECT_EQ(str(intruder.join(stale)["code"]), "access_revoked");
  EXPECT_TRUE(live.pingPongIsNext());  // not replaced (duplicate_identity)
}

TEST(Revocation, RemovedHostCannotRejoin) {
  TestServer server;
  std::string room = server.createRoom();
  std::string first = server.createToken(room, "host-1", "First", "host");
  WsClient one(server.port());
  std::string pid = str(one.join(first)["participant_id"]);
  WsClient two(server.port());
  ASSERT_EQ(str(two.join(server.createToken(room, "host-2", "Second", "host"))["type"]), "joined");
  two.sendJson({{"type", "remove_participant"}, {"participant_id", pid}});
  EXPECT_EQ(str(one.readUntil("removed")["type"]), "removed");
  WsClient again(server.port());
  EXPECT_EQ(str(again.join(first)["type"]), "removed");
  EXPECT_FALSE(again.read());
  EXPECT_EQ(again.closeCode(), 4017);
}

TEST(Revocation, JoinTokensFollowARescheduleAndEndWithTheAppointment) {
  TestServer server;
  Consultation c(server);  // starts in 10 minutes, lasts 30
  std::string token = c.patientToken();
  std::string base = "/api/v1/appointments/" + c.booking.appointmentId;
  int64_t now = server.wallSeconds();
  // Moved to yesterday: its end + 30 minutes' grace are long past, so is the token.
  auto moved = c.doctor.call("PATCH", base,
                             json::serialize(json::object{{"start", clinic::formatRfc3339(now - 86400)},
                                                          {"end", clinic::formatRfc3339(now - 86400 + 1800)}}));
  ASSERT_EQ(moved.status, 200) << moved.body;
  WsClient early(server.port());
  EXPECT_EQ(str(early.join(token)["code"]), "token_expired");
  // Moved to next week: the same token works again then, past its signed exp.
  auto later = c.doctor.call("PATCH", base,
                             json::serialize(json::object{{"start", clinic::formatRfc3339(now + 7 * 86400)},
                                                          {"end", clinic::formatRfc3339(now + 7 * 86400 + 1800)}}));
  ASSERT_EQ(later.status, 200) << later.body;
  server.advanceClock(std::chrono::seconds(7 * 86400));
  WsClient onTime(server.port());
  EXPECT_EQ(str(onTime.join(token)["type"]), "waiting");
  onTime.sendJson({{"type", "leave"}});
  // And not a second after the new end + grace.
  server.advanceClock(std::chrono::seconds(1800 + 1800));
  WsClient late(server.port());
  EXPECT_EQ(str(late.join(token)["code"]), "token_expired");
}

TEST(Revocation, HostTokenLifetimeIsBoundedByTheAppointment) {
  TestServer server;
  auto account = server.addAccount("weber@example.org");
  ClinicClient doctor(server.port());
  ASSERT_EQ(doctor.login(account.email, account.password).status, 200);
  Booking b = book(doctor, server, 60, 5);  // ends in 6 minutes
  int64_t bound = server.wallSeconds() + 60 + 300 + 1800;
  auto r = doctor.call("POST", "/api/v1/appointments/" + b.appointmentId + "/host-token");
  ASSERT_EQ(r.status, 200) << r.body;
  auto expires = clinic::parseRfc3339(str(r.json().at("expires_at")));
  ASSERT_TRUE(expires);
  EXPECT_LE(*expires, bound);
  server.advanceClock(std::chrono::seconds(60 + 300 + 1800));
  ClinicClient later(server.port());  // the first session logged off while idle
  ASSERT_EQ(later.login(account.email, account.password).status, 200);
  auto over = later.call("POST", "/api/v1/appointments/" + b.appointmentId + "/host-token");
  EXPECT_EQ(over.status, 409);
  EXPECT_EQ(str(over.json().at("code")), "appointment_over");
}

TEST(Revocation, CancelledAppointmentsTokensNoLongerJoin) {
  TestServer server;
  Consultation c(server);
  std::string patient = c.patientToken();
  std::string host = hostToken(c.doctor, c.booking.appointmentId);
  ASSERT_EQ(c.doctor.call("POST", "/api/v1/appointments/" + c.booking.appointmentId + "/cancel").status, 200);
  WsClient p(server.port());
  EXPECT_EQ(str(p.join(patient)["code"]), "room_ended");
  WsClient h(server.port());
  EXPECT_EQ(str(h.join(host)["code"]), "room_ended");
}

TEST(Revocation, FulfilledAppointmentsTokensNoLongerJoin) {
  TestServer server;
  Consultation c(server);
  std::string patient = c.patientToken();
  // The room is still open (the status changed elsewhere, e.g. another node or a tool).
  server.onControl([&] {
    auto a = server.store().findAppointment(c.booking.appointmentId);
    a->status = "fulfilled";
    server.store().updateAppointment(*a);
  });
  WsClient p(server.port());
  EXPECT_EQ(str(p.join(patient)["code"]), "room_ended");
}

// ---- Item 4: what patients learn.

TEST(PatientView, PractitionerWithoutDisplayNameIsNotShownByEmail) {
  TestServer server;
  auto account = server.addAccount("weber@example.org", "practitioner", false, "", false, /*displayName=*/"");
  ClinicClient doctor(server.port());
  ASSERT_EQ(doctor.login(account.email, account.password).status, 200);
  Booking b = book(doctor, server);
  WsClient host(server.port());
  ASSERT_EQ(str(host.join(hostToken(doctor, b.appointmentId))["type"]), "joined");
  host.readUntil("waiting_room");  // empty so far
  WsClient patient(server.port());
  json::object waiting = patient.join(joinTokenOf(redeemLink(server, b.linkToken, "Erika Mustermann")));
  ASSERT_EQ(str(waiting["type"]), "waiting");
  EXPECT_EQ(waiting.size(), 3u);  // type, position and its own resume token only
  std::string pid = str(host.readUntil("waiting_room")["queue"].as_array().at(0).at("participant_id"));
  host.sendJson({{"type", "admit"}, {"participant_id", pid}});
  json::object joined = patient.readJson();
  ASSERT_EQ(str(joined["type"]), "joined");
  std::string seen = json::serialize(joined);
  EXPECT_EQ(seen.find("weber@example.org"), std::string::npos) << seen;
  EXPECT_EQ(str(joined["participants"].as_array().at(0).at("name")), "Practitioner");
}

// ---- Item 9: participant caps.

TEST(Capacity, RoomCapRefusesTheNextJoinWithCapacityReached) {
  TestServerOptions options;
  options.participantLimits.perRoom = 2;
  TestServer server(options);
  std::string room = server.createRoom();
  WsClient a(server.port());
  ASSERT_EQ(str(a.join(server.createToken(room, "a", "A"))["type"]), "joined");
  WsClient b(server.port());
  ASSERT_EQ(str(b.join(server.createToken(room, "b", "B"))["type"]), "joined");
  WsClient c(server.port());
  json::object full = c.join(server.createToken(room, "c", "C"));
  EXPECT_EQ(str(full["code"]), "capacity_reached") << json::serialize(full);
  EXPECT_EQ(str(full["message"]), "the room is full");
  EXPECT_FALSE(c.read());
  EXPECT_EQ(c.closeCode(), 4023);
  // The same identity rejoining replaces itself: no extra seat needed.
  WsClient b2(server.port());
  EXPECT_EQ(str(b2.join(server.createToken(room, "b", "B"))["type"]), "joined");
  a.sendJson({{"type", "leave"}});
  while (a.read()) {
  }
  EXPECT_EQ(a.closeCode(), 1000);
  WsClient d(server.port());
  EXPECT_EQ(str(d.join(server.createToken(room, "d", "D"))["type"]), "joined");
}

TEST(Capacity, TenantAndNodeCapsCountEveryRoom) {
  TestServerOptions options;
  options.participantLimits.perTenant = 2;
  options.participantLimits.perNode = 3;
  TestServer server(options);
  auto account = server.addAccount("dr@one.org");
  std::string key = server.addApiKey(account.tenantId);
  std::string r1 = createRoomWith(server, key);
  std::string r2 = createRoomWith(server, key);
  auto joinAs = [&](const std::string& k, const std::string& room, const std::string& who) {
    return str(tokenWith(server, k, room, who).json().at("token"));
  };
  WsClient a(server.port());
  ASSERT_EQ(str(a.join(joinAs(key, r1, "a"))["type"]), "joined");
  WsClient b(server.port());
  ASSERT_EQ(str(b.join(joinAs(key, r2, "b"))["type"]), "joined");
  WsClient c(server.port());
  json::object tenantFull = c.join(joinAs(key, r2, "c"));
  EXPECT_EQ(str(tenantFull["code"]), "capacity_reached");
  EXPECT_EQ(str(tenantFull["message"]), "the organisation's participant limit is reached");
  // Another tenant (the node operator's rooms) still has room, up to the node's cap.
  std::string other = server.createRoom();
  WsClient d(server.port());
  ASSERT_EQ(str(d.join(server.createToken(other, "d", "D"))["type"]), "joined");
  WsClient e(server.port());
  json::object nodeFull = e.join(server.createToken(other, "e", "E"));
  EXPECT_EQ(str(nodeFull["code"]), "capacity_reached");
  EXPECT_EQ(str(nodeFull["message"]), "the server's participant limit is reached");
}

}  // namespace
}  // namespace medrtc::signaling
