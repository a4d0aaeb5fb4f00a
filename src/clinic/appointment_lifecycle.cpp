#include "clinic/appointment_lifecycle.hpp"

#include <spdlog/spdlog.h>

namespace medrtc::clinic {

namespace {

bool move(store::Store& store, const std::string& roomId, const char* from, const char* to, int64_t now) {
  try {
    bool moved = store.transitionRoomAppointment(roomId, from, to, now);
    if (moved) {
      spdlog::info("appointment status room={} status={}", roomId, to);
    }
    return moved;
  } catch (const store::StoreFailure& e) {
    spdlog::error("appointment status not written room={} status={} error={}", roomId, to, e.what());
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
