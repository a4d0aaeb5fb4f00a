#pragma once
// An appointment as a FHIR R5 Appointment resource (hl7.org/fhir/R5/appointment.html)
// with virtualService (VirtualServiceDetail, R5 datatype): how to join the video call.
#include <boost/json/object.hpp>
#include <string>

#include "store/store.hpp"

namespace medrtc::clinic {

// VirtualServiceDetail.channelType binds to an *example* value set
// (http://hl7.org/fhir/virtual-service-type: zoom, ms-teams, whatsapp), so medrtc uses a
// code system of its own.
inline constexpr const char* kVirtualServiceSystem = "https://medrtc.dev/fhir/CodeSystem/virtual-service-type";

// `hostUrl`: where the practitioner joins (VirtualServiceDetail.addressUrl); guests get
// their own single-use links, which never appear in the resource.
boost::json::object toFhirAppointment(const store::AppointmentRecord& appointment, const std::string& hostUrl,
                                      int maxParticipants);

}  // namespace medrtc::clinic
