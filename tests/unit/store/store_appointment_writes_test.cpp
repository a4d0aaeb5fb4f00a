// The request-keyed appointment writes (migration 8) on every backend: each changes the row
// only while it is as its caller read it (the control thread's status changes and other
// requests' changes are never written over), and each undo takes back its own request's
// change and no other (docs/security.md "What runs off the control thread").
#include <gtest/gtest.h>

#include "store_fixture.hpp"

namespace medrtc::store::testing {
namespace {

struct Booking {
  AppointmentRecord appointment;
  InvitationRecord open;  // neither used nor revoked
  InvitationRecord used;
};

Booking book(Store& store, const std::string& n = "1") {
  TenantRecord t;
  t.name = "Praxis " + n;
  t.createdAt = 1;
  t = store.createTenant(t);
  UserRecord u;
  u.tenantId = t.id;
  u.email = "p" + n + "@example.org";
  u.role = "practitioner";
  u.createdAt = 1;
  u = store.createUser(u);
  RoomRecord room = store.createRoom(NewRoom{.name = "", .waitingRoom = true, .tenantId = t.id}, 1);
  AppointmentRecord a;
  a.tenantId = t.id;
  a.practitionerId = u.id;
  a.status = "booked";
  a.start = 100;
  a.end = 200;
  a.roomId = room.id;
  a.createdAt = 1;
  a.updatedAt = 1;
  Booking b;
  b.appointment = store.createAppointment(a);
  auto invite = [&](const std::string& tag) {
    InvitationRecord i;
    i.tenantId = t.id;
    i.appointmentId = b.appointment.id;
    i.roomId = room.id;
    i.role = "patient";
    i.tokenHash = "th" + tag + n;
    i.codeHash = "ch" + tag + n;
    i.createdAt = 1;
    i.expiresAt = 1000;
    return store.createInvitation(i);
  };
  b.open = invite("o");
  b.used = invite("u");
  EXPECT_TRUE(store.claimInvitation(b.used.id, "g_1", 2));
  return b;
}

Reschedule moveTo(const AppointmentRecord& a, UnixSeconds start, UnixSeconds end, const std::string& change) {
  return Reschedule{a.id, a.start, a.end, start, end, end + 60, 50, change};
}

TEST_P(StoreTest, ARescheduleWritesOnlyTheTimesAndKeepsTheStatusTheControlThreadSet) {
  Booking b = book(store());
  // The control thread admitted someone between the request's read and its write.
  ASSERT_TRUE(store().transitionRoomAppointment(b.appointment.roomId, "booked", "arrived", 40));
  auto previous = store().rescheduleAppointment(moveTo(b.appointment, 300, 400, "c_1"));
  ASSERT_TRUE(previous);
  EXPECT_EQ(previous->previousChange, "");
  auto a = store().findAppointment(b.appointment.id);
  EXPECT_EQ(a->status, "arrived") << "the reschedule wrote the status it had read";
  EXPECT_EQ(a->start, 300);
  EXPECT_EQ(a->end, 400);
  EXPECT_EQ(store().findInvitation(b.open.id)->expiresAt, 460);
}

TEST_P(StoreTest, ARescheduleOfTimesOrAStatusChangedSinceItsReadWritesNothing) {
  Booking b = book(store());
  // Another request moved it first: the times read (100-200) are no longer there.
  ASSERT_TRUE(store().rescheduleAppointment(moveTo(b.appointment, 300, 400, "c_1")));
  EXPECT_FALSE(store().rescheduleAppointment(moveTo(b.appointment, 500, 600, "c_2")));
  EXPECT_EQ(store().findAppointment(b.appointment.id)->start, 300);
  // A cancel came between: never resurrected, never moved.
  AppointmentRecord now = *store().findAppointment(b.appointment.id);
  ASSERT_EQ(store().cancelAppointment(now.id, "u_2", "c_3", 60).outcome, CancelOutcome::kCancelled);
  EXPECT_FALSE(store().rescheduleAppointment(moveTo(now, 700, 800, "c_4")));
  now = *store().findAppointment(b.appointment.id);
  EXPECT_EQ(now.status, "cancelled");
  EXPECT_EQ(now.start, 300);
}

TEST_P(StoreTest, ARescheduleIsUndoneOnlyWhileTheRowHasThisRequestsTimes) {
  Booking b = book(store());
  UnixSeconds before = store().findAppointment(b.appointment.id)->updatedAt;
  auto done = store().rescheduleAppointment(moveTo(b.appointment, 300, 400, "c_1"));
  ASSERT_TRUE(done);
  EXPECT_EQ(done->previousUpdate, before);
  EXPECT_EQ(done->at, 50);
  EXPECT_EQ(store().findAppointment(b.appointment.id)->updatedAt, 50);
  EXPECT_FALSE(store().undoReschedule(b.appointment.id, "c_other", 100, 200, 260, *done));
  EXPECT_FALSE(store().undoReschedule(b.appointment.id, "", 100, 200, 260, *done));
  EXPECT_TRUE(store().undoReschedule(b.appointment.id, "c_1", 100, 200, 260, *done));
  auto a = store().findAppointment(b.appointment.id);
  EXPECT_EQ(a->start, 100);
  EXPECT_EQ(a->end, 200);
  // Nothing wrote the row since: the undo puts back the update time it replaced too.
  EXPECT_EQ(a->updatedAt, before) << "the undone reschedule left its update time";
  EXPECT_EQ(store().findInvitation(b.open.id)->expiresAt, 260);
  EXPECT_FALSE(store().undoReschedule(b.appointment.id, "c_1", 100, 200, 260, *done)) << "undone twice";

  // A → B → A: the first request's undo finds the third's change, not its own, and leaves
  // it; the second's undo puts back the first's change, which the first may then undo.
  AppointmentRecord at = *store().findAppointment(b.appointment.id);
  auto first = store().rescheduleAppointment(moveTo(at, 300, 400, "c_a"));
  at = *store().findAppointment(b.appointment.id);
  auto second = store().rescheduleAppointment(moveTo(at, 500, 600, "c_b"));
  ASSERT_TRUE(first && second);
  EXPECT_EQ(second->previousChange, "c_a");
  at = *store().findAppointment(b.appointment.id);
  ASSERT_TRUE(store().rescheduleAppointment(moveTo(at, 300, 400, "c_c")));
  EXPECT_FALSE(store().undoReschedule(b.appointment.id, "c_a", 100, 200, 260, *first));
  EXPECT_EQ(store().findAppointment(b.appointment.id)->start, 300);
}

// ... but a write since keeps its own update time, also one in the same second: a delegate
// grant's undo is keyed to the update time it wrote (clinic_routes.cpp setDelegate), so
// the reschedule's undo putting back the earlier time would make that undo miss and leave
// a grant whose event failed standing. The delegate (or the status) it changed tells such
// a write apart from the reschedule's own stamp.
TEST_P(StoreTest, AnUndoneRescheduleKeepsTheUpdateTimeOfAWriteSince) {
  Booking b = book(store());
  for (UnixSeconds grantedAt : {UnixSeconds{60}, UnixSeconds{50}}) {  // a later second, the same second
    AppointmentRecord at = *store().findAppointment(b.appointment.id);
    std::string change = "c_" + std::to_string(grantedAt);
    auto done = store().rescheduleAppointment(moveTo(at, 300, 400, change));
    ASSERT_TRUE(done);
    ASSERT_TRUE(store().setAppointmentDelegate(b.appointment.id, "u_delegate", grantedAt));
    ASSERT_TRUE(store().undoReschedule(b.appointment.id, change, at.start, at.end, at.end + 60, *done));
    auto a = store().findAppointment(b.appointment.id);
    EXPECT_EQ(a->start, at.start);
    EXPECT_EQ(a->updatedAt, grantedAt) << "the grant's undo, keyed to its update time, would miss";
    // The grant's own undo (its event failed too) then finds its stamp and takes it back,
    // which leaves the reschedule's stamp: the reschedule's undo has run already.
    ASSERT_TRUE(store().setAppointmentDelegate(b.appointment.id, "", a->updatedAt));
  }
  // A status change since (the admission's arrived), in the same second: kept too.
  AppointmentRecord at = *store().findAppointment(b.appointment.id);
  Reschedule move = moveTo(at, 300, 400, "c_s");
  move.now = 70;
  auto done = store().rescheduleAppointment(move);
  ASSERT_TRUE(done);
  ASSERT_NE(done->previousUpdate, 70);
  ASSERT_TRUE(store().transitionRoomAppointment(b.appointment.roomId, "booked", "arrived", 70));
  ASSERT_TRUE(store().undoReschedule(b.appointment.id, "c_s", at.start, at.end, at.end + 60, *done));
  EXPECT_EQ(store().findAppointment(b.appointment.id)->updatedAt, 70);
}

TEST_P(StoreTest, ACancelRevokesTheOpenInvitationsAndItsUndoTakesBackExactlyThat) {
  Booking b = book(store());
  InvitationRecord before = *store().findInvitation(b.open.id);
  ASSERT_TRUE(store().revokeInvitationBy(before.id, "u_1", "c_0", 30));  // revoked before the cancel
  InvitationRecord other = book(store(), "2").open;
  ASSERT_TRUE(store().transitionRoomAppointment(b.appointment.roomId, "booked", "arrived", 40));
  // A third, still open.
  InvitationRecord third = before;
  third.id.clear();
  third.tokenHash = "th3";
  third.codeHash = "ch3";
  third.revokedAt.reset();
  third = store().createInvitation(third);

  Cancellation c = store().cancelAppointment(b.appointment.id, "u_2", "c_1", 50);
  ASSERT_EQ(c.outcome, CancelOutcome::kCancelled);
  EXPECT_EQ(c.previousStatus, "arrived");
  EXPECT_EQ(c.previousUpdate, 40);
  EXPECT_EQ(*store().findInvitation(third.id)->revokedAt, 50);
  EXPECT_FALSE(store().findInvitation(b.used.id)->revokedAt) << "a used one keeps saying used";
  EXPECT_EQ(*store().findInvitation(before.id)->revokedAt, 30);
  EXPECT_FALSE(store().findInvitation(other.id)->revokedAt) << "another appointment's";

  EXPECT_FALSE(store().undoCancel(b.appointment.id, "c_other", "arrived", 40, c.roomEndedAt));
  EXPECT_TRUE(store().undoCancel(b.appointment.id, "c_1", "arrived", 40, c.roomEndedAt));
  auto a = store().findAppointment(b.appointment.id);
  EXPECT_EQ(a->status, "arrived");
  EXPECT_EQ(a->updatedAt, 40);
  EXPECT_FALSE(store().findInvitation(third.id)->revokedAt);
  EXPECT_EQ(*store().findInvitation(before.id)->revokedAt, 30) << "an earlier revocation came back undone";
  EXPECT_EQ(store().cancelAppointment("a_unknown", "u_2", "c_2", 60).outcome, CancelOutcome::kUnknown);
}

// A request told "already cancelled" (or "already revoked") makes the earlier change
// stand: that change's undo no longer applies, whatever its event's fate.
TEST_P(StoreTest, AChangeAnotherRequestWasToldAboutIsNotUndone) {
  Booking b = book(store());
  ASSERT_EQ(store().cancelAppointment(b.appointment.id, "u_2", "c_1", 50).outcome, CancelOutcome::kCancelled);
  Cancellation again = store().cancelAppointment(b.appointment.id, "u_3", "c_2", 51);
  EXPECT_EQ(again.outcome, CancelOutcome::kAdopted);
  EXPECT_FALSE(store().undoCancel(b.appointment.id, "c_1", "booked", 1, 50));
  EXPECT_EQ(store().findAppointment(b.appointment.id)->status, "cancelled");
  EXPECT_TRUE(store().findInvitation(b.open.id)->revokedAt);

  Booking d = book(store(), "2");
  auto first = store().revokeInvitationBy(d.open.id, "u_1", "c_3", 60);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->byThisCall);
  auto repeat = store().revokeInvitationBy(d.open.id, "u_2", "c_4", 61);
  ASSERT_TRUE(repeat);
  EXPECT_FALSE(repeat->byThisCall);
  EXPECT_TRUE(repeat->adopted);
  EXPECT_EQ(repeat->at, 60);
  EXPECT_EQ(repeat->by, "u_1");
  EXPECT_FALSE(store().unrevokeInvitation(d.open.id, "c_3")) << "reopened a link another request was told is revoked";
  EXPECT_EQ(*store().findInvitation(d.open.id)->revokedAt, 60);
}

TEST_P(StoreTest, ARevocationIsUndoneOnlyByItsOwnRequest) {
  Booking b = book(store());
  EXPECT_FALSE(store().revokeInvitationBy("i_unknown", "u_1", "c_1", 60));
  ASSERT_TRUE(store().revokeInvitationBy(b.open.id, "u_1", "c_1", 60));
  EXPECT_FALSE(store().claimInvitation(b.open.id, "g_2", 61));
  EXPECT_FALSE(store().unrevokeInvitation(b.open.id, "c_other"));
  EXPECT_FALSE(store().unrevokeInvitation(b.open.id, ""));
  EXPECT_TRUE(store().unrevokeInvitation(b.open.id, "c_1"));
  EXPECT_FALSE(store().findInvitation(b.open.id)->revokedAt);
  EXPECT_TRUE(store().claimInvitation(b.open.id, "g_2", 62)) << "an unrevoked invitation is usable again";
  // The system's revocations (end of consultation, erasure) carry no request: never undone.
  Booking d = book(store(), "2");
  ASSERT_TRUE(store().revokeInvitation(d.open.id, 70));
  EXPECT_FALSE(store().unrevokeInvitation(d.open.id, ""));
}

// A repeat that finds the change still pending its first request's event (undoable) is
// told it adopted it: it then writes its own event, so that the change, which can no
// longer be undone, never stands without one because the first event failed. A repeat
// after that finds nothing pending.
TEST_P(StoreTest, ARepeatOfAChangePendingItsEventAdoptsItOnce) {
  Booking b = book(store());
  ASSERT_EQ(store().cancelAppointment(b.appointment.id, "u_2", "c_1", 50).outcome, CancelOutcome::kCancelled);
  EXPECT_EQ(store().cancelAppointment(b.appointment.id, "u_3", "c_2", 51).outcome, CancelOutcome::kAdopted);
  EXPECT_EQ(store().cancelAppointment(b.appointment.id, "u_3", "c_3", 52).outcome, CancelOutcome::kAlreadyCancelled);
  EXPECT_FALSE(store().undoCancel(b.appointment.id, "c_1", "booked", 1, 50));
  EXPECT_FALSE(store().undoCancel(b.appointment.id, "c_2", "booked", 1, 50));
  EXPECT_EQ(store().findAppointment(b.appointment.id)->status, "cancelled");

  Booking d = book(store(), "2");
  ASSERT_TRUE(store().revokeInvitationBy(d.open.id, "u_1", "c_4", 60)->byThisCall);
  auto adopted = store().revokeInvitationBy(d.open.id, "u_2", "c_5", 61);
  EXPECT_FALSE(adopted->byThisCall);
  EXPECT_TRUE(adopted->adopted);
  auto after = store().revokeInvitationBy(d.open.id, "u_2", "c_6", 62);
  EXPECT_FALSE(after->byThisCall);
  EXPECT_FALSE(after->adopted) << "adopted twice";
  // The system's revocation is no request's: a user's repeat has nothing to adopt.
  Booking e = book(store(), "3");
  ASSERT_TRUE(store().revokeInvitation(e.open.id, 70));
  EXPECT_FALSE(store().revokeInvitationBy(e.open.id, "u_2", "c_7", 71)->adopted);
}

// The cancel ends the room in its own transaction (no second write that can fail after
// the event is durable), and its undo reopens only the end it wrote.
TEST_P(StoreTest, ACancelEndsTheRoomAndItsUndoReopensOnlyThatEnd) {
  Booking b = book(store());
  Cancellation c = store().cancelAppointment(b.appointment.id, "u_2", "c_1", 50);
  EXPECT_EQ(c.roomEndedAt, 50);
  EXPECT_EQ(store().findRoom(b.appointment.roomId)->endedAt, 50);
  ASSERT_TRUE(store().undoCancel(b.appointment.id, "c_1", "booked", 1, c.roomEndedAt));
  EXPECT_FALSE(store().findRoom(b.appointment.roomId)->ended());

  // Ended before (the host ended the consultation): the cancel keeps that end, and its
  // undo leaves the room ended.
  Booking d = book(store(), "2");
  ASSERT_TRUE(store().endRoom(d.appointment.roomId, 30));
  Cancellation e = store().cancelAppointment(d.appointment.id, "u_2", "c_2", 50);
  EXPECT_EQ(e.roomEndedAt, 0);
  ASSERT_TRUE(store().undoCancel(d.appointment.id, "c_2", "booked", 1, e.roomEndedAt));
  EXPECT_EQ(store().findRoom(d.appointment.roomId)->endedAt, 30);
}

// A room ended by someone else after the cancel (the host's end_consultation, DELETE
// /api/v1/rooms/{id}) keeps the cancel's end time (COALESCE) but is no longer the
// cancel's: the cancel's undo leaves it ended. And the admission's own undo (reopenRoom)
// never reopens a cancel's end written in the same second.
TEST_P(StoreTest, AnEndAfterTheCancelMakesItsUndoLeaveTheRoomEnded) {
  Booking b = book(store());
  Cancellation c = store().cancelAppointment(b.appointment.id, "u_2", "c_1", 50);
  ASSERT_EQ(c.roomEndedAt, 50);
  ASSERT_TRUE(store().endRoom(b.appointment.roomId, 50));  // the host ends it, same second
  ASSERT_TRUE(store().undoCancel(b.appointment.id, "c_1", "booked", 1, c.roomEndedAt));
  EXPECT_EQ(store().findAppointment(b.appointment.id)->status, "booked");
  EXPECT_EQ(store().findRoom(b.appointment.roomId)->endedAt, 50) << "the undo reopened a room the host ended";
  EXPECT_FALSE(store().reopenRoom(b.appointment.roomId, 50)) << "the host's undo reopened the cancel's end";

  Booking d = book(store(), "2");
  Cancellation e = store().cancelAppointment(d.appointment.id, "u_2", "c_2", 60);
  ASSERT_EQ(e.roomEndedAt, 60);
  EXPECT_FALSE(store().reopenRoom(d.appointment.roomId, 60)) << "the admission undo reopened the cancel's end";
  EXPECT_EQ(store().findRoom(d.appointment.roomId)->endedAt, 60);
  // The host's own end, undone, still reopens.
  Booking f = book(store(), "3");
  ASSERT_TRUE(store().endRoom(f.appointment.roomId, 70));
  EXPECT_TRUE(store().reopenRoom(f.appointment.roomId, 70));
  EXPECT_FALSE(store().findRoom(f.appointment.roomId)->ended());
  // Ended twice in one second (two hosts): neither undo reopens it.
  ASSERT_TRUE(store().endRoom(f.appointment.roomId, 80));
  ASSERT_TRUE(store().endRoom(f.appointment.roomId, 80));
  EXPECT_FALSE(store().reopenRoom(f.appointment.roomId, 80));
}

// Once a request's event is durable, settleChange clears its id: a repeat then finds the
// change standing and audited (nothing to adopt), and the undo of that request misses.
TEST_P(StoreTest, ASettledCancelOrRevocationIsNoLongerPending) {
  Booking b = book(store());
  ASSERT_EQ(store().cancelAppointment(b.appointment.id, "u_2", "c_1", 50).outcome, CancelOutcome::kCancelled);
  store().settleChange(SettledChange::kCancel, b.appointment.id, "c_other");  // another request's: nothing
  EXPECT_TRUE(store().undoCancel(b.appointment.id, "c_1", "booked", 1, 50));
  ASSERT_EQ(store().cancelAppointment(b.appointment.id, "u_2", "c_2", 60).outcome, CancelOutcome::kCancelled);
  store().settleChange(SettledChange::kCancel, b.appointment.id, "c_2");
  EXPECT_EQ(store().cancelAppointment(b.appointment.id, "u_3", "c_3", 61).outcome, CancelOutcome::kAlreadyCancelled);
  EXPECT_FALSE(store().revokeInvitationBy(b.open.id, "u_3", "c_4", 62)->adopted) << "the cancel's revocation";
  EXPECT_FALSE(store().reopenRoom(b.appointment.roomId, 60)) << "a cancel's end, settled or not, is no admission's";

  Booking d = book(store(), "2");
  ASSERT_TRUE(store().revokeInvitationBy(d.open.id, "u_1", "c_5", 70)->byThisCall);
  store().settleChange(SettledChange::kRevocation, d.open.id, "c_5");
  EXPECT_FALSE(store().revokeInvitationBy(d.open.id, "u_2", "c_6", 71)->adopted);
  EXPECT_FALSE(store().unrevokeInvitation(d.open.id, "c_5"));
  EXPECT_TRUE(store().findInvitation(d.open.id)->revokedAt);
}

// The cancel revokes its room's open invitations; its undo takes back that same set, also
// one whose appointment id names another appointment.
TEST_P(StoreTest, ACancelUndoUnrevokesTheSameSetItRevoked) {
  Booking b = book(store());
  Booking other = book(store(), "2");
  InvitationRecord stray = b.open;
  stray.id.clear();
  stray.appointmentId = other.appointment.id;
  stray.tokenHash = "th_stray";
  stray.codeHash = "ch_stray";
  stray = store().createInvitation(stray);
  Cancellation c = store().cancelAppointment(b.appointment.id, "u_2", "c_1", 50);
  ASSERT_EQ(*store().findInvitation(stray.id)->revokedAt, 50);
  ASSERT_TRUE(store().undoCancel(b.appointment.id, "c_1", "booked", 1, c.roomEndedAt));
  EXPECT_FALSE(store().findInvitation(stray.id)->revokedAt) << "the undo left one the cancel revoked";
  EXPECT_FALSE(store().findInvitation(other.open.id)->revokedAt);
}

// The system's revocations (end of consultation, erasure) make a user's revocation or a
// cancel pending its event stand: a failed event must not reopen an invitation the
// system meant revoked.
TEST_P(StoreTest, TheSystemsRevocationsAreNeverUndoneByAPendingRequest) {
  Booking b = book(store());
  ASSERT_TRUE(store().revokeInvitationBy(b.open.id, "u_1", "c_1", 60)->byThisCall);
  EXPECT_EQ(store().revokeRoomInvitations(b.appointment.roomId, 61), 0) << "already revoked ones are not counted";
  EXPECT_FALSE(store().unrevokeInvitation(b.open.id, "c_1"));
  EXPECT_TRUE(store().findInvitation(b.open.id)->revokedAt);

  Booking d = book(store(), "2");
  ASSERT_TRUE(store().revokeInvitationBy(d.open.id, "u_1", "c_2", 60)->byThisCall);
  ASSERT_TRUE(store().revokeInvitation(d.open.id, 61));
  EXPECT_FALSE(store().unrevokeInvitation(d.open.id, "c_2"));
  EXPECT_EQ(*store().findInvitation(d.open.id)->revokedAt, 60);

  Booking e = book(store(), "3");
  Cancellation c = store().cancelAppointment(e.appointment.id, "u_2", "c_3", 50);
  ASSERT_EQ(c.outcome, CancelOutcome::kCancelled);
  store().revokeRoomInvitations(e.appointment.roomId, 70);  // the consultation ended meanwhile
  EXPECT_TRUE(store().undoCancel(e.appointment.id, "c_3", "booked", 1, c.roomEndedAt));
  EXPECT_TRUE(store().findInvitation(e.open.id)->revokedAt) << "the cancel's undo reopened a link the system revoked";
}

// The staff add (guests.add_change): its undo is keyed to the request's id, not to the
// update time, which the waiting line's bookkeeping moves (enterQueue, forgetQueuePlace);
// a state change or a repeat add that adopts it makes it miss.
TEST_P(StoreTest, AStaffAddUndoIsKeyedToItsRequestNotToTheUpdateTime) {
  Booking b = book(store());
  GuestRecord staff;
  staff.roomId = b.appointment.roomId;
  staff.identity = "u_staff";
  staff.role = "staff";
  staff.tenantId = b.appointment.tenantId;
  StaffAdd a = store().addStaffGuest(staff, "c_1", 10);
  ASSERT_EQ(a.outcome, StaffAddOutcome::kAdded);
  EXPECT_EQ(a.previous, "removed");
  EXPECT_EQ(store().findGuest(a.guestId)->state, "waiting");
  EXPECT_EQ(store().findGuest(a.guestId)->updatedAt, 10);
  ASSERT_TRUE(store().transitionGuest(a.guestId, "waiting", "waiting", 0));  // forgetQueuePlace
  ASSERT_TRUE(store().transitionGuest(a.guestId, "waiting", "waiting", 12));  // enterQueue
  EXPECT_FALSE(store().undoStaffAdd(a.guestId, "c_other", "removed", 13)) << "another request's id";
  ASSERT_TRUE(store().undoStaffAdd(a.guestId, "c_1", "removed", 13)) << "the line's bookkeeping made the undo miss";
  EXPECT_EQ(store().findGuest(a.guestId)->state, "removed");

  // Removed → waiting by a second add; a repeat add adopts it (and keeps the place in
  // line), so the first undo misses; once the adopter's event settles it, a third add
  // finds nothing pending.
  StaffAdd again = store().addStaffGuest(staff, "c_2", 20);
  ASSERT_EQ(again.outcome, StaffAddOutcome::kAdded);
  EXPECT_EQ(again.guestId, a.guestId);
  EXPECT_EQ(again.previous, "removed");
  EXPECT_EQ(store().addStaffGuest(staff, "c_3", 25).outcome, StaffAddOutcome::kAdopted);
  EXPECT_EQ(store().findGuest(a.guestId)->updatedAt, 20) << "a repeat add moved the staff member's place in line";
  store().settleChange(SettledChange::kStaffAdd, a.guestId, "c_3");
  EXPECT_EQ(store().addStaffGuest(staff, "c_4", 26).outcome, StaffAddOutcome::kAlreadyAdded);
  EXPECT_FALSE(store().undoStaffAdd(a.guestId, "c_2", "removed", 27)) << "the undo took back an adopted add";
  EXPECT_EQ(store().findGuest(a.guestId)->state, "waiting");

  // A state change (the host denies, then a later add) makes an earlier add's undo miss,
  // also when the record is waiting again (ABA).
  ASSERT_TRUE(store().transitionGuest(a.guestId, "waiting", "denied", 30));
  StaffAdd third = store().addStaffGuest(staff, "c_5", 31);
  ASSERT_EQ(third.outcome, StaffAddOutcome::kAdded);
  EXPECT_EQ(third.previous, "denied");
  ASSERT_TRUE(store().transitionGuest(a.guestId, "waiting", "admitted", 32));
  ASSERT_TRUE(store().transitionGuest(a.guestId, "admitted", "removed", 33));
  EXPECT_EQ(store().addStaffGuest(staff, "c_6", 34).outcome, StaffAddOutcome::kAdded);
  EXPECT_FALSE(store().undoStaffAdd(a.guestId, "c_5", "denied", 35)) << "an earlier add's undo took back a later add";
  // A waiting record without a place in line gets one with a repeat add.
  ASSERT_TRUE(store().transitionGuest(a.guestId, "waiting", "waiting", 0));
  store().addStaffGuest(staff, "c_7", 40);
  EXPECT_EQ(store().findGuest(a.guestId)->updatedAt, 40);
}

// Once the staff add's event is durable, settleChange(kStaffAdd) clears its id: a repeat
// then finds it standing and audited (kAlreadyAdded, no second event) instead of adopting
// it (kAdopted, which audits it again), and its undo misses. Another request's id, or
// another guest's, settles nothing.
TEST_P(StoreTest, ASettledStaffAddIsNoLongerPending) {
  Booking b = book(store());
  GuestRecord staff;
  staff.roomId = b.appointment.roomId;
  staff.identity = "u_staff";
  staff.role = "staff";
  staff.tenantId = b.appointment.tenantId;
  StaffAdd a = store().addStaffGuest(staff, "c_1", 10);
  ASSERT_EQ(a.outcome, StaffAddOutcome::kAdded);
  GuestRecord other = staff;
  other.identity = "u_other";
  StaffAdd o = store().addStaffGuest(other, "c_1", 10);  // the same id on another record
  ASSERT_EQ(o.outcome, StaffAddOutcome::kAdded);

  store().settleChange(SettledChange::kStaffAdd, a.guestId, "c_other");  // another request's: nothing
  store().settleChange(SettledChange::kCancel, a.guestId, "c_1");         // not a staff add: nothing
  store().settleChange(SettledChange::kStaffAdd, a.guestId, "c_1");
  EXPECT_EQ(store().addStaffGuest(staff, "c_2", 11).outcome, StaffAddOutcome::kAlreadyAdded)
      << "a repeat after the durable event adopted the add (and wrote a second event)";
  EXPECT_FALSE(store().undoStaffAdd(a.guestId, "c_1", "removed", 12)) << "a settled add was taken back";
  EXPECT_EQ(store().findGuest(a.guestId)->state, "waiting");
  EXPECT_EQ(store().findGuest(a.guestId)->updatedAt, 10) << "the repeat moved the place in line";
  // The other record's add is still pending: settled by id, not by request id alone.
  EXPECT_TRUE(store().undoStaffAdd(o.guestId, "c_1", "removed", 12));
  EXPECT_EQ(store().findGuest(o.guestId)->state, "removed");
}

// "Not undoable" is not "audited": an add that a repeat adopted stays pending (keyed to
// the adopter) until the adopter's event settles it, so when both events failed a third
// add still adopts it and audits it; the first request's settle no longer applies.
TEST_P(StoreTest, AnAdoptedStaffAddStaysPendingUntilTheAdopterSettlesIt) {
  Booking b = book(store());
  GuestRecord staff;
  staff.roomId = b.appointment.roomId;
  staff.identity = "u_staff";
  staff.role = "staff";
  staff.tenantId = b.appointment.tenantId;
  StaffAdd a = store().addStaffGuest(staff, "c_1", 10);
  ASSERT_EQ(a.outcome, StaffAddOutcome::kAdded);
  ASSERT_EQ(store().addStaffGuest(staff, "c_2", 11).outcome, StaffAddOutcome::kAdopted);
  EXPECT_FALSE(store().undoStaffAdd(a.guestId, "c_1", "removed", 12)) << "the first undo took back an adopted add";
  // Both events failed: nothing settled. A third add audits it.
  EXPECT_EQ(store().addStaffGuest(staff, "c_3", 13).outcome, StaffAddOutcome::kAdopted)
      << "an add whose events all failed counts as audited";
  store().settleChange(SettledChange::kStaffAdd, a.guestId, "c_1");  // the first's, late: not the adopter's
  EXPECT_EQ(store().addStaffGuest(staff, "c_4", 14).outcome, StaffAddOutcome::kAdopted);
  store().settleChange(SettledChange::kStaffAdd, a.guestId, "c_4");
  EXPECT_EQ(store().addStaffGuest(staff, "c_5", 15).outcome, StaffAddOutcome::kAlreadyAdded);
  EXPECT_EQ(store().findGuest(a.guestId)->state, "waiting");
  EXPECT_EQ(store().findGuest(a.guestId)->updatedAt, 10);
}

// The host admits (or denies) a staff member whose add is pending its event: the add can
// no longer be undone, but it is not audited either. Should its event fail, a repeat add
// adopts it and audits it; should its event be durable, its own settle settles it.
TEST_P(StoreTest, AStaffAddAdmittedWhilePendingIsKeptUnauditedUntilSettled) {
  Booking b = book(store());
  GuestRecord staff;
  staff.roomId = b.appointment.roomId;
  staff.identity = "u_staff";
  staff.role = "staff";
  staff.tenantId = b.appointment.tenantId;
  StaffAdd a = store().addStaffGuest(staff, "c_1", 10);
  ASSERT_EQ(a.outcome, StaffAddOutcome::kAdded);
  ASSERT_TRUE(store().transitionGuest(a.guestId, "waiting", "admitted", 11));
  EXPECT_FALSE(store().undoStaffAdd(a.guestId, "c_1", "removed", 12)) << "the undo took back an admitted add";
  ASSERT_TRUE(store().transitionGuest(a.guestId, "admitted", "waiting", 13));  // left; back in the line
  EXPECT_FALSE(store().undoStaffAdd(a.guestId, "c_1", "removed", 14)) << "the undo took back an add decided since";
  // Its event failed: a repeat adopts it (and audits it).
  EXPECT_EQ(store().addStaffGuest(staff, "c_2", 15).outcome, StaffAddOutcome::kAdopted)
      << "an add admitted while its event was pending counts as audited";
  store().settleChange(SettledChange::kStaffAdd, a.guestId, "c_2");
  EXPECT_EQ(store().addStaffGuest(staff, "c_3", 16).outcome, StaffAddOutcome::kAlreadyAdded);

  // Another add, admitted while pending, whose own event is durable: its settle settles it.
  GuestRecord other = staff;
  other.identity = "u_other";
  StaffAdd o = store().addStaffGuest(other, "c_4", 20);
  ASSERT_EQ(o.outcome, StaffAddOutcome::kAdded);
  ASSERT_TRUE(store().transitionGuest(o.guestId, "waiting", "admitted", 21));
  store().settleChange(SettledChange::kStaffAdd, o.guestId, "c_other");  // another request's: nothing
  EXPECT_EQ(store().addStaffGuest(other, "c_5", 22).outcome, StaffAddOutcome::kAdopted);
  StaffAdd p = store().addStaffGuest(other, "c_6", 23);  // c_5's event pending still
  ASSERT_EQ(p.outcome, StaffAddOutcome::kAdopted);
  store().settleChange(SettledChange::kStaffAdd, o.guestId, "c_6");
  EXPECT_EQ(store().addStaffGuest(other, "c_7", 24).outcome, StaffAddOutcome::kAlreadyAdded);

  GuestRecord third = staff;
  third.identity = "u_third";
  StaffAdd t = store().addStaffGuest(third, "c_8", 30);
  ASSERT_TRUE(store().transitionGuest(t.guestId, "waiting", "admitted", 31));
  store().settleChange(SettledChange::kStaffAdd, t.guestId, "c_8");
  EXPECT_EQ(store().addStaffGuest(third, "c_9", 32).outcome, StaffAddOutcome::kAlreadyAdded)
      << "the add's own durable event did not settle it once admitted";
  EXPECT_EQ(store().findGuest(t.guestId)->state, "admitted");
}

// The undo of a new appointment whose event failed: it goes with its invitations and room,
// and nothing of another appointment goes with it.
TEST_P(StoreTest, DeletingANewAppointmentTakesItsInvitationsAndRoom) {
  Booking a = book(store());
  Booking b = book(store(), "2");
  EXPECT_TRUE(store().deleteAppointment(a.appointment.id));
  EXPECT_FALSE(store().findAppointment(a.appointment.id));
  EXPECT_TRUE(store().listInvitations(a.appointment.id).empty());
  EXPECT_FALSE(store().findRoom(a.appointment.roomId));
  EXPECT_TRUE(store().findAppointment(b.appointment.id));
  EXPECT_EQ(store().listInvitations(b.appointment.id).size(), 2u);
  EXPECT_TRUE(store().findRoom(b.appointment.roomId));
  EXPECT_FALSE(store().deleteAppointment(a.appointment.id));
}

}  // namespace
}  // namespace medrtc::store::testing
