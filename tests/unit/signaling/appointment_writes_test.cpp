// Issue 10 item 7 (leftover): the appointment writes (create, reschedule, cancel) and an
// invitation's revocation run on the store pool with conditional writes and undos keyed
// to their request (docs/security.md "What runs off the control thread"). The RestApi's
// own store fails every call (anything left on the control thread answers 503); the
// pool's store is the real one, wrapped so that a test can change the row between a job's
// read and its write, as the control thread (admission, the end) or another request
// would.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <boost/json.hpp>
#include <algorithm>
#include <deque>
#include <filesystem>
#include <functional>
#include <stdexcept>

#include "clinic/appointment_service.hpp"
#include "clinic/rfc3339.hpp"
#include "clinic/secrets.hpp"
#include "common/random.hpp"
#include "failing_store.hpp"
#include "forwarding_store.hpp"
#include "hub_test_doubles.hpp"
#include "signaling/rest_api.hpp"
#include "signaling/signaling_hub.hpp"
#include "store/sqlite_store.hpp"
#include "store/store_pool.hpp"

namespace medrtc::signaling {
namespace {

namespace json = boost::json;

// An audit log that writes each event, or fails it as a full disk would: the next events
// as `plan` says (true: fails), then every one is written.
class PlannedAudit final : public compliance::AuditSink {
 public:
  void record(compliance::AuditEvent) override {
    if (beforeEach) {
      beforeEach();
    }
    bool fails = !plan.empty() && plan.front();
    if (!plan.empty()) {
      plan.pop_front();
    }
    if (fails) {
      throw std::runtime_error("audit disk full");
    }
    ++written;
  }
  std::deque<bool> plan;
  int written = 0;
  std::function<void()> beforeEach;  // what happens while an event is being written
};

// The pool's connection; `afterRead`, when set, runs once right after the next appointment
// read, on the same connection: a change committed between a job's read and its write.
// `faults`: the calls that fail as with a lost connection.
struct Faults {
  bool endRoom = false;
  bool createAppointment = false;
};
class InterleavingStore final : public testing::ForwardingStore {
 public:
  InterleavingStore(std::unique_ptr<store::Store> inner, std::function<void(store::Store&)>& afterRead,
                    const Faults& faults)
      : ForwardingStore(*inner), owned_(std::move(inner)), afterRead_(afterRead), faults_(faults) {}
  bool endRoom(const std::string& id, store::UnixSeconds now) override {
    if (faults_.endRoom) {
      throw store::StoreFailure("database is unavailable (test)");
    }
    return inner_.endRoom(id, now);
  }
  store::AppointmentRecord createAppointment(store::AppointmentRecord a) override {
    if (faults_.createAppointment) {
      throw store::StoreFailure("database is unavailable (test)");
    }
    return inner_.createAppointment(std::move(a));
  }
  std::optional<store::AppointmentRecord> findAppointment(const std::string& id) override {
    auto a = inner_.findAppointment(id);
    if (afterRead_) {
      auto interleave = std::move(afterRead_);
      afterRead_ = nullptr;
      interleave(inner_);
    }
    return a;
  }

