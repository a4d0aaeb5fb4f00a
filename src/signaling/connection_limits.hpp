#pragma once
// Descriptor budgeting for the HTTP/WebSocket listener (docs/security.md "Limits"): how
// many connections the node holds in all and per peer address, and what the accept loop
// does when the process runs out of descriptors. No Beast here, so tests drive it alone.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace medrtc::signaling {

struct ConnectionLimits {
  // app/serve.cpp lowers `maxTotal` to what RLIMIT_NOFILE leaves after a reserve for the
  // store, the audit log and the media workers.
  size_t maxTotal = 10'000;
  // An office behind one NAT shares an address; a single host needs far fewer.
  size_t maxPerAddress = 256;
};

// Counts open connections per address. A ConnectionSlot gives its count back when it is
// released or destroyed; the table outlives every slot (Server::Impl owns both).
class ConnectionTable {
 public:
  explicit ConnectionTable(ConnectionLimits limits) : limits_(limits) {}

  bool fullInTotal() const { return total_ >= limits_.maxTotal; }
  bool fullFor(const std::string& address) const;
  size_t total() const { return total_; }
  const ConnectionLimits& limits() const { return limits_; }

  class Slot {
   public:
    Slot() = default;
    Slot(ConnectionTable* table, std::string address) : table_(table), address_(std::move(address)) {}
    Slot(Slot&& other) noexcept : table_(other.table_), address_(std::move(other.address_)) { other.table_ = nullptr; }
    Slot& operator=(Slot&& other) noexcept;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot() { release(); }
    void release();
    const std::string& address() const { return address_; }

   private:
    ConnectionTable* table_ = nullptr;
    std::string address_;
  };

  // Counts a connection from `address`; the caller checked fullInTotal()/fullFor().
  Slot take(const std::string& address);

 private:
  void give(const std::string& address);

  ConnectionLimits limits_;
  size_t total_ = 0;
  std::unordered_map<std::string, size_t> perAddress_;
};

// accept(2) failing for want of resources (EMFILE, ENFILE, ENOBUFS, ENOMEM) leaves the
// connection in the backlog, so accepting again at once fails again: the loop must pause.
// The delay doubles from `first` to `max` while failures continue and resets on success.
class AcceptBackoff {
 public:
  using Clock = std::chrono::steady_clock;
  AcceptBackoff(std::chrono::milliseconds first = std::chrono::milliseconds(10),
                std::chrono::milliseconds max = std::chrono::milliseconds(1000))
      : first_(first), max_(max) {}

  std::chrono::milliseconds failed();
  void succeeded() { next_ = first_; }

 private:
  std::chrono::milliseconds first_;
  std::chrono::milliseconds max_;
  std::chrono::milliseconds next_{first_};
};

// One log line per `interval` for a repeating condition, with the count it stood for, so an
// attack cannot fill the disk through the log (issue 10 item 5: 400 MB in 5 s).
class LogThrottle {
 public:
  explicit LogThrottle(std::chrono::steady_clock::duration interval = std::chrono::seconds(10))
      : interval_(interval) {}

  // True when a line may be written now; `suppressed` is then how many were not written
  // since the last one.
  bool allow(std::chrono::steady_clock::time_point now, uint64_t& suppressed);

 private:
  std::chrono::steady_clock::duration interval_;
  std::chrono::steady_clock::time_point last_{};
  bool any_ = false;
  uint64_t suppressed_ = 0;
};

}  // namespace medrtc::signaling
