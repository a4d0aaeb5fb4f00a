// KBV K5 (staff_routes.cpp): the appointment's host adds a staff member of the practice
// to the consultation; the staff member joins through the waiting room and comes in only
// when the host admits. Nobody else may add, and only this practice's staff.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>

#include "consultation_support.hpp"

namespace medrtc::signaling {
namespace {

using namespace testing;
namespace json = boost::json;

std::string addBody(const std::string& userId) { return json::serialize(json::object{{"user_id", userId}}); }

TEST(AddStaff, TheHostAddsAStaffMemberWhoWaitsUntilAdmitted) {
  TestServer server;
  auto weber = server.addAccount("weber@example.org");
  auto desk = server.addAccount("desk@example.org", "staff", false, weber.tenantId, false, "MFA Lea");
  ClinicClient drWeber(server.port());
  ASSERT_EQ(drWeber.login(weber.email, weber.password).status, 200);
  Booking b = book(drWeber, server);
  WsClient host(server.port());
  ASSERT_EQ(str(host.join(hostToken(drWeber, b.appointmentId))["type"]), "joined");

  auto added = drWeber.call("POST", "/api/v1/appointments/" + b.appointmentId + "/staff", addBody(desk.userId));
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(str(added.json().at("room_id")), b.roomId);
  EXPECT_TRUE(added.json().as_object().contains("expires_at"));
  // No join token for the host to hand on: one without the staff member's sign-in session
  // would outlive their sign-out, disabling or erasure. They buy their own.
  EXPECT_FALSE(added.json().as_object().contains("token")) << added.body;
  EXPECT_FALSE(added.json().as_object().contains("url")) << added.body;
  EXPECT_EQ(server.audit().count("staff_added"), 1u);

  ClinicClient lea(server.port());
  ASSERT_EQ(lea.login(desk.email, desk.password).status, 200);
  auto token = lea.call("POST", "/api/v1/appointments/" + b.appointmentId + "/staff-token");
  ASSERT_EQ(token.status, 200) << token.body;
  WsClient staff(server.port());
  json::object first = staff.join(str(token.json().at("token")));
  EXPECT_EQ(str(first["type"]), "waiting") << json::serialize(first);
  // The host's queue (the first one, sent at its join, is empty).
  json::object queue = host.readUntil("waiting_room");
  for (int i = 0; i < 3 && !queue.empty() && queue.at("queue").as_array().empty(); ++i) {
    queue = host.readUntil("waiting_room");
  }
  ASSERT_FALSE(queue.empty());
  ASSERT_EQ(queue.at("queue").as_array().size(), 1u);
  EXPECT_EQ(str(queue.at("queue").as_array()[0].at("role")), "staff");
  std::string pid = str(queue.at("queue").as_array()[0].at("participant_id"));
  host.sendJson({{"type", "admit"}, {"participant_id", pid}});
  json::object joined = staff.readUntil("joined");
  EXPECT_EQ(str(joined["role"]), "staff") << json::serialize(joined);
  // H6 for K5: the admit and the staff member's own join are in the audit log, with the
  // staff member as the joining agent (by id, never by name or email).
  EXPECT_EQ(server.audit().count("admit"), 1u);
  size_t staffJoins = 0;
  for (const auto& e : server.audit().events()) {
    for (const auto& agent : e.agents) {
      staffJoins += e.outcomeDesc.rfind("join", 0) == 0 && agent.role == "staff" &&
                    agent.who.find(desk.userId) != std::string::npos;
    }
  }
  EXPECT_EQ(staffJoins, 1u);
}

TEST(AddStaff, OnlyTheHostAddsAndOnlyThisPracticesStaff) {
  TestServer server;
  auto weber = server.addAccount("weber@example.org");
  auto lang = server.addAccount("lang@example.org", "practitioner", false, weber.tenantId);
  auto desk = server.addAccount("desk@example.org", "staff", false, weber.tenantId);
  auto other = server.addAccount("dr@other.org");
  auto otherDesk = server.addAccount("desk@other.org", "staff", false, other.tenantId);
  ClinicClient drWeber(server.port()), drLang(server.port()), staff(server.port()), drOther(server.port());
  ASSERT_EQ(drWeber.login(weber.email, weber.password).status, 200);
  ASSERT_EQ(drLang.login(lang.email, lang.password).status, 200);
  ASSERT_EQ(staff.login(desk.email, desk.password).status, 200);
  ASSERT_EQ(drOther.login(other.email, other.password).status, 200);
  Booking b = book(drWeber, server);
  std::string path = "/api/v1/appointments/" + b.appointmentId + "/staff";

  // Not the host (another practitioner, the staff member itself): 403.
  EXPECT_EQ(drLang.call("POST", path, addBody(desk.userId)).status, 403);
  EXPECT_EQ(staff.call("POST", path, addBody(desk.userId)).status, 403);
  // Another practice's practitioner: the appointment is not there.
  auto foreign = drOther.call("POST", path, addBody(otherDesk.userId));
  EXPECT_EQ(foreign.status, 404) << foreign.body;
  // The host, but not this practice's staff (another tenant's, a practitioner, unknown).
  for (const std::string& id : {otherDesk.userId, lang.userId, std::string("u_0000000000000000")}) {
    auto r = drWeber.call("POST", path, addBody(id));
    EXPECT_EQ(r.status, 404) << id << " " << r.body;
    EXPECT_EQ(str(r.json().at("code")), "user_not_found");
  }
  EXPECT_EQ(server.audit().count("staff_added"), 0u);
}

// The host's list holds this practice's active staff only, ids and names (no emails), and
// says who is added already; nobody but the host reads it.
TEST(AddStaff, TheHostListsOnlyThisPracticesStaffByIdAndName) {
  TestServer server;
  auto weber = server.addAccount("weber@example.org");
  auto lang = server.addAccount("lang@example.org", "practitioner", false, weber.tenantId);
  auto desk = server.addAccount("desk@example.org", "staff", false, weber.tenantId, false, "MFA Lea");
  auto front = server.addAccount("front@example.org", "staff", false, weber.tenantId, false, "MFA Jonas");
  auto other = server.addAccount("dr@other.org");
  server.addAccount("desk@other.org", "staff", false, other.tenantId, false, "MFA Elsewhere");
  ClinicClient drWeber(server.port()), drLang(server.port()), staff(server.port());
  ASSERT_EQ(drWeber.login(weber.email, weber.password).status, 200);
  ASSERT_EQ(drLang.login(lang.email, lang.password).status, 200);
  ASSERT_EQ(staff.login(desk.email, desk.password).status, 200);
  Booking b = book(drWeber, server);
  std::string path = "/api/v1/appointments/" + b.appointmentId + "/staff";
  ASSERT_EQ(drWeber.call("POST", path, addBody(desk.userId)).status, 201);

  auto r = drWeber.call("GET", path);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find("@"), std::string::npos) << "no email reaches the list: " << r.body;
  json::value body = r.json();
  const json::array& list = body.at("staff").as_array();
  ASSERT_EQ(list.size(), 2u) << r.body;
  std::map<std::string, std::pair<std::string, bool>> byId;
  for (const auto& v : list) {
    byId[str(v.at("id"))] = {str(v.at("display_name")), v.at("added").as_bool()};
  }
  EXPECT_EQ(byId[desk.userId], std::make_pair(std::string("MFA Lea"), true));
  EXPECT_EQ(byId[front.userId], std::make_pair(std::string("MFA Jonas"), false));
  EXPECT_EQ(drLang.call("GET", path).status, 403);
  EXPECT_EQ(staff.call("GET", path).status, 403);
}

// The staff member's side: their dashboard lists the consultation once (and only once)
// they are added, a token bought with their own session puts them in the waiting room,
// and a colleague who was not added is refused with 403 not_added.
TEST(AddStaff, OnlyAnAddedStaffMemberSeesTheConsultationAndGetsAToken) {
  TestServer server;
  auto weber = server.addAccount("weber@example.org");
  auto desk = server.addAccount("desk@example.org", "staff", false, weber.tenantId, false, "MFA Lea");
  auto front = server.addAccount("front@example.org", "staff", false, weber.tenantId, false, "MFA Jonas");
  ClinicClient drWeber(server.port()), lea(server.port()), jonas(server.port());
  ASSERT_EQ(drWeber.login(weber.email, weber.password).status, 200);
  ASSERT_EQ(lea.login(desk.email, desk.password).status, 200);
  ASSERT_EQ(jonas.login(front.email, front.password).status, 200);
  Booking b = book(drWeber, server);
  std::string tokenPath = "/api/v1/appointments/" + b.appointmentId + "/staff-token";

  auto before = lea.call("GET", "/api/v1/staff/consultations");
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_TRUE(before.json().at("consultations").as_array().empty());
  auto early = lea.call("POST", tokenPath);
  EXPECT_EQ(early.status, 403);
  EXPECT_EQ(str(early.json().at("code")), "not_added");

  ASSERT_EQ(drWeber.call("POST", "/api/v1/appointments/" + b.appointmentId + "/staff", addBody(desk.userId)).status,
            201);
  auto mine = lea.call("GET", "/api/v1/staff/consultations");
  ASSERT_EQ(mine.status, 200);
  json::value body = mine.json();
  const json::array& list = body.at("consultations").as_array();
  ASSERT_EQ(list.size(), 1u) << mine.body;
  EXPECT_EQ(str(list[0].at("appointment_id")), b.appointmentId);
  EXPECT_EQ(str(list[0].at("state")), "waiting");
  EXPECT_EQ(list[0].as_object().count("title"), 0u) << "no title (it may name the patient)";
  EXPECT_TRUE(jonas.call("GET", "/api/v1/staff/consultations").json().at("consultations").as_array().empty());
  auto refused = jonas.call("POST", tokenPath);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(str(refused.json().at("code")), "not_added");
  // A practitioner is no staff member: neither list nor token.
  EXPECT_EQ(drWeber.call("GET", "/api/v1/staff/consultations").status, 403);

  auto token = lea.call("POST", tokenPath);
  ASSERT_EQ(token.status, 200) << token.body;
  WsClient host(server.port());
  ASSERT_EQ(str(host.join(hostToken(drWeber, b.appointmentId))["type"]), "joined");
  WsClient staff(server.port());
  json::object first = staff.join(str(token.json().at("token")));
  EXPECT_EQ(str(first["type"]), "waiting") << json::serialize(first);
}

// A denied staff member is out until the host adds them again.
TEST(AddStaff, ADeniedStaffMemberComesBackOnlyWhenAddedAgain) {
  TestServer server;
  auto weber = server.addAccount("weber@example.org");
  auto desk = server.addAccount("desk@example.org", "staff", false, weber.tenantId, false, "MFA Lea");
  ClinicClient drWeber(server.port()), lea(server.port());
  ASSERT_EQ(drWeber.login(weber.email, weber.password).status, 200);
  ASSERT_EQ(lea.login(desk.email, desk.password).status, 200);
  Booking b = book(drWeber, server);
  std::string addPath = "/api/v1/appointments/" + b.appointmentId + "/staff";
  std::string tokenPath = "/api/v1/appointments/" + b.appointmentId + "/staff-token";
  ASSERT_EQ(drWeber.call("POST", addPath, addBody(desk.userId)).status, 201);
  WsClient host(server.port());
  ASSERT_EQ(str(host.join(hostToken(drWeber, b.appointmentId))["type"]), "joined");
  {
    WsClient staff(server.port());
    ASSERT_EQ(str(staff.join(str(lea.call("POST", tokenPath).json().at("token")))["type"]), "waiting");
    json::object queue = host.readUntil("waiting_room");
    for (int i = 0; i < 3 && !queue.empty() && queue.at("queue").as_array().empty(); ++i) {
      queue = host.readUntil("waiting_room");
    }
    ASSERT_FALSE(queue.empty());
    ASSERT_EQ(queue.at("queue").as_array().size(), 1u);
    host.sendJson({{"type", "deny"}, {"participant_id", str(queue.at("queue").as_array()[0].at("participant_id"))}});
    ASSERT_EQ(str(staff.readUntil("denied")["type"]), "denied");
  }
  auto refused = lea.call("POST", tokenPath);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(str(refused.json().at("code")), "not_added");

  ASSERT_EQ(drWeber.call("POST", addPath, addBody(desk.userId)).status, 201);
  auto again = lea.call("POST", tokenPath);
  ASSERT_EQ(again.status, 200) << again.body;
  WsClient staff(server.port());
  EXPECT_EQ(str(staff.join(str(again.json().at("token")))["type"]), "waiting");
}

// Stored first, audited after: a store fault while marking the staff member added leaves
// no `staff_added` in the audit log for an add that did not happen. Before: audited first,
// then the mark failed, so the host got an error while the log said "added".
TEST(AddStaff, AStoreFaultWhileMarkingIsNotAuditedAsAdded) {
  TestServer server;
  auto weber = server.addAccount("weber@example.org");
  auto desk = server.addAccount("desk@example.org", "staff", false, weber.tenantId, false, "MFA Lea");
  ClinicClient drWeber(server.port());
  ASSERT_EQ(drWeber.login(weber.email, weber.password).status, 200);
  Booking b = book(drWeber, server);
  {
    // A fault in the store limited to new guest records (a full disk, a lost primary).
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((server.dataDir() / "medrtc.db").c_str(), &db), SQLITE_OK);
    const char* fault = "CREATE TRIGGER no_guest BEFORE INSERT ON guests BEGIN SELECT RAISE(ABORT, 'disk full'); END";
    ASSERT_EQ(sqlite3_exec(db, fault, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  auto added = drWeber.call("POST", "/api/v1/appointments/" + b.appointmentId + "/staff", addBody(desk.userId));
  EXPECT_GE(added.status, 500) << added.body;
  EXPECT_EQ(server.audit().count("staff_added"), 0u);
}

}  // namespace
}  // namespace medrtc::signaling