 private:
  std::unique_ptr<store::Store> owned_;
  std::function<void(store::Store&)>& afterRead_;
  const Faults& faults_;
};

class AppointmentWrites : public ::testing::Test {
 protected:
  AppointmentWrites()
      : dir_(std::filesystem::temp_directory_path() / ("medrtc-aw-" + randomHex(6))),
        signer_(std::vector<uint8_t>(kTokenSecretBytes, 7), clock_) {
    std::filesystem::create_directories(dir_);
    {
      store::SqliteStore setup(dir_ / "medrtc.db");
      store::TenantRecord t;
      t.name = "Praxis";
      t.createdAt = kNow;
      t = setup.createTenant(t);
      store::UserRecord u;
      u.tenantId = t.id;
      u.email = "weber@example.org";
      u.role = "practitioner";
      u.createdAt = kNow;
      u = setup.createUser(u);
      cookie_ = clinic::randomToken();
      store::SessionRecord s{clinic::hashSecret(cookie_), u.id, t.id, "csrf-token-0123", kNow, kNow, kNow + 3600};
      setup.createSession(s);
      clinic::AppointmentService appointments(setup, clock_, nullptr, std::vector<uint8_t>(32, 1));
      auto created = appointments.create(clinic::SessionContext{s, u, t},
                                         clinic::NewAppointment{kNow + 600, kNow + 2400, "Check-up", "", ""});
      EXPECT_TRUE(created);
      appointment_ = created->appointment;
      invitationId_ = created->invitation.record.id;
    }
    pool_ = std::make_shared<store::StorePool>(
        1, 8,
        [this] {
          return std::make_unique<InterleavingStore>(std::make_unique<store::SqliteStore>(dir_ / "medrtc.db"),
                                                     afterRead_, faults_);
        },
        [this](std::function<void()> task) { posted_.post(std::move(task)); });
    hub_ = std::make_unique<SignalingHub>(controlStore_, signer_, clock_);
    clinic::AuthPolicy policy;
    policy.storePool = pool_;
    api_ = std::make_unique<RestApi>(controlStore_, signer_, *hub_, clock_, /*devMode=*/false, &audit_,
                                     std::span<const uint8_t>{}, policy);
  }
  ~AppointmentWrites() override {
    pool_->stop();
    api_.reset();
    hub_.reset();
    std::filesystem::remove_all(dir_);
  }

  HttpRequest request(const std::string& method, const std::string& target, std::string body = "") {
    HttpRequest r;
    r.method = method;
    r.target = target;
    r.cookie = "medrtc_session=" + cookie_;
    r.csrfToken = "csrf-token-0123";
    r.contentType = "application/json";
    r.host = "127.0.0.1";
    r.remoteAddress = "192.0.2.1";
    r.body = std::move(body);
    return r;
  }
  HttpRequest reschedule(int64_t start) {
    return request("PATCH", "/api/v1/appointments/" + appointment_.id,
                   R"({"start":")" + clinic::formatRfc3339(start) + R"(","end":")" +
                       clinic::formatRfc3339(start + 900) + R"("})");
  }
  HttpRequest cancel() { return request("POST", "/api/v1/appointments/" + appointment_.id + "/cancel", "{}"); }
  HttpRequest revoke() { return request("DELETE", "/api/v1/invitations/" + invitationId_); }

  // Handles every request before any completion runs (their jobs queue on the pool's one
  // thread in this order), then runs what the pool posts until all are answered.
  std::vector<HttpResponse> answerAll(const std::vector<HttpRequest>& requests) {
    std::vector<std::optional<HttpResponse>> answers(requests.size());
    for (size_t i = 0; i < requests.size(); ++i) {
      HttpResponse first = api_->handle(requests[i]);
      EXPECT_TRUE(first.deferred) << "answered at once (" << first.status << "): the store was used inline";
      if (!first.deferred) {
        answers[i] = first;
        continue;
      }
      first.deferred([&answers, i](const HttpResponse& res) { answers[i] = res; });
    }
    auto done = [&] { return std::all_of(answers.begin(), answers.end(), [](auto& a) { return a.has_value(); }); };
    while (!done() && posted_.runOne()) {
    }
    std::vector<HttpResponse> out;
    for (auto& a : answers) {
      EXPECT_TRUE(a) << "no answer came";
      out.push_back(a.value_or(HttpResponse{}));
    }
    return out;
  }
  HttpResponse answer(const HttpRequest& r) { return answerAll({r}).at(0); }

  store::SqliteStore check() { return store::SqliteStore(dir_ / "medrtc.db"); }

