#pragma once
// Sockets that opened the signaling WebSocket but have not sent `join` (or `resume`) yet.
// Each holds a descriptor and a connection slot for up to the join timeout (10 s) without
// having proved anything, so an anonymous client could park hundreds of them and keep
// real clients out (issue 10, leftover of item 5). They are counted apart from
// participants, with caps per address and in total far below the connection limits. At a
// cap the oldest such socket gives way: a real client sends `join` as soon as its socket
// opens, so it is never the oldest for long, while parked sockets are displaced.
// No Beast and no hub here, so tests drive it alone.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace medrtc::signaling {

struct PendingJoinLimits {
  // A page opens one socket; a few tabs or a resume racing a join need a few more.
  size_t perAddress = 8;
  // Server::Impl lowers it to half the connection limit when that is smaller.
  size_t total = 512;
};

class PendingJoins {
 public:
  using Id = uint64_t;

  explicit PendingJoins(PendingJoinLimits limits = {}) : limits_(limits) {}
  void setLimits(PendingJoinLimits limits) { limits_ = limits; }
  const PendingJoinLimits& limits() const { return limits_; }

  // Counts socket `id` (ids grow with time) from limit key `address` ("": counted only in
  // the total, e.g. everyone behind a trusted proxy without X-Forwarded-For). Returns the
  // sockets that give way to it, oldest first; they are no longer counted.
  std::vector<Id> add(Id id, const std::string& address);
  // The socket sent its join or resume, or is gone. Unknown ids are ignored.
  void remove(Id id);

  size_t size() const { return byAge_.size(); }
  size_t countFor(const std::string& address) const;

 private:
  PendingJoinLimits limits_;
  std::map<Id, std::string> byAge_;  // the first entry is the oldest
  std::unordered_map<std::string, size_t> perAddress_;
};

}  // namespace medrtc::signaling
