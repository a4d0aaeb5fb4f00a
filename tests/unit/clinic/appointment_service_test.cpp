#include "clinic/appointment_service.hpp"

#include "clinic/fhir_appointment.hpp"
#include "clinic_fixture.hpp"

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

namespace medrtc::clinic {
namespace {

using testing::ClinicFixture;

class AppointmentTest : public ClinicFixture {
 protected:
  AppointmentTest() {
    tenant_ = makeTenant();
    user_ = makeUser(tenant_, "weber@example.org", "practitioner");
    who_ = SessionContext{store::SessionRecord{}, user_, tenant_};
  }

  CreatedAppointment book(int64_t startIn = 600, int64_t minutes = 30) {
    auto r = service_.create(who_, NewAppointment{now() + startIn, now() + startIn + minutes * 60, "Follow-up", "", ""});
    EXPECT_TRUE(r);
    return *r;
  }

  RedeemRequest byToken(const std::string& token, const std::string& name = "Erika Mustermann") {
    return RedeemRequest{token, std::nullopt, name, "192.0.2.7"};
  }
  RedeemRequest byCode(const std::string& code, const std::string& addr = "192.0.2.7") {
    return RedeemRequest{std::nullopt, code, "Erika Mustermann", addr};
  }

  store::TenantRecord tenant_;
  store::UserRecord user_;
  SessionContext who_;
  AppointmentService service_{*store_, clock_, &audit_, std::vector<uint8_t>(32, 7)};
};

TEST_F(AppointmentTest, CreateMakesAWaitingRoomAndAPatientInvitation) {
  auto c = book();
  EXPECT_EQ(c.appointment.status, "booked");
  EXPECT_EQ(c.appointment.practitionerId, user_.id);
  auto room = store_->findRoom(c.appointment.roomId);
  ASSERT_TRUE(room);
  EXPECT_TRUE(room->waitingRoom);
  EXPECT_EQ(room->tenantId, tenant_.id);
  EXPECT_EQ(c.invitation.token.size(), 43u);
  EXPECT_EQ(c.invitation.code.size(), 9u);
  EXPECT_EQ(c.invitation.record.role, "patient");
  EXPECT_EQ(c.invitation.record.expiresAt, c.appointment.end + 30 * 60);
  EXPECT_EQ(audit_.count("appointment_create"), 1u);
  EXPECT_EQ(audit_.count("invitation_create"), 1u);
}

TEST_F(AppointmentTest, ValidationRefusesBadTimesAndForeignPractitioner) {
  EXPECT_FALSE(service_.create(who_, NewAppointment{now() + 100, now() + 100, "", "", ""}));
  EXPECT_FALSE(service_.create(who_, NewAppointment{now(), now() + 25 * 3600, "", "", ""}));
  auto other = makeTenant();
  auto foreign = makeUser(other, "x@other.org", "practitioner");
  auto r = service_.create(who_, NewAppointment{now(), now() + 60, "", "", foreign.id});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "invalid_field");
}

TEST_F(AppointmentTest, AnotherTenantSeesNotFound) {
  auto c = book();
  auto other = makeTenant();
  auto stranger = makeUser(other, "x@other.org", "practitioner");
  SessionContext them{store::SessionRecord{}, stranger, other};
  EXPECT_EQ(service_.get(them, c.appointment.id).error().error, ClinicError::kNotFound);
  EXPECT_EQ(service_.cancel(them, c.appointment.id).error().error, ClinicError::kNotFound);
  EXPECT_EQ(service_.reschedule(them, c.appointment.id, std::nullopt, now()).error().error, ClinicError::kNotFound);
  EXPECT_EQ(service_.invite(them, c.appointment.id, "carer").error().error, ClinicError::kNotFound);
  EXPECT_EQ(service_.revokeInvitation(them, c.invitation.record.id).error().error, ClinicError::kNotFound);
  EXPECT_TRUE(service_.list(them, 0, now() + 100000).empty());
  EXPECT_EQ(service_.list(who_, 0, now() + 100000).size(), 1u);
}

TEST_F(AppointmentTest, LinkIsSingleUse) {
  auto c = book();
  auto first = service_.redeem(byToken(c.invitation.token));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->guest.state, "waiting");
  EXPECT_EQ(first->guest.role, "patient");
  EXPECT_EQ(first->guest.roomId, c.appointment.roomId);
  EXPECT_EQ(store_->findInvitation(c.invitation.record.id)->usedByGuestId, first->guest.id);
  auto second = service_.redeem(byToken(c.invitation.token, "Someone Else"));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().error, RedeemError::kUsed);
  // The code of a used invitation is used too.
  EXPECT_EQ(service_.redeem(byCode(c.invitation.code)).error().error, RedeemError::kUsed);
  // The redeem audit event carries the name only as a personal field to be sealed.
  bool sawRedeem = false;
  for (const auto& e : audit_.events) {
    if (e.outcomeDesc.rfind("invitation_redeem: link", 0) == 0) {
      sawRedeem = true;
      ASSERT_TRUE(e.entities[0].display);
      EXPECT_EQ(e.entities[0].display->subjectId, first->guest.id);
      EXPECT_EQ(e.outcomeDesc.find("Erika"), std::string::npos);
    }
  }
  EXPECT_TRUE(sawRedeem);
}