  static constexpr int64_t kNow = 1'700'000'000;
  std::filesystem::path dir_;
  ManualClock clock_;
  JoinTokenSigner signer_;
  std::string cookie_;
  store::AppointmentRecord appointment_;
  std::string invitationId_;
  std::function<void(store::Store&)> afterRead_;
  Faults faults_;
  testing::FailingStore controlStore_;
  PlannedAudit audit_;
  testing::PostedTasks posted_;
  std::shared_ptr<store::StorePool> pool_;
  std::unique_ptr<SignalingHub> hub_;
  std::unique_ptr<RestApi> api_;
};

json::object bodyOf(const HttpResponse& r) { return json::parse(r.body).as_object(); }

TEST_F(AppointmentWrites, ANewAppointmentIsStoredOnThePoolWithItsTwoEvents) {
  std::string body = R"({"start":")" + clinic::formatRfc3339(kNow + 86400) + R"(","end":")" +
                     clinic::formatRfc3339(kNow + 86400 + 900) + R"(","title":"Follow-up"})";
  HttpResponse res = answer(request("POST", "/api/v1/appointments", body));
  ASSERT_EQ(res.status, 201) << res.body;
  std::string id(bodyOf(res)["id"].as_string());
  EXPECT_EQ(bodyOf(res)["invitations"].as_array().size(), 1u);
  EXPECT_TRUE(bodyOf(res)["invitation"].as_object().contains("code"));
  EXPECT_EQ(audit_.written, 2) << "the appointment's and its patient invitation's";
  EXPECT_EQ(check().listInvitations(id).size(), 1u);
}

// Fail closed: an appointment whose event (either) cannot be written is gone again, with
// its room and its patient's invitation.
// The room is made before the appointment: when the appointment cannot be stored, the
// room is left ended (no one's, nobody can join it; retention drops it), not open.
TEST_F(AppointmentWrites, ARoomWhoseAppointmentCouldNotBeStoredIsLeftEnded) {
  faults_.createAppointment = true;
  HttpResponse res = answer(request("POST", "/api/v1/appointments",
                                    R"({"start":")" + clinic::formatRfc3339(kNow + 600) + R"(","end":")" +
                                        clinic::formatRfc3339(kNow + 1500) + R"("})"));
  EXPECT_EQ(res.status, 503) << res.body;
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "medrtc.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* open = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM rooms WHERE ended_at IS NULL", -1, &open, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(open), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(open, 0), 1) << "a room without its appointment was left open";  // the fixture's
  sqlite3_finalize(open);
  sqlite3_close(db);
}

TEST_F(AppointmentWrites, ANewAppointmentWhoseEventFailsIsDeleted) {
  for (std::deque<bool> plan : {std::deque<bool>{true}, std::deque<bool>{false, true}}) {
    SCOPED_TRACE(plan.size() == 1 ? "the appointment's event fails" : "its patient invitation's event fails");
    audit_.plan = plan;
    std::string body = R"({"start":")" + clinic::formatRfc3339(kNow + 86400) + R"(","end":")" +
                       clinic::formatRfc3339(kNow + 86400 + 900) + R"("})";
    HttpResponse res = answer(request("POST", "/api/v1/appointments", body));
    EXPECT_EQ(res.status, 500) << res.body;
    auto all = check().listAppointments(appointment_.tenantId, 0, kNow + 10 * 86400);
    ASSERT_EQ(all.size(), 1u) << "created without its event";
    EXPECT_EQ(all[0].id, appointment_.id);
  }
}

TEST_F(AppointmentWrites, ARescheduleRacingTheAdmissionKeepsTheStatusTheControlThreadSet) {
  afterRead_ = [this](store::Store& s) { s.transitionRoomAppointment(appointment_.roomId, "booked", "arrived", kNow); };
  HttpResponse res = answer(reschedule(kNow + 3600));
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(audit_.written, 1);
  auto a = check().findAppointment(appointment_.id);
  EXPECT_EQ(a->status, "arrived") << "the reschedule wrote 'booked' over 'arrived'";
  EXPECT_EQ(a->start, kNow + 3600);
  EXPECT_EQ(check().findInvitation(invitationId_)->expiresAt, kNow + 3600 + 900 + 30 * 60);
}

