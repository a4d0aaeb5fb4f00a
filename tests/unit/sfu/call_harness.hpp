#pragma once
// A whole call in one test process: the real media plane (createMediaPlane: worker
// threads, UDP sockets, ICE-lite/DTLS/SRTP) and synthetic clients (src/client) on the
// test thread's event loop, which is also the "control thread" the plane posts its
// completions and events to. Every wait is a bounded runScript() phase; no sleeps.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client/loop_script.hpp"
#include "client/peer_connection.hpp"
#include "net/event_loop.hpp"
#include "net/udp_socket.hpp"
#include "sfu/media_plane.hpp"

namespace medrtc::sfu::test {

using namespace std::chrono_literals;

struct ReceivedRtp {
  Micros at{0};
  uint32_t ssrc = 0;
  uint16_t sequenceNumber = 0;
  uint8_t payloadType = 0;
  client::MediaKind kind = client::MediaKind::kUnknown;
  std::optional<Micros> sendTime;
  bool keyframe = false;
  std::vector<uint8_t> payload;
  // This hop's header extensions, under the ids the SFU offers (sdp::kDefaultSubscriberExtensions).
  std::optional<uint16_t> transportSequence;
  std::optional<uint32_t> absSendTime;
};

struct ReceivedRtcp {
  Micros at{0};
  std::vector<uint8_t> bytes;
};

// A UDP hop between one client connection and its worker, on the test loop. It can lose
// chosen datagrams on their way to the client: the only way to see a NACK answered, since
// SRTP replay protection (RFC 3711 §3.3.2) rejects a second copy of a packet that did
// arrive. RTP headers stay readable under SRTP, so it also counts what it forwards.
class LossyRelay {
 public:
  // Server → client datagrams for which this returns true are dropped.
  using DropFilter = std::function<bool(ByteView datagram)>;

  LossyRelay(net::EventLoop& loop, SocketAddress server);
  ~LossyRelay();
  const SocketAddress& address() const { return socket_->localAddress(); }

  DropFilter dropToClient;
  DropFilter dropToServer;  // client → server datagrams for which this returns true are dropped
  uint64_t dropped = 0;
  // SRTP packets forwarded to the client, by (ssrc << 16 | sequence number).
  std::map<uint64_t, int> forwardedRtp;

 private:
  void onReadable();

  net::EventLoop& loop_;
  SocketAddress server_;
  std::optional<SocketAddress> client_;
  std::unique_ptr<net::UdpSocket> socket_;
};

// One participant: publisher and subscriber connections plus everything they received.
struct Endpoint final : client::PeerConnection::Listener {
  std::string roomId;
  std::string id;
  std::unique_ptr<client::PeerConnection> pub;
  std::unique_ptr<client::PeerConnection> sub;
  std::unique_ptr<LossyRelay> relay;     // subscriber traffic goes through it, if asked for
  std::unique_ptr<LossyRelay> pubRelay;  // publisher traffic goes through it, if asked for

  bool added = false;
  bool published = false;                   // the publish answer was applied
  std::string publishAnswer;                // the server's answer to our publish offer
  std::vector<std::string> offers;          // subscriber offers, in order
  std::vector<uint32_t> offerVersions;
  uint32_t answeredVersion = 0;             // last answer the plane accepted
  bool autoAnswer = true;
  bool useRelay = false;
  std::vector<std::string> errors;          // plane or client errors

  std::vector<ReceivedRtp> received;        // on the subscriber connection
  std::vector<ReceivedRtcp> publisherRtcp;  // what the server sent the publisher
  std::vector<ReceivedRtcp> subscriberRtcp;
  std::set<int64_t> sentTimes;              // send times our MediaPump embedded (µs)

  size_t count(client::MediaKind kind) const;
  const ReceivedRtp* first(client::MediaKind kind) const;
  std::set<uint32_t> receivedSsrcs(client::MediaKind kind) const;
  bool subConnected() const { return sub && sub->connected(); }
  bool pubConnected() const { return pub && pub->connected(); }

