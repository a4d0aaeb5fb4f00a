#pragma once
// A media worker: one thread, one event loop, one UDP socket (and a passive ICE-TCP
// listener on the same port, sfu/ice_tcp_server.hpp), and every room pinned to it.
// Shared-nothing like mediasoup's workers: nothing here is touched by another thread; the
// control thread reaches a worker only through post().
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/socket_address.hpp"
#include "dtls/certificate.hpp"
#include "dtls/dtls_context.hpp"
#include "net/event_loop.hpp"
#include "net/udp_socket.hpp"
#include "sfu/heap_trimmer.hpp"
#include "sfu/ice_tcp_server.hpp"
#include "sfu/media_api.hpp"
#include "sfu/media_counters.hpp"
#include "sfu/media_plane.hpp"
#include "sfu/rtp_parameters.hpp"
#include "sfu/transport_host.hpp"
#include "sfu/worker_tick_slots.hpp"

namespace medrtc::sfu {

class ConnectivityProbe;
class Room;

// Where a worker's subscribe offers go, called on the control thread: the control side
// writes their SDP (sfu/negotiation.hpp) and hands it to MediaEvents::onSubscribeOffer.
using SubscribeOfferSink =
    std::function<void(const std::string& roomId, const std::string& participantId, SubscribeOffer offer)>;

class Worker final : public TransportHost, private IceTcpServer::Listener {
 public:
  Worker(int index, const MediaConfig& config, ControlPoster toControl, MediaEvents& events,
         SubscribeOfferSink subscribeOffers);
  ~Worker() override;

  void start();
  void stop();
  // Any thread. A task that throws is logged and dropped (a last resort: media_plane.cpp
  // contains the tasks that act for a participant and answers them).
  void post(net::EventLoop::Task task);

  // Worker thread only.
  Room& openRoom(const std::string& roomId);
  Room* findRoom(const std::string& roomId);
  void closeRoom(const std::string& roomId);
  // The tick slot of a new participant (worker_tick_slots.hpp).
  unsigned nextTickSlot() { return tickSlots_.assign(); }
  size_t roomCount() const { return rooms_.size(); }
  // A connectivity probe (MediaApi::openProbe): its transport's local parameters, from
  // which the control side answers the browser's offer.
  Result<LocalTransportParameters, MediaError> openProbe(const std::string& probeId, ProbeCandidates candidates);
  // The control side answered the probe's offer: DTLS may start. False when it is gone.
  bool acceptProbeOffer(const std::string& probeId, const DtlsFingerprint& remoteFingerprint);
  void closeProbe(const std::string& probeId);
  size_t probeCount() const { return probes_.size(); }

  void registerTransport(const std::string& localUfrag, WebRtcTransport& transport) override;
  void unregisterTransport(const std::string& localUfrag, WebRtcTransport& transport) override;
  void unregisterUfrag(const std::string& localUfrag, WebRtcTransport& transport) override;

  // TransportHost
  net::UdpSocket& socket() override { return *socket_; }
  void bindTuple(const SocketAddress& remote, WebRtcTransport& transport) override;
  Micros now() const override { return loop_.now(); }
  Micros receivedAt() const override { return receivedAt_.value_or(loop_.now()); }
  void awaitDeparture(WebRtcTransport& transport) override { departing_.push_back(&transport); }
  MutableByteView reservePacket(WebRtcTransport& from, const SocketAddress& to) override;
  void commitPacket(size_t length, net::SendPriority priority) override;
  void sendPacket(WebRtcTransport& from, ByteView data, const SocketAddress& to) override;
  const TransportTimeouts& transportTimeouts() const override { return timeouts_; }
  void onDtlsReleased() override { heapTrimmer_.noteFreed(loop_.now()); }

