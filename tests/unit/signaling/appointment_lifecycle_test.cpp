// The appointment's status follows the consultation (FHIR Appointment.status): admitting
// the patient makes it arrived, ending the consultation fulfilled, and the patient's used
// invitation keeps saying "used" after the end.
#include <gtest/gtest.h>

#include "consultation_support.hpp"

namespace medrtc::signaling {
namespace {

using namespace testing;
namespace json = boost::json;

std::string appointmentStatus(ClinicClient& doctor, const std::string& id) {
  return str(doctor.call("GET", "/api/v1/appointments/" + id).json().at("status"));
}

std::string fhirStatus(ClinicClient& doctor, const std::string& id) {
  return str(doctor.call("GET", "/api/v1/appointments/" + id + "/fhir").json().at("status"));
}

std::map<std::string, std::string> invitationStatuses(ClinicClient& doctor, const std::string& id) {
  std::map<std::string, std::string> out;
  json::value appointment = doctor.call("GET", "/api/v1/appointments/" + id).json();
  for (const auto& i : appointment.at("invitations").as_array()) {
    out[str(i.at("id"))] = str(i.at("status"));
  }
  return out;
}

TEST(AppointmentLifecycle, AdmissionMakesItArrivedAndTheEndFulfilledWithTheInvitationUsed) {
  TestServer server;
  ClinicClient doctor(server.port());
  auto account = server.addAccount("weber@example.org");
  ASSERT_EQ(doctor.login(account.email, account.password).status, 200);
  Booking booking = book(doctor, server);
  auto interpreter = doctor.call("POST", "/api/v1/appointments/" + booking.appointmentId + "/invitations",
                                 R"({"role":"interpreter"})");
  std::string unusedId = str(interpreter.json().at("id"));
  EXPECT_EQ(appointmentStatus(doctor, booking.appointmentId), "booked");

  WsClient host(server.port());
  ASSERT_EQ(str(host.join(hostToken(doctor, booking.appointmentId))["type"]), "joined");
  ASSERT_EQ(str(host.readJson()["type"]), "waiting_room");  // the empty queue
  WsClient patient(server.port());
  ASSERT_EQ(str(patient.join(joinTokenOf(redeemLink(server, booking.linkToken, "Erika Mustermann")))["type"]),
            "waiting");
  // Waiting is not arrival: the practitioner has not let the patient in.
  std::string pid = str(host.readUntil("waiting_room")["queue"].as_array()[0].at("participant_id"));
  EXPECT_EQ(appointmentStatus(doctor, booking.appointmentId), "booked");

  host.sendJson({{"type", "admit"}, {"participant_id", pid}});
  ASSERT_EQ(str(patient.readJson()["type"]), "joined");
  EXPECT_EQ(appointmentStatus(doctor, booking.appointmentId), "arrived");
  EXPECT_EQ(fhirStatus(doctor, booking.appointmentId), "arrived");

  host.sendJson({{"type", "end_consultation"}});
  EXPECT_EQ(str(host.readUntil("room_ended")["reason"]), "ended_by_host");
  EXPECT_EQ(appointmentStatus(doctor, booking.appointmentId), "fulfilled");
  EXPECT_EQ(fhirStatus(doctor, booking.appointmentId), "fulfilled");
  auto invitations = invitationStatuses(doctor, booking.appointmentId);
  EXPECT_EQ(invitations[booking.invitationId], "used");  // was "revoked"
  EXPECT_EQ(invitations[unusedId], "revoked");           // never used: the end withdrew it
}

TEST(AppointmentLifecycle, AnInterpretersAdmissionIsNotThePatientsArrival) {
  TestServer server;
  ClinicClient doctor(server.port());
  auto account = server.addAccount("weber@example.org");
  ASSERT_EQ(doctor.login(account.email, account.password).status, 200);
  Booking booking = book(doctor, server);
  auto inv = doctor.call("POST", "/api/v1/appointments/" + booking.appointmentId + "/invitations",
                         R"({"role":"interpreter"})");
  std::string url = str(inv.json().at("url"));
  WsClient host(server.port());
  ASSERT_EQ(str(host.join(hostToken(doctor, booking.appointmentId))["type"]), "joined");
  ASSERT_EQ(str(host.readJson()["type"]), "waiting_room");  // the empty queue
  WsClient interpreter(server.port());
  ASSERT_EQ(str(interpreter.join(joinTokenOf(redeemLink(server, url.substr(url.find("#i=") + 3), "Ina")))["type"]),
            "waiting");
  std::string pid = str(host.readUntil("waiting_room")["queue"].as_array()[0].at("participant_id"));
  host.sendJson({{"type", "admit"}, {"participant_id", pid}});
  ASSERT_EQ(str(interpreter.readJson()["type"]), "joined");
  EXPECT_EQ(appointmentStatus(doctor, booking.appointmentId), "booked");
  // Ended without the patient: nothing was fulfilled.
  host.sendJson({{"type", "end_consultation"}});
  host.readUntil("room_ended");
  EXPECT_EQ(appointmentStatus(doctor, booking.appointmentId), "booked");
}

}  // namespace
}  // namespace medrtc::signaling
