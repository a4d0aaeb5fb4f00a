#include "clinic/appointment_lifecycle.hpp"
#include "log/log.hpp"

#include <spdlog/spdlog.h>

namespace medrtc::clinic {

namespace {

bool move(store::Store& store, const std::string& roomId, const char* from, const char* to, int64_t now) {
  try {
    bool moved = store.transitionRoomAppointment(roomId, from, to, now);
    if (moved) {
      log::info("appointment_status", {{"room", roomId}, {"status", to}});
    }
    return moved;
  } catch (const store::StoreFailure& e) {
    log::error("appointment_status_not_written", {{"room", roomId}, {"status", to}, {"error", e.what()}});
    return false;
  }
}

}  // namespace

bool markArrived(store::Store& store, const std::string& roomId, int64_t now) {
  return move(store, roomId, "booked", "arrived", now);
}

bool markFulfilled(store::Store& store, const std::string& roomId, int64_t now) {
  return move(store, roomId, "arrived", "fulfilled", now);
}

}  // namespace medrtc::clinic
