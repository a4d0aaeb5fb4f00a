// Issue 10 item 3 (leftover): a guest already inside — waiting or in the call — leaves when
// the state behind their token ends behind this process's back: the invitation revoked,
// the appointment cancelled (another node, an operator tool; `medrtc admin erase-subject
// g_…` revokes the guest's invitation), the guest record gone (deleted by another node's
// retention purge). The periodic re-check (SignalingHub::recheckSessions)
// finds it and dismisses them with `access_revoked`; a store fault keeps everyone.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <boost/json.hpp>
#include <condition_variable>
#include <mutex>

#include "failing_store.hpp"
#include "hub_harness.hpp"
#include "hub_test_doubles.hpp"
#include "store/store_pool.hpp"
#include "webhooks/webhook_event.hpp"
#include "webhooks/webhook_sink.hpp"

namespace medrtc::signaling {
namespace {

namespace json = boost::json;

class GuestRevocation : public ::testing::Test {
 protected:
  GuestRevocation() {
    int64_t t0 = now();
    store::TenantRecord t;
    t.name = "Praxis";
    t.createdAt = t0;
    t = h_.store->createTenant(t);
    store::AppointmentRecord a;
    a.tenantId = t.id;
    a.practitionerId = "u_doctor";
    a.status = "booked";
    a.start = t0 - 60;
    a.end = t0 + 3600;
    a.roomId = h_.room.id;
    a.createdAt = t0;
    a.updatedAt = t0;
    appointment_ = h_.store->createAppointment(a);
    store::InvitationRecord i;
    i.tenantId = t.id;
    i.appointmentId = appointment_.id;
    i.roomId = h_.room.id;
    i.role = "patient";
    i.tokenHash = "token-hash";
    i.codeHash = "code-hash";
    i.createdAt = t0;
    i.expiresAt = t0 + 7200;
    invitation_ = h_.store->createInvitation(i);
    // As redeeming the invitation leaves it (AppointmentService::redeem).
    store::GuestRecord g;
    g.id = "g_00000000000000a1";
    g.identity = g.id;
    g.roomId = h_.room.id;
    g.role = "patient";
    g.state = "waiting";
    g.tenantId = t.id;
    g.invitationId = invitation_.id;
    g.createdAt = t0;
    g.updatedAt = t0;
    guest_ = h_.store->createGuest(g);
    h_.store->claimInvitation(invitation_.id, guest_.id, t0);

    hostId_ = h_.join(host_, h_.hostToken("doctor"));
    EXPECT_EQ(host_->ofType("joined").size(), 1u);
    patientId_ = h_.join(patient_, h_.token(guest_.identity, "patient", appointment_.id));
    EXPECT_EQ(patient_->ofType("waiting").size(), 1u);
  }

