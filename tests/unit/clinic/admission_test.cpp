// clinic::Admission: where a join goes, and the host's decisions stored and audited or
// neither (H6). No sockets here; signaling/hub_admission_test.cpp drives it through the hub.
#include "clinic/admission.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <stdexcept>

#include "clinic_fixture.hpp"

namespace medrtc::clinic::testing {
namespace {

// An audit log that can be made to fail, as a full disk or a dead audit volume would.
class SwitchableAudit final : public compliance::AuditSink {
 public:
  void record(compliance::AuditEvent event) override {
    if (failing) {
      throw std::runtime_error("audit volume unavailable");
    }
    events.push_back(std::move(event));
  }
  bool failing = false;
  std::vector<compliance::AuditEvent> events;
};

class AdmissionTest : public ClinicFixture {
 protected:
  AdmissionTest() : admission_(*store_, clock_) {
    admission_.setAudit(&audit_);
    tenant_ = makeTenant();
    room_ = store_->createRoom(store::NewRoom{.name = "", .waitingRoom = true, .tenantId = tenant_.id}, now());
    host_ = Party{room_.id, "u_doctor", "host"};
  }

  std::string state(const std::string& guestId) { return store_->findGuest(guestId)->state; }
  // A decision's outcome: the fake sink completes inline, so it is known at return.
  static Decided decided(const std::function<void(DecisionDone)>& start) {
    std::optional<Decided> out;
    start([&out](Decided d) { out = std::move(d); });
    EXPECT_TRUE(out.has_value()) << "an inline sink decides before the call returns";
    return out.value_or(Decided{});
  }
  Decided admit(const std::string& guestId, const Party& target) {
    return decided([&](DecisionDone done) { admission_.admit(host_, guestId, target, std::move(done)); });
  }
  Decided deny(const std::string& guestId, const Party& target) {
    return decided([&](DecisionDone done) { admission_.deny(host_, guestId, target, std::move(done)); });
  }
  Decided remove(const Party& host, const std::string& guestId, const Party& target) {
    return decided([&](DecisionDone done) { admission_.remove(host, guestId, target, std::move(done)); });
  }
  Decided end() {
    return decided([&](DecisionDone done) { admission_.end(host_, std::move(done)); });
  }
  static bool stands(const Decided& d) { return !d.failure && !d.alreadyDecided; }
  // Governing profiles for every tenant: the node's only, with K12 on or off.
  void governBy(bool needsApproval) {
    auto node = std::make_shared<compliance::PolicyProfile>();
    node->name = "test";
    node->thirdParticipantNeedsHostApproval = needsApproval;
    admission_.setProfiles([node](const store::TenantRecord&) -> Result<TenantProfiles, std::string> {
      return TenantProfiles{nullptr, node};
    });
  }