  int index() const { return index_; }
  // Whether subscribers get transport-wide sequence numbers, hence the estimator and the
  // allocator (MediaConfig::bandwidthEstimation); without, the loss-based layer selector.
  bool bandwidthEstimation() const { return bandwidthEstimation_; }
  // The host candidates' addresses, best first (net/announced_addresses.hpp), all on port().
  const std::vector<std::string>& announcedIps() const { return announcedIps_; }
  uint16_t port() const { return socket_->localAddress().port(); }
  // True when the worker also takes ICE-TCP on port() (MediaConfig::iceTcp).
  bool acceptsTcp() const { return tcp_ != nullptr; }
  // One certificate and one server SSL_CTX per worker, shared by all its transports.
  const std::shared_ptr<const dtls::DtlsContext>& dtlsContext() const { return dtlsContext_; }
  net::EventLoop& loop() { return loop_; }
  // Runs on the control thread.
  void toControl(std::function<void()> task) { toControl_(std::move(task)); }
  MediaEvents& events() { return events_; }
  // Only to be called on the control thread (a task given to toControl).
  SubscribeOfferSink& subscribeOffers() { return subscribeOffers_; }

  // Any thread (the /metrics scrape): this worker's media figures, the CPU time its thread
  // has used and the tasks waiting in its queue.
  const MediaCounters& counters() const { return counters_; }
  double cpuSeconds() const;
  size_t queueDepth() const { return loop_.pendingTasks(); }

 private:
  void onReadable();
  void onDatagram(MutableByteView data, const SocketAddress& from);
  // The transport a first check from an unknown address is for, by its USERNAME.
  WebRtcTransport* transportForCheck(ByteView data);
  void tick();
  void bindSockets(const MediaConfig& config);

  // IceTcpServer::Listener
  void onIceTcpFrame(IceTcpServer::ConnectionId id, const SocketAddress& remote, MutableByteView frame) override;
  void onIceTcpClosed(IceTcpServer::ConnectionId id) override;
  // The ICE-TCP connection `from` reaches `to` on, if it validated one; nullopt: UDP.
  std::optional<IceTcpServer::ConnectionId> tcpRouteOf(WebRtcTransport& from, const SocketAddress& to) const;
  // Logs an exception caught at the worker's last-resort boundary (rate-limited).
  void noteContained(const char* where, const char* what);

  int index_;
  bool bandwidthEstimation_ = true;  // MediaConfig::bandwidthEstimation
  bool kernelArrivalTimes_ = false;  // SO_TIMESTAMPNS on the UDP socket
  std::optional<Micros> receivedAt_;  // of the datagram being handled (onReadable)
  std::vector<WebRtcTransport*> departing_;  // queued numbered packets since the last flush
  net::EventLoop loop_;
  std::unique_ptr<net::UdpSocket> socket_;
  std::unique_ptr<IceTcpServer> tcp_;
  std::vector<std::string> announcedIps_;
  std::shared_ptr<const dtls::DtlsContext> dtlsContext_;
  ControlPoster toControl_;
  MediaEvents& events_;
  SubscribeOfferSink subscribeOffers_;
  TransportTimeouts timeouts_;
  std::thread thread_;
  MediaCounters counters_;
  WorkerTickSlots tickSlots_;
  HeapTrimmer heapTrimmer_;
  uint64_t contained_ = 0;

  std::unordered_map<std::string, std::unique_ptr<Room>> rooms_;
  std::unordered_map<std::string, std::unique_ptr<ConnectivityProbe>> probes_;
  Micros probeLifetime_;
  size_t maxProbes_;
  std::unordered_map<std::string, WebRtcTransport*> transportsByUfrag_;
  std::unordered_map<SocketAddress, WebRtcTransport*> transportsByTuple_;

  // ICE-TCP routing. A TCP tuple is (connection, remote address); keeping it apart from
  // transportsByTuple_ matters behind a NAT, where one peer's UDP mapping and another's
  // TCP mapping can share an address and port.
  struct TcpTuple {
    SocketAddress remote;
    IceTcpServer::ConnectionId connection;
  };
  std::unordered_map<IceTcpServer::ConnectionId, WebRtcTransport*> transportsByConnection_;
  // Every TCP tuple a transport validated, kept after its connection closes so packets to
  // it are dropped rather than sent over UDP to a port that never asked for them.
  std::unordered_map<WebRtcTransport*, std::vector<TcpTuple>> tcpTuples_;
  // The connection whose frame is being handled: a STUN response, and a bindTuple, during
  // it belong to that connection.
  std::optional<TcpTuple> receivingTcp_;
  std::optional<IceTcpServer::ConnectionId> reservedTcp_;  // between reservePacket and commitPacket
  std::array<uint8_t, net::UdpSocket::kBufferSize> tcpSendSlot_{};
};

}  // namespace medrtc::sfu