  // The guest's row deleted behind the hub's back (another process on the same store).
  void deleteGuestRow() {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((h_.dir / "medrtc.db").c_str(), &db), SQLITE_OK);
    std::string sql = "DELETE FROM guests WHERE id = '" + guest_.id + "'";
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    EXPECT_EQ(sqlite3_changes(db), 1);
    sqlite3_close(db);
  }
  int64_t now() const {
    return std::chrono::duration_cast<std::chrono::seconds>(h_.clock.wallNow().time_since_epoch()).count();
  }
  void admitPatient() {
    auto queues = host_->ofType("waiting_room");
    ASSERT_FALSE(queues.empty());
    const auto& queue = queues.back().at("queue").as_array();
    ASSERT_EQ(queue.size(), 1u);
    h_.send(hostId_, {{"type", "admit"}, {"participant_id", queue.at(0).at("participant_id")}});
    ASSERT_EQ(patient_->ofType("joined").size(), 1u);
  }
  // One round of the periodic re-check, with no store pool: its reads run inline.
  void recheck() {
    h_.hub->recheckSessions();
    h_.drain();
  }
  void expectDismissed(bool wasInTheCall) {
    auto errors = patient_->ofType("error");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].at("code").as_string(), "access_revoked");
    EXPECT_EQ(patient_->closeCode, std::optional<uint16_t>(4022));
    EXPECT_EQ(h_.hub->participants(h_.room.id).size(), 1u);  // the host stays
    EXPECT_FALSE(host_->closeCode.has_value());
    if (wasInTheCall) {
      EXPECT_EQ(host_->ofType("participant_left").size(), 1u);
      EXPECT_EQ(audit_.count("leave:access_revoked"), 1u);
    } else {
      // Out of the queue the host sees; a waiting guest never joined, so no leave.
      EXPECT_EQ(h_.hub->waitingCount(h_.room.id), 0u);
      EXPECT_TRUE(host_->ofType("waiting_room").back().at("queue").as_array().empty());
      EXPECT_EQ(audit_.count("leave"), 0u);
    }
  }
  // The patient is still there, with `inCall` participants in the call and `waiting` in the queue.
  void expectStillThere(size_t inCall, size_t waiting) {
    EXPECT_TRUE(patient_->ofType("error").empty());
    EXPECT_FALSE(patient_->closeCode.has_value());
    EXPECT_EQ(h_.hub->participants(h_.room.id).size(), inCall);
    EXPECT_EQ(h_.hub->waitingCount(h_.room.id), waiting);
  }

  testing::RecordingAuditSink audit_;
  testing::HubHarness h_{audit_, true};
  store::AppointmentRecord appointment_;
  store::InvitationRecord invitation_;
  store::GuestRecord guest_;
  std::shared_ptr<testing::RecordingSocket> host_ = std::make_shared<testing::RecordingSocket>();
  std::shared_ptr<testing::RecordingSocket> patient_ = std::make_shared<testing::RecordingSocket>();
  SignalingHub::ConnectionId hostId_ = 0;
  SignalingHub::ConnectionId patientId_ = 0;
};

TEST_F(GuestRevocation, NothingChangedKeepsTheGuest) {
  admitPatient();
  recheck();
  expectStillThere(2, 0);
}

TEST_F(GuestRevocation, RevokedInvitationRemovesTheGuestInTheCall) {
  admitPatient();
  ASSERT_TRUE(h_.store->revokeInvitation(invitation_.id, now()));
  recheck();
  expectDismissed(true);
}

TEST_F(GuestRevocation, RevokedInvitationRemovesTheWaitingGuest) {
  ASSERT_TRUE(h_.store->revokeInvitation(invitation_.id, now()));
  recheck();
  expectDismissed(false);
}

TEST_F(GuestRevocation, DeletedGuestRecordRemovesTheGuestInTheCall) {
  admitPatient();
  deleteGuestRow();
  recheck();
  expectDismissed(true);
}

TEST_F(GuestRevocation, DeletedGuestRecordRemovesTheWaitingGuest) {
  deleteGuestRow();
  recheck();
  expectDismissed(false);
}

TEST_F(GuestRevocation, GuestWithoutARecordCannotComeBackAsANewWaitingGuest) {
  deleteGuestRow();
  recheck();
  auto again = std::make_shared<testing::RecordingSocket>();
  h_.join(again, h_.token(guest_.identity, "patient", appointment_.id));
  ASSERT_EQ(again->ofType("error").size(), 1u);
  EXPECT_EQ(again->ofType("error")[0].at("code").as_string(), "access_revoked");
  EXPECT_EQ(again->closeCode, std::optional<uint16_t>(4022));
  EXPECT_FALSE(h_.store->findGuest(guest_.id));  // not made again by the admission
}

TEST_F(GuestRevocation, CancelledAppointmentRemovesTheGuestInTheCall) {
  admitPatient();
  store::AppointmentRecord cancelled = appointment_;
  cancelled.status = "cancelled";
  ASSERT_TRUE(h_.store->updateAppointment(cancelled));
  recheck();
  expectDismissed(true);
}

TEST_F(GuestRevocation, CancelledAppointmentRemovesTheWaitingGuest) {
  store::AppointmentRecord cancelled = appointment_;
  cancelled.status = "cancelled";
  ASSERT_TRUE(h_.store->updateAppointment(cancelled));
  recheck();
  expectDismissed(false);
}

