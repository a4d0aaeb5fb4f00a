// Issue 10 item 7 (leftover): the REST routes' session checks, API-key look-ups and the
// moved handlers' reads and writes run on the store pool, not on the control thread. The
// RestApi's own store (the control thread's connection) here fails every call, so any
// store call left on the control thread turns the answer into 503; the pool's store is
// the real one, and the pool posts its completions to the test thread.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <algorithm>
#include <stdexcept>
#include <condition_variable>
#include <deque>
#include <functional>
#include <filesystem>
#include <mutex>

#include "clinic/appointment_service.hpp"
#include "clinic/secrets.hpp"
#include "common/random.hpp"
#include "captured_log.hpp"
#include "failing_store.hpp"
#include "hub_test_doubles.hpp"
#include "test_support.hpp"
#include "signaling/rest_api.hpp"
#include "signaling/signaling_hub.hpp"
#include "store/api_key.hpp"
#include "store/sqlite_store.hpp"
#include "store/store_pool.hpp"

namespace medrtc::signaling {
namespace {

namespace json = boost::json;

// An audit log that writes, or (failing = true) fails every event as a full disk would;
// failNext: only the next that many.
class SwitchableAudit final : public compliance::AuditSink {
 public:
  void record(compliance::AuditEvent event) override {
    if (beforeEach) {
      beforeEach();
    }
    if (failing || failNext > 0) {
      failNext = std::max(0, failNext - 1);
      throw std::runtime_error("audit disk full");
    }
    ++written;
    lastWritten = event.outcomeDesc;
  }
  bool failing = false;
  int failNext = 0;
  int written = 0;
  std::string lastWritten;  // the outcome description ("staff_added ...") of the last one written
  std::function<void()> beforeEach;  // what happens while an event is being written
};

class RestOffThread : public ::testing::Test {
 protected:
  RestOffThread()
      : dir_(std::filesystem::temp_directory_path() / ("medrtc-rot-" + randomHex(6))),
        signer_(std::vector<uint8_t>(kTokenSecretBytes, 7), clock_) {
    std::filesystem::create_directories(dir_);
    int64_t now = 1'700'000'000;
    {
      store::SqliteStore setup(dir_ / "medrtc.db");
      store::TenantRecord t;
      t.name = "Praxis";
      t.createdAt = now;
      tenant_ = setup.createTenant(t);
      store::UserRecord u;
      u.tenantId = tenant_.id;
      u.email = "weber@example.org";
      u.displayName = "Dr. Weber";
      u.role = "practitioner";
      u.createdAt = now;
      user_ = setup.createUser(u);
      u.email = "roth@example.org";
      u.displayName = "Dr. Roth";
      colleague_ = setup.createUser(u);
      cookie_ = clinic::randomToken();
      store::SessionRecord s{clinic::hashSecret(cookie_), user_.id, tenant_.id, "csrf-token-0123", now, now,
                             now + 3600};
      setup.createSession(s);
      clinic::SessionContext who{s, user_, tenant_};
      clinic::AppointmentService appointments(setup, clock_, nullptr, std::vector<uint8_t>(32, 1));
      auto created = appointments.create(who, clinic::NewAppointment{now + 600, now + 2400, "Check-up", "", ""});
      EXPECT_TRUE(created);
      appointment_ = created->appointment;
      patientLink_ = created->invitation.token;
      apiKey_ = store::generateApiKey();
      store::registerApiKey(setup, apiKey_, "ehr", now, "");
      room_ = setup.createRoom(store::NewRoom{.name = "r"}, now);
    }
    pool_ = std::make_shared<store::StorePool>(
        1, 16, [this] { return std::make_unique<store::SqliteStore>(dir_ / "medrtc.db"); },
        [this](std::function<void()> task) { posted_.post(std::move(task)); });
    hub_ = std::make_unique<SignalingHub>(controlStore_, signer_, clock_);
    clinic::AuthPolicy policy;
    policy.storePool = pool_;
    api_ = std::make_unique<RestApi>(controlStore_, signer_, *hub_, clock_, /*devMode=*/false, &audit_,
                                     std::span<const uint8_t>{}, policy);
  }
  ~RestOffThread() override {
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
  // A new user of the practice with `role`, signed in: the cookie of their session.
  std::string signedIn(const std::string& role, const std::string& email, store::UserRecord* created = nullptr) {
    store::SqliteStore setup(dir_ / "medrtc.db");
    store::UserRecord u;
    u.tenantId = tenant_.id;
    u.email = email;
    u.displayName = role;
    u.role = role;
    u.createdAt = 1'700'000'000;
    u = setup.createUser(u);
    std::string cookie = clinic::randomToken();
    setup.createSession(store::SessionRecord{clinic::hashSecret(cookie), u.id, tenant_.id, "csrf-token-0123",
                                             1'700'000'000, 1'700'000'000, 1'700'003'600});
    if (created != nullptr) {
      *created = u;
    }
    return cookie;
  }
  HttpRequest as(const std::string& cookie, const std::string& method, const std::string& target,
                 std::string body = "") {
    HttpRequest r = request(method, target, std::move(body));
    r.cookie = "medrtc_session=" + cookie;
    return r;
  }
  HttpRequest keyed(const std::string& method, const std::string& target, std::string body = "") {
    HttpRequest r = request(method, target, std::move(body));
    r.cookie.clear();
    r.authorization = "Bearer " + apiKey_;
    return r;
  }
  // Handles `r`: the answer must not be there yet (the store work is on the pool); it
  // comes once the test thread runs what the pool posted.
  HttpResponse answer(const HttpRequest& r) {
    HttpResponse first = api_->handle(r);
    EXPECT_TRUE(first.deferred) << "answered at once (" << first.status << "): the store was read inline";
    if (!first.deferred) {
      return first;
    }
    std::optional<HttpResponse> later;
    first.deferred([&](const HttpResponse& res) { later = res; });
    while (!later && posted_.runOne()) {
    }
    EXPECT_TRUE(later) << "no answer came";
    return later.value_or(HttpResponse{});
  }

  std::filesystem::path dir_;
  ManualClock clock_;
  JoinTokenSigner signer_;
  store::TenantRecord tenant_;
  store::UserRecord user_;
  store::UserRecord colleague_;
  std::string cookie_;
  store::AppointmentRecord appointment_;
  std::string patientLink_;
  std::string apiKey_;
  store::RoomRecord room_;
  testing::FailingStore controlStore_;
  SwitchableAudit audit_;
  testing::PostedTasks posted_;
  std::shared_ptr<store::StorePool> pool_;
  std::unique_ptr<SignalingHub> hub_;
  std::unique_ptr<RestApi> api_;
};

json::object bodyOf(const HttpResponse& r) { return json::parse(r.body).as_object(); }

TEST_F(RestOffThread, TheSessionCheckAndTheDashboardReadsRunOnThePool) {
  HttpResponse me = answer(request("GET", "/api/v1/auth/me"));
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(bodyOf(me)["user"].at("id").as_string(), user_.id);

  HttpResponse list = answer(request("GET", "/api/v1/appointments"));
  ASSERT_EQ(list.status, 200) << list.body;
  auto appointments = bodyOf(list)["appointments"].as_array();
  ASSERT_EQ(appointments.size(), 1u);
  EXPECT_EQ(appointments[0].at("id").as_string(), appointment_.id);
  EXPECT_EQ(appointments[0].at("invitations").as_array().size(), 1u) << "the patient's invitation";

  HttpResponse one = answer(request("GET", "/api/v1/appointments/" + appointment_.id));
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(bodyOf(one)["title"].as_string(), "Check-up");
  EXPECT_EQ(answer(request("GET", "/api/v1/appointments/a_0000000000000000")).status, 404);

  HttpResponse fhir = answer(request("GET", "/api/v1/appointments/" + appointment_.id + "/fhir"));
  EXPECT_EQ(fhir.status, 200) << fhir.body;
  EXPECT_EQ(fhir.contentType, "application/fhir+json");

  HttpResponse host = answer(request("POST", "/api/v1/appointments/" + appointment_.id + "/host-token", "{}"));
  ASSERT_EQ(host.status, 200) << host.body;
  EXPECT_EQ(bodyOf(host)["room_id"].as_string(), appointment_.roomId);
}

TEST_F(RestOffThread, AnUnknownSessionIsRefusedFromThePool) {
  HttpRequest r = request("GET", "/api/v1/appointments");
  r.cookie = "medrtc_session=not-a-session";
  HttpResponse res = answer(r);
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(bodyOf(res)["code"].as_string(), "not_signed_in");
}

TEST_F(RestOffThread, SignOutDeletesTheSessionOnThePool) {
  HttpResponse out = answer(request("POST", "/api/v1/auth/logout", "{}"));
  ASSERT_EQ(out.status, 204) << out.body;
  HttpResponse after = answer(request("GET", "/api/v1/auth/me"));
  EXPECT_EQ(after.status, 401) << "the session outlived its sign-out";
}

// Fail closed: a sign-out whose event cannot be written did not happen.
TEST_F(RestOffThread, ASignOutWhoseEventFailsLeavesTheSessionAsItWas) {
  audit_.failing = true;
  HttpResponse out = answer(request("POST", "/api/v1/auth/logout", "{}"));
  EXPECT_EQ(out.status, 500) << out.body;
  audit_.failing = false;
  EXPECT_EQ(answer(request("GET", "/api/v1/auth/me")).status, 200) << "the session was not put back";
  EXPECT_EQ(answer(request("POST", "/api/v1/auth/logout", "{}")).status, 204);
  EXPECT_EQ(audit_.written, 1);
}

TEST_F(RestOffThread, AnInvitationIsStoredOnThePoolAndAudited) {
  HttpResponse res =
      answer(request("POST", "/api/v1/appointments/" + appointment_.id + "/invitations", R"({"role":"interpreter"})"));
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(audit_.written, 1);
  store::SqliteStore check(dir_ / "medrtc.db");
  auto invitations = check.listInvitations(appointment_.id);
  ASSERT_EQ(invitations.size(), 2u);
  EXPECT_EQ(std::count_if(invitations.begin(), invitations.end(), [](auto& i) { return !i.revokedAt; }), 2);
}

// Fail closed: an invitation whose event cannot be written is revoked before anyone saw
// its link or code.
TEST_F(RestOffThread, AnInvitationWhoseEventFailsIsRevoked) {
  audit_.failing = true;
  HttpResponse res =
      answer(request("POST", "/api/v1/appointments/" + appointment_.id + "/invitations", R"({"role":"carer"})"));
  EXPECT_EQ(res.status, 500) << res.body;
  EXPECT_EQ(res.body.find("\"code\":\"internal\"") != std::string::npos, true) << res.body;
  store::SqliteStore check(dir_ / "medrtc.db");
  auto invitations = check.listInvitations(appointment_.id);
  ASSERT_EQ(invitations.size(), 2u);
  for (const auto& i : invitations) {
    EXPECT_EQ(i.role == "carer", i.revokedAt.has_value()) << i.role;
  }
}

TEST_F(RestOffThread, ADelegateIsNamedOnThePoolAndAudited) {
  std::string body = R"({"practitioner_id":")" + colleague_.id + R"("})";
  HttpResponse res = answer(request("PUT", "/api/v1/appointments/" + appointment_.id + "/delegate", body));
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(bodyOf(res)["host_delegate_id"].as_string(), colleague_.id);
  EXPECT_EQ(bodyOf(res)["invitations"].as_array().size(), 1u);
  EXPECT_EQ(audit_.written, 1);
  store::SqliteStore check(dir_ / "medrtc.db");
  EXPECT_EQ(check.findAppointment(appointment_.id)->hostDelegateId, colleague_.id);
}

// Fail closed: a grant whose event cannot be written does not stand.
TEST_F(RestOffThread, ADelegateGrantWhoseEventFailsIsTakenBack) {
  audit_.failing = true;
  std::string body = R"({"practitioner_id":")" + colleague_.id + R"("})";
  HttpResponse res = answer(request("PUT", "/api/v1/appointments/" + appointment_.id + "/delegate", body));
  EXPECT_EQ(res.status, 500) << res.body;
  store::SqliteStore check(dir_ / "medrtc.db");
  EXPECT_EQ(check.findAppointment(appointment_.id)->hostDelegateId, "") << "the grant stood without its event";
}

HttpRequest redeemRequest(const std::string& link, const std::string& name = "Erika Mustermann") {
  HttpRequest r;
  r.method = "POST";
  r.target = "/api/v1/invitations/redeem";
  r.contentType = "application/json";
  r.remoteAddress = "198.51.100.7";
  r.body = json::serialize(json::object{{"token", link}, {"name", name}});
  return r;
}

// The patient's redeem: look-up, claim and new guest on the pool, the join token once
// the event is durable.
TEST_F(RestOffThread, ARedeemIsStoredOnThePoolAndAudited) {
  HttpResponse res = answer(redeemRequest(patientLink_));
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(bodyOf(res)["room_id"].as_string(), appointment_.roomId);
  EXPECT_TRUE(signer_.verify(std::string(bodyOf(res)["join_token"].as_string())).ok());
  EXPECT_EQ(audit_.written, 1);
  store::SqliteStore check(dir_ / "medrtc.db");
  auto used = check.findInvitationByTokenHash(clinic::hashSecret(patientLink_));
  ASSERT_TRUE(used && used->usedAt);
  EXPECT_TRUE(check.findGuest(used->usedByGuestId));

  HttpResponse again = answer(redeemRequest(patientLink_));
  EXPECT_EQ(again.status, 410) << again.body;
  EXPECT_EQ(bodyOf(again)["code"].as_string(), "invitation_used");
  HttpResponse unknown = answer(redeemRequest(clinic::randomToken()));
  EXPECT_EQ(unknown.status, 404) << unknown.body;
}

// Fail closed: a redeem whose event cannot be written did not happen; no join token was
// shown, and the link can be redeemed again.
TEST_F(RestOffThread, ARedeemWhoseEventFailsIsTakenBack) {
  audit_.failing = true;
  HttpResponse res = answer(redeemRequest(patientLink_));
  EXPECT_EQ(res.status, 500) << res.body;
  EXPECT_EQ(res.body.find("join_token"), std::string::npos) << res.body;
  {
    store::SqliteStore check(dir_ / "medrtc.db");
    auto i = check.findInvitationByTokenHash(clinic::hashSecret(patientLink_));
    ASSERT_TRUE(i);
    EXPECT_FALSE(i->usedAt) << "the claim stood without its event";
    EXPECT_EQ(i->usedByGuestId, "");
  }
  audit_.failing = false;
  HttpResponse retried = answer(redeemRequest(patientLink_));
  EXPECT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(audit_.written, 1);
}

// A code's limit (10 wrong ones per address) holds for guesses whose look-ups are on the
// pool at the same time: each is counted before it goes there, not once it is back.
TEST_F(RestOffThread, CodeGuessesOnThePoolAtOnceCountAgainstTheLimit) {
  std::vector<HttpResponse> pending;
  int refusedAtOnce = 0;
  for (int i = 0; i < 12; ++i) {
    HttpRequest r = redeemRequest("");
    r.body = json::serialize(json::object{{"code", std::to_string(100'000'000 + i)}, {"name", "Guesser"}});
    HttpResponse res = api_->handle(r);
    if (!res.deferred) {
      EXPECT_EQ(res.status, 429) << res.body;
      ++refusedAtOnce;
      continue;
    }
    pending.push_back(std::move(res));
  }
  EXPECT_EQ(refusedAtOnce, 2) << "guesses in flight together passed the limit";
  int notFound = 0;
  for (HttpResponse& res : pending) {
    std::optional<HttpResponse> later;
    res.deferred([&](const HttpResponse& r) { later = r; });
    while (!later && posted_.runOne()) {
    }
    notFound += later && later->status == 404;
  }
  EXPECT_EQ(notFound, 10);
}

// The pre-call check's invitation look-up runs on the pool; the probe opens once it is back.
TEST_F(RestOffThread, APreCallCheckLooksUpItsInvitationOnThePool) {
  testing::FakeMedia media([this](std::function<void()> task) { posted_.post(std::move(task)); }, *hub_);
  api_->setConnectivityProbes(&media, {});
  auto probeRequest = [](const std::string& link) {
    HttpRequest r;
    r.method = "POST";
    r.target = "/api/v1/connectivity-probes";
    r.contentType = "application/json";
    r.remoteAddress = "198.51.100.7";
    r.body = json::serialize(json::object{{"invitation", link}, {"transport", "udp"}, {"offer", "v=0 offer"}});
    return r;
  };
  HttpResponse res = answer(probeRequest(patientLink_));
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(bodyOf(res)["answer"].as_string(), "probe-answer:v=0 offer");
  EXPECT_TRUE(media.sawCall("probe udp"));
  HttpResponse unknown = answer(probeRequest(clinic::randomToken()));
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(bodyOf(unknown)["code"].as_string(), "invitation_not_found");
}

TEST_F(RestOffThread, TermsAreReadAndWrittenOnThePool) {
  std::string admin = signedIn("admin", "admin@example.org");
  std::string path = "/api/v1/tenants/" + tenant_.id + "/terms";
  HttpResponse read = answer(request("GET", path));
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_TRUE(bodyOf(read)["terms"].as_array()[0].at("default").as_bool());
  EXPECT_EQ(answer(request("GET", "/api/v1/tenants/t_unknown/terms")).status, 404);

  HttpResponse written = answer(as(admin, "PUT", path, R"({"lang":"de","text":"Unsere Bedingungen"})"));
  ASSERT_EQ(written.status, 200) << written.body;
  EXPECT_EQ(audit_.written, 1);
  store::SqliteStore check(dir_ / "medrtc.db");
  EXPECT_EQ(check.listTerms(tenant_.id).at(0).body, "Unsere Bedingungen");
  HttpResponse practitioner = answer(request("PUT", path, R"({"lang":"de","text":"x"})"));
  EXPECT_EQ(practitioner.status, 403) << practitioner.body;
}

// Fail closed: an edit whose event cannot be written does not stand.
TEST_F(RestOffThread, ATermsEditWhoseEventFailsIsPutBack) {
  std::string admin = signedIn("admin", "admin@example.org");
  std::string path = "/api/v1/tenants/" + tenant_.id + "/terms";
  ASSERT_EQ(answer(as(admin, "PUT", path, R"({"lang":"de","text":"Erste Fassung"})")).status, 200);
  audit_.failing = true;
  HttpResponse res = answer(as(admin, "PUT", path, R"({"lang":"de","text":"Zweite Fassung"})"));
  EXPECT_EQ(res.status, 500) << res.body;
  store::SqliteStore check(dir_ / "medrtc.db");
  EXPECT_EQ(check.listTerms(tenant_.id).at(0).body, "Erste Fassung") << "the edit stood without its event";
}

// K5: the host's list and add, the staff member's list and token, all from the pool.
TEST_F(RestOffThread, TheStaffRoutesRunOnThePool) {
  store::UserRecord staff;
  std::string staffCookie = signedIn("staff", "mfa@example.org", &staff);
  std::string base = "/api/v1/appointments/" + appointment_.id;
  HttpResponse listed = answer(request("GET", base + "/staff"));
  ASSERT_EQ(listed.status, 200) << listed.body;
  ASSERT_EQ(bodyOf(listed)["staff"].as_array().size(), 1u);
  EXPECT_FALSE(bodyOf(listed)["staff"].as_array()[0].at("added").as_bool());
  EXPECT_EQ(answer(as(staffCookie, "POST", base + "/staff-token", "{}")).status, 403) << "not added yet";

  HttpResponse added = answer(request("POST", base + "/staff", R"({"user_id":")" + staff.id + R"("})"));
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(audit_.written, 1);
  EXPECT_EQ(answer(request("POST", base + "/staff", R"({"user_id":"u_nobody"})")).status, 404);

  HttpResponse mine = answer(as(staffCookie, "GET", "/api/v1/staff/consultations"));
  ASSERT_EQ(mine.status, 200) << mine.body;
  ASSERT_EQ(bodyOf(mine)["consultations"].as_array().size(), 1u);
  HttpResponse token = answer(as(staffCookie, "POST", base + "/staff-token", "{}"));
  ASSERT_EQ(token.status, 200) << token.body;
  EXPECT_EQ(bodyOf(token)["room_id"].as_string(), appointment_.roomId);
}

// Its event durable, the add is settled on the pool before the answer
// (Store::settleChange): a repeat (a retried POST) finds it standing and audited, answers
// the same and writes no second `staff_added` event; nor does the undo of the first
// request take it back any more.
TEST_F(RestOffThread, ARepeatedStaffAddAfterItsEventWritesNoSecondEvent) {
  store::UserRecord staff;
  std::string staffCookie = signedIn("staff", "mfa@example.org", &staff);
  std::string path = "/api/v1/appointments/" + appointment_.id + "/staff";
  std::string body = R"({"user_id":")" + staff.id + R"("})";
  HttpResponse first = answer(request("POST", path, body));
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(audit_.written, 1);
  HttpResponse repeat = answer(request("POST", path, body));
  ASSERT_EQ(repeat.status, 201) << repeat.body;
  EXPECT_EQ(bodyOf(repeat)["room_id"].as_string(), appointment_.roomId);
  EXPECT_EQ(audit_.written, 1) << "a repeat after the durable event wrote a second one";
  EXPECT_EQ(answer(request("POST", path, body)).status, 201);
  EXPECT_EQ(audit_.written, 1) << "an add found standing wrote another event";
  EXPECT_EQ(answer(as(staffCookie, "POST", path + "-token", "{}")).status, 200);
}

// Fail closed: an add whose event cannot be written does not stand.
TEST_F(RestOffThread, AStaffAddWhoseEventFailsIsTakenBack) {
  store::UserRecord staff;
  std::string staffCookie = signedIn("staff", "mfa@example.org", &staff);
  std::string base = "/api/v1/appointments/" + appointment_.id;
  audit_.failing = true;
  HttpResponse res = answer(request("POST", base + "/staff", R"({"user_id":")" + staff.id + R"("})"));
  EXPECT_EQ(res.status, 500) << res.body;
  audit_.failing = false;
  EXPECT_EQ(answer(as(staffCookie, "POST", base + "/staff-token", "{}")).status, 403)
      << "the add stood without its event";
  store::SqliteStore check(dir_ / "medrtc.db");
  auto g = check.findGuestByIdentity(appointment_.roomId, staff.id);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->state, "removed");
}

// ... but never once another request was told the staff member is added: that add found
// the mark made, changed nothing of its own, was audited and answered 201, so the first
// request's undo (keyed to the update time it wrote) must miss.
TEST_F(RestOffThread, AStaffAddAnotherRequestWasToldAboutIsNotTakenBack) {
  store::UserRecord staff;
  std::string staffCookie = signedIn("staff", "mfa@example.org", &staff);
  std::string path = "/api/v1/appointments/" + appointment_.id + "/staff";
  std::string body = R"({"user_id":")" + staff.id + R"("})";
  audit_.failNext = 1;
  // Both handled before any completion runs: the second's mark runs on the pool before
  // the first's undo (the first's event fails in its completion).
  std::vector<std::optional<HttpResponse>> answers(2);
  for (size_t i = 0; i < answers.size(); ++i) {
    HttpResponse first = api_->handle(request("POST", path, body));
    ASSERT_TRUE(first.deferred);
    first.deferred([&answers, i](const HttpResponse& res) { answers[i] = res; });
  }
  while (!(answers[0] && answers[1]) && posted_.runOne()) {
  }
  ASSERT_TRUE(answers[0] && answers[1]);
  EXPECT_EQ(answers[0]->status, 500) << answers[0]->body;
  ASSERT_EQ(answers[1]->status, 201) << answers[1]->body;
  EXPECT_EQ(audit_.written, 1);
  store::SqliteStore check(dir_ / "medrtc.db");
  auto g = check.findGuestByIdentity(appointment_.roomId, staff.id);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->state, "waiting") << "the first add's undo took back the add the second was told of";
  EXPECT_EQ(answer(as(staffCookie, "POST", path + "-token", "{}")).status, 200);
}

// The undo is keyed to the request, not to the update time: the waiting line's
// bookkeeping (the staff member's socket took and gave up its place while the event was
// being written: enterQueue, forgetQueuePlace) moves that, and the add stood unaudited.
TEST_F(RestOffThread, AStaffAddWhoseEventFailsIsTakenBackAfterTheWaitingLineMovedIt) {
  store::UserRecord staff;
  std::string staffCookie = signedIn("staff", "mfa@example.org", &staff);
  std::string base = "/api/v1/appointments/" + appointment_.id;
  audit_.failing = true;
  audit_.beforeEach = [&] {
    store::SqliteStore line(dir_ / "medrtc.db");
    auto g = line.findGuestByIdentity(appointment_.roomId, staff.id);
    ASSERT_TRUE(g);
    ASSERT_TRUE(line.transitionGuest(g->id, "waiting", "waiting", 0));  // forgetQueuePlace
  };
  HttpResponse res = answer(request("POST", base + "/staff", R"({"user_id":")" + staff.id + R"("})"));
  EXPECT_EQ(res.status, 500) << res.body;
  audit_.failing = false;
  audit_.beforeEach = nullptr;
  store::SqliteStore check(dir_ / "medrtc.db");
  auto g = check.findGuestByIdentity(appointment_.roomId, staff.id);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->state, "removed") << "the add stood without its event";
  EXPECT_EQ(answer(as(staffCookie, "POST", base + "/staff-token", "{}")).status, 403);
}

// A repeat add that finds an add pending its event adopts it and audits it itself; should
// both events fail, nothing is undone (the repeat has nothing of its own, the first's undo
// no longer applies), both answer the failure and the log says the add stands unaudited.
TEST_F(RestOffThread, AStaffAddWhoseTwoEventsFailedStandsAndTheLogSaysSo) {
  store::UserRecord staff;
  signedIn("staff", "mfa@example.org", &staff);
  std::string path = "/api/v1/appointments/" + appointment_.id + "/staff";
  std::string body = R"({"user_id":")" + staff.id + R"("})";
  audit_.failNext = 2;
  testing::CapturedLog log;
  std::vector<std::optional<HttpResponse>> answers(2);
  for (size_t i = 0; i < answers.size(); ++i) {
    HttpResponse first = api_->handle(request("POST", path, body));
    ASSERT_TRUE(first.deferred);
    first.deferred([&answers, i](const HttpResponse& res) { answers[i] = res; });
  }
  while (!(answers[0] && answers[1]) && posted_.runOne()) {
  }
  ASSERT_TRUE(answers[0] && answers[1]);
  EXPECT_EQ(answers[0]->status, 500) << answers[0]->body;
  EXPECT_EQ(answers[1]->status, 500) << answers[1]->body;
  store::SqliteStore check(dir_ / "medrtc.db");
  EXPECT_EQ(check.findGuestByIdentity(appointment_.roomId, staff.id)->state, "waiting");
  EXPECT_NE(log.text().find("staff_add_unaudited"), std::string::npos) << log.text();
}

// "Not undoable" is not "audited": the add that two failed events left standing is
// still pending (keyed to the adopter), so the next repeat writes its `staff_added`
// event, and once that is durable a further repeat writes none.
TEST_F(RestOffThread, AStaffAddWhoseTwoEventsFailedIsAuditedByTheNextRepeat) {
  store::UserRecord staff;
  signedIn("staff", "mfa@example.org", &staff);
  std::string path = "/api/v1/appointments/" + appointment_.id + "/staff";
  std::string body = R"({"user_id":")" + staff.id + R"("})";
  audit_.failNext = 2;
  std::vector<std::optional<HttpResponse>> answers(2);
  for (size_t i = 0; i < answers.size(); ++i) {
    HttpResponse first = api_->handle(request("POST", path, body));
    ASSERT_TRUE(first.deferred);
    first.deferred([&answers, i](const HttpResponse& res) { answers[i] = res; });
  }
  while (!(answers[0] && answers[1]) && posted_.runOne()) {
  }
  ASSERT_TRUE(answers[0] && answers[1]);
  ASSERT_EQ(answers[0]->status, 500) << answers[0]->body;
  ASSERT_EQ(answers[1]->status, 500) << answers[1]->body;
  ASSERT_EQ(audit_.written, 0);

  HttpResponse third = answer(request("POST", path, body));
  ASSERT_EQ(third.status, 201) << third.body;
  EXPECT_EQ(audit_.written, 1) << "the add stands with no staff_added event";
  EXPECT_EQ(audit_.lastWritten.rfind("staff_added", 0), 0u) << audit_.lastWritten;
  EXPECT_EQ(answer(request("POST", path, body)).status, 201);
  EXPECT_EQ(audit_.written, 1) << "a repeat after the durable event wrote a second one";
}

// The host admits the staff member while the add's event is being written, and it fails:
// the undo is skipped (the admit stands), and the add is not audited, so a repeat writes
// its `staff_added` event.
TEST_F(RestOffThread, AStaffAddAdmittedWhileItsEventFailedIsAuditedByARepeat) {
  store::UserRecord staff;
  signedIn("staff", "mfa@example.org", &staff);
  std::string path = "/api/v1/appointments/" + appointment_.id + "/staff";
  std::string body = R"({"user_id":")" + staff.id + R"("})";
  audit_.failing = true;
  audit_.beforeEach = [&] {
    store::SqliteStore host(dir_ / "medrtc.db");
    auto g = host.findGuestByIdentity(appointment_.roomId, staff.id);
    ASSERT_TRUE(g);
    ASSERT_TRUE(host.transitionGuest(g->id, "waiting", "admitted", 5));  // the host admits
  };
  HttpResponse res = answer(request("POST", path, body));
  EXPECT_EQ(res.status, 500) << res.body;
  audit_.failing = false;
  audit_.beforeEach = nullptr;
  {
    store::SqliteStore check(dir_ / "medrtc.db");
    EXPECT_EQ(check.findGuestByIdentity(appointment_.roomId, staff.id)->state, "admitted")
        << "the undo took back an admit";
  }
  ASSERT_EQ(audit_.written, 0);

  HttpResponse repeat = answer(request("POST", path, body));
  ASSERT_EQ(repeat.status, 201) << repeat.body;
  EXPECT_EQ(audit_.written, 1) << "the add stands with no staff_added event";
  EXPECT_EQ(audit_.lastWritten.rfind("staff_added", 0), 0u) << audit_.lastWritten;
  EXPECT_EQ(answer(request("POST", path, body)).status, 201);
  EXPECT_EQ(audit_.written, 1) << "a repeat after the durable event wrote a second one";
}

TEST_F(RestOffThread, TheDevRoomIsStoredOnThePool) {
  RestApi dev(controlStore_, signer_, *hub_, clock_, /*devMode=*/true, &audit_, std::span<const uint8_t>{},
              [this] {
                clinic::AuthPolicy policy;
                policy.storePool = pool_;
                return policy;
              }());
  HttpRequest r = request("POST", "/api/v1/dev/rooms", "{}");
  HttpResponse first = dev.handle(r);
  ASSERT_TRUE(first.deferred) << "answered at once (" << first.status << "): the store was written inline";
  std::optional<HttpResponse> later;
  first.deferred([&](const HttpResponse& res) { later = res; });
  while (!later && posted_.runOne()) {
  }
  ASSERT_TRUE(later);
  ASSERT_EQ(later->status, 201) << later->body;
  store::SqliteStore check(dir_ / "medrtc.db");
  EXPECT_TRUE(check.findRoom(std::string(bodyOf(*later)["id"].as_string())));
}

TEST_F(RestOffThread, TheIntegratorRoutesLookUpTheKeyAndTheRoomOnThePool) {
  HttpResponse created = answer(keyed("POST", "/api/v1/rooms", R"({"name":"x"})"));
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id(bodyOf(created)["id"].as_string());

  HttpResponse got = answer(keyed("GET", "/api/v1/rooms/" + id));
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(bodyOf(got)["status"].as_string(), "open");

  HttpResponse token = answer(keyed("POST", "/api/v1/rooms/" + id + "/tokens", R"({"identity":"a","name":"A"})"));
  EXPECT_EQ(token.status, 201) << token.body;

  HttpResponse ended = answer(keyed("DELETE", "/api/v1/rooms/" + id));
  EXPECT_EQ(ended.status, 204) << ended.body;
  EXPECT_EQ(bodyOf(answer(keyed("GET", "/api/v1/rooms/" + id)))["status"].as_string(), "ended");

  HttpRequest wrong = keyed("GET", "/api/v1/rooms/" + id);
  wrong.authorization = "Bearer mk_unknown";
  EXPECT_EQ(answer(wrong).status, 401);
}

TEST_F(RestOffThread, AFullPoolAnswers503Unavailable) {
  // The pool's one thread is held, and its queue (16) filled: the next request is refused
  // at once instead of waiting.
  std::mutex gate;
  std::unique_lock hold(gate);
  ASSERT_TRUE(pool_->submit([&](store::Store&) { std::lock_guard wait(gate); }, [] {}));
  std::vector<HttpResponse> queued;
  HttpResponse refused;
  for (int i = 0; i < 20; ++i) {
    HttpResponse res = api_->handle(request("GET", "/api/v1/appointments"));
    if (!res.deferred) {
      refused = res;
      break;
    }
    queued.push_back(std::move(res));
  }
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(bodyOf(refused)["code"].as_string(), "unavailable");
  hold.unlock();
  for (HttpResponse& res : queued) {
    std::optional<HttpResponse> later;
    res.deferred([&](const HttpResponse& r) { later = r; });
    while (!later && posted_.runOne()) {
    }
    EXPECT_EQ(later ? later->status : 0, 200);
  }
}

}  // namespace
}  // namespace medrtc::signaling