TEST_F(AppointmentTest, ReplayingAUsedLinkIsAuditedOncePerWindowNotEachTime) {
  // Issue 10 item 6: anyone holding a used link could append an event per request.
  auto c = book();
  ASSERT_TRUE(service_.redeem(byToken(c.invitation.token)));
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(service_.redeem(byToken(c.invitation.token, "Someone Else")).error().error, RedeemError::kUsed);
  }
  EXPECT_EQ(audit_.count("invitation_redeem: invitation_used"), 1u);
  clock_.advance(std::chrono::seconds(61));
  ASSERT_FALSE(service_.redeem(byToken(c.invitation.token, "Someone Else")));
  EXPECT_EQ(audit_.count("invitation_redeem: invitation_used; repeated 999 more times"), 1u);
  EXPECT_EQ(audit_.count("invitation_redeem: invitation_used"), 3u);
}

TEST_F(AppointmentTest, CodeWorksOnce) {
  auto c = book();
  auto r = service_.redeem(byCode(c.invitation.code));
  ASSERT_TRUE(r);
  EXPECT_EQ(service_.redeem(byToken(c.invitation.token)).error().error, RedeemError::kUsed);
}

TEST_F(AppointmentTest, ExpiryFollowsTheAppointmentEnd) {
  auto c = book(600, 30);
  clock_.advance(std::chrono::seconds(600 + 30 * 60 + 30 * 60));  // end + 30 min
  EXPECT_EQ(service_.redeem(byToken(c.invitation.token)).error().error, RedeemError::kExpired);
  // Rescheduling moves the expiry with the end.
  ASSERT_TRUE(service_.reschedule(who_, c.appointment.id, now() + 60, now() + 120));
  EXPECT_TRUE(service_.redeem(byToken(c.invitation.token)));
}

TEST_F(AppointmentTest, RevokedAndCancelledInvitationsAreRefused) {
  auto c = book();
  ASSERT_TRUE(service_.revokeInvitation(who_, c.invitation.record.id));
  EXPECT_EQ(service_.redeem(byToken(c.invitation.token)).error().error, RedeemError::kRevoked);
  auto interpreter = service_.invite(who_, c.appointment.id, "interpreter");
  ASSERT_TRUE(interpreter);
  EXPECT_EQ(interpreter->record.role, "interpreter");
  ASSERT_TRUE(service_.cancel(who_, c.appointment.id));
  EXPECT_EQ(service_.get(who_, c.appointment.id)->status, "cancelled");
  EXPECT_EQ(service_.redeem(byToken(interpreter->token)).error().error, RedeemError::kRevoked);
  EXPECT_EQ(service_.invite(who_, c.appointment.id, "carer").error().error, ClinicError::kCancelled);
  EXPECT_EQ(service_.invite(who_, c.appointment.id, "host").error().error, ClinicError::kInvalid);
  EXPECT_EQ(audit_.count("appointment_cancel"), 1u);
}

TEST_F(AppointmentTest, UnknownTokenAndBadNames) {
  auto c = book();
  EXPECT_EQ(service_.redeem(byToken("nope")).error().error, RedeemError::kNotFound);
  EXPECT_EQ(service_.redeem(byToken(c.invitation.token, "")).error().error, RedeemError::kInvalidName);
  EXPECT_EQ(service_.redeem(byToken(c.invitation.token, std::string(101, 'a'))).error().error,
            RedeemError::kInvalidName);
  EXPECT_EQ(service_.redeem(byToken(c.invitation.token, "a\nb")).error().error, RedeemError::kInvalidName);
  EXPECT_EQ(service_.redeem(byToken(c.invitation.token, "   ")).error().error, RedeemError::kInvalidName);
  // 100 code points of a 2-byte letter is fine.
  std::string hundred;
  for (int i = 0; i < 100; ++i) {
    hundred += "\xc3\xa4";
  }
  EXPECT_TRUE(service_.redeem(byToken(c.invitation.token, hundred)));
  RedeemRequest both{c.invitation.token, c.invitation.code, "A", "x"};
  EXPECT_EQ(service_.redeem(both).error().error, RedeemError::kInvalidRequest);
}