TEST_F(AppointmentWrites, ARescheduleRacingACancelAnswers409AndResurrectsNothing) {
  afterRead_ = [this](store::Store& s) { s.cancelAppointment(appointment_.id, "u_other", "c_other", kNow); };
  HttpResponse res = answer(reschedule(kNow + 3600));
  EXPECT_EQ(res.status, 409) << res.body;
  EXPECT_EQ(res.contentType, "application/problem+json");
  EXPECT_EQ(bodyOf(res)["code"].as_string(), "appointment_cancelled");
  EXPECT_EQ(audit_.written, 0);
  auto a = check().findAppointment(appointment_.id);
  EXPECT_EQ(a->status, "cancelled") << "a reschedule resurrected a cancelled appointment";
  EXPECT_EQ(a->start, appointment_.start);
}

TEST_F(AppointmentWrites, ARescheduleRacingAnotherRescheduleAnswers409) {
  afterRead_ = [this](store::Store& s) {
    s.rescheduleAppointment(store::Reschedule{appointment_.id, appointment_.start, appointment_.end, kNow + 7200,
                                              kNow + 8100, kNow + 9900, kNow, "c_other"});
  };
  HttpResponse res = answer(reschedule(kNow + 3600));
  EXPECT_EQ(res.status, 409) << res.body;
  EXPECT_EQ(bodyOf(res)["code"].as_string(), "appointment_changed");
  EXPECT_EQ(check().findAppointment(appointment_.id)->start, kNow + 7200) << "the other request's change was lost";
}

// Fail closed, keyed to the request: the first reschedule's event fails, but a second one
// (stored after it, audited) stands; the first's undo does not put back the old times.
TEST_F(AppointmentWrites, ARescheduleUndoLeavesALaterRescheduleStanding) {
  HttpResponse alone = [&] {
    audit_.plan = {true};
    return answer(reschedule(kNow + 3600));
  }();
  EXPECT_EQ(alone.status, 500) << alone.body;
  EXPECT_EQ(check().findAppointment(appointment_.id)->start, appointment_.start) << "stood without its event";
  EXPECT_EQ(check().findInvitation(invitationId_)->expiresAt, appointment_.end + 30 * 60);

  audit_.plan = {true};  // the first's
  auto answers = answerAll({reschedule(kNow + 3600), reschedule(kNow + 7200)});
  EXPECT_EQ(answers[0].status, 500) << answers[0].body;
  // The second read the first's times (its job ran after the first's write) and is audited.
  EXPECT_EQ(answers[1].status, 200) << answers[1].body;
  EXPECT_EQ(check().findAppointment(appointment_.id)->start, kNow + 7200) << "undone over a later reschedule";
  EXPECT_EQ(check().findInvitation(invitationId_)->expiresAt, kNow + 7200 + 900 + 30 * 60);
}

TEST_F(AppointmentWrites, ACancelRacingTheAdmissionIsUndoneToTheStatusItReplaced) {
  afterRead_ = [this](store::Store& s) { s.transitionRoomAppointment(appointment_.roomId, "booked", "arrived", kNow); };
  audit_.plan = {true};
  HttpResponse res = answer(cancel());
  EXPECT_EQ(res.status, 500) << res.body;
  auto a = check().findAppointment(appointment_.id);
  EXPECT_EQ(a->status, "arrived") << "the undo wrote back the status read before the admission";
  EXPECT_FALSE(check().findInvitation(invitationId_)->revokedAt);
  EXPECT_FALSE(check().findRoom(appointment_.roomId)->ended());
}

