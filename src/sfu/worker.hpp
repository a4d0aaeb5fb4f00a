#pragma once
// A media worker: one thread, one event loop, one UDP socket, and every room pinned to it.
// Shared-nothing like mediasoup's workers: nothing here is touched by another thread; the
// control thread reaches a worker only through post().
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/socket_address.hpp"
#include "dtls/certificate.hpp"
#include "dtls/dtls_context.hpp"
#include "net/event_loop.hpp"
#include "net/udp_socket.hpp"
#include "sfu/media_api.hpp"
#include "sfu/media_counters.hpp"
#include "sfu/media_plane.hpp"
#include "sfu/transport_host.hpp"
#include "sfu/worker_tick_slots.hpp"

namespace medrtc::sfu {

class Room;

class Worker final : public TransportHost {
 public:
  Worker(int index, const MediaConfig& config, ControlPoster toControl, MediaEvents& events);
  ~Worker() override;

  void start();
  void stop();
  void post(net::EventLoop::Task task) { loop_.post(std::move(task)); }

  // Worker thread only.
  Room& openRoom(const std::string& roomId);
  Room* findRoom(const std::string& roomId);
  void closeRoom(const std::string& roomId);
  // The tick slot of a new participant (worker_tick_slots.hpp).
  unsigned nextTickSlot() { return tickSlots_.assign(); }
  size_t roomCount() const { return rooms_.size(); }

  void registerTransport(const std::string& localUfrag, WebRtcTransport& transport) override;
  void unregisterTransport(const std::string& localUfrag, WebRtcTransport& transport) override;

  // TransportHost
  net::UdpSocket& socket() override { return *socket_; }
  void bindTuple(const SocketAddress& remote, WebRtcTransport& transport) override;
  Micros now() const override { return loop_.now(); }
  const TransportTimeouts& transportTimeouts() const override { return timeouts_; }

  int index() const { return index_; }
  // The host candidates' addresses, best first (net/announced_addresses.hpp), all on port().
  const std::vector<std::string>& announcedIps() const { return announcedIps_; }
  uint16_t port() const { return socket_->localAddress().port(); }
  // One certificate and one server SSL_CTX per worker, shared by all its transports.
  const std::shared_ptr<const dtls::DtlsContext>& dtlsContext() const { return dtlsContext_; }
  net::EventLoop& loop() { return loop_; }
  // Runs on the control thread.
  void toControl(std::function<void()> task) { toControl_(std::move(task)); }
  MediaEvents& events() { return events_; }

  // Any thread (the /metrics scrape): this worker's media figures, the CPU time its thread
  // has used and the tasks waiting in its queue.
  const MediaCounters& counters() const { return counters_; }
  double cpuSeconds() const;
  size_t queueDepth() const { return loop_.pendingTasks(); }

 private:
  void onReadable();
  void onDatagram(MutableByteView data, const SocketAddress& from);
  void tick();

  int index_;
  net::EventLoop loop_;
  std::unique_ptr<net::UdpSocket> socket_;
  std::vector<std::string> announcedIps_;
  std::shared_ptr<const dtls::DtlsContext> dtlsContext_;
  ControlPoster toControl_;
  MediaEvents& events_;
  TransportTimeouts timeouts_;
  std::thread thread_;
  MediaCounters counters_;
  WorkerTickSlots tickSlots_;

  std::unordered_map<std::string, std::unique_ptr<Room>> rooms_;
  std::unordered_map<std::string, WebRtcTransport*> transportsByUfrag_;
  std::unordered_map<SocketAddress, WebRtcTransport*> transportsByTuple_;
};

}  // namespace medrtc::sfu
