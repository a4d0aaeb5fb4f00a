// The appointment lifecycle on every backend: the status moves by compare-and-set through
// the appointment's room, and ending a room withdraws only the invitations nobody used.
#include <gtest/gtest.h>

#include "store_fixture.hpp"

namespace medrtc::store::testing {
namespace {

AppointmentRecord bookedIn(Store& store, const std::string& roomId) {
  TenantRecord t;
  t.name = "Praxis";
  t.createdAt = 1;
  AppointmentRecord a;
  a.tenantId = store.createTenant(t).id;
  a.practitionerId = "u_1";
  a.status = "booked";
  a.start = 100;
  a.end = 200;
  a.title = "follow-up";
  a.roomId = roomId;
  a.createdAt = 7;
  a.updatedAt = 7;
  return store.createAppointment(a);
}

TEST_P(StoreTest, AppointmentStatusMovesByCompareAndSetThroughItsRoom) {
  AppointmentRecord a = bookedIn(store(), "r_life");
  AppointmentRecord other = bookedIn(store(), "r_other");
  EXPECT_FALSE(store().transitionRoomAppointment("r_life", "arrived", "fulfilled", 50));  // not arrived yet
  EXPECT_TRUE(store().transitionRoomAppointment("r_life", "booked", "arrived", 50));
  EXPECT_FALSE(store().transitionRoomAppointment("r_life", "booked", "arrived", 51));  // once
  auto found = store().findAppointment(a.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->status, "arrived");
  EXPECT_EQ(found->updatedAt, 50);
  EXPECT_EQ(found->title, "follow-up");  // nothing else touched
  EXPECT_TRUE(store().transitionRoomAppointment("r_life", "arrived", "fulfilled", 60));
  EXPECT_EQ(store().findAppointment(a.id)->status, "fulfilled");
  EXPECT_EQ(store().findAppointment(other.id)->status, "booked");
  EXPECT_FALSE(store().transitionRoomAppointment("r_integrator", "booked", "arrived", 60));  // no appointment
}

TEST_P(StoreTest, EndingARoomRevokesOnlyUnusedInvitations) {
  InvitationRecord used;
  used.tenantId = "t_1";
  used.appointmentId = "a_1";
  used.roomId = "r_end";
  used.role = "patient";
  used.tokenHash = "tok-used";
  used.codeHash = "code-used";
  used.createdAt = 1;
  used.expiresAt = 1000;
  used = store().createInvitation(used);
  InvitationRecord unused = used;
  unused.id.clear();
  unused.role = "interpreter";
  unused.tokenHash = "tok-unused";
  unused.codeHash = "code-unused";
  unused = store().createInvitation(unused);
  ASSERT_TRUE(store().claimInvitation(used.id, "g_1", 10));
  EXPECT_EQ(store().revokeRoomInvitations("r_end", 500), 1);
  EXPECT_FALSE(store().findInvitation(used.id)->revokedAt);  // it says "used", not "revoked"
  EXPECT_EQ(store().findInvitation(unused.id)->revokedAt, std::optional<UnixSeconds>(500));
}

}  // namespace
}  // namespace medrtc::store::testing