TEST_F(AppointmentWrites, ACancelIsStoredOnThePoolAndEndsTheRoomOnceAudited) {
  HttpResponse res = answer(cancel());
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(bodyOf(res)["status"].as_string(), "cancelled");
  EXPECT_EQ(bodyOf(res)["invitations"].as_array().at(0).at("status").as_string(), "revoked");
  EXPECT_EQ(audit_.written, 1);
  EXPECT_TRUE(check().findRoom(appointment_.roomId)->ended());
  // Its event durable, the cancel is settled (Store::settleChange): a repeat finds
  // nothing pending and writes no second event.
  EXPECT_EQ(answer(cancel()).status, 200);
  EXPECT_EQ(audit_.written, 1) << "a repeat after the durable event wrote a second one";
  EXPECT_EQ(answer(cancel()).status, 200);
  EXPECT_EQ(audit_.written, 1) << "a cancel found standing wrote another event";
  // Nor does revoking an invitation the cancel revoked.
  EXPECT_EQ(answer(revoke()).status, 200);
  EXPECT_EQ(audit_.written, 1) << "a revocation of the cancel's wrote another event";
}

// The room's end is written with the cancel: once its event is durable nothing is left
// to fail (a failed second write answered 503 for a cancel that stood, room open).
TEST_F(AppointmentWrites, AnAuditedCancelNeedsNoFurtherWriteToEndTheRoom) {
  faults_.endRoom = true;
  HttpResponse res = answer(cancel());
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(audit_.written, 1);
  EXPECT_TRUE(check().findRoom(appointment_.roomId)->ended()) << "cancelled and audited, room open in the store";
}

TEST_F(AppointmentWrites, ACancelWhoseEventFailsReopensTheRoomItEnded) {
  audit_.plan = {true};
  HttpResponse res = answer(cancel());
  EXPECT_EQ(res.status, 500) << res.body;
  EXPECT_EQ(check().findAppointment(appointment_.id)->status, "booked");
  EXPECT_FALSE(check().findRoom(appointment_.roomId)->ended());
}

// The host ends the consultation (or DELETE /api/v1/rooms/{id}) while the cancel's event
// is being written: the room keeps the cancel's end time (the first end stays), but it is
// the host's end now, audited with it, and the cancel's undo must leave it ended.
TEST_F(AppointmentWrites, ACancelWhoseEventFailsLeavesARoomEndedSinceEnded) {
  audit_.plan = {true};
  audit_.beforeEach = [this] {
    audit_.beforeEach = nullptr;
    ASSERT_TRUE(check().endRoom(appointment_.roomId, kNow));  // the same second
  };
  HttpResponse res = answer(cancel());
  EXPECT_EQ(res.status, 500) << res.body;
  EXPECT_EQ(check().findAppointment(appointment_.id)->status, "booked");
  EXPECT_TRUE(check().findRoom(appointment_.roomId)->ended()) << "the cancel's undo reopened a room the host ended";
}

// A repeat that finds the cancel pending its first event audits it itself: when the first
// event fails, the cancel stands with the repeat's event, never with none.
TEST_F(AppointmentWrites, ACancelStandingBehindAnotherWhoseEventFailedHasItsOwnEvent) {
  audit_.plan = {true, false};
  auto answers = answerAll({cancel(), cancel()});
  EXPECT_EQ(answers[0].status, 500) << answers[0].body;
  ASSERT_EQ(answers[1].status, 200) << answers[1].body;
  EXPECT_EQ(check().findAppointment(appointment_.id)->status, "cancelled");
  EXPECT_EQ(audit_.written, 1) << "the cancel stands without an appointment_cancel event";
}

// Both events failed: nothing is undone (the second request's undo has nothing of its own,
// the first's no longer applies); both answer the failure and the cancel stands
// (appointment_cancel_unaudited in the log).
TEST_F(AppointmentWrites, ACancelWhoseTwoEventsFailedStandsAndBothRequestsFail) {
  audit_.plan = {true, true};
  auto answers = answerAll({cancel(), cancel()});
  EXPECT_EQ(answers[0].status, 500) << answers[0].body;
  EXPECT_EQ(answers[1].status, 500) << answers[1].body;
  EXPECT_EQ(check().findAppointment(appointment_.id)->status, "cancelled");
  EXPECT_TRUE(check().findRoom(appointment_.roomId)->ended());
}

