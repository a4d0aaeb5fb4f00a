// clinic::Admission over the real audit writer (group commit): a host's decision does not
// wait for the disk, and when the batch holding its event fails to sync, every decision
// of that batch is undone on the control thread (stored and audited, or neither: H6).
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "clinic/admission.hpp"
#include "clinic_fixture.hpp"
#include "compliance/audit_fixtures.hpp"
#include "compliance/audit_log.hpp"
#include "compliance/audit_writer.hpp"
#include "compliance/sync_gate.hpp"

namespace medrtc::clinic::testing {
namespace {

using compliance::testing::PostedTasks;
using compliance::testing::SyncGate;

class AdmissionGroupCommitTest : public ClinicFixture {
 protected:
  AdmissionGroupCommitTest() : admission_(*store_, clock_) {
    auto options = compliance::testing::logOptions(dir_ / "data", &clock_, /*every=*/1000);
    options.syncEvents = gate_.hook();
    log_ = compliance::AuditLog::open(options);
    writer_.emplace(*log_, control_.poster());
    admission_.setAudit(&*writer_);
    room_ = store_->createRoom(store::NewRoom{.name = "", .waitingRoom = true, .tenantId = ""}, now());
    host_ = Party{room_.id, "u_doctor", "host"};
  }
  ~AdmissionGroupCommitTest() override {
    gate_.release();
    writer_.reset();
  }

  Party patient(int i) { return Party{room_.id, "g_patient_" + std::to_string(i), "patient"}; }
  std::string state(const std::string& guestId) { return store_->findGuest(guestId)->state; }

  SyncGate gate_;
  PostedTasks control_;
  std::unique_ptr<compliance::AuditLog> log_;
  std::optional<compliance::AuditWriter> writer_;
  Admission admission_;
  store::RoomRecord room_;
  Party host_;
};

TEST_F(AdmissionGroupCommitTest, AFailedSyncUndoesEveryDecisionOfItsBatch) {
  constexpr int kPatients = 3;
  std::vector<std::string> guests;
  for (int i = 0; i < kPatients; ++i) {
    guests.push_back(admission_.enter(room_, patient(i)).guestId);
  }
  // Some other event is syncing slowly; the admissions queue behind it and share the
  // next sync, which fails (a dying disk).
  gate_.failSync(2);
  gate_.hold();
  bool otherDone = false;
  writer_->recordLater(compliance::testing::loginEvent(1, false), [&](std::exception_ptr) { otherDone = true; });
  ASSERT_TRUE(gate_.waitUntilHeld());

  std::vector<std::optional<Decided>> outcomes(kPatients);
  for (int i = 0; i < kPatients; ++i) {
    // Returns at once although the disk is stuck: the control thread is not blocked.
    admission_.admit(host_, guests[i], patient(i), [&outcomes, i](Decided d) { outcomes[i] = std::move(d); });
    EXPECT_FALSE(outcomes[i]) << "decided before its audit event was written";
    EXPECT_EQ(state(guests[i]), "admitted") << "stored, not yet confirmed";
  }
  gate_.release();
  ASSERT_TRUE(control_.runUntil([&] {
    for (auto& o : outcomes) {
      if (!o) {
        return false;
      }
    }
    return otherDone;
  }));
  for (int i = 0; i < kPatients; ++i) {
    EXPECT_TRUE(outcomes[i]->failure) << "patient " << i;
    EXPECT_EQ(state(guests[i]), "waiting") << "undone: patient " << i;
  }
  EXPECT_EQ(log_->size(), 1u) << "only the other event is in the log";

  // The disk is back: the next decision is stored and audited.
  std::optional<Decided> again;
  admission_.admit(host_, guests[0], patient(0), [&](Decided d) { again = std::move(d); });
  ASSERT_TRUE(control_.runUntil([&] { return again.has_value(); }));
  EXPECT_FALSE(again->failure);
  EXPECT_EQ(state(guests[0]), "admitted");
  EXPECT_EQ(log_->size(), 2u);
}

}  // namespace
}  // namespace medrtc::clinic::testing
