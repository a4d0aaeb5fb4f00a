#include "clinic/fhir_appointment.hpp"

#include "clinic/rfc3339.hpp"

namespace medrtc::clinic {

namespace json = boost::json;

namespace {

// R5 Appointment.status (http://hl7.org/fhir/appointmentstatus) shares our four values.
const char* participantStatus(const std::string& status) {
  return status == "cancelled" ? "declined" : "accepted";
}

}  // namespace

json::object toFhirAppointment(const store::AppointmentRecord& a, const std::string& hostUrl, int maxParticipants) {
  json::array participants;
  participants.push_back(json::object{{"actor", json::object{{"reference", "Practitioner/" + a.practitionerId}}},
                                      {"required", true},
                                      {"status", participantStatus(a.status)}});
  if (!a.patientReference.empty()) {
    participants.push_back(json::object{{"actor", json::object{{"reference", a.patientReference}}},
                                        {"required", true},
                                        {"status", "needs-action"}});
  }
  json::object virtualService{
      {"channelType", json::object{{"system", kVirtualServiceSystem},
                                   {"code", "medrtc"},
                                   {"display", "medrtc video consultation"}}},
      {"addressUrl", hostUrl},
      {"maxParticipants", maxParticipants},
  };
  // R5 Appointment.class: v3 ActCode VR (virtual), the encounter class of a video visit.
  json::object coding{{"system", "http://terminology.hl7.org/CodeSystem/v3-ActCode"}, {"code", "VR"},
                      {"display", "virtual"}};
  json::object virtualClass{{"coding", json::array{std::move(coding)}}};
  json::object o{
      {"resourceType", "Appointment"},
      {"id", a.id},
      {"meta", json::object{{"lastUpdated", formatRfc3339(a.updatedAt)}}},
      {"status", a.status},
      {"class", json::array{std::move(virtualClass)}},
      {"virtualService", json::array{std::move(virtualService)}},
      {"start", formatRfc3339(a.start)},
      {"end", formatRfc3339(a.end)},
      {"minutesDuration", (a.end - a.start) / 60},
      {"created", formatRfc3339(a.createdAt)},
      {"participant", std::move(participants)},
  };
  if (!a.title.empty()) {
    o["description"] = a.title;
  }
  return o;
}

}  // namespace medrtc::clinic