TEST_F(AppointmentTest, CodeGuessingIsLimitedPerAddress) {
  auto c = book();
  std::string wrong = c.invitation.code == "000000000" ? "000000001" : "000000000";
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(service_.redeem(byCode(wrong)).error().error, RedeemError::kNotFound);
  }
  // Even the right code waits now: the limit is per address, not per code.
  auto locked = service_.redeem(byCode(c.invitation.code));
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().error, RedeemError::kTooManyAttempts);
  EXPECT_EQ(locked.error().retryAfterSeconds, 15 * 60);
  EXPECT_TRUE(service_.redeem(byCode(c.invitation.code, "192.0.2.8")));
  EXPECT_EQ(audit_.count("invitation_code_wrong"), 10u);
}

TEST_F(AppointmentTest, RateLimitedCodeGuessesAreOneEventAndOneLogLinePerSourceAndWindow) {
  auto c = book();
  std::string wrong = c.invitation.code == "000000000" ? "000000001" : "000000000";
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(service_.redeem(byCode(wrong)).error().error, RedeemError::kNotFound);
  }
  std::ostringstream lines;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(
      std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(lines)));
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(service_.redeem(byCode(wrong)).error().error, RedeemError::kTooManyAttempts);
  }
  spdlog::default_logger()->flush();
  spdlog::set_default_logger(previous);
  std::string text = lines.str();
  size_t logged = 0;
  for (size_t at = text.find("too_many_attempts"); at != std::string::npos;
       at = text.find("too_many_attempts", at + 1)) {
    ++logged;
  }
  EXPECT_EQ(logged, 1u) << text.substr(0, 500);
  EXPECT_EQ(audit_.count("invitation_code_rate_limited"), 1u);
}

TEST_F(AppointmentTest, CodeGuessingIsLimitedGloballyAcrossAddresses) {
  auto c = book();
  std::string wrong = c.invitation.code == "000000000" ? "000000001" : "000000000";
  for (int i = 0; i < 100; ++i) {
    // A botnet: every guess from a new address.
    ASSERT_EQ(service_.redeem(byCode(wrong, "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250)))
                  .error()
                  .error,
              RedeemError::kNotFound);
  }
  auto r = service_.redeem(byCode(c.invitation.code, "203.0.113.1"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().error, RedeemError::kTooManyAttempts);
  // Links are not affected.
  EXPECT_TRUE(service_.redeem(byToken(c.invitation.token)));
  clock_.advance(std::chrono::hours(1));
  auto c2 = book();
  EXPECT_TRUE(service_.redeem(byCode(c2.invitation.code, "203.0.113.1")));
}

TEST_F(AppointmentTest, StaffOrganiseButDoNotHost) {
  auto staff = makeUser(tenant_, "desk@example.org", "staff");
  SessionContext desk{store::SessionRecord{}, staff, tenant_};
  auto r = service_.create(desk, NewAppointment{now() + 60, now() + 1800, "", "", user_.id});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->appointment.practitionerId, user_.id);
  EXPECT_EQ(service_.hostable(desk, r->appointment.id).error().error, ClinicError::kForbidden);
  EXPECT_TRUE(service_.hostable(who_, r->appointment.id));
}

TEST_F(AppointmentTest, FhirR5AppointmentWithVirtualService) {
  auto c = book();
  auto o = toFhirAppointment(c.appointment, "/consult/" + c.appointment.id, 4);
  EXPECT_EQ(o.at("resourceType").as_string(), "Appointment");
  EXPECT_EQ(o.at("status").as_string(), "booked");
  const auto& vs = o.at("virtualService").as_array().at(0).as_object();
  EXPECT_EQ(vs.at("addressUrl").as_string(), "/consult/" + c.appointment.id);
  EXPECT_EQ(vs.at("channelType").as_object().at("code").as_string(), "medrtc");
  EXPECT_EQ(o.at("participant").as_array().at(0).at("actor").at("reference").as_string(),
            "Practitioner/" + user_.id);
  EXPECT_EQ(o.at("minutesDuration").as_int64(), 30);
}

}  // namespace
}  // namespace medrtc::clinic
