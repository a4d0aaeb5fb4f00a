// The host's decisions through SignalingHub without TCP: fake sockets, a fake media plane,
// a real SQLite store and an audit log that can be made to fail. Each of admit, deny,
// remove and end is stored and audited, or neither (H6, clinic/admission.hpp); and the
// K12 profile rule decides whether an interpreter waits.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <boost/json.hpp>
#include <stdexcept>

#include "compliance/policy_profile.hpp"
#include "hub_harness.hpp"
#include "hub_test_doubles.hpp"

namespace medrtc::signaling {
namespace {

namespace json = boost::json;

class SwitchableAudit final : public compliance::AuditSink {
 public:
  void record(compliance::AuditEvent event) override {
    if (failing) {
      throw std::runtime_error("audit volume unavailable");
    }
    events.push_back(std::move(event));
  }
  size_t count(std::string_view what) const {
    size_t n = 0;
    for (const auto& e : events) {
      n += e.outcomeDesc.rfind(what, 0) == 0;
    }
    return n;
  }
  bool failing = false;
  std::vector<compliance::AuditEvent> events;
};

struct Peer {
  std::shared_ptr<testing::RecordingSocket> socket = std::make_shared<testing::RecordingSocket>();
  SignalingHub::ConnectionId id = 0;
};

class HubAdmission : public ::testing::Test {
 protected:
  Peer join(const std::string& identity, const std::string& role, bool p2pCapable = false) {
    Peer p;
    p.id = h_.join(p.socket, h_.token(identity, role), p2pCapable ? std::vector<std::string>{"p2p"}
                                                                  : std::vector<std::string>{});
    return p;
  }
  void send(const Peer& p, const json::object& message) { h_.send(p.id, message); }
  // The participant id of the first guest in the host's latest queue.
  static std::string firstWaiting(const Peer& host) {
    auto queues = host.socket->ofType("waiting_room");
    EXPECT_FALSE(queues.empty());
    const auto& queue = queues.back().at("queue").as_array();
    EXPECT_FALSE(queue.empty());
    return std::string(queue.at(0).at("participant_id").as_string());
  }
  static std::string joinedId(const Peer& p) {
    auto joined = p.socket->ofType("joined");
    EXPECT_EQ(joined.size(), 1u);
    return joined.empty() ? "" : std::string(joined[0].at("participant_id").as_string());
  }
  static void expectInternalError(const Peer& host, std::string_view requestType) {
    auto errors = host.socket->ofType("error");
    ASSERT_FALSE(errors.empty());
    EXPECT_EQ(errors.back().at("code").as_string(), "internal");
    EXPECT_EQ(errors.back().at("request_type").as_string(), requestType);
  }
  std::string guestState(const std::string& identity) {
    return h_.store->findGuestByIdentity(h_.room.id, identity)->state;
  }
  // A fault in the store itself, limited to one statement (a full disk, a lost primary).
  void failStoreOn(const std::string& triggerSql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((h_.dir / "medrtc.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, triggerSql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }

  SwitchableAudit audit_;
  testing::HubHarness h_{audit_, /*waitingRoom=*/true};
};

TEST_F(HubAdmission, AdmitChangesNothingWhenTheAuditFails) {
  Peer host = join("alice", "host");
  Peer guest = join("bob", "guest");
  ASSERT_EQ(guest.socket->ofType("waiting").size(), 1u);
  std::string pid = firstWaiting(host);
  audit_.failing = true;
  send(host, {{"type", "admit"}, {"participant_id", pid}});
  expectInternalError(host, "admit");
  EXPECT_TRUE(guest.socket->ofType("joined").empty());
  EXPECT_FALSE(h_.media->sawCall("add " + h_.room.id + " " + pid));
  EXPECT_EQ(guestState("bob"), "waiting");
  EXPECT_EQ(h_.hub->waitingCount(h_.room.id), 1u);
  // Once the audit log is back, the same admit goes through.
  audit_.failing = false;
  send(host, {{"type", "admit"}, {"participant_id", pid}});
  EXPECT_EQ(guest.socket->ofType("joined").size(), 1u);
  EXPECT_EQ(guestState("bob"), "admitted");
  EXPECT_EQ(audit_.count("admit"), 1u);
}

TEST_F(HubAdmission, DenyChangesNothingWhenTheAuditFails) {
  Peer host = join("alice", "host");
  Peer guest = join("bob", "guest");
  std::string pid = firstWaiting(host);
  audit_.failing = true;
  send(host, {{"type", "deny"}, {"participant_id", pid}});
  expectInternalError(host, "deny");
  EXPECT_TRUE(guest.socket->ofType("denied").empty());
  EXPECT_FALSE(guest.socket->closeCode);
  EXPECT_EQ(guestState("bob"), "waiting");  // before: "denied", with no audit event
  EXPECT_EQ(h_.hub->waitingCount(h_.room.id), 1u);
  audit_.failing = false;
  send(host, {{"type", "deny"}, {"participant_id", pid}});
  EXPECT_EQ(guest.socket->ofType("denied").size(), 1u);
  EXPECT_EQ(guestState("bob"), "denied");
  EXPECT_EQ(audit_.count("deny"), 1u);
}

TEST_F(HubAdmission, RemoveChangesNothingWhenTheAuditFails) {
  Peer host = join("alice", "host");
  Peer guest = join("bob", "guest");
  std::string waitingPid = firstWaiting(host);
  send(host, {{"type", "admit"}, {"participant_id", waitingPid}});
  std::string pid = joinedId(guest);
  audit_.failing = true;
  send(host, {{"type", "remove_participant"}, {"participant_id", pid}});
  expectInternalError(host, "remove_participant");
  EXPECT_TRUE(guest.socket->ofType("removed").empty());
  EXPECT_FALSE(guest.socket->closeCode);
  EXPECT_EQ(guestState("bob"), "admitted");  // before: "removed", with no audit event
  EXPECT_EQ(h_.hub->participants(h_.room.id).size(), 2u);
  audit_.failing = false;
  send(host, {{"type", "remove_participant"}, {"participant_id", pid}});
  EXPECT_EQ(guest.socket->ofType("removed").size(), 1u);
  EXPECT_EQ(guestState("bob"), "removed");
  EXPECT_EQ(audit_.count("remove_participant"), 1u);
}

TEST_F(HubAdmission, EndChangesNothingWhenTheAuditFails) {
  Peer host = join("alice", "host");
  Peer guest = join("bob", "guest");
  audit_.failing = true;
  send(host, {{"type", "end_consultation"}});
  expectInternalError(host, "end_consultation");
  EXPECT_FALSE(h_.store->findRoom(h_.room.id)->ended());
  EXPECT_TRUE(guest.socket->ofType("room_ended").empty());
  EXPECT_FALSE(host.socket->closeCode);
  audit_.failing = false;
  send(host, {{"type", "end_consultation"}});
  EXPECT_TRUE(h_.store->findRoom(h_.room.id)->ended());
  EXPECT_EQ(guest.socket->ofType("room_ended").size(), 1u);
  EXPECT_EQ(audit_.count("end_consultation"), 1u);
}

// The other half of the rule: a store that fails leaves no audit event claiming the end.
// Before, the event was written first and stayed when the store then failed.
TEST_F(HubAdmission, EndRecordsNothingWhenTheStoreFails) {
  Peer host = join("alice", "host");
  failStoreOn("CREATE TRIGGER no_end BEFORE UPDATE OF ended_at ON rooms BEGIN SELECT RAISE(ABORT, 'disk full'); END");
  send(host, {{"type", "end_consultation"}});
  expectInternalError(host, "end_consultation");
  EXPECT_EQ(audit_.count("end_consultation"), 0u);
  EXPECT_FALSE(h_.store->findRoom(h_.room.id)->ended());
  EXPECT_FALSE(host.socket->closeCode);
}

TEST_F(HubAdmission, DenyRecordsNothingWhenTheStoreFails) {
  Peer host = join("alice", "host");
  Peer guest = join("bob", "guest");
  std::string pid = firstWaiting(host);
  failStoreOn("CREATE TRIGGER no_state BEFORE UPDATE OF state ON guests BEGIN SELECT RAISE(ABORT, 'disk full'); END");
  send(host, {{"type", "deny"}, {"participant_id", pid}});
  expectInternalError(host, "deny");
  EXPECT_EQ(audit_.count("deny"), 0u);
  EXPECT_FALSE(guest.socket->closeCode);
}

// K12 at run time: session.third_participant_needs_host_approval = false lets an
// interpreter in without the host's admit; true (every shipped profile) keeps it waiting.
TEST_F(HubAdmission, InterpreterWaitsOnlyWhileTheProfileRequiresApproval) {
  store::TenantRecord t;
  t.name = "Praxis";
  t.createdAt = 1;
  t = h_.store->createTenant(t);
  h_.room = h_.store->createRoom(store::NewRoom{.name = "", .waitingRoom = true, .tenantId = t.id}, 1000);
  auto profile = std::make_shared<compliance::PolicyProfile>();
  profile->name = "test";
  profile->e2eeRequired = false;  // E2EE at join is e2ee_relay_test.cpp's subject
  h_.hub->setTenantProfiles([&](const store::TenantRecord&) -> Result<clinic::TenantProfiles, std::string> {
    return clinic::TenantProfiles{nullptr, profile};
  });
  Peer host = join("u_doctor", "host");
  Peer waits = join("g_interpreter1", "interpreter");
  EXPECT_EQ(waits.socket->ofType("waiting").size(), 1u);
  EXPECT_TRUE(waits.socket->ofType("joined").empty());

  profile->thirdParticipantNeedsHostApproval = false;
  Peer joins = join("g_interpreter2", "interpreter");
  EXPECT_TRUE(joins.socket->ofType("waiting").empty());
  EXPECT_EQ(joins.socket->ofType("joined").size(), 1u);
  Peer patient = join("g_patient", "patient");
  EXPECT_EQ(patient.socket->ofType("waiting").size(), 1u);  // K3 still holds for the patient
}

// K7 per tenant (clinic/admission.hpp tenantPrefersP2p): on a node that does not prefer
// P2P, a tenant whose own profile does gets P2P for its 1:1 calls; a tenant without that
// preference stays on the SFU (its clients are told no mode at all, as before).
TEST_F(HubAdmission, P2pFollowsTheTenantsOwnProfile) {
  auto kbv = std::make_shared<compliance::PolicyProfile>();
  kbv->name = "kbv";
  kbv->p2pPreferredOneToOne = true;
  kbv->e2eeRequired = false;  // E2EE at join is e2ee_relay_test.cpp's subject
  h_.hub->setTenantProfiles([&](const store::TenantRecord& t) -> Result<clinic::TenantProfiles, std::string> {
    return clinic::TenantProfiles{t.policyProfile == "kbv" ? kbv : nullptr, nullptr};
  });
  store::TenantRecord practice;
  practice.name = "Praxis";
  practice.policyProfile = "kbv";
  practice.createdAt = 1;
  practice = h_.store->createTenant(practice);
  h_.room = h_.store->createRoom(store::NewRoom{.name = "", .waitingRoom = false, .tenantId = practice.id}, 1000);
  Peer doctor = join("u_doctor", "host", true);
  Peer guest = join("g_guest", "guest", true);
  std::string doctorId = joinedId(doctor), guestId = joinedId(guest);
  ASSERT_EQ(guest.socket->ofType("joined").size(), 1u);
  EXPECT_EQ(guest.socket->ofType("joined")[0].at("media_mode").as_string(), "p2p");
  auto doctorModes = doctor.socket->ofType("media_mode");
  ASSERT_FALSE(doctorModes.empty());
  EXPECT_EQ(doctorModes.back().at("mode").as_string(), "p2p");
  EXPECT_EQ(doctorModes.back().at("peer").as_string(), guestId);
  auto guestModes = guest.socket->ofType("media_mode");
  ASSERT_FALSE(guestModes.empty());
  EXPECT_EQ(guestModes.back().at("peer").as_string(), doctorId);

  store::TenantRecord other;
  other.name = "Klinik";
  other.createdAt = 1;
  other = h_.store->createTenant(other);
  h_.room = h_.store->createRoom(store::NewRoom{.name = "", .waitingRoom = false, .tenantId = other.id}, 1000);
  Peer host = join("u_host", "host", true);
  Peer visitor = join("g_visitor", "guest", true);
  ASSERT_EQ(visitor.socket->ofType("joined").size(), 1u);
  EXPECT_FALSE(visitor.socket->ofType("joined")[0].contains("media_mode"));
  EXPECT_TRUE(host.socket->ofType("media_mode").empty());
  EXPECT_TRUE(visitor.socket->ofType("media_mode").empty());
}

}  // namespace
}  // namespace medrtc::signaling
