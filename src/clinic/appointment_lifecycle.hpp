#pragma once
// The appointment's FHIR Appointment.status as the consultation happens
// (http://hl7.org/fhir/R4/valueset-appointmentstatus.html): booked → arrived when the host
// admits the patient, arrived → fulfilled when the host ends the consultation. An ended
// consultation whose patient was never admitted stays booked: nothing was fulfilled.
// Rooms without an appointment (integrator rooms) have no lifecycle; these do nothing there.
#include <cstdint>
#include <string>

#include "store/store.hpp"

namespace medrtc::clinic {

// Each returns true when it moved the status. A store failure is logged and reported as
// false: the status is bookkeeping, the admission or the end it follows has happened.
bool markArrived(store::Store& store, const std::string& roomId, int64_t now);
bool markFulfilled(store::Store& store, const std::string& roomId, int64_t now);

}  // namespace medrtc::clinic