  void onRtp(client::PeerConnection& pc, const rtp::RtpPacketView& packet,
             const client::PeerConnection::ReceivedRtp& info) override;
  void onRtcp(client::PeerConnection& pc, ByteView compound, Micros receivedAt) override;
  void onFailed(client::PeerConnection& pc, const std::string& reason) override;
};

// Sends 50 Opus frames/s and 30 VP8 frames/s (of `frameBytes`, so ~3 packets) from a
// publisher, a keyframe first and then every `keyframeInterval` (0 = only when the
// server asks with PLI/FIR, which MediaSender honours on its own). Records send times.
class MediaPump {
 public:
  MediaPump(net::EventLoop& loop, Endpoint& endpoint, Micros keyframeInterval = 1s, size_t frameBytes = 2500);
  ~MediaPump() { stop(); }
  void start();
  void stop();
  uint64_t videoFrames() const { return videoFrames_; }

 private:
  void tick();

  net::EventLoop& loop_;
  Endpoint& endpoint_;
  Micros keyframeInterval_;
  size_t frameBytes_;
  Micros start_{0};
  uint64_t audioFrames_ = 0;
  uint64_t videoFrames_ = 0;
  Micros lastKeyframe_{0};
  std::optional<net::EventLoop::TimerId> timer_;
};

struct JoinOptions {
  bool publish = true;
  bool subscribe = true;
  client::PeerConnectionConfig pc;  // identity filled in by the harness
  std::function<std::string(std::string)> editOffer;  // e.g. to add RTX to the publish offer
  bool relaySubscriber = false;  // route the subscriber connection through a LossyRelay
  bool relayPublisher = false;   // route the publisher connection through a LossyRelay
  std::optional<ReceiveCapabilities> decoders;  // join.decoders, as signaling passes it on
};

class CallHarness final : public MediaEvents {
 public:
  struct Failure {
    std::string roomId;
    std::string participantId;
    std::string reason;
    Micros at{0};
  };

  explicit CallHarness(int workers = 1, TransportTimeouts timeouts = {},
                       std::function<void(const std::string&)> addParticipantFault = {});
  ~CallHarness() override;

  net::EventLoop& loop() { return loop_; }
  MediaApi& plane() { return *plane_; }

  // Adds the participant to the plane and starts its connections (call on the test
  // thread while the loop is not running; the next run() carries it out).
  Endpoint& join(const std::string& roomId, const std::string& id, JoinOptions options = {});
  // Removes the participant from the plane and drops its connections silently.
  void leave(const std::string& roomId, const std::string& id);
  Endpoint& at(const std::string& roomId, const std::string& id);

  // Runs the loop until `until` holds (true) or `timeout` passes (false).
  bool runUntil(const std::function<bool()>& until, Micros timeout = 10s);
  // Runs the loop for `duration` of wall time (to let traffic flow, not to wait for it).
  void runFor(Micros duration);

  const std::vector<Failure>& failures() const { return failures_; }
  // Call-quality reports and active-speaker announcements the plane raised, in order.
  struct QualityReport {
    std::string roomId;
    std::vector<ParticipantQuality> figures;
  };
  const std::vector<QualityReport>& qualityReports() const { return qualityReports_; }
  // MediaEvents::onCodecUnsupported, as "<subscriber> <publisher> <kind> <codec>".
  const std::vector<std::string>& codecUnsupported() const { return codecUnsupported_; }

  // MediaEvents
  void onSubscribeOffer(const std::string& roomId, const std::string& participantId, uint32_t version,
                        std::string sdp) override;
  void onMediaFailed(const std::string& roomId, const std::string& participantId, std::string reason) override;
  void onCodecUnsupported(const std::string&, const std::string& participantId, const std::string& publisherId,
                          const std::string& kind, const std::string& codec) override {
    codecUnsupported_.push_back(participantId + " " + publisherId + " " + kind + " " + codec);
  }
  void onQualityReport(const std::string& roomId, std::vector<ParticipantQuality> figures) override {
    qualityReports_.push_back(QualityReport{roomId, std::move(figures)});
  }

 private:
  static std::string key(const std::string& roomId, const std::string& id) { return roomId + "/" + id; }

  net::EventLoop loop_;
  std::shared_ptr<const client::ClientIdentity> identity_;
  std::unique_ptr<MediaApi> plane_;
  std::map<std::string, std::unique_ptr<Endpoint>> endpoints_;
  std::vector<Failure> failures_;
  std::vector<QualityReport> qualityReports_;
  std::vector<std::string> codecUnsupported_;
};

// The worker's host candidate from a server SDP (offer or answer).
std::optional<SocketAddress> serverCandidate(const std::string& sdp);
// Rewrites the host candidate `server` in `sdp` to the relay's port.
std::string pointAt(std::string sdp, const SocketAddress& server, const LossyRelay& relay);

}  // namespace medrtc::sfu::test