// Another node ended the room (its host's end_consultation, DELETE /api/v1/rooms/{id},
// cancelling the appointment, which also ends the room): the store says so, and this
// node's next round ends it here too — for the host as well, who no guest check touches.
TEST_F(GuestRevocation, ARoomEndedOnAnotherNodeEndsHereForEveryone) {
  admitPatient();
  h_.store->endRoom(h_.room.id, now());
  recheck();
  for (const auto& socket : {host_, patient_}) {
    auto ended = socket->ofType("room_ended");
    ASSERT_EQ(ended.size(), 1u);
    EXPECT_EQ(ended[0].at("reason").as_string(), "ended_on_another_server");
    EXPECT_EQ(socket->closeCode, std::optional<uint16_t>(4007));
    EXPECT_TRUE(socket->ofType("error").empty()) << "room_ended says it all, no access_revoked";
  }
  EXPECT_TRUE(h_.hub->participants(h_.room.id).empty());
  EXPECT_EQ(audit_.count("leave:ended_on_another_server"), 2u);
}

// The node that ended the room told the webhooks that the consultation ended; this one
// reports that its own people left and the room (here) finished, not a second
// consultation_ended.
TEST_F(GuestRevocation, ARoomEndedOnAnotherNodeIsNotEndedTwiceInTheWebhooks) {
  struct TypesSink final : webhooks::WebhookSink {
    void emit(webhooks::Event event) override { types.emplace_back(webhooks::eventTypeName(event.type)); }
    std::vector<std::string> types;
  } sink;
  admitPatient();
  h_.hub->setWebhooks(&sink);
  h_.store->endRoom(h_.room.id, now());
  recheck();
  h_.hub->setWebhooks(nullptr);
  EXPECT_EQ(sink.types, (std::vector<std::string>{"participant_left", "participant_left", "room_finished"}));
}

TEST_F(GuestRevocation, ARoomEndedOnAnotherNodeSendsItsWaitingGuestsHomeToo) {
  h_.store->endRoom(h_.room.id, now());
  recheck();
  ASSERT_EQ(patient_->ofType("room_ended").size(), 1u);
  EXPECT_EQ(patient_->closeCode, std::optional<uint16_t>(4007));
  EXPECT_EQ(host_->ofType("room_ended").size(), 1u);
  EXPECT_EQ(h_.hub->waitingCount(h_.room.id), 0u);
}

// The round's reads on the store pool, as the server runs them: a store fault keeps
// everyone (a database blip must not end consultations); the next good round decides.
TEST_F(GuestRevocation, StoreFailureDuringTheRoundKeepsTheGuestsUntilTheNextRound) {
  admitPatient();
  auto second = std::make_shared<testing::RecordingSocket>();
  store::GuestRecord waiting = guest_;
  waiting.id = "g_00000000000000b2";
  waiting.identity = waiting.id;
  waiting.invitationId = "";  // revoking the patient's invitation leaves this one in
  h_.store->createGuest(waiting);
  h_.join(second, h_.token(waiting.identity, "patient", appointment_.id));
  ASSERT_EQ(second->ofType("waiting").size(), 1u);
  ASSERT_TRUE(h_.store->revokeInvitation(invitation_.id, now()));

  testing::PostedTasks completions;
  {
    store::StorePool failing(
        1, 4, [] { return std::make_unique<testing::FailingStore>(); },
        [&](std::function<void()> task) { completions.post(std::move(task)); });
    h_.hub->setStorePool(&failing);
    h_.hub->recheckSessions();
    ASSERT_TRUE(completions.runOne());
    h_.hub->setStorePool(nullptr);
    failing.stop();
  }
  expectStillThere(2, 1);
  EXPECT_FALSE(second->closeCode.has_value());

  store::StorePool working(
      1, 4, [&] { return std::make_unique<store::SqliteStore>(h_.dir / "medrtc.db"); },
      [&](std::function<void()> task) { completions.post(std::move(task)); });
  h_.hub->setStorePool(&working);
  h_.hub->recheckSessions();
  ASSERT_TRUE(completions.runOne());
  h_.drain();
  h_.hub->setStorePool(nullptr);
  working.stop();
  expectDismissed(true);
  EXPECT_FALSE(second->closeCode.has_value());  // its state did not end
  EXPECT_EQ(h_.hub->waitingCount(h_.room.id), 1u);
}

}  // namespace
}  // namespace medrtc::signaling