  SwitchableAudit audit_;
  Admission admission_;
  store::TenantRecord tenant_;
  store::RoomRecord room_;
  Party host_;
};

TEST(GuestState, NamesAreTheStoredWords) {
  for (GuestState s : {GuestState::kWaiting, GuestState::kAdmitted, GuestState::kDenied, GuestState::kRemoved}) {
    EXPECT_EQ(guestStateFrom(toString(s)), s);
  }
  EXPECT_EQ(toString(GuestState::kAdmitted), "admitted");
  EXPECT_FALSE(guestStateFrom("Admitted"));
  EXPECT_FALSE(guestStateFrom(""));
}

TEST_F(AdmissionTest, PatientWaitsAndIsAdmittedOnce) {
  Party patient{room_.id, "g_patient", "patient"};
  EntryDecision d = admission_.enter(room_, patient);
  EXPECT_EQ(d.entry, Entry::kWait);
  ASSERT_FALSE(d.guestId.empty());
  EXPECT_EQ(state(d.guestId), "waiting");
  EXPECT_TRUE(stands(admit(d.guestId, patient)));
  EXPECT_EQ(state(d.guestId), "admitted");
  Decided second = admit(d.guestId, patient);
  EXPECT_TRUE(second.alreadyDecided);
  EXPECT_FALSE(second.failure);
  ASSERT_EQ(audit_.events.size(), 1u);
  EXPECT_EQ(audit_.events[0].outcomeDesc.rfind("admit", 0), 0u);
  // Reconnecting: admitted skips the queue.
  EXPECT_EQ(admission_.enter(room_, patient).entry, Entry::kJoin);
}

TEST_F(AdmissionTest, HostNeverWaits) {
  EXPECT_EQ(admission_.enter(room_, host_).entry, Entry::kJoin);
}

TEST_F(AdmissionTest, AdmitLeavesNoChangeWhenTheAuditFails) {
  Party patient{room_.id, "g_patient", "patient"};
  std::string guestId = admission_.enter(room_, patient).guestId;
  audit_.failing = true;
  EXPECT_TRUE(admit(guestId, patient).failure);
  EXPECT_EQ(state(guestId), "waiting");
  EXPECT_EQ(admission_.enter(room_, patient).entry, Entry::kWait);
}

TEST_F(AdmissionTest, DenyLeavesNoChangeWhenTheAuditFails) {
  Party patient{room_.id, "g_patient", "patient"};
  std::string guestId = admission_.enter(room_, patient).guestId;
  audit_.failing = true;
  EXPECT_TRUE(deny(guestId, patient).failure);
  EXPECT_EQ(state(guestId), "waiting");
  audit_.failing = false;
  EXPECT_TRUE(stands(deny(guestId, patient)));
  EXPECT_EQ(state(guestId), "denied");
  EXPECT_EQ(admission_.enter(room_, patient).entry, Entry::kDenied);
}

TEST_F(AdmissionTest, RemoveLeavesNoChangeWhenTheAuditFails) {
  Party patient{room_.id, "g_patient", "patient"};
  std::string guestId = admission_.enter(room_, patient).guestId;
  ASSERT_TRUE(stands(admit(guestId, patient)));
  audit_.failing = true;
  EXPECT_TRUE(remove(host_, guestId, patient).failure);
  EXPECT_EQ(state(guestId), "admitted");
  EXPECT_EQ(admission_.enter(room_, patient).entry, Entry::kJoin);
  audit_.failing = false;
  EXPECT_TRUE(stands(remove(host_, guestId, patient)));
  EXPECT_EQ(state(guestId), "removed");
  EXPECT_EQ(admission_.enter(room_, patient).entry, Entry::kRemoved);
}

// A participant without an admission record (an integrator room's guest, who never
// waited): removal stores one, so the same token cannot come back in; a failed audit
// leaves it free to rejoin as before.
TEST_F(AdmissionTest, RemovingSomeoneWithoutARecordStoresOneOnlyWithItsAudit) {
  store::RoomRecord open = store_->createRoom(store::NewRoom{}, now());
  Party host{open.id, "alice", "host"};
  Party guest{open.id, "bob", "guest"};
  EXPECT_EQ(admission_.enter(open, guest).entry, Entry::kJoin);
  audit_.failing = true;
  EXPECT_TRUE(remove(host, "", guest).failure);
  EXPECT_EQ(admission_.enter(open, guest).entry, Entry::kJoin);
  audit_.failing = false;
  EXPECT_TRUE(stands(remove(host, "", guest)));
  EXPECT_EQ(admission_.enter(open, guest).entry, Entry::kRemoved);
}

TEST_F(AdmissionTest, EndLeavesNoChangeWhenTheAuditFails) {
  store::InvitationRecord inv;
  inv.tenantId = tenant_.id;
  inv.appointmentId = "a_1";
  inv.roomId = room_.id;
  inv.role = "patient";
  inv.tokenHash = "t";
  inv.codeHash = "c";
  inv.createdAt = now();
  inv.expiresAt = now() + 3600;
  inv = store_->createInvitation(inv);
  audit_.failing = true;
  EXPECT_TRUE(end().failure);
  EXPECT_FALSE(store_->findRoom(room_.id)->ended());
  EXPECT_FALSE(store_->findInvitation(inv.id)->revokedAt);
  audit_.failing = false;
  EXPECT_EQ(end().revoked, 1);
  EXPECT_TRUE(store_->findRoom(room_.id)->ended());
  EXPECT_TRUE(store_->findInvitation(inv.id)->revokedAt);
  ASSERT_EQ(audit_.events.size(), 1u);
  EXPECT_EQ(audit_.events[0].outcomeDesc.rfind("end_consultation", 0), 0u);
}

// KBV K12: session.third_participant_needs_host_approval, through checkAction.
TEST_F(AdmissionTest, ThirdParticipantWaitsWhileAProfileRequiresTheHostsApproval) {
  governBy(/*needsApproval=*/true);
  EXPECT_EQ(admission_.enter(room_, Party{room_.id, "g_interpreter", "interpreter"}).entry, Entry::kWait);
  EXPECT_EQ(admission_.enter(room_, Party{room_.id, "g_carer", "carer"}).entry, Entry::kWait);
}

TEST_F(AdmissionTest, ThirdParticipantJoinsWhenNoGoverningProfileRequiresApproval) {
  governBy(/*needsApproval=*/false);
  EntryDecision interpreter = admission_.enter(room_, Party{room_.id, "g_interpreter", "interpreter"});
  EXPECT_EQ(interpreter.entry, Entry::kJoin);
  EXPECT_EQ(admission_.enter(room_, Party{room_.id, "g_carer", "carer"}).entry, Entry::kJoin);
  // The patient's waiting room is another rule (K3): the patient still waits.
  EXPECT_EQ(admission_.enter(room_, Party{room_.id, "g_patient", "patient"}).entry, Entry::kWait);
  // A host's decisions still hold: a removed interpreter stays out.
  EXPECT_TRUE(stands(remove(host_, interpreter.guestId, Party{room_.id, "g_interpreter", "interpreter"})));
  EXPECT_EQ(admission_.enter(room_, Party{room_.id, "g_interpreter", "interpreter"}).entry, Entry::kRemoved);
}

TEST_F(AdmissionTest, ThirdParticipantWaitsWhenNoProfileGovernsOrItCannotBeLoaded) {
  EXPECT_EQ(admission_.enter(room_, Party{room_.id, "g_1", "interpreter"}).entry, Entry::kWait);
  admission_.setProfiles([](const store::TenantRecord&) -> Result<TenantProfiles, std::string> {
    return TenantProfiles{nullptr, nullptr};
  });
  EXPECT_EQ(admission_.enter(room_, Party{room_.id, "g_2", "interpreter"}).entry, Entry::kWait);
  admission_.setProfiles([](const store::TenantRecord&) -> Result<TenantProfiles, std::string> {
    return fail(std::string("tenant names a missing profile"));
  });
  EXPECT_EQ(admission_.enter(room_, Party{room_.id, "g_3", "interpreter"}).entry, Entry::kWait);
}

// The tenant's own profile and the node's both govern: either one requiring approval wins.
TEST_F(AdmissionTest, EitherGoverningProfileRequiringApprovalMakesTheThirdParticipantWait) {
  auto strict = std::make_shared<compliance::PolicyProfile>();
  strict->name = "strict";
  auto lax = std::make_shared<compliance::PolicyProfile>();
  lax->name = "lax";
  lax->thirdParticipantNeedsHostApproval = false;
  admission_.setProfiles([&](const store::TenantRecord&) -> Result<TenantProfiles, std::string> {
    return TenantProfiles{lax, strict};
  });
  EXPECT_EQ(admission_.enter(room_, Party{room_.id, "g_1", "interpreter"}).entry, Entry::kWait);
  admission_.setProfiles([&](const store::TenantRecord&) -> Result<TenantProfiles, std::string> {
    return TenantProfiles{strict, lax};
  });
  EXPECT_EQ(admission_.enter(room_, Party{room_.id, "g_2", "interpreter"}).entry, Entry::kWait);
}

}  // namespace
}  // namespace medrtc::clinic::testing