// A cancel whose event fails is not undone once another request was told the appointment
// is cancelled: that one's answer stays true.
TEST_F(AppointmentWrites, ACancelAnotherRequestWasToldAboutIsNotUndone) {
  audit_.plan = {true};
  auto answers = answerAll({cancel(), cancel()});
  EXPECT_EQ(answers[0].status, 500) << answers[0].body;
  ASSERT_EQ(answers[1].status, 200) << answers[1].body;
  EXPECT_EQ(bodyOf(answers[1])["status"].as_string(), "cancelled");
  EXPECT_EQ(check().findAppointment(appointment_.id)->status, "cancelled") << "undone after another was told";
  EXPECT_TRUE(check().findInvitation(invitationId_)->revokedAt);
}

TEST_F(AppointmentWrites, ARevocationIsStoredOnThePoolAndARepeatSaysWhoAndWhen) {
  HttpResponse res = answer(revoke());
  ASSERT_EQ(res.status, 204) << res.body;
  EXPECT_EQ(audit_.written, 1);
  auto stored = check().findInvitation(invitationId_);
  ASSERT_TRUE(stored->revokedAt);
  HttpResponse again = answer(revoke());
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(bodyOf(again)["status"].as_string(), "revoked");
  EXPECT_EQ(bodyOf(again)["revoked_at"].as_string(), clinic::formatRfc3339(*stored->revokedAt));
  EXPECT_EQ(bodyOf(again)["revoked_by"].as_string(), check().findAppointment(appointment_.id)->practitionerId);
  EXPECT_EQ(audit_.written, 1) << "a repeat after the durable event wrote a second one";
  EXPECT_EQ(answer(revoke()).status, 200);
  EXPECT_EQ(audit_.written, 1) << "a revocation found standing wrote another event";
  EXPECT_EQ(answer(request("DELETE", "/api/v1/invitations/i_0000000000000000")).status, 404);
}

TEST_F(AppointmentWrites, ARevocationStandingBehindAnotherWhoseEventFailedHasItsOwnEvent) {
  audit_.plan = {true, false};
  auto answers = answerAll({revoke(), revoke()});
  EXPECT_EQ(answers[0].status, 500) << answers[0].body;
  ASSERT_EQ(answers[1].status, 200) << answers[1].body;
  EXPECT_EQ(bodyOf(answers[1])["status"].as_string(), "revoked");
  EXPECT_TRUE(check().findInvitation(invitationId_)->revokedAt);
  EXPECT_EQ(audit_.written, 1) << "the revocation stands without an invitation_revoke event";
}

// Fail closed: a revocation whose event cannot be written is taken back.
TEST_F(AppointmentWrites, ARevocationWhoseEventFailsIsTakenBack) {
  audit_.plan = {true};
  HttpResponse res = answer(revoke());
  EXPECT_EQ(res.status, 500) << res.body;
  EXPECT_FALSE(check().findInvitation(invitationId_)->revokedAt) << "revoked without its event";
}

// ... but never once another request was told it is revoked.
TEST_F(AppointmentWrites, ARevocationAnotherRequestWasToldAboutIsNotUndone) {
  audit_.plan = {true};
  auto answers = answerAll({revoke(), revoke()});
  EXPECT_EQ(answers[0].status, 500) << answers[0].body;
  ASSERT_EQ(answers[1].status, 200) << answers[1].body;
  EXPECT_EQ(bodyOf(answers[1])["status"].as_string(), "revoked");
  EXPECT_TRUE(check().findInvitation(invitationId_)->revokedAt) << "reopened a link another request was told is revoked";
}

}  // namespace
}  // namespace medrtc::signaling
