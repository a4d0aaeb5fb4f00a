#pragma once
// The persistence boundary of the control plane. One interface, several backends
// (SQLite now; PostgreSQL later). Grows with the product: tenants, users, appointments.
//
// Every method runs on the caller's thread and may block (SQLite calls are fast enough
// to run inline on the control thread for now; a PostgreSQL backend will need a pool).
// Backend failures (disk full, corrupt file) throw StoreFailure: they are server faults,
// caught at the REST/WebSocket boundary and answered as `internal`.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace medrtc::store {

class StoreFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Seconds since the Unix epoch (UTC).
using UnixSeconds = int64_t;

struct RoomRecord {
  std::string id;                    // "r_" + 16 hex
  std::string name;                  // may be empty
  UnixSeconds createdAt = 0;
  std::optional<UnixSeconds> endedAt;  // set once the room was ended

  bool ended() const { return endedAt.has_value(); }
};

struct ApiKeyRecord {
  std::string id;      // "ak_" + 16 hex; names the key in logs and admin output
  std::string prefix;  // the first characters of the key, to help humans tell keys apart
  std::string name;    // operator's label
  UnixSeconds createdAt = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Rooms.
  virtual RoomRecord createRoom(const std::string& name, UnixSeconds now) = 0;
  virtual std::optional<RoomRecord> findRoom(const std::string& id) = 0;
  // Marks the room ended; returns false if it does not exist. Ending twice keeps the
  // first end time.
  virtual bool endRoom(const std::string& id, UnixSeconds now) = 0;

  // API keys: only a hash of the key is stored (see api_key.hpp).
  virtual ApiKeyRecord addApiKey(const std::string& keyHash, const std::string& prefix, const std::string& name,
                                 UnixSeconds now) = 0;
  virtual std::optional<ApiKeyRecord> findApiKeyByHash(const std::string& keyHash) = 0;
  virtual int64_t countApiKeys() = 0;
};

}  // namespace medrtc::store
