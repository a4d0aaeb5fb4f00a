// KBV K5 (staff_routes.cpp): the appointment's host adds a staff member of the practice
// to the consultation; the staff member joins through the waiting room and comes in only
// when the host admits. Nobody else may add, and only this practice's staff.
#include <gtest/gtest.h>

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
  EXPECT_EQ(server.audit().count("staff_added"), 1u);

  WsClient staff(server.port());
  json::object first = staff.join(str(added.json().at("token")));
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

}  // namespace
}  // namespace medrtc::signaling
